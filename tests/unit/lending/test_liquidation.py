"""liquidationCall: Aave V3.0's close factor and collateral amounts (checked against
`rwa_testbed.models.aave`), both payout modes, flags, the protocol fee, the checks, and the V3.3-style
deficit when no collateral is left (plus `coverDeficit`).

Every liquidation is sent in the same block second as the views its expectation is computed
from (anvil accepts a repeated timestamp), so no interest slips in between.
"""

import ape
import pytest
from fixtures.constants import MAX_UINT, USDC, VARIABLE, WAD
from .lending_defaults import RWA_PARAMS, STABLE_PARAMS

from rwa_testbed.models.aave import RateCurve, interest_rates, liquidation_amounts, ray_div, ray_mul

from fixtures.constants import USD as RWA  # 1 USD in base currency: prices below are in USD x RWA


def expect(pool, user, collateral_asset, debt_asset, debt_to_cover):
    """What Aave V3.0 would move in a liquidation at the current block, from the pool's views."""
    collateral = pool.getReserveData(collateral_asset).config
    debt = pool.getReserveData(debt_asset).config
    return liquidation_amounts(
        debt_to_cover=debt_to_cover,
        user_debt=pool.debtBalanceOf(debt_asset, user),
        health_factor=pool.getUserAccountData(user).healthFactor,
        user_collateral=pool.supplyBalanceOf(collateral_asset, user),
        collateral_price=pool.getAssetPrice(collateral_asset),
        debt_price=pool.getAssetPrice(debt_asset),
        collateral_decimals=collateral.decimals,
        debt_decimals=debt.decimals,
        liquidation_bonus_bps=collateral.liquidationBonusBps,
        protocol_fee_bps=collateral.liquidationProtocolFeeBps,
    )


def test_liquidate__healthy_position__reverts(pool, open_position, fund, liquidator, borrower, stablecoin, rwa_token):
    open_position()  # HF 1.4
    health = pool.getUserAccountData(borrower).healthFactor
    fund(liquidator, stable=10_000 * USDC)
    with ape.reverts(pool.HealthyPosition, user=borrower.address, healthFactor=health):
        pool.liquidationCall(rwa_token, stablecoin, borrower, MAX_UINT, False, sender=liquidator)


def test_liquidate__above_close_factor_threshold__repays_half_the_debt(pool, underwater, same_second, borrower, liquidator, treasury, stablecoin, rwa_token):
    underwater(price=70)  # 7_000 USD x 70 % / 5_000 USD: HF 0.98
    before = pool.getUserAccountData(borrower)
    debt = pool.debtBalanceOf(stablecoin, borrower)
    amounts = expect(pool, borrower, rwa_token, stablecoin, MAX_UINT)
    assert amounts.debt_repaid == (debt * 5_000 + 5_000) // 10_000
    paid_before = stablecoin.balanceOf(liquidator)

    same_second()
    tx = pool.liquidationCall(rwa_token, stablecoin, borrower, MAX_UINT, False, sender=liquidator)

    after = pool.getUserAccountData(borrower)
    assert stablecoin.balanceOf(liquidator) == paid_before - amounts.debt_repaid
    assert rwa_token.balanceOf(liquidator) == amounts.collateral_to_liquidator
    assert pool.debtBalanceOf(stablecoin, borrower) == debt - amounts.debt_repaid
    assert pool.supplyBalanceOf(rwa_token, treasury) == amounts.protocol_fee
    assert pool.supplyBalanceOf(rwa_token, borrower) == 100 * WAD - amounts.collateral_seized
    assert after.healthFactor > before.healthFactor  # 7_000 / 5_000 = 1.4 > bonus 1.1: liquidation helps
    assert tx.events.filter(pool.LiquidationExecuted) == [
        pool.LiquidationExecuted(
            collateralAsset=rwa_token,
            debtAsset=stablecoin,
            user=borrower,
            liquidator=liquidator,
            debtRepaid=amounts.debt_repaid,
            collateralSeized=amounts.collateral_to_liquidator,
            protocolFee=amounts.protocol_fee,
            collateralPrice=70 * RWA,
            debtPrice=RWA,
            healthFactorBefore=before.healthFactor,
            healthFactorAfter=after.healthFactor,
            receiveShares=False,
        )
    ]
    assert not tx.events.filter(pool.DeficitCreated)


