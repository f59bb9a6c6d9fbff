"""ProofOfReserveExecutor: once the attested reserves fall below the collateral's supply, anyone may
freeze the reserve and set its LTV to 0 (Aave's proof-of-reserve executor), once; a backed, or
never-reported, supply changes nothing; the executor acts only with the pool admin's role."""

import ape
import pytest
from fixtures.constants import WAD

from rwa_testbed.testing import deploy, reverts
from rwa_testbed.venues.ours import POOL_ADMIN_ROLE

from .lending_defaults import RWA_PARAMS

SUPPLY = 1_000 * WAD


@pytest.fixture
def reserves_feed(project, admin, keeper):
    """The attestor's feed: a LatencyOracle in the token's 18 decimals, publishing at once."""
    feed = admin.deploy(project.LatencyOracle, 18, "RWA reserves", 0, 0, 0, admin)
    feed.grantRole(feed.REPORTER_ROLE(), keeper, sender=admin)
    return feed


@pytest.fixture
def por_executor(project, admin, pool, rwa_token, reserves_feed, fund, lp):
    """An executor holding POOL_ADMIN_ROLE, over a collateral whose supply is `SUPPLY` more than before."""
    fund(lp, rwa=SUPPLY)
    contract = admin.deploy(project.ProofOfReserveExecutor, pool, rwa_token, reserves_feed)
    pool.grantRole(POOL_ADMIN_ROLE, contract, sender=admin)
    return contract


@pytest.fixture
def report(reserves_feed, keeper, chain):
    """Publishes `reserves` (token units) as the attestor's latest report."""

    def report(reserves):
        reserves_feed.submit(reserves, chain.blocks.head.timestamp, sender=keeper)

    return report


def _config(pool, rwa_token):
    return pool.getReserveData(rwa_token).config


def test_constructor__feed_decimals_differ_from_the_token__reverts(project, admin, pool, rwa_token):
    feed = admin.deploy(project.LatencyOracle, 8, "RWA reserves", 0, 0, 0, admin)
    with reverts(project.ProofOfReserveExecutor.ReservesFeedDecimalsMismatch, feedDecimals=8, tokenDecimals=18):
        deploy(admin, project.ProofOfReserveExecutor, pool, rwa_token, feed)


def test_never_reported__backed__no_action(por_executor, pool, rwa_token, attacker):
    assert por_executor.isBacked()
    assert por_executor.reservesAndSupply()[2] is False

    tx = por_executor.executeEmergencyAction(sender=attacker)

    assert not tx.events
    assert not por_executor.executed()
    assert _config(pool, rwa_token).frozen is False


@pytest.mark.parametrize("extra", [0, 1], ids=["equal", "above"])
def test_reserves_at_or_above_supply__backed__no_action(por_executor, report, rwa_token, pool, attacker, extra):
    supply = rwa_token.totalSupply()
    report(supply + extra)
    assert por_executor.isBacked()

    por_executor.executeEmergencyAction(sender=attacker)

    config = _config(pool, rwa_token)
    assert (config.frozen, config.ltvBps) == (False, RWA_PARAMS["ltvBps"])
    assert not por_executor.executed()


def test_reserves_one_below_supply__anyone__freezes_and_sets_ltv_zero_keeping_the_rest(
        por_executor, report, rwa_token, pool, attacker):
    supply = rwa_token.totalSupply()
    before = pool.getReserveData(rwa_token)
    report(supply - 1)
    assert not por_executor.isBacked()

    tx = por_executor.executeEmergencyAction(sender=attacker)

    assert tx.events.filter(por_executor.EmergencyActionExecuted) == [
        por_executor.EmergencyActionExecuted(asset=rwa_token.address, reserves=supply - 1, supply=supply)]
    after = pool.getReserveData(rwa_token)
    assert after.config.frozen is True and after.config.ltvBps == 0
    keep = ("liquidationThresholdBps", "liquidationBonusBps", "liquidationProtocolFeeBps", "reserveFactorBps",
            "supplyCap", "borrowCap", "borrowingEnabled", "paused")
    assert [getattr(after.config, k) for k in keep] == [getattr(before.config, k) for k in keep]
    rates = ("optimalUsageRay", "baseRateRay", "slope1Ray", "slope2Ray", "priceSource", "maxPriceAge")
    assert [getattr(after, k) for k in rates] == [getattr(before, k) for k in rates]
    assert por_executor.executed()


def test_acted_once__a_second_call__changes_nothing(por_executor, report, rwa_token, pool, admin, attacker):
    report(rwa_token.totalSupply() // 2)
    por_executor.executeEmergencyAction(sender=attacker)
    pool.setReserveFrozen(rwa_token, False, sender=admin)  # governance lifts the freeze

    tx = por_executor.executeEmergencyAction(sender=attacker)

    assert not tx.events.filter(por_executor.EmergencyActionExecuted)
    assert _config(pool, rwa_token).frozen is False


def test_frozen__new_supply_of_the_collateral__reverts(por_executor, report, rwa_token, pool, fund, borrower):
    report(1)  # a feed answer is positive: 1 wei stands for none
    por_executor.executeEmergencyAction(sender=borrower)
    fund(borrower, rwa=WAD)  # approving the pool (the lending conftest's `fund`)

    with ape.reverts(pool.ReserveFrozen):
        pool.supply(rwa_token, WAD, borrower, 0, sender=borrower)


def test_without_pool_admin_role__unbacked__reverts_unauthorized(project, admin, pool, rwa_token, reserves_feed,
                                                                  report, fund, lp, attacker):
    fund(lp, rwa=SUPPLY)
    bare = admin.deploy(project.ProofOfReserveExecutor, pool, rwa_token, reserves_feed)
    report(rwa_token.totalSupply() - 1)

    with ape.reverts(pool.AccessControlUnauthorizedAccount, account=bare.address, neededRole=POOL_ADMIN_ROLE):
        bare.executeEmergencyAction(sender=attacker)
    assert not bare.executed()
