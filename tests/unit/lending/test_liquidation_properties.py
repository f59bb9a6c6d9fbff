"""Analytic properties of a single-position liquidation, on hypothesis-drawn prices and sizes.

With collateral value C, debt value D, threshold LT and bonus B (B = 1.1 for 11_000 bps), repaying
x of debt takes x B of collateral, so the health factor C LT / D moves to (C - x B) LT / (D - x):
it rises iff C / D > B, i.e. iff HF > LT x B. And a full close (HF <= 0.95, 100 % close factor)
leaves bad debt (a deficit) iff C < D x B. Cases within rounding distance of the boundary are
skipped (`assume`).
"""

from fixtures.constants import MAX_UINT, USDC, WAD
from hypothesis import assume, given, settings
from hypothesis import strategies as st

BASE = 10**8
LT = 0.70
BONUS = 1.10


@settings(max_examples=12)
@given(
    collateral=st.integers(min_value=10, max_value=5_000),
    debt_ratio=st.floats(min_value=0.3, max_value=0.6),
    crash=st.floats(min_value=0.2, max_value=0.99),
    repay_share=st.floats(min_value=0.05, max_value=0.5),
)
def test_liquidation__health_factor_rises_iff_hf_above_lt_times_bonus(
    run_isolated, pool, open_position, fund, admin, rwa_feed, borrower, liquidator, stablecoin, rwa_token,
    collateral, debt_ratio, crash, repay_share,
):
    debt_usd = int(collateral * 100 * debt_ratio)
    price = max(1, int(100 * BASE * crash))
    collateral_value = collateral * price / BASE
    health = collateral_value * LT / debt_usd
    assume(health < 0.999)  # liquidatable
    assume(abs(health - LT * BONUS) > 0.002)  # away from the boundary
    # keep the collateral from running out: x B < C with margin
    assume(debt_usd * repay_share * BONUS < 0.95 * collateral_value)

    def body():
        open_position(collateral=collateral * WAD, debt=debt_usd * USDC)
        rwa_feed.setAnswer(price, sender=admin)
        fund(liquidator, stable=10**7 * USDC)
        tx = pool.liquidationCall(
            rwa_token, stablecoin, borrower, int(debt_usd * repay_share * USDC), False, sender=liquidator
        )
        event = tx.events.filter(pool.LiquidationExecuted)[0]
        assert not tx.events.filter(pool.DeficitCreated)
        assert (event.healthFactorAfter > event.healthFactorBefore) == (health > LT * BONUS), (
            health,
            event.healthFactorBefore,
            event.healthFactorAfter,
        )

    run_isolated(body)


@settings(max_examples=12)
@given(
    collateral=st.integers(min_value=10, max_value=5_000),
    debt_ratio=st.floats(min_value=0.3, max_value=0.6),
    crash=st.floats(min_value=0.2, max_value=0.99),
)
def test_liquidation__full_close_leaves_deficit_iff_collateral_below_debt_times_bonus(
    run_isolated, pool, open_position, fund, admin, rwa_feed, borrower, liquidator, stablecoin, rwa_token,
    collateral, debt_ratio, crash,
):
    debt_usd = int(collateral * 100 * debt_ratio)
    price = max(1, int(100 * BASE * crash))
    collateral_value = collateral * price / BASE
    assume(collateral_value * LT / debt_usd <= 0.949)  # 100 % close factor
    assume(abs(collateral_value - debt_usd * BONUS) > 0.001 * debt_usd)  # away from the boundary

    def body():
        open_position(collateral=collateral * WAD, debt=debt_usd * USDC)
        rwa_feed.setAnswer(price, sender=admin)
        fund(liquidator, stable=10**7 * USDC)
        tx = pool.liquidationCall(rwa_token, stablecoin, borrower, MAX_UINT, False, sender=liquidator)
        deficit = pool.deficit(stablecoin)
        assert (deficit > 0) == (collateral_value < debt_usd * BONUS), (collateral_value, debt_usd, deficit)
        assert pool.debtBalanceOf(stablecoin, borrower) == 0  # closed either way
        if deficit:
            assert pool.supplyBalanceOf(rwa_token, borrower) == 0
            assert tx.events.filter(pool.DeficitCreated)[0].amountCreated == deficit

    run_isolated(body)
