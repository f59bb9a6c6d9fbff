"""borrow: variable-rate debt shares, rates after the borrow, and every check in Aave V3.0's order."""

import ape
from fixtures.constants import USDC, VARIABLE, WAD
from .lending_defaults import STABLE_PARAMS

from rwa_testbed.models.aave import RAY, RateCurve, interest_rates, percent_div


def test_borrow__mints_debt_shares_sends_tokens_and_sets_rates(pool, open_position, borrower, stablecoin):
    open_position(collateral=100 * WAD, debt=0, liquidity=100_000 * USDC)

    tx = pool.borrow(stablecoin, 5_000 * USDC, VARIABLE, 0, borrower, sender=borrower)

    assert pool.scaledDebtOf(stablecoin, borrower) == 5_000 * USDC  # index 1.0
    assert pool.debtBalanceOf(stablecoin, borrower) == 5_000 * USDC
    assert pool.totalDebt(stablecoin) == 5_000 * USDC
    assert stablecoin.balanceOf(borrower) == 5_000 * USDC
    assert pool.getUserConfiguration(borrower) & 1 == 1  # borrowing bit of reserve 0
    curve = RateCurve(RAY * 90 // 100, 0, RAY * 4 // 100, RAY * 60 // 100)
    liquidity_rate, variable_rate = interest_rates(curve, 5_000 * USDC, 95_000 * USDC, 1_000)
    data = pool.getReserveData(stablecoin)
    assert (data.currentLiquidityRate, data.currentVariableBorrowRate) == (liquidity_rate, variable_rate)
    assert pool.ReserveDataUpdated(
        asset=stablecoin,
        liquidityRate=liquidity_rate,
        variableBorrowRate=variable_rate,
        liquidityIndex=data.liquidityIndex,
        variableBorrowIndex=RAY,
    ) in tx.events
    assert pool.Borrowed(
        asset=stablecoin,
        user=borrower,
        amount=5_000 * USDC,
        scaledAmount=5_000 * USDC,
        variableBorrowIndex=RAY,
        variableBorrowRate=variable_rate,
    ) in tx.events


def test_borrow__up_to_ltv__passes_one_unit_more_reverts(pool, open_position, borrower, stablecoin):
    open_position(collateral=100 * WAD, debt=0)  # 10_000 USD x 60 % = 6_000 USD of borrowing power
    needed = percent_div(6_000 * 10**8 + 100, 6_000)  # +1 micro-USDC is 100 units of base currency
    with ape.reverts(
        pool.CollateralCannotCoverNewBorrow,
        user=borrower.address,
        collateralBase=10_000 * 10**8,
        collateralNeededBase=needed,
    ):
        pool.borrow(stablecoin, 6_000 * USDC + 1, VARIABLE, 0, borrower, sender=borrower)
    pool.borrow(stablecoin, 6_000 * USDC, VARIABLE, 0, borrower, sender=borrower)
    assert pool.getUserAccountData(borrower).availableBorrowsBase == 0


def test_borrow__on_behalf_of_other__reverts_no_credit_delegation(pool, open_position, borrower, other_borrower, stablecoin):
    open_position(debt=0)
    with ape.reverts(pool.CreditDelegationNotSupported, caller=other_borrower.address, onBehalfOf=borrower.address):
        pool.borrow(stablecoin, USDC, VARIABLE, 0, borrower, sender=other_borrower)


def test_borrow__stable_or_unknown_rate_mode__reverts(pool, open_position, borrower, stablecoin):
    open_position(debt=0)
    for mode in (0, 1, 3):
        with ape.reverts(pool.InvalidInterestRateMode, mode=mode):
            pool.borrow(stablecoin, USDC, mode, 0, borrower, sender=borrower)


def test_borrow__zero__reverts(pool, open_position, borrower, stablecoin):
    open_position(debt=0)
    with ape.reverts(pool.InvalidAmount):
        pool.borrow(stablecoin, 0, VARIABLE, 0, borrower, sender=borrower)


def test_borrow__unlisted__reverts(pool, project, admin, borrower):
    token = admin.deploy(project.TestToken, "X", "X", 18)
    with ape.reverts(pool.ReserveNotActive, asset=token.address):
        pool.borrow(token, 1, VARIABLE, 0, borrower, sender=borrower)


def test_borrow__paused_then_frozen__reverts(pool, admin, open_position, borrower, stablecoin):
    open_position(debt=0)
    pool.setReserveFrozen(stablecoin, True, sender=admin)
    pool.setReservePaused(stablecoin, True, sender=admin)
    with ape.reverts(pool.ReservePaused, asset=stablecoin.address):  # paused is checked before frozen
        pool.borrow(stablecoin, USDC, VARIABLE, 0, borrower, sender=borrower)
    pool.setReservePaused(stablecoin, False, sender=admin)
    with ape.reverts(pool.ReserveFrozen, asset=stablecoin.address):
        pool.borrow(stablecoin, USDC, VARIABLE, 0, borrower, sender=borrower)


def test_borrow__borrowing_disabled__reverts(pool, open_position, borrower, rwa_token):
    open_position(debt=0)
    with ape.reverts(pool.BorrowingNotEnabled, asset=rwa_token.address):
        pool.borrow(rwa_token, WAD, VARIABLE, 0, borrower, sender=borrower)


def test_borrow__above_cap__reverts(pool, admin, open_position, borrower, stablecoin):
    pool.configureReserve(stablecoin, dict(STABLE_PARAMS, borrowCap=1_000), sender=admin)
    open_position(debt=600 * USDC)
    with ape.reverts(pool.BorrowCapExceeded, asset=stablecoin.address, cap=1_000, totalAfter=1_000 * USDC + 1):
        pool.borrow(stablecoin, 400 * USDC + 1, VARIABLE, 0, borrower, sender=borrower)
    pool.borrow(stablecoin, 400 * USDC, VARIABLE, 0, borrower, sender=borrower)


def test_borrow__without_collateral__reverts(pool, deposit, lp, borrower, stablecoin):
    deposit(lp, stablecoin, 10_000 * USDC)
    with ape.reverts(pool.CollateralBalanceIsZero, user=borrower.address):
        pool.borrow(stablecoin, USDC, VARIABLE, 0, borrower, sender=borrower)


def test_borrow__collateral_with_zero_ltv_only__reverts_ltv(pool, admin, open_position, borrower, stablecoin, rwa_token):
    open_position(debt=0)
    pool.configureReserve(rwa_token, dict(pool_params(pool, rwa_token), ltvBps=0), sender=admin)
    with ape.reverts(pool.LtvValidationFailed, user=borrower.address, asset=stablecoin.address):
        pool.borrow(stablecoin, USDC, VARIABLE, 0, borrower, sender=borrower)


def test_borrow__health_factor_below_one__reverts(pool, open_position, borrower, stablecoin, rwa_feed):
    open_position(collateral=100 * WAD, debt=5_000 * USDC)
    rwa_feed.setAnswer(71 * 10**8, sender=borrower)  # 7_100 USD x 70 % < 5_000 USD
    health = pool.getUserAccountData(borrower).healthFactor
    assert health < 10**18
    with ape.reverts(pool.HealthFactorBelowThreshold, user=borrower.address, healthFactor=health):
        pool.borrow(stablecoin, USDC, VARIABLE, 0, borrower, sender=borrower)


def test_borrow__more_than_pool_cash__reverts_insufficient_liquidity(pool, open_position, borrower, stablecoin):
    open_position(collateral=1_000 * WAD, debt=0, liquidity=1_000 * USDC)
    with ape.reverts(
        pool.InsufficientLiquidity, asset=stablecoin.address, available=1_000 * USDC, requested=1_000 * USDC + 1
    ):
        pool.borrow(stablecoin, 1_000 * USDC + 1, VARIABLE, 0, borrower, sender=borrower)


def test_borrow__second_borrow_after_interest__shares_at_new_index(pool, open_position, borrower, stablecoin, chain):
    open_position(collateral=100 * WAD, debt=1_000 * USDC)
    chain.pending_timestamp += 365 * 86400
    tx = pool.borrow(stablecoin, 1_000 * USDC, VARIABLE, 0, borrower, sender=borrower)
    index = pool.getReserveData(stablecoin).variableBorrowIndex
    assert index > RAY
    event = tx.events.filter(pool.Borrowed)[0]
    assert event.variableBorrowIndex == index
    assert event.scaledAmount == (1_000 * USDC * RAY + index // 2) // index
    assert pool.scaledDebtOf(stablecoin, borrower) == 1_000 * USDC + event.scaledAmount


def pool_params(pool, asset):
    """The reserve's current params as an `initReserve` dict."""
    d = pool.getReserveData(asset)
    c = d.config
    return {
        "ltvBps": c.ltvBps,
        "liquidationThresholdBps": c.liquidationThresholdBps,
        "liquidationBonusBps": c.liquidationBonusBps,
        "liquidationProtocolFeeBps": c.liquidationProtocolFeeBps,
        "reserveFactorBps": c.reserveFactorBps,
        "supplyCap": c.supplyCap,
        "borrowCap": c.borrowCap,
        "borrowingEnabled": c.borrowingEnabled,
        "optimalUsageRay": d.optimalUsageRay,
        "baseRateRay": d.baseRateRay,
        "slope1Ray": d.slope1Ray,
        "slope2Ray": d.slope2Ray,
    }
