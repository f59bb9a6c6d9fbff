"""A two-reserve LendingPool: a 6-decimals stablecoin to borrow and an 18-decimals RWA collateral.

Deployed once per module with `deploy_pool`; ape reverts each test's changes. Tokens, the
MockAggregator feeds (8-decimals USD), `run_isolated` and the units (`USDC` = 1e6, `WAD` = 1e18)
come from `tests/fixtures/`; the reserve parameters from `lending_defaults.py`.
"""

from dataclasses import dataclass

import pytest
from fixtures.constants import MAX_UINT, USD, USDC, VARIABLE, WAD

from .lending_defaults import RWA_PARAMS, STABLE_PARAMS


@pytest.fixture(scope="module", autouse=True)
def _actors_before_deployments(admin, lp, borrower, other_borrower, liquidator, treasury, attacker, keeper, trader):
    """Creates the session-scoped actors before any module fixture, as ape's isolation needs."""


@pytest.fixture(scope="module")
def pool(deploy_pool, stablecoin, rwa_token, stable_feed, rwa_feed):
    return deploy_pool((stablecoin, stable_feed, STABLE_PARAMS), (rwa_token, rwa_feed, RWA_PARAMS))


@pytest.fixture
def fund(fund, pool):
    """The shared `fund` (tests/fixtures/tokens.py), also approving the pool for what it mints."""

    def fund_and_approve(account, *, stable=0, rwa=0):
        fund(account, stable=stable, rwa=rwa, approve=pool)

    return fund_and_approve


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
def same_second(chain):
    """Pins the next block to the head's timestamp (views and the next tx then agree exactly)."""

    def pin():
        chain.pending_timestamp = chain.blocks.head.timestamp

    return pin


@pytest.fixture
def underwater(pool, open_position, rwa_feed, admin, fund, liquidator, same_second):
    """Factory: `borrower` with `collateral` RWA and `debt` USDC, then the RWA price set to `price`
    (USD); the liquidator is funded and has approved the pool."""

    def underwater(*, price, collateral=100 * WAD, debt=5_000 * USDC, **kwargs):
        position = open_position(collateral=collateral, debt=debt, **kwargs)
        rwa_feed.setAnswer(price * USD, sender=admin)
        fund(liquidator, stable=1_000_000 * USDC)
        same_second()
        return position

    return underwater


@pytest.fixture
def guardian(pool, admin, keeper):
    """The keeper bot, granted GUARDIAN_ROLE (grace periods only)."""
    pool.grantRole(pool.GUARDIAN_ROLE(), keeper, sender=admin)
    return keeper