def test_liquidate__at_or_below_close_factor_threshold__repays_all_debt(pool, underwater, same_second, borrower, liquidator, stablecoin, rwa_token):
    underwater(price=65)  # HF 0.91
    amounts = expect(pool, borrower, rwa_token, stablecoin, MAX_UINT)
    debt = pool.debtBalanceOf(stablecoin, borrower)
    assert amounts.debt_repaid == debt

    same_second()
    tx = pool.liquidationCall(rwa_token, stablecoin, borrower, MAX_UINT, False, sender=liquidator)

    assert pool.scaledDebtOf(stablecoin, borrower) == 0
    assert pool.getUserConfiguration(borrower) == 0b1000  # no longer borrowing; RWA still collateral
    assert pool.getUserAccountData(borrower).healthFactor == MAX_UINT
    assert tx.events.filter(pool.LiquidationExecuted)[0].debtRepaid == debt
    assert tx.events.filter(pool.LiquidationExecuted)[0].healthFactorAfter == MAX_UINT


def test_liquidate__debt_to_cover_below_close_factor__repays_exactly_that(pool, underwater, same_second, borrower, liquidator, stablecoin, rwa_token):
    underwater(price=70)
    amounts = expect(pool, borrower, rwa_token, stablecoin, 1_000 * USDC)
    same_second()
    tx = pool.liquidationCall(rwa_token, stablecoin, borrower, 1_000 * USDC, False, sender=liquidator)
    event = tx.events.filter(pool.LiquidationExecuted)[0]
    assert (event.debtRepaid, event.collateralSeized, event.protocolFee) == (
        1_000 * USDC,
        amounts.collateral_to_liquidator,
        amounts.protocol_fee,
    )


def test_liquidate__receive_shares__liquidator_gets_supply_and_collateral_flag(pool, underwater, same_second, borrower, liquidator, stablecoin, rwa_token):
    underwater(price=70)
    amounts = expect(pool, borrower, rwa_token, stablecoin, MAX_UINT)
    index = pool.getReserveNormalizedIncome(rwa_token)
    last_update = pool.getReserveData(rwa_token).lastUpdateTimestamp
    pool_rwa = rwa_token.balanceOf(pool)

    same_second()
    tx = pool.liquidationCall(rwa_token, stablecoin, borrower, MAX_UINT, True, sender=liquidator)

    assert pool.scaledSupplyOf(rwa_token, liquidator) == ray_div(amounts.collateral_to_liquidator, index)
    assert rwa_token.balanceOf(pool) == pool_rwa  # nothing left the pool
    assert rwa_token.balanceOf(liquidator) == 0
    assert pool.getReserveData(rwa_token).lastUpdateTimestamp == last_update  # collateral reserve untouched
    assert pool.getUserConfiguration(liquidator) == 0b1000
    assert pool.CollateralToggled(asset=rwa_token, user=liquidator, enabled=True) in tx.events
    assert tx.events.filter(pool.LiquidationExecuted)[0].receiveShares == 1  # (ape decodes bools in logs as ints)


