"""The Vyper LiquidationExecutor against our pool and pair: flash swap, liquidate, repay, sell, keep."""

import ape
import pytest

from rwa_testbed.models.amm import get_amount_in, get_amount_out
from rwa_testbed.liquidation_sizing import Pair, best_atomic_liquidation, position_from_account_data
from rwa_testbed.testing import reverts

from fixtures.constants import STABLE_PRICE, USDC, WAD
from .lending_defaults import RWA_PARAMS


FEE_BPS = 30
CRASH_PRICE = 60 * 10**8  # the RWA falls from 100 to 60 USD
POOL_RWA = 10_000 * WAD
POOL_USDC = 600_000 * USDC  # the AMM already trades at 60


@pytest.fixture
def pair(project, admin, lp, rwa_token, stablecoin):
    pair = admin.deploy(project.ConstantProductPair, rwa_token, stablecoin, FEE_BPS)
    rwa_token.mint(pair, POOL_RWA, sender=lp)
    stablecoin.mint(pair, POOL_USDC, sender=admin)
    pair.mint(lp, sender=lp)
    return pair


@pytest.fixture
def thin_pair(project, admin, lp, rwa_token, stablecoin):
    """A pair at 60 USD holding 12,000 USDC: far less than the underwater position's debt."""
    pair = admin.deploy(project.ConstantProductPair, rwa_token, stablecoin, FEE_BPS)
    rwa_token.mint(pair, 200 * WAD, sender=lp)
    stablecoin.mint(pair, 12_000 * USDC, sender=admin)
    pair.mint(lp, sender=lp)
    return pair


@pytest.fixture
def executor(project, liquidator, pool):
    return liquidator.deploy(project.LiquidationExecutor, pool)


@pytest.fixture
def underwater(open_position, rwa_feed, admin, borrower):
    """100 RWA at 100 USD backing 5,000 USDC; then the price falls to 60 (HF 0.84)."""
    open_position(collateral=100 * WAD, debt=5_000 * USDC)
    rwa_feed.setAnswer(CRASH_PRICE, sender=admin)
    return borrower


def _reserves(pair, rwa_token):
    r0, r1, _ = pair.getReserves()
    return (r0, r1) if pair.token0() == rwa_token.address else (r1, r0)


def test_liquidate__underwater_position__repays_with_flash_swap_and_keeps_exact_profit(
    executor, pair, pool, rwa_token, stablecoin, liquidator, underwater
):
    debt_to_cover = 2_000 * USDC
    r_rwa, r_usdc = _reserves(pair, rwa_token)
    debt_before = pool.debtBalanceOf(stablecoin, underwater)

    tx = executor.liquidate(pair, rwa_token, stablecoin, underwater, debt_to_cover, FEE_BPS, 1, sender=liquidator)

    liquidation = next(iter(tx.decode_logs(pool.LiquidationExecuted)))
    seized = liquidation.collateralSeized
    owed = get_amount_in(debt_to_cover, r_rwa, r_usdc, FEE_BPS)
    proceeds = get_amount_out(seized - owed, r_rwa + owed, r_usdc - debt_to_cover, FEE_BPS)
    assert liquidation.debtRepaid == debt_to_cover
    assert liquidation.liquidator == executor.address
    assert pool.debtBalanceOf(stablecoin, underwater) < debt_before - debt_to_cover + USDC
    assert stablecoin.balanceOf(liquidator) == proceeds > 0
    assert rwa_token.balanceOf(executor) == 0 and stablecoin.balanceOf(executor) == 0
    event = next(iter(tx.decode_logs(executor.Liquidated)))
    assert (event.user, event.debtRepaid, event.collateralSeized, event.collateralToPair, event.profit) == (
        underwater, debt_to_cover, seized, owed, proceeds
    )


