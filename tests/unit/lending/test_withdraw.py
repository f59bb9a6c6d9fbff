"""withdraw: burns shares, max = whole balance, clears the collateral flag, health-factor and
zero-LTV rules, liquidity and pause checks."""

import ape
from fixtures.constants import MAX_UINT, USDC, WAD
from .lending_defaults import RWA_PARAMS

from rwa_testbed.models.aave import RAY, ray_mul


def test_withdraw__part__burns_shares_and_sends_tokens(pool, deposit, lp, trader, stablecoin):
    deposit(lp, stablecoin, 1_000 * USDC)

    tx = pool.withdraw(stablecoin, 400 * USDC, trader, sender=lp)

    assert tx.return_value == 400 * USDC
    assert pool.supplyBalanceOf(stablecoin, lp) == 600 * USDC
    assert stablecoin.balanceOf(trader) == 400 * USDC
    assert pool.Withdrawn(
        asset=stablecoin, user=lp, to=trader, amount=400 * USDC, scaledAmount=400 * USDC, liquidityIndex=RAY
    ) in tx.events


def test_withdraw__max__withdraws_balance_with_interest_and_clears_collateral(pool, open_position, deposit, other_borrower, stablecoin, rwa_token, chain):
    open_position()
    deposit(other_borrower, rwa_token, 5 * WAD)
    deposit(other_borrower, stablecoin, 1_000 * USDC)
    shares = pool.scaledSupplyOf(stablecoin, other_borrower)
    chain.pending_timestamp += 90 * 86400

    tx = pool.withdraw(rwa_token, MAX_UINT, other_borrower, sender=other_borrower)

    assert tx.return_value == 5 * WAD
    assert pool.scaledSupplyOf(rwa_token, other_borrower) == 0
    assert pool.CollateralToggled(asset=rwa_token, user=other_borrower, enabled=False) in tx.events
    assert pool.getUserConfiguration(other_borrower) == 0

    tx = pool.withdraw(stablecoin, MAX_UINT, other_borrower, sender=other_borrower)
    index = pool.getReserveData(stablecoin).liquidityIndex
    assert index > RAY
    assert tx.return_value == ray_mul(shares, index) > 1_000 * USDC
    assert pool.scaledSupplyOf(stablecoin, other_borrower) == 0


def test_withdraw__collateral_keeping_health_factor_above_one__passes(pool, open_position, borrower, rwa_token):
    open_position(collateral=100 * WAD, debt=5_000 * USDC)  # HF 1.4
    pool.withdraw(rwa_token, 20 * WAD, borrower, sender=borrower)  # HF 80 x 100 x 0.7 / 5000 = 1.12
    assert pool.getUserAccountData(borrower).healthFactor == 112 * 10**16


def test_withdraw__collateral_below_health_factor_one__reverts(pool, open_position, borrower, rwa_token):
    open_position(collateral=100 * WAD, debt=5_000 * USDC)
    # 71 RWA left: 7100 USD x 0.7 / 5000 USD = 0.994
    with ape.reverts(pool.HealthFactorBelowThreshold, user=borrower.address, healthFactor=994 * 10**15):
        pool.withdraw(rwa_token, 29 * WAD, borrower, sender=borrower)


def test_withdraw__non_collateral_supply_of_a_borrower__no_health_check(pool, open_position, deposit, borrower, stablecoin):
    open_position(collateral=100 * WAD, debt=6_000 * USDC)  # at max LTV
    deposit(borrower, stablecoin, 100 * USDC)  # LTV 0: never collateral
    pool.withdraw(stablecoin, 100 * USDC, borrower, sender=borrower)
    assert pool.supplyBalanceOf(stablecoin, borrower) == 0


def test_withdraw__holding_zero_ltv_collateral__only_zero_ltv_collateral_may_go(pool, project, admin, open_position, deposit, borrower, rwa_token):
    # a second collateral with LTV 0 (threshold 50 %)
    token = admin.deploy(project.TestToken, "Zero LTV", "ZL", 18)
    feed = admin.deploy(project.MockAggregator, 10**8)
    pool.initReserve(token, feed, dict(RWA_PARAMS, ltvBps=6_000), sender=admin)
    token.mint(borrower, 10 * WAD, sender=borrower)
    token.approve(pool, 10 * WAD, sender=borrower)
    pool.supply(token, 10 * WAD, borrower, 0, sender=borrower)
    pool.configureReserve(token, dict(RWA_PARAMS, ltvBps=0, liquidationThresholdBps=5_000), sender=admin)
    open_position(collateral=100 * WAD, debt=1_000 * USDC)

    with ape.reverts(pool.LtvValidationFailed, user=borrower.address, asset=rwa_token.address):
        pool.withdraw(rwa_token, WAD, borrower, sender=borrower)
    pool.withdraw(token, WAD, borrower, sender=borrower)  # the zero-LTV one may go
    assert pool.supplyBalanceOf(token, borrower) == 9 * WAD


def test_withdraw__zero__reverts(pool, deposit, lp, stablecoin):
    deposit(lp, stablecoin, USDC)
    with ape.reverts(pool.InvalidAmount):
        pool.withdraw(stablecoin, 0, lp, sender=lp)


def test_withdraw__max_with_nothing_supplied__reverts_invalid_amount(pool, lp, stablecoin):
    with ape.reverts(pool.InvalidAmount):
        pool.withdraw(stablecoin, MAX_UINT, lp, sender=lp)


def test_withdraw__more_than_balance__reverts(pool, deposit, lp, stablecoin):
    deposit(lp, stablecoin, USDC)
    with ape.reverts(
        pool.NotEnoughAvailableUserBalance, user=lp.address, asset=stablecoin.address, requested=USDC + 1, balance=USDC
    ):
        pool.withdraw(stablecoin, USDC + 1, lp, sender=lp)


def test_withdraw__paused__reverts(pool, admin, deposit, lp, stablecoin):
    deposit(lp, stablecoin, USDC)
    pool.setReservePaused(stablecoin, True, sender=admin)
    with ape.reverts(pool.ReservePaused, asset=stablecoin.address):
        pool.withdraw(stablecoin, USDC, lp, sender=lp)


def test_withdraw__frozen__still_allowed(pool, admin, deposit, lp, stablecoin):
    deposit(lp, stablecoin, USDC)
    pool.setReserveFrozen(stablecoin, True, sender=admin)
    pool.withdraw(stablecoin, USDC, lp, sender=lp)
    assert pool.supplyBalanceOf(stablecoin, lp) == 0


def test_withdraw__more_than_pool_cash__reverts_insufficient_liquidity(pool, open_position, lp, stablecoin):
    open_position(liquidity=10_000 * USDC, debt=6_000 * USDC)
    with ape.reverts(pool.InsufficientLiquidity, asset=stablecoin.address, available=4_000 * USDC, requested=5_000 * USDC):
        pool.withdraw(stablecoin, 5_000 * USDC, lp, sender=lp)