def test_liquidate__collateral_short__takes_all_collateral_and_writes_off_the_rest(pool, open_position, underwater, same_second, borrower, other_borrower, liquidator, stablecoin, rwa_token):
    open_position(account=other_borrower, collateral=100 * WAD, debt=2_000 * USDC)  # stays healthy, keeps paying
    underwater(price=50, liquidity=0)  # 5_000 USD of collateral against 5_000 USD of debt: short of the 10 % bonus
    amounts = expect(pool, borrower, rwa_token, stablecoin, MAX_UINT)
    debt = pool.debtBalanceOf(stablecoin, borrower)
    assert amounts.collateral_seized == 100 * WAD
    assert amounts.debt_repaid < debt
    index = pool.getReserveNormalizedVariableDebt(stablecoin)
    remaining = ray_mul(pool.scaledDebtOf(stablecoin, borrower) - ray_div(amounts.debt_repaid, index), index)
    total_debt_before = pool.totalDebt(stablecoin)

    same_second()
    tx = pool.liquidationCall(rwa_token, stablecoin, borrower, MAX_UINT, False, sender=liquidator)

    # Aave V3.0 would leave `remaining` on the borrower; here it becomes the reserve's deficit
    assert tx.events.filter(pool.DeficitCreated) == [
        pool.DeficitCreated(user=borrower, debtAsset=stablecoin, amountCreated=remaining)
    ]
    assert pool.deficit(stablecoin) == remaining
    assert pool.debtBalanceOf(stablecoin, borrower) == 0
    assert pool.getUserConfiguration(borrower) == 0
    assert pool.supplyBalanceOf(rwa_token, borrower) == 0
    assert pool.totalDebt(stablecoin) == total_debt_before - amounts.debt_repaid - remaining
    event = tx.events.filter(pool.LiquidationExecuted)[0]
    assert (event.debtRepaid, event.collateralSeized, event.protocolFee) == (
        amounts.debt_repaid,
        amounts.collateral_to_liquidator,
        amounts.protocol_fee,
    )
    assert event.healthFactorAfter == MAX_UINT
    # lenders bear it: cash + debt no longer cover what suppliers are owed
    assets = stablecoin.balanceOf(pool) + pool.totalDebt(stablecoin)
    assert pool.totalSupplied(stablecoin) - assets == pytest.approx(remaining, abs=2)
    # and earn no interest on it: the supply rate counts the deficit as unbacked supply
    data = pool.getReserveData(stablecoin)
    curve = RateCurve(data.optimalUsageRay, data.baseRateRay, data.slope1Ray, data.slope2Ray)
    rates = interest_rates(curve, pool.totalDebt(stablecoin), stablecoin.balanceOf(pool), 1_000, remaining)
    assert (data.currentLiquidityRate, data.currentVariableBorrowRate) == rates
    assert rates[0] < interest_rates(curve, pool.totalDebt(stablecoin), stablecoin.balanceOf(pool), 1_000)[0]


def test_liquidate__last_collateral_with_debt_in_two_reserves__writes_off_both(pool, project, admin, underwater, same_second, lp, borrower, liquidator, stablecoin, rwa_token, rwa_feed, chain):
    gold = admin.deploy(project.TestToken, "Gold", "GLD", 18)
    gold_feed = admin.deploy(project.MockAggregator, 2_000 * RWA)
    pool.initReserve(gold, gold_feed, STABLE_PARAMS, sender=admin)
    gold.mint(lp, 100 * WAD, sender=lp)
    gold.approve(pool, MAX_UINT, sender=lp)
    pool.supply(gold, 100 * WAD, lp, 0, sender=lp)
    underwater(price=100, debt=3_000 * USDC)
    pool.borrow(gold, WAD, VARIABLE, 0, borrower, sender=borrower)  # 2_000 USD more debt
    chain.pending_timestamp += 3_600
    rwa_feed.setAnswer(30 * RWA, sender=admin)  # 3_000 USD of collateral: all of it goes to the USDC debt
    same_second()
    gold_debt = pool.debtBalanceOf(gold, borrower)

    same_second()
    tx = pool.liquidationCall(rwa_token, stablecoin, borrower, MAX_UINT, False, sender=liquidator)

    created = {e.debtAsset: e.amountCreated for e in tx.events.filter(pool.DeficitCreated)}
    assert set(created) == {stablecoin.address, gold.address}
    assert created[gold.address] == gold_debt > WAD
    assert pool.deficit(gold) == gold_debt
    assert pool.deficit(stablecoin) == created[stablecoin.address] > 0
    assert pool.getUserConfiguration(borrower) == 0
    assert pool.totalDebt(gold) == 0
    assert pool.getUserAccountData(borrower).totalDebtBase == 0


def test_cover_deficit__admin_pays_in__deficit_falls_and_is_capped(pool, underwater, same_second, admin, fund, borrower, liquidator, stablecoin, rwa_token):
    underwater(price=50)
    pool.liquidationCall(rwa_token, stablecoin, borrower, MAX_UINT, False, sender=liquidator)
    deficit = pool.deficit(stablecoin)
    fund(admin, stable=deficit)
    cash = stablecoin.balanceOf(pool)

    tx = pool.coverDeficit(stablecoin, 100, sender=admin)
    assert tx.return_value == 100
    assert pool.deficit(stablecoin) == deficit - 100
    assert pool.DeficitCovered(asset=stablecoin, coveredBy=admin, amountCovered=100) in tx.events

    tx = pool.coverDeficit(stablecoin, MAX_UINT, sender=admin)
    assert tx.return_value == deficit - 100
    assert pool.deficit(stablecoin) == 0
    assert stablecoin.balanceOf(pool) == cash + deficit
    with ape.reverts(pool.NoDeficit, asset=stablecoin.address):
        pool.coverDeficit(stablecoin, 1, sender=admin)


