"""getUserAccountData and the batched reads against `rwa_testbed.models.aave.account_data`, and the
price checks (non-positive answers, optional staleness)."""

import ape
import pytest
from fixtures.constants import MAX_UINT, USDC, VARIABLE, WAD
from .lending_defaults import RWA_PARAMS, STABLE_PARAMS

from rwa_testbed.models.aave import PositionLine, account_data

BASE = 10**8


@pytest.fixture
def bond(project, admin, pool):
    """A third reserve: an 8-decimals tokenized bond, collateral with LTV 50 %, threshold 65 %."""
    token = admin.deploy(project.TestToken, "Bond", "BND", 8)
    feed = admin.deploy(project.MockAggregator, 97 * BASE)
    pool.initReserve(
        token,
        feed,
        dict(RWA_PARAMS, ltvBps=5_000, liquidationThresholdBps=6_500, liquidationBonusBps=10_800),
        sender=admin,
    )
    return token


def lines(pool, user):
    """The user's reserves as `models.aave` position lines, from the pool's views."""
    config = pool.getUserConfiguration(user)
    result = []
    for asset in pool.getReservesList():
        data = pool.getReserveData(asset)
        collateral_bit = (config >> (2 * data.id + 1)) & 1
        borrowing_bit = (config >> (2 * data.id)) & 1
        if not (collateral_bit or borrowing_bit):
            continue
        result.append(
            PositionLine(
                price=pool.getAssetPrice(asset),
                decimals=data.config.decimals,
                ltv_bps=data.config.ltvBps,
                liquidation_threshold_bps=data.config.liquidationThresholdBps,
                collateral=pool.supplyBalanceOf(asset, user),
                is_collateral=bool(collateral_bit),
                debt=pool.debtBalanceOf(asset, user) if borrowing_bit else 0,
            )
        )
    return result


def test_account_data__three_collaterals_two_debts__matches_python(pool, admin, bond, open_position, deposit, borrower, stablecoin, rwa_token, chain):
    pool.configureReserve(
        stablecoin, dict(STABLE_PARAMS, ltvBps=7_500, liquidationThresholdBps=8_000, liquidationBonusBps=10_500), sender=admin
    )
    pool.configureReserve(rwa_token, dict(RWA_PARAMS, borrowingEnabled=True), sender=admin)
    open_position(collateral=37 * WAD + 123_456_789, debt=1_234 * USDC + 567)
    deposit(borrower, stablecoin, 999 * USDC + 1)
    bond.mint(borrower, 41 * 10**8 + 7, sender=borrower)
    bond.approve(pool, MAX_UINT, sender=borrower)
    pool.supply(bond, 41 * 10**8 + 7, borrower, 0, sender=borrower)
    pool.borrow(rwa_token, 3 * WAD // 7, VARIABLE, 0, borrower, sender=borrower)
    chain.pending_timestamp += 45 * 86_400 + 17
    chain.mine()

    expected = account_data(lines(pool, borrower))

    assert tuple(pool.getUserAccountData(borrower)) == expected.as_tuple()
    assert len(lines(pool, borrower)) == 3
    assert 6_000 < expected.liquidation_threshold_bps < 8_000  # value-weighted mix


def test_account_data__debt_value_rounds_down(pool, admin, stable_feed, open_position, borrower):
    open_position(debt=3)  # 3 micro-USDC
    stable_feed.setAnswer(BASE // 2 + 1, sender=admin)  # 0.50000001 USD
    # 3 x 50_000_001 / 1e6 = 150.000003 -> 150
    assert pool.getUserAccountData(borrower).totalDebtBase == 150


def test_batched_reads__many_users__equal_single_reads(pool, open_position, deposit, borrower, other_borrower, lp, attacker, rwa_token, rwa_feed, admin):
    open_position(debt=5_000 * USDC)
    open_position(account=other_borrower, collateral=10 * WAD, debt=300 * USDC, liquidity=0)
    rwa_feed.setAnswer(60 * BASE, sender=admin)
    users = [borrower, other_borrower, lp, attacker]

    data = pool.getUsersAccountData(users)
    factors = pool.getUsersHealthFactors(users)

    assert [tuple(d) for d in data] == [tuple(pool.getUserAccountData(u)) for u in users]
    assert list(factors) == [pool.getUserAccountData(u).healthFactor for u in users]
    assert factors[0] < 10**18 < factors[1]
    assert factors[2] == factors[3] == MAX_UINT


def test_price__zero_or_negative_answer__reverts(pool, admin, rwa_feed, rwa_token, open_position, borrower):
    open_position()
    for answer in (0, -5):
        rwa_feed.setAnswer(answer, sender=admin)
        with ape.reverts(pool.InvalidPrice, asset=rwa_token.address, answer=answer):
            pool.getAssetPrice(rwa_token)
        with ape.reverts(pool.InvalidPrice, asset=rwa_token.address, answer=answer):
            pool.getUserAccountData(borrower)


def test_price__older_than_max_age__reverts_stale(pool, admin, rwa_feed, rwa_token, chain):
    pool.setPriceSource(rwa_token, rwa_feed, 3_600, sender=admin)
    rwa_feed.setAnswer(99 * BASE, sender=admin)
    updated = rwa_feed.latestTimestamp()
    chain.pending_timestamp = updated + 3_600
    chain.mine()
    assert pool.getAssetPrice(rwa_token) == 99 * BASE  # exactly max age: still fresh
    chain.pending_timestamp = updated + 3_601
    chain.mine()
    with ape.reverts(pool.StalePrice, asset=rwa_token.address, updatedAt=updated, maxAge=3_600):
        pool.getAssetPrice(rwa_token)


def test_price__max_age_zero__never_stale(pool, rwa_feed, rwa_token, chain):
    chain.pending_timestamp += 10 * 365 * 86_400
    chain.mine()
    assert pool.getAssetPrice(rwa_token) == 100 * BASE


def test_price__unlisted__reverts(pool, project, admin):
    token = admin.deploy(project.TestToken, "X", "X", 18)
    with ape.reverts(pool.ReserveNotActive, asset=token.address):
        pool.getAssetPrice(token)
