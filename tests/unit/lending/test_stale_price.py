"""The pool's staleness rule (`maxPriceAge`, set per reserve with `setPriceSource`): a collateral
price older than the limit blocks what needs the price to keep the pool safe, as Aave-style pools
with a price sentinel do (borrow, withdrawing collateral while in debt, liquidation, the
account views), and never what only makes a position safer or touches no price (supply, repay,
withdrawing without debt). A fresh round lifts the block at once.
"""

import ape
import pytest
from fixtures.constants import MAX_UINT, USDC, VARIABLE, WAD

MAX_AGE = 3_600
BASE = 10**8  # 1 USD in the feeds' 8 decimals


@pytest.fixture
def stale(pool, admin, rwa_feed, rwa_token, chain):
    """Factory: the RWA feed answers `price` (USD), then `MAX_AGE + 1` seconds pass without a round.
    Returns the round's updatedAt."""

    def stale(*, price=100):
        pool.setPriceSource(rwa_token, rwa_feed, MAX_AGE, sender=admin)
        rwa_feed.setAnswer(price * BASE, sender=admin)
        updated = rwa_feed.latestTimestamp()
        chain.pending_timestamp = updated + MAX_AGE + 1
        chain.mine()
        return updated

    return stale


def expect_stale(pool, rwa_token, updated):
    return ape.reverts(pool.StalePrice, asset=rwa_token.address, updatedAt=updated, maxAge=MAX_AGE)


def test_stale_price__borrow__reverts(pool, open_position, stale, borrower, stablecoin, rwa_token):
    open_position(collateral=100 * WAD, debt=1_000 * USDC)
    updated = stale()
    with expect_stale(pool, rwa_token, updated):
        pool.borrow(stablecoin, USDC, VARIABLE, 0, borrower, sender=borrower)


def test_stale_price__withdraw_collateral_in_debt__reverts(pool, open_position, stale, borrower, rwa_token):
    open_position(collateral=100 * WAD, debt=1_000 * USDC)
    updated = stale()
    with expect_stale(pool, rwa_token, updated):
        pool.withdraw(rwa_token, WAD, borrower, sender=borrower)


def test_stale_price__liquidation_of_unhealthy_position__reverts_until_a_fresh_round(
    pool, open_position, stale, fund, liquidator, borrower, stablecoin, rwa_token, rwa_feed, admin
):
    """The crash price is published, then goes stale before anyone liquidates: the pool will not
    seize collateral at a price it no longer trusts; the next round (same price) re-opens it."""
    open_position(collateral=100 * WAD, debt=5_000 * USDC)
    fund(liquidator, stable=1_000_000 * USDC)
    updated = stale(price=55)  # 100 x $55 x 85 % threshold < $5,000 of debt: HF < 1
    with expect_stale(pool, rwa_token, updated):
        pool.liquidationCall(rwa_token, stablecoin, borrower, MAX_UINT, False, sender=liquidator)
    with expect_stale(pool, rwa_token, updated):
        pool.getUserAccountData(borrower)
    rwa_feed.setAnswer(55 * BASE, sender=admin)
    assert pool.getUserAccountData(borrower).healthFactor < WAD
    tx = pool.liquidationCall(rwa_token, stablecoin, borrower, MAX_UINT, False, sender=liquidator)
    assert tx.events.filter(pool.LiquidationExecuted)


def test_stale_price__supply_repay_and_withdraw_without_debt__still_work(
    pool, open_position, stale, fund, borrower, other_borrower, stablecoin, rwa_token
):
    open_position(collateral=100 * WAD, debt=1_000 * USDC)
    fund(other_borrower, rwa=10 * WAD)
    pool.supply(rwa_token, 10 * WAD, other_borrower, 0, sender=other_borrower)  # collateral, no debt
    stale()
    fund(borrower, stable=10 * USDC, rwa=WAD)  # the debt's interest
    pool.supply(rwa_token, WAD, borrower, 0, sender=borrower)  # more collateral: safer
    pool.repay(stablecoin, MAX_UINT, VARIABLE, borrower, sender=borrower)  # repay in full
    pool.withdraw(rwa_token, MAX_UINT, borrower, sender=borrower)  # no debt left: no price needed
    pool.withdraw(rwa_token, 10 * WAD, other_borrower, sender=other_borrower)
    assert pool.supplyBalanceOf(rwa_token, borrower) == 0


def test_stale_price__account_views__single_reverts_batched_monitoring_read_answers(
        pool, open_position, stale, borrower, rwa_token):
    """`getUserAccountData` (Aave's view) refuses a stale price like every action; the batched
    `getUsersAccountData` is a monitoring read: it prices at the feed's last answer whatever its age,
    so the engine keeps seeing positions while the pool is frozen. With a fresh price both agree."""
    open_position(collateral=100 * WAD, debt=1_000 * USDC)
    fresh = tuple(pool.getUserAccountData(borrower))
    assert tuple(pool.getUsersAccountData([borrower])[0]) == fresh
    updated = stale()  # the same answer, now too old
    with expect_stale(pool, rwa_token, updated):
        pool.getUserAccountData(borrower)
    (batched,) = pool.getUsersAccountData([borrower])
    assert batched.totalCollateralBase == fresh[0] and batched.healthFactor > 0
    assert batched.totalDebtBase >= fresh[1]  # interest went on accruing