def test_cover_deficit__zero_or_unlisted__reverts(pool, project, admin, stablecoin):
    with ape.reverts(pool.InvalidAmount):
        pool.coverDeficit(stablecoin, 0, sender=admin)
    token = admin.deploy(project.TestToken, "X", "X", 18)
    with ape.reverts(pool.ReserveNotActive, asset=token.address):
        pool.coverDeficit(token, 1, sender=admin)


def test_liquidate__asset_not_enabled_as_collateral__reverts(pool, underwater, deposit, borrower, liquidator, stablecoin, rwa_token):
    underwater(price=70)
    deposit(borrower, stablecoin, 100 * USDC)  # LTV 0: never collateral
    with ape.reverts(pool.CollateralNotEnabled, user=borrower.address, asset=stablecoin.address):
        pool.liquidationCall(stablecoin, stablecoin, borrower, MAX_UINT, False, sender=liquidator)


def test_liquidate__asset_not_borrowed__reverts(pool, underwater, borrower, liquidator, rwa_token):
    underwater(price=70)
    with ape.reverts(pool.NoDebt, user=borrower.address, asset=rwa_token.address):
        pool.liquidationCall(rwa_token, rwa_token, borrower, MAX_UINT, False, sender=liquidator)


def test_liquidate__paused_reserve__reverts(pool, admin, underwater, borrower, liquidator, stablecoin, rwa_token):
    underwater(price=70)
    pool.setReservePaused(stablecoin, True, sender=admin)
    with ape.reverts(pool.ReservePaused, asset=stablecoin.address):
        pool.liquidationCall(rwa_token, stablecoin, borrower, MAX_UINT, False, sender=liquidator)
    pool.setReservePaused(stablecoin, False, sender=admin)
    pool.setReservePaused(rwa_token, True, sender=admin)
    with ape.reverts(pool.ReservePaused, asset=rwa_token.address):
        pool.liquidationCall(rwa_token, stablecoin, borrower, MAX_UINT, False, sender=liquidator)


def test_liquidate__frozen_reserve__still_allowed(pool, admin, underwater, borrower, liquidator, stablecoin, rwa_token):
    underwater(price=70)
    pool.setReserveFrozen(stablecoin, True, sender=admin)
    pool.setReserveFrozen(rwa_token, True, sender=admin)
    pool.liquidationCall(rwa_token, stablecoin, borrower, MAX_UINT, False, sender=liquidator)
    assert rwa_token.balanceOf(liquidator) > 0


def test_liquidate__unlisted_asset__reverts(pool, project, admin, underwater, borrower, liquidator, stablecoin):
    underwater(price=70)
    token = admin.deploy(project.TestToken, "X", "X", 18)
    with ape.reverts(pool.ReserveNotActive, asset=token.address):
        pool.liquidationCall(token, stablecoin, borrower, MAX_UINT, False, sender=liquidator)


def test_liquidate__zero_debt_to_cover__reverts_invalid_burn(pool, underwater, same_second, borrower, liquidator, stablecoin, rwa_token):
    underwater(price=70)
    index = pool.getReserveNormalizedVariableDebt(stablecoin)
    same_second()
    with ape.reverts(pool.InvalidBurnAmount, asset=stablecoin.address, amount=0, index=index):
        pool.liquidationCall(rwa_token, stablecoin, borrower, 0, False, sender=liquidator)


def test_liquidate__no_protocol_fee_configured__treasury_gets_nothing(pool, admin, underwater, same_second, borrower, liquidator, treasury, stablecoin, rwa_token):
    pool.configureReserve(rwa_token, dict(RWA_PARAMS, liquidationProtocolFeeBps=0), sender=admin)
    underwater(price=70)
    amounts = expect(pool, borrower, rwa_token, stablecoin, MAX_UINT)
    assert amounts.protocol_fee == 0
    same_second()
    pool.liquidationCall(rwa_token, stablecoin, borrower, MAX_UINT, False, sender=liquidator)
    assert rwa_token.balanceOf(liquidator) == amounts.collateral_to_liquidator
    assert pool.scaledSupplyOf(rwa_token, treasury) == 0
