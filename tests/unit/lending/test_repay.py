"""repay: partial and full (max) repayment with interest, on behalf of others, and the checks."""

import ape
from fixtures.constants import MAX_UINT, USDC, VARIABLE, WAD

from rwa_testbed.models.aave import RAY, compounded_interest, ray_div, ray_mul


def test_repay__part__burns_shares_and_pulls_tokens(pool, open_position, borrower, stablecoin):
    open_position(debt=5_000 * USDC)

    tx = pool.repay(stablecoin, 2_000 * USDC, VARIABLE, borrower, sender=borrower)

    index = pool.getReserveData(stablecoin).variableBorrowIndex
    scaled = ray_div(2_000 * USDC, index)
    assert tx.return_value == 2_000 * USDC
    assert pool.scaledDebtOf(stablecoin, borrower) == 5_000 * USDC - scaled
    assert stablecoin.balanceOf(borrower) == 3_000 * USDC
    assert pool.getUserConfiguration(borrower) & 1 == 1  # still borrowing
    assert pool.Repaid(
        asset=stablecoin,
        user=borrower,
        repayer=borrower,
        amount=2_000 * USDC,
        scaledAmount=scaled,
        variableBorrowIndex=index,
    ) in tx.events


def test_repay__max_after_a_year__repays_debt_with_interest_and_clears_flag(pool, open_position, fund, borrower, stablecoin, chain):
    open_position(debt=5_000 * USDC)
    fund(borrower, stable=1_000 * USDC)
    chain.pending_timestamp += 365 * 86400
    chain.mine()
    owed = pool.debtBalanceOf(stablecoin, borrower)
    assert owed > 5_000 * USDC

    tx = pool.repay(stablecoin, MAX_UINT, VARIABLE, borrower, sender=borrower)

    assert tx.return_value == ray_mul(5_000 * USDC, pool.getReserveData(stablecoin).variableBorrowIndex)
    assert tx.return_value >= owed  # one more second of interest than the view before
    assert pool.scaledDebtOf(stablecoin, borrower) == 0
    assert pool.debtBalanceOf(stablecoin, borrower) == 0
    assert pool.getUserConfiguration(borrower) & 1 == 0
    assert pool.totalDebt(stablecoin) == 0


def test_repay__more_than_debt__repays_only_the_debt(pool, open_position, fund, borrower, stablecoin):
    open_position(debt=1_000 * USDC)
    fund(borrower, stable=1_000 * USDC)
    tx = pool.repay(stablecoin, 1_500 * USDC, VARIABLE, borrower, sender=borrower)
    index = pool.getReserveData(stablecoin).variableBorrowIndex
    assert tx.return_value == ray_mul(1_000 * USDC, index) < 1_001 * USDC  # borrowed at index 1.0
    assert pool.scaledDebtOf(stablecoin, borrower) == 0


def test_repay__on_behalf_of_borrower__repayer_pays(pool, open_position, fund, lp, borrower, stablecoin):
    open_position(debt=1_000 * USDC)
    fund(lp, stable=400 * USDC)
    before = stablecoin.balanceOf(lp)
    tx = pool.repay(stablecoin, 400 * USDC, VARIABLE, borrower, sender=lp)
    assert stablecoin.balanceOf(lp) == before - 400 * USDC
    assert tx.events.filter(pool.Repaid)[0].repayer == lp.address
    assert tx.events.filter(pool.Repaid)[0].user == borrower.address


def test_repay__max_on_behalf_of_other__reverts(pool, open_position, lp, borrower, stablecoin):
    open_position(debt=1_000 * USDC)
    with ape.reverts(pool.NoExplicitAmountToRepayOnBehalf, caller=lp.address, onBehalfOf=borrower.address):
        pool.repay(stablecoin, MAX_UINT, VARIABLE, borrower, sender=lp)


def test_repay__zero__reverts(pool, open_position, borrower, stablecoin):
    open_position(debt=1_000 * USDC)
    with ape.reverts(pool.InvalidAmount):
        pool.repay(stablecoin, 0, VARIABLE, borrower, sender=borrower)


def test_repay__no_debt__reverts(pool, deposit, lp, stablecoin):
    deposit(lp, stablecoin, USDC)
    with ape.reverts(pool.NoDebtOfSelectedType, user=lp.address, asset=stablecoin.address):
        pool.repay(stablecoin, USDC, VARIABLE, lp, sender=lp)


def test_repay__stable_rate_mode__reverts(pool, open_position, borrower, stablecoin):
    open_position(debt=1_000 * USDC)
    with ape.reverts(pool.InvalidInterestRateMode, mode=1):
        pool.repay(stablecoin, USDC, 1, borrower, sender=borrower)


def test_repay__paused__reverts_frozen_allowed(pool, admin, open_position, borrower, stablecoin):
    open_position(debt=1_000 * USDC)
    pool.setReservePaused(stablecoin, True, sender=admin)
    with ape.reverts(pool.ReservePaused, asset=stablecoin.address):
        pool.repay(stablecoin, USDC, VARIABLE, borrower, sender=borrower)
    pool.setReservePaused(stablecoin, False, sender=admin)
    pool.setReserveFrozen(stablecoin, True, sender=admin)
    pool.repay(stablecoin, USDC, VARIABLE, borrower, sender=borrower)


def test_repay__unlisted__reverts(pool, project, admin, borrower):
    token = admin.deploy(project.TestToken, "X", "X", 18)
    with ape.reverts(pool.ReserveNotActive, asset=token.address):
        pool.repay(token, 1, VARIABLE, borrower, sender=borrower)


def test_repay__amount_rounding_to_zero_shares__reverts(pool, open_position, borrower, stablecoin, chain):
    open_position(collateral=1_000 * WAD, debt=9_900 * USDC, liquidity=10_000 * USDC)  # 99 % usage: ~58 %/year
    start = chain.pending_timestamp + 2 * 365 * 86400
    chain.pending_timestamp = start
    pool.repay(stablecoin, USDC, VARIABLE, borrower, sender=borrower)
    data = pool.getReserveData(stablecoin)
    index = ray_mul(compounded_interest(data.currentVariableBorrowRate, 1), data.variableBorrowIndex)
    assert index > 2 * RAY
    chain.pending_timestamp = start + 1
    with ape.reverts(pool.InvalidBurnAmount, asset=stablecoin.address, amount=1, index=index):
        pool.repay(stablecoin, 1, VARIABLE, borrower, sender=borrower)
