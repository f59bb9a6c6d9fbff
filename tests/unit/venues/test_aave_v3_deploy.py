import pytest

from rwa_testbed.venues.aave_v3 import INTEREST_RATE_MODE_VARIABLE
from rwa_testbed.venues.spec import BPS

WAD = 10**18
MAX_UINT = 2**256 - 1


def test_deploy__lists_both_reserves_with_their_parameters(aave, stablecoin, rwa_token, rwa_spec):
    assert list(aave.pool.getReservesList()) == [stablecoin.address, rwa_token.address]
    (decimals, ltv, threshold, bonus, factor, collateral, borrowing, stable, active, frozen) = (
        aave.data_provider.getReserveConfigurationData(rwa_token)
    )
    assert (decimals, ltv, threshold, bonus, factor) == (18, 6_000, 7_000, 11_000, 2_000)
    assert (collateral, borrowing, stable, active, frozen) == (True, False, False, True, False)
    assert aave.data_provider.getLiquidationProtocolFee(rwa_token) == 2_000
    assert aave.data_provider.getReserveCaps(rwa_token) == (0, rwa_spec.supply_cap_tokens)
    assert aave.oracle.getAssetPrice(rwa_token) == 100 * 10**8
    assert aave.a_token(rwa_token).RESERVE_TREASURY_ADDRESS() == aave.treasury
    assert aave.deploy_seconds > 0


def test_borrow__against_rwa__account_data_in_usd_8_decimals(aave, supply, lp, borrower, stablecoin, rwa_token):
    supply(lp, stablecoin, 1_000_000 * 10**6)
    supply(borrower, rwa_token, 100 * WAD)  # 10_000 USD of collateral

    aave.pool.borrow(stablecoin, 5_000 * 10**6, INTEREST_RATE_MODE_VARIABLE, 0, borrower, sender=borrower)

    collateral, debt, available, threshold, ltv, health = aave.pool.getUserAccountData(borrower)
    assert (collateral, debt) == (10_000 * 10**8, 5_000 * 10**8)
    assert available == 10_000 * 10**8 * 6_000 // BPS - debt
    assert (threshold, ltv) == (7_000, 6_000)
    assert health == 10_000 * 7_000 // BPS * WAD // 5_000  # 1.4
    assert aave.user_debt(stablecoin, borrower) == 5_000 * 10**6
    assert aave.user_supply(rwa_token, borrower) == 100 * WAD
    assert stablecoin.balanceOf(borrower) == 5_000 * 10**6


@pytest.fixture
def underwater(aave, supply, fund, lp, borrower, liquidator, stablecoin, rwa_token, rwa_feed):
    """Borrower with 100 RWA (10_000 USD) and 5_000 USDC debt; RWA then drops to 60 USD (HF 0.84)."""
    supply(lp, stablecoin, 1_000_000 * 10**6)
    supply(borrower, rwa_token, 100 * WAD)
    aave.pool.borrow(stablecoin, 5_000 * 10**6, INTEREST_RATE_MODE_VARIABLE, 0, borrower, sender=borrower)
    rwa_feed.setAnswer(60 * 10**8, sender=lp)
    fund(liquidator, stable=10_000 * 10**6)
    stablecoin.approve(aave.pool, MAX_UINT, sender=liquidator)


def test_liquidate__health_below_095__repays_all_debt_and_seizes_collateral_with_bonus(
    aave, underwater, liquidator, borrower, treasury, stablecoin, rwa_token
):
    *_, health_before = aave.pool.getUserAccountData(borrower)
    assert health_before == 6_000 * 7_000 // BPS * WAD // 5_000  # 0.84 <= 0.95: close factor 100 %

    aave.pool.liquidationCall(rwa_token, stablecoin, borrower, MAX_UINT, False, sender=liquidator)

    repaid = 10_000 * 10**6 - stablecoin.balanceOf(liquidator)
    seized_total = 5_000 * WAD // 60 * 11_000 // BPS  # debt value / price x 110 %
    bonus = seized_total - seized_total * BPS // 11_000
    protocol_fee = bonus * 2_000 // BPS
    assert repaid == 5_000 * 10**6
    assert aave.user_debt(stablecoin, borrower) == 0
    assert rwa_token.balanceOf(liquidator) == seized_total - protocol_fee
    assert aave.user_supply(rwa_token, treasury) == protocol_fee
    assert aave.user_supply(rwa_token, borrower) == 100 * WAD - seized_total
    collateral, debt, _, _, _, health = aave.pool.getUserAccountData(borrower)
    assert debt == 0 and health == MAX_UINT
    assert collateral == (100 * WAD - seized_total) * 60 * 10**8 // WAD


def test_liquidate__health_between_095_and_1__repays_at_most_half(
    aave, underwater, liquidator, borrower, stablecoin, rwa_token, rwa_feed
):
    rwa_feed.setAnswer(70 * 10**8, sender=liquidator)  # HF 0.98
    *_, health = aave.pool.getUserAccountData(borrower)
    assert 95 * WAD // 100 < health < WAD

    aave.pool.liquidationCall(rwa_token, stablecoin, borrower, MAX_UINT, False, sender=liquidator)

    assert 10_000 * 10**6 - stablecoin.balanceOf(liquidator) == 2_500 * 10**6
    assert aave.user_debt(stablecoin, borrower) == 2_500 * 10**6
    *_, health_after = aave.pool.getUserAccountData(borrower)
    assert health_after > health


def test_liquidate__collateral_short_of_debt_plus_bonus__seizes_all_and_leaves_debt(
    aave, underwater, liquidator, borrower, treasury, stablecoin, rwa_token, rwa_feed
):
    rwa_feed.setAnswer(40 * 10**8, sender=liquidator)  # 4_000 USD of collateral for 5_000 USD debt

    aave.pool.liquidationCall(rwa_token, stablecoin, borrower, MAX_UINT, False, sender=liquidator)

    repaid = 10_000 * 10**6 - stablecoin.balanceOf(liquidator)
    assert repaid == 4_000 * 10**6 * BPS // 11_000  # collateral value / 110 %, rounded down
    assert aave.user_supply(rwa_token, borrower) == 0
    assert rwa_token.balanceOf(liquidator) + aave.user_supply(rwa_token, treasury) == 100 * WAD
    assert aave.user_debt(stablecoin, borrower) == 5_000 * 10**6 - repaid  # bad debt stays
    collateral, debt, *_ = aave.pool.getUserAccountData(borrower)
    assert collateral == 0 and debt == (5_000 * 10**6 - repaid) * 100


def test_liquidate__healthy_position__reverts_with_aave_error_45(aave, supply, lp, borrower, liquidator, stablecoin, rwa_token):
    import ape

    supply(lp, stablecoin, 1_000_000 * 10**6)
    supply(borrower, rwa_token, 100 * WAD)
    aave.pool.borrow(stablecoin, 1_000 * 10**6, INTEREST_RATE_MODE_VARIABLE, 0, borrower, sender=borrower)

    # Aave V3.0 reverts with string codes; 45 = HEALTH_FACTOR_NOT_BELOW_THRESHOLD.
    with ape.reverts("45"):
        aave.pool.liquidationCall(rwa_token, stablecoin, borrower, MAX_UINT, False, sender=liquidator)
