"""The real Aave V3.0 market deployed by `rwa_testbed.venues.aave_v3` behaves as Aave V3.0.

Numbers are in token decimals (USDC 6, RWA 18) and Aave's base currency (USD, 8 decimals);
percentages in bps with Aave's half-up rounding (`percent_mul`, `percent_div`).
"""

import ape
import pytest

from rwa_testbed.venues.aave_v3 import INTEREST_RATE_MODE_VARIABLE
from rwa_testbed.units import BPS
from fixtures.constants import MAX_UINT, USDC, WAD



def percent_mul(value: int, bps: int) -> int:
    """value x bps / 10_000, rounded half up (Aave PercentageMath)."""
    return (value * bps + BPS // 2) // BPS


def percent_div(value: int, bps: int) -> int:
    """value x 10_000 / bps, rounded half up (Aave PercentageMath)."""
    return (value * BPS + bps // 2) // bps


def wad_div(a: int, b: int) -> int:
    """a / b in WAD, rounded half up (Aave WadRayMath)."""
    return (a * WAD + b // 2) // b


def test_deploy__lists_both_reserves_with_their_parameters(treasury, aave, stablecoin, rwa_token, rwa_spec):
    assert list(aave.pool.getReservesList()) == [stablecoin.address, rwa_token.address]
    (decimals, ltv, threshold, bonus, factor, collateral, borrowing, stable, active, frozen) = (
        aave.data_provider.getReserveConfigurationData(rwa_token)
    )
    assert (decimals, ltv, threshold, bonus, factor) == (18, 6_000, 7_000, 11_000, 2_000)
    assert (collateral, borrowing, stable, active, frozen) == (True, False, False, True, False)
    assert aave.data_provider.getLiquidationProtocolFee(rwa_token) == 2_000
    assert aave.data_provider.getReserveCaps(rwa_token) == (0, rwa_spec.supply_cap_tokens)
    assert aave.data_provider.getReserveConfigurationData(stablecoin)[6] is True  # borrowing
    assert aave.oracle.getAssetPrice(rwa_token) == 100 * 10**8
    assert aave.a_token(rwa_token).RESERVE_TREASURY_ADDRESS() == treasury.address
    assert aave.pool.ADDRESSES_PROVIDER() == aave.addresses_provider.address


def test_borrow__against_rwa__account_data_in_usd_8_decimals(lp, borrower, aave, stablecoin, rwa_token, supply):
    supply(lp, stablecoin, 1_000_000 * USDC)
    supply(borrower, rwa_token, 100 * WAD)  # 10_000 USD of collateral

    aave.pool.borrow(stablecoin, 5_000 * USDC, INTEREST_RATE_MODE_VARIABLE, 0, borrower, sender=borrower)

    collateral, debt, available, threshold, ltv, health = aave.pool.getUserAccountData(borrower)
    assert (collateral, debt) == (10_000 * 10**8, 5_000 * 10**8)
    assert available == percent_mul(collateral, 6_000) - debt
    assert (threshold, ltv) == (7_000, 6_000)
    assert health == wad_div(percent_mul(collateral, 7_000), debt)  # 1.4
    assert aave.user_debt(stablecoin, borrower) == 5_000 * USDC
    assert aave.user_supply(rwa_token, borrower) == 100 * WAD
    assert stablecoin.balanceOf(borrower) == 5_000 * USDC


def test_borrow__beyond_ltv__reverts_with_aave_error_36(lp, borrower, aave, stablecoin, rwa_token, supply):
    supply(lp, stablecoin, 1_000_000 * USDC)
    supply(borrower, rwa_token, 100 * WAD)

    # Aave V3.0 reverts with string codes; 36 = COLLATERAL_CANNOT_COVER_NEW_BORROW.
    with ape.reverts("36"):
        aave.pool.borrow(stablecoin, 6_001 * USDC, INTEREST_RATE_MODE_VARIABLE, 0, borrower, sender=borrower)


@pytest.fixture
def underwater(lp, borrower, liquidator, aave, stablecoin, rwa_token, rwa_feed, supply, fund):
    """Borrower with 100 RWA (10_000 USD) and 5_000 USDC debt; RWA then drops to 60 USD (HF 0.84)."""
    supply(lp, stablecoin, 1_000_000 * USDC)
    supply(borrower, rwa_token, 100 * WAD)
    aave.pool.borrow(stablecoin, 5_000 * USDC, INTEREST_RATE_MODE_VARIABLE, 0, borrower, sender=borrower)
    rwa_feed.setAnswer(60 * 10**8, sender=lp)
    fund(liquidator, stable=10_000 * USDC)
    stablecoin.approve(aave.pool, MAX_UINT, sender=liquidator)


def test_liquidate__health_below_095__repays_all_debt_and_seizes_collateral_with_bonus(
    borrower, liquidator, treasury, aave, stablecoin, rwa_token, underwater
):
    *_, health_before = aave.pool.getUserAccountData(borrower)
    assert health_before == wad_div(percent_mul(6_000 * 10**8, 7_000), 5_000 * 10**8)  # 0.84

    aave.pool.liquidationCall(rwa_token, stablecoin, borrower, MAX_UINT, False, sender=liquidator)

    repaid = 10_000 * USDC - stablecoin.balanceOf(liquidator)
    seized = percent_mul(5_000 * USDC * 10**8 * WAD // (60 * 10**8 * USDC), 11_000)
    protocol_fee = percent_mul(seized - percent_div(seized, 11_000), 2_000)
    assert repaid == 5_000 * USDC  # close factor 100 %
    assert aave.user_debt(stablecoin, borrower) == 0
    assert rwa_token.balanceOf(liquidator) == seized - protocol_fee
    assert aave.user_supply(rwa_token, treasury) == protocol_fee
    assert aave.user_supply(rwa_token, borrower) == 100 * WAD - seized
    collateral, debt, _, _, _, health = aave.pool.getUserAccountData(borrower)
    assert (debt, health) == (0, MAX_UINT)
    assert collateral == (100 * WAD - seized) * 60 * 10**8 // WAD


def test_liquidate__health_between_095_and_1__repays_at_most_half(
    borrower, liquidator, aave, stablecoin, rwa_token, rwa_feed, underwater
):
    rwa_feed.setAnswer(70 * 10**8, sender=liquidator)  # HF 0.98
    *_, health = aave.pool.getUserAccountData(borrower)
    assert 95 * WAD // 100 < health < WAD
    debt_before = aave.user_debt(stablecoin, borrower)

    aave.pool.liquidationCall(rwa_token, stablecoin, borrower, MAX_UINT, False, sender=liquidator)

    repaid = 10_000 * USDC - stablecoin.balanceOf(liquidator)
    assert repaid == percent_mul(debt_before, 5_000)
    assert aave.user_debt(stablecoin, borrower) == debt_before - repaid
    *_, health_after = aave.pool.getUserAccountData(borrower)
    assert health_after > health


def test_liquidate__collateral_short_of_debt_plus_bonus__seizes_all_and_leaves_debt(
    borrower, liquidator, treasury, aave, stablecoin, rwa_token, rwa_feed, underwater
):
    rwa_feed.setAnswer(40 * 10**8, sender=liquidator)  # 4_000 USD of collateral for 5_000 USD debt

    aave.pool.liquidationCall(rwa_token, stablecoin, borrower, MAX_UINT, False, sender=liquidator)

    repaid = 10_000 * USDC - stablecoin.balanceOf(liquidator)
    assert repaid == percent_div(4_000 * USDC, 11_000)  # collateral value / 110 %
    assert aave.user_supply(rwa_token, borrower) == 0
    assert rwa_token.balanceOf(liquidator) + aave.user_supply(rwa_token, treasury) == 100 * WAD
    assert aave.user_debt(stablecoin, borrower) == 5_000 * USDC - repaid  # bad debt stays on the user
    collateral, debt, *_ = aave.pool.getUserAccountData(borrower)
    assert (collateral, debt) == (0, (5_000 * USDC - repaid) * 100)


def test_liquidate__healthy_position__reverts_with_aave_error_45(
    lp, borrower, liquidator, aave, stablecoin, rwa_token, supply
):
    supply(lp, stablecoin, 1_000_000 * USDC)
    supply(borrower, rwa_token, 100 * WAD)
    aave.pool.borrow(stablecoin, 1_000 * USDC, INTEREST_RATE_MODE_VARIABLE, 0, borrower, sender=borrower)

    # 45 = HEALTH_FACTOR_NOT_BELOW_THRESHOLD.
    with ape.reverts("45"):
        aave.pool.liquidationCall(rwa_token, stablecoin, borrower, MAX_UINT, False, sender=liquidator)


@pytest.mark.parametrize("answer", [0, -1])
def test_price_feed_not_positive__aave_oracle_falls_back_to_none__position_reads_and_liquidations_revert(
    borrower, liquidator, aave, stablecoin, rwa_token, rwa_feed, underwater, answer
):
    # AaveOracle V3.0 sends non-positive answers to its fallback oracle, here none (address 0):
    # a feed crashing to zero freezes every position holding the asset instead of liquidating it.
    rwa_feed.setAnswer(answer, sender=liquidator)

    with ape.reverts():
        aave.oracle.getAssetPrice(rwa_token)
    with ape.reverts():
        aave.pool.getUserAccountData(borrower)
    with ape.reverts():
        aave.pool.liquidationCall(rwa_token, stablecoin, borrower, MAX_UINT, False, sender=liquidator)


def test_debt__after_30_days__grows_by_the_variable_borrow_index(
    lp, borrower, aave, chain, stablecoin, rwa_token, supply
):
    supply(lp, stablecoin, 10_000 * USDC)
    supply(borrower, rwa_token, 100 * WAD)
    aave.pool.borrow(stablecoin, 5_000 * USDC, INTEREST_RATE_MODE_VARIABLE, 0, borrower, sender=borrower)
    index_before = aave.pool.getReserveNormalizedVariableDebt(stablecoin)

    chain.mine(timestamp=chain.pending_timestamp + 30 * 86_400)

    index_after = aave.pool.getReserveNormalizedVariableDebt(stablecoin)
    scaled = aave.variable_debt_token(stablecoin).scaledBalanceOf(borrower)
    # 50 % utilization on slope1 4 % over 90 % optimal: ~2.2 %/year, ~0.18 % in 30 days.
    assert 10_017 * 10**23 < index_after * 10**27 // index_before < 10_019 * 10**23
    assert aave.user_debt(stablecoin, borrower) == (scaled * index_after + 10**27 // 2) // 10**27
    assert aave.pool.getReserveNormalizedIncome(stablecoin) > 10**27
