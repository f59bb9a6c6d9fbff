"""A two-reserve LendingPool: a 6-decimals stablecoin to borrow and an 18-decimals RWA collateral.

Deployed once per module; ape reverts each test's changes. Prices are 8-decimals USD from
MockAggregator feeds; amounts are in token decimals (`USDC` = 1e6, `WAD` = 1e18 for the RWA).
"""

from dataclasses import dataclass

import pytest

from .lending_defaults import MAX_UINT, RWA_PARAMS, RWA_PRICE, STABLE_PARAMS, STABLE_PRICE, USDC, VARIABLE, WAD


@pytest.fixture(scope="module", autouse=True)
def _actors_before_deployments(admin, lp, borrower, other_borrower, liquidator, treasury, attacker, keeper, trader):
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
def pool(project, admin, treasury, stablecoin, rwa_token, stable_feed, rwa_feed):
    pool = admin.deploy(project.LendingPool, admin, treasury)
    pool.initReserve(stablecoin, stable_feed, STABLE_PARAMS, sender=admin)
    pool.initReserve(rwa_token, rwa_feed, RWA_PARAMS, sender=admin)
    return pool


@pytest.fixture
def fund(admin, pool, stablecoin, rwa_token):
    """Mint `stable` (6 decimals) and `rwa` (18 decimals) to `account` and approve the pool."""

    def fund(account, *, stable=0, rwa=0):
        if stable:
            stablecoin.mint(account, stable, sender=admin)
            stablecoin.approve(pool, MAX_UINT, sender=account)
        if rwa:
            rwa_token.mint(account, rwa, sender=account)
            rwa_token.approve(pool, MAX_UINT, sender=account)

    return fund


@pytest.fixture
def deposit(pool, fund, stablecoin):
    """Fund `account` with `amount` of `token` and supply it for itself."""

    def deposit(account, token, amount):
        fund(account, **{"stable" if token == stablecoin else "rwa": amount})
        return pool.supply(token, amount, account, 0, sender=account)

    return deposit


@dataclass(frozen=True)
class Position:
    collateral: int
    """RWA supplied, 18 decimals."""
    debt: int
    """Stablecoin borrowed, 6 decimals."""


@pytest.fixture
def open_position(pool, deposit, lp, borrower, stablecoin, rwa_token):
    """Factory: `lp` supplies `liquidity` USDC, `account` supplies `collateral` RWA and borrows `debt` USDC."""

    def open_position(
        *, collateral=100 * WAD, debt=5_000 * USDC, account=borrower, liquidity=1_000_000 * USDC
    ) -> Position:
        if liquidity:
            deposit(lp, stablecoin, liquidity)
        deposit(account, rwa_token, collateral)
        stablecoin.approve(pool, MAX_UINT, sender=account)  # ready to repay
        if debt:
            pool.borrow(stablecoin, debt, VARIABLE, 0, account, sender=account)
        return Position(collateral, debt)

    return open_position


@pytest.fixture
def run_isolated(chain):
    """Run `body` in a chain snapshot and restore it afterwards, even on failure (for hypothesis
    examples inside one test)."""

    def run(body):
        snapshot = chain.snapshot()
        try:
            return body()
        finally:
            chain.restore(snapshot)

    return run