def test_liquidate__sized_by_best_atomic_liquidation_on_thin_amm__lands_with_the_planned_profit(
    executor, thin_pair, pool, rwa_token, stablecoin, liquidator, underwater
):
    # Planned as the agents plan: from getUserAccountData (base currency) and the pair's reserves.
    data = pool.getUserAccountData(underwater)
    position = position_from_account_data(
        collateral_base=data.totalCollateralBase, debt_base=data.totalDebtBase, health_factor=data.healthFactor,
        collateral_price=CRASH_PRICE, debt_price=STABLE_PRICE, collateral_decimals=18, debt_decimals=6,
        liquidation_bonus_bps=RWA_PARAMS["liquidationBonusBps"],
        protocol_fee_bps=RWA_PARAMS["liquidationProtocolFeeBps"],
    )
    plan = best_atomic_liquidation(position, Pair(*_reserves(thin_pair, rwa_token), FEE_BPS))
    assert plan.debt_to_cover < position.max_debt_to_cover  # the AMM's depth, not the close factor, limits it

    tx = executor.liquidate(thin_pair, rwa_token, stablecoin, underwater, plan.debt_to_cover, FEE_BPS,
                            plan.profit, sender=liquidator)

    event = next(iter(tx.decode_logs(executor.Liquidated)))
    assert (event.debtRepaid, event.collateralSeized, event.collateralToPair) == (
        plan.amounts.debt_repaid, plan.amounts.collateral_to_liquidator, plan.collateral_to_pair
    )
    assert event.profit == plan.profit == stablecoin.balanceOf(liquidator)


def test_liquidate__profit_below_minimum__reverts_and_changes_nothing(
    executor, pair, pool, rwa_token, stablecoin, liquidator, underwater
):
    debt_before = pool.debtBalanceOf(stablecoin, underwater)

    with ape.reverts("executor: unprofitable"):
        executor.liquidate(pair, rwa_token, stablecoin, underwater, 2_000 * USDC, FEE_BPS, 10**12, sender=liquidator)

    assert pool.debtBalanceOf(stablecoin, underwater) == debt_before


def test_liquidate__seized_collateral_short_of_flash_repayment__reverts(
    executor, pair, rwa_token, stablecoin, liquidator, underwater, rwa_feed, admin
):
    # The oracle says 100 again but the position stays liquidatable only on the AMM's terms:
    # price the AMM far below the oracle so the seized RWA cannot buy back the flash-swapped USDC.
    rwa_feed.setAnswer(69 * 10**8, sender=admin)  # HF just below 1 at the oracle
    rwa_token.mint(pair, 30_000 * WAD, sender=liquidator)
    pair.sync(sender=liquidator)  # the AMM now trades at 15 USD

    with ape.reverts("executor: seized collateral cannot repay the flash swap"):
        executor.liquidate(pair, rwa_token, stablecoin, underwater, 1_000 * USDC, FEE_BPS, 0, sender=liquidator)


def test_liquidate__healthy_position__bubbles_the_pool_error(
    executor, pair, pool, rwa_token, stablecoin, liquidator, open_position, borrower
):
    open_position(collateral=100 * WAD, debt=5_000 * USDC)
    health_factor = pool.getUserAccountData(borrower).healthFactor

    with reverts(pool.HealthyPosition, user=borrower.address, healthFactor=health_factor):
        executor.liquidate(pair, rwa_token, stablecoin, borrower, 1_000 * USDC, FEE_BPS, 0, sender=liquidator)


def test_liquidate__by_anyone_but_the_owner__reverts(executor, pair, rwa_token, stablecoin, attacker, underwater):
    with ape.reverts("executor: not owner"):
        executor.liquidate(pair, rwa_token, stablecoin, underwater, 1_000 * USDC, FEE_BPS, 0, sender=attacker)


def test_uniswap_v2_call__not_from_an_active_flash_swap__reverts(executor, attacker):
    with ape.reverts("executor: unknown pair"):
        executor.uniswapV2Call(attacker, 0, 1, b"", sender=attacker)


def test_constructor__records_owner_and_pool(executor, liquidator, pool):
    assert executor.owner() == liquidator.address
    assert executor.pool() == pool.address


def test_liquidate__allowlist_on__executor_needs_the_role_not_its_owner(
    executor, pair, pool, admin, rwa_token, stablecoin, liquidator, underwater
):
    pool.setLiquidatorAllowlistEnabled(True, sender=admin)
    pool.grantRole(pool.LIQUIDATOR_ROLE(), liquidator, sender=admin)  # the owner's role does not carry over
    with ape.reverts(pool.LiquidatorNotAllowed, caller=executor.address):
        executor.liquidate(pair, rwa_token, stablecoin, underwater, 2_000 * USDC, FEE_BPS, 1, sender=liquidator)

    pool.grantRole(pool.LIQUIDATOR_ROLE(), executor, sender=admin)
    tx = executor.liquidate(pair, rwa_token, stablecoin, underwater, 2_000 * USDC, FEE_BPS, 1, sender=liquidator)
    assert next(iter(tx.decode_logs(pool.LiquidationExecuted))).liquidator == executor.address
