"""A two-reserve Aave V3.0 market (6-decimals stablecoin debt, 18-decimals RWA collateral).

Deployed once per module; ape reverts each test's changes.
"""

import pytest

from rwa_testbed.venues.aave_v3 import deploy_aave_v3
from rwa_testbed.models.reserve import RAY, ReserveSpec

STABLE_PRICE = 10**8  # 1 USD, 8 decimals
RWA_PRICE = 100 * 10**8  # 100 USD, 8 decimals


@pytest.fixture(scope="module", autouse=True)
def _actors_before_deployments(admin, lp, borrower, liquidator, treasury):
    """Creates the session-scoped actors before any module fixture, as ape's isolation needs."""


@pytest.fixture(scope="module")
def rwa_token(project, admin):
    """18-decimals collateral token (a tokenized building share); anyone may mint."""
    return admin.deploy(project.TestToken, "RWA Building", "RWA", 18)


@pytest.fixture(scope="module")
def stable_feed(project, admin):
    return admin.deploy(project.MockAggregator, STABLE_PRICE)


@pytest.fixture(scope="module")
def rwa_feed(project, admin):
    return admin.deploy(project.MockAggregator, RWA_PRICE)


@pytest.fixture(scope="module")
def stable_spec(stablecoin, stable_feed):
    return ReserveSpec(
        asset=stablecoin.address,
        price_feed=stable_feed.address,
        ltv_bps=7_500,
        liquidation_threshold_bps=8_000,
        liquidation_bonus_bps=10_500,
        liquidation_protocol_fee_bps=1_000,
        reserve_factor_bps=1_000,
        borrowing_enabled=True,
        usable_as_collateral=True,
        optimal_usage_ray=RAY * 90 // 100,
        base_rate_ray=0,
        slope1_ray=RAY * 4 // 100,
        slope2_ray=RAY * 60 // 100,
    )


@pytest.fixture(scope="module")
def rwa_spec(rwa_token, rwa_feed):
    return ReserveSpec(
        asset=rwa_token.address,
        price_feed=rwa_feed.address,
        ltv_bps=6_000,
        liquidation_threshold_bps=7_000,
        liquidation_bonus_bps=11_000,
        liquidation_protocol_fee_bps=2_000,
        reserve_factor_bps=2_000,
        supply_cap_tokens=10_000_000,
        borrowing_enabled=False,
        usable_as_collateral=True,
    )


@pytest.fixture(scope="module")
def aave(admin, treasury, stable_spec, rwa_spec):
    return deploy_aave_v3(admin, [stable_spec, rwa_spec], treasury)


@pytest.fixture
def fund(admin, stablecoin, rwa_token):
    """Mint `stable` (6 decimals) and `rwa` (18 decimals) to `account`."""

    def fund(account, *, stable=0, rwa=0):
        if stable:
            stablecoin.mint(account, stable, sender=admin)
        if rwa:
            rwa_token.mint(account, rwa, sender=account)

    return fund


@pytest.fixture
def supply(aave, fund, stablecoin, rwa_token):
    """Fund `account` and supply to Aave (approve + supply)."""

    def supply(account, token, amount):
        fund(account, **{"stable" if token == stablecoin else "rwa": amount})
        token.approve(aave.pool, amount, sender=account)
        return aave.pool.supply(token, amount, account, 0, sender=account)

    return supply
