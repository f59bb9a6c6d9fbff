"""`liquidation_sizing`: the most profitable debt to cover, checked against brute force.

Small numbers (a few thousand stablecoin units, the contracts' real decimals: 18 for the collateral,
6 for the debt) so every size can be tried. The search is exact up to the AMM's last floor to whole
units: the plan's profit is within one unit of the best over every size.
"""

import random
from dataclasses import replace

import pytest
from hypothesis import given
from hypothesis import strategies as st

from rwa_testbed.models.aave import PositionLine, account_data, percent_mul
from rwa_testbed.liquidation_sizing import (
    Pair,
    Position,
    amm_sale,
    atomic_liquidation,
    best_atomic_liquidation,
    best_liquidation,
    best_sold_liquidation,
    position_from_account_data,
    profit_upper_bound,
    smallest_size_taking_all,
    sold_liquidation,
)

USD = 10**8  # base currency, 8 decimals
UNIT = 10**6  # one stablecoin (6 decimals)
WAD = 10**18  # one collateral token (18 decimals)
HF_ABOVE_CLOSE_THRESHOLD = 97 * 10**16  # close factor 50 %
HF_BELOW_CLOSE_THRESHOLD = 90 * 10**16  # close factor 100 %


def position(*, debt, collateral, collateral_price=USD, health_factor=HF_ABOVE_CLOSE_THRESHOLD,
             bonus_bps=10_500, protocol_fee_bps=1_000) -> Position:
    """A borrower owing `debt` stablecoin units against `collateral` token units (18 decimals)."""
    return Position(debt, collateral, health_factor, collateral_price, USD, 18, 6, bonus_bps, protocol_fee_bps)


def pair_at(price_usd: float, *, depth_units: int, fee_bps: int = 30) -> Pair:
    """A pair holding `depth_units` stablecoin units and the collateral worth as much at `price_usd`."""
    return Pair(int(depth_units / price_usd) * 10**12, depth_units, fee_bps)


@st.composite
def small_markets(draw):
    """A liquidatable position and a pair near the oracle price, a few thousand units each."""
    price = draw(st.integers(min_value=20, max_value=150)) * USD // 100
    debt = draw(st.integers(min_value=50, max_value=3_000))
    collateral_per_debt = draw(st.floats(min_value=0.8, max_value=1.6))
    pos = position(
        debt=debt,
        collateral=int(debt * collateral_per_debt * USD / price) * 10**12,
        collateral_price=price,
        health_factor=draw(st.sampled_from([HF_ABOVE_CLOSE_THRESHOLD, HF_BELOW_CLOSE_THRESHOLD])),
        bonus_bps=draw(st.sampled_from([10_500, 10_800, 11_000])),
        protocol_fee_bps=draw(st.sampled_from([0, 1_000, 2_000])),
    )
    pair = pair_at(
        price / USD * draw(st.floats(min_value=0.85, max_value=1.1)),
        depth_units=draw(st.integers(min_value=100, max_value=3_000)),
        fee_bps=draw(st.sampled_from([0, 30, 100])),
    )
    return pos, pair


@given(market=small_markets())
def test_best_atomic_liquidation__small_numbers__within_one_unit_of_every_size(market):
    pos, pair = market
    sizes = range(1, min(pos.max_debt_to_cover, pair.debt_reserve - 1) + 1)
    landing = [liq for liq in (atomic_liquidation(pos, pair, d) for d in sizes) if not liq.reverts]

    best = best_atomic_liquidation(pos, pair)

    if not landing:
        assert best is None
        return
    assert best == atomic_liquidation(pos, pair, best.debt_to_cover) and not best.reverts
    assert best.profit >= max(liq.profit for liq in landing) - 1


@given(market=small_markets())
def test_best_liquidation__amm_dump__within_one_unit_of_every_size(market):
    pos, pair = market
    sale = amm_sale(pair)
    outcomes = [sold_liquidation(pos, d, sale) for d in range(1, pos.max_debt_to_cover + 1)]

    best = best_liquidation(lambda d: sold_liquidation(pos, d, sale), pos.max_debt_to_cover)

    assert best.profit >= max(liq.profit for liq in outcomes) - 1


@given(market=small_markets())
def test_profit_upper_bound__small_numbers__above_every_size_atomic_or_dumped(market):
    pos, pair = market
    sale = amm_sale(pair)
    atomic = [atomic_liquidation(pos, pair, d) for d in range(1, min(pos.max_debt_to_cover, pair.debt_reserve - 1) + 1)]
    dumped = [sold_liquidation(pos, d, sale) for d in range(1, pos.max_debt_to_cover + 1)]

    bound = profit_upper_bound(pos, pair)

    assert bound >= max([liq.profit for liq in atomic if not liq.reverts] + [liq.profit for liq in dumped])


@given(market=small_markets(), value_pct=st.integers(min_value=80, max_value=120), capital=st.integers(1, 3_000))
def test_best_sold_liquidation__linear_value__within_one_unit_of_every_affordable_size(market, value_pct, capital):
    pos, _ = market
    held = lambda amount, scale: amount * pos.collateral_price * value_pct * scale // (100 * USD * 10**12)  # noqa: E731
    affordable = min(pos.max_debt_to_cover, capital)
    profits = [sold_liquidation(pos, d, held).profit for d in range(1, affordable + 1)]

    best = best_sold_liquidation(pos, held, affordable, linear=True)

    assert best.debt_to_cover <= affordable and best.profit >= max(profits) - 1


def test_best_atomic_liquidation__seeded_grid__matches_brute_force_exactly_almost_always():
    """The one-unit allowance is rarely used: on 150 seeded markets the search finds the exact best."""
    rng, exact, compared = random.Random(11), 0, 0
    for _ in range(150):
        price = rng.randint(20, 150) * USD // 100
        debt = rng.randint(50, 2_000)
        pos = position(debt=debt, collateral=int(debt * rng.uniform(0.8, 1.6) * USD / price) * 10**12,
                       collateral_price=price, health_factor=rng.choice([HF_ABOVE_CLOSE_THRESHOLD, HF_BELOW_CLOSE_THRESHOLD]))
        pair = pair_at(price / USD * rng.uniform(0.9, 1.1), depth_units=rng.randint(100, 2_000))
        sizes = range(1, min(pos.max_debt_to_cover, pair.debt_reserve - 1) + 1)
        profits = [liq.profit for liq in (atomic_liquidation(pos, pair, d) for d in sizes) if not liq.reverts]
        if profits:
            compared += 1
            exact += best_atomic_liquidation(pos, pair).profit == max(profits)
    assert compared >= 50 and exact >= compared - 2


def test_best_atomic_liquidation__deep_amm__covers_exactly_the_close_factor():
    pos = position(debt=1_000_000 * UNIT, collateral=1_100_000 * WAD)
    deep = pair_at(1.0, depth_units=10**9 * UNIT)

    best = best_atomic_liquidation(pos, deep)

    assert best.debt_to_cover == best.amounts.debt_repaid == percent_mul(1_000_000 * UNIT, 5_000)


def test_best_atomic_liquidation__health_factor_at_most_0_95__may_cover_all_the_debt():
    pos = position(debt=1_000_000 * UNIT, collateral=1_200_000 * WAD, health_factor=HF_BELOW_CLOSE_THRESHOLD)
    deep = pair_at(1.0, depth_units=10**9 * UNIT)

    best = best_atomic_liquidation(pos, deep)

    assert best.debt_to_cover == pos.max_debt_to_cover == 1_000_000 * UNIT


def test_best_atomic_liquidation__collateral_below_debt_times_bonus__seizes_all_collateral():
    # 900k tokens at $1 against $1M of debt: the bonus cannot be paid in full.
    pos = position(debt=1_000_000 * UNIT, collateral=900_000 * WAD, health_factor=HF_BELOW_CLOSE_THRESHOLD)
    deep = pair_at(1.0, depth_units=10**9 * UNIT)

    best = best_atomic_liquidation(pos, deep)

    assert best.collateral_capped
    assert best.amounts.collateral_seized == 900_000 * WAD
    assert best.amounts.debt_repaid < pos.max_debt_to_cover
    # Covering more only borrows more from the pair to hand it back: no better.
    assert atomic_liquidation(pos, deep, best.debt_to_cover + 10 * UNIT).profit <= best.profit


def test_best_atomic_liquidation__whale_against_thin_amm__takes_the_slice_the_depth_absorbs():
    # $150M of collateral (oracle $0.80) behind $100M of debt; the AMM holds $4M a side at $0.79.
    whale = position(debt=100_000_000 * UNIT, collateral=187_500_000 * WAD, collateral_price=80 * USD // 100,
                     health_factor=HF_BELOW_CLOSE_THRESHOLD + 1)
    thin = pair_at(0.79, depth_units=4_000_000 * UNIT)

    best = best_atomic_liquidation(whale, thin)

    assert not best.reverts and best.profit > 0
    assert best.debt_to_cover < thin.debt_reserve // 10 < whale.max_debt_to_cover
    for other in (best.debt_to_cover // 2, best.debt_to_cover * 2, whale.max_debt_to_cover // 100):
        assert atomic_liquidation(whale, thin, other).profit < best.profit
    # Covering what the executor would take today (the close factor) cannot repay the flash swap.
    assert atomic_liquidation(whale, thin, min(whale.max_debt_to_cover, thin.debt_reserve - 1)).reverts


def test_best_atomic_liquidation__amm_below_seize_price__none():
    pos = position(debt=1_000_000 * UNIT, collateral=1_100_000 * WAD)
    cheap = pair_at(0.90, depth_units=10_000_000 * UNIT)  # 5 % bonus less 10 % fee < a 10 % discount

    assert best_atomic_liquidation(pos, cheap) is None


def test_best_liquidation__linear_value__takes_the_largest_size():
    pos = position(debt=1_000_000 * UNIT, collateral=1_100_000 * WAD)
    at_oracle = lambda amount, scale: amount * scale // 10**12  # noqa: E731  (a token held at $1)

    best = best_liquidation(lambda d: sold_liquidation(pos, d, at_oracle), 300_000 * UNIT)

    assert best.debt_to_cover == 300_000 * UNIT


def test_best_liquidation__empty_range__none():
    pos = position(debt=1_000 * UNIT, collateral=1_100 * WAD)

    assert best_liquidation(lambda d: atomic_liquidation(pos, pair_at(1.0, depth_units=10**12), d), 0) is None


@given(
    debt=st.integers(min_value=1, max_value=10**15),
    collateral=st.integers(min_value=1, max_value=10**30),
    collateral_price=st.integers(min_value=1, max_value=10**12),
    debt_price=st.integers(min_value=9 * 10**7, max_value=11 * 10**7),
)
def test_position_from_account_data__rounded_base_values__smallest_amounts_that_round_to_them(
    debt, collateral, collateral_price, debt_price
):
    lines = [PositionLine(price=collateral_price, decimals=18, ltv_bps=8_000, liquidation_threshold_bps=8_500,
                          collateral=collateral),
             PositionLine(price=debt_price, decimals=6, debt=debt)]
    reported = account_data(lines)

    pos = position_from_account_data(
        collateral_base=reported.collateral_base, debt_base=reported.debt_base,
        health_factor=reported.health_factor, collateral_price=collateral_price, debt_price=debt_price,
        collateral_decimals=18, debt_decimals=6, liquidation_bonus_bps=10_500, protocol_fee_bps=1_000,
    )

    assert pos.user_debt <= debt and pos.user_collateral <= collateral
    assert account_data([
        PositionLine(price=collateral_price, decimals=18, ltv_bps=8_000, liquidation_threshold_bps=8_500,
                     collateral=pos.user_collateral),
        PositionLine(price=debt_price, decimals=6, debt=pos.user_debt),
    ]).as_tuple()[:2] == reported.as_tuple()[:2]


@given(market=small_markets(), accrued=st.integers(min_value=0, max_value=1_000))
def test_atomic_liquidation__debt_accrues_before_it_lands__same_outcome(market, accrued):
    """A plan on the view's debt stays exact when interest has grown the debt by the time it lands."""
    pos, pair = market
    best = best_atomic_liquidation(pos, pair)
    if best is None:
        return
    later = replace(pos, user_debt=pos.user_debt + accrued)

    assert atomic_liquidation(later, pair, best.debt_to_cover) == best


@pytest.mark.parametrize("fee_bps", [0, 30])
def test_atomic_liquidation__covering_more_than_the_collateral_pays_for__leftover_is_profit(fee_bps):
    # Collateral-capped: the pool takes less than the executor borrowed; the rest stays with it.
    pos = position(debt=1_000 * UNIT, collateral=900 * WAD, health_factor=HF_BELOW_CLOSE_THRESHOLD)
    pair = pair_at(1.0, depth_units=10**9 * UNIT, fee_bps=fee_bps)
    capped = pos.amounts(pos.max_debt_to_cover).debt_repaid

    liq = atomic_liquidation(pos, pair, capped + 10 * UNIT)

    assert liq.collateral_capped and not liq.reverts
    assert liq.amounts.debt_repaid == capped
    assert liq.profit == 10 * UNIT + liq.proceeds


def test_smallest_size_taking_all__collateral_short_of_debt__one_unit_less_leaves_some():
    pos = position(debt=850_000 * UNIT, collateral=1_000_000 * WAD, collateral_price=80 * USD // 100,
                   health_factor=HF_BELOW_CLOSE_THRESHOLD)

    d = smallest_size_taking_all(pos, pos.max_debt_to_cover)

    assert pos.amounts(d).collateral_seized == pos.user_collateral
    assert pos.amounts(d - 1).collateral_seized < pos.user_collateral


def test_best_liquidation__tie_in_whole_units_with_taking_everything__takes_everything():
    # Held at the oracle, the size one unit short of everything earns the same whole units (and a
    # hair more in fine units); taking everything lets the pool write the remaining debt off.
    pos = position(debt=850_000 * UNIT, collateral=1_000_000 * WAD, collateral_price=80 * USD // 100,
                   health_factor=HF_BELOW_CLOSE_THRESHOLD)
    at_oracle = lambda amount, scale: amount * 80 * scale // 10**14  # noqa: E731  ($0.80 a token)
    outcome = lambda d: sold_liquidation(pos, d, at_oracle)  # noqa: E731
    everything = smallest_size_taking_all(pos, pos.max_debt_to_cover)

    without = best_liquidation(outcome, pos.max_debt_to_cover)
    best = best_liquidation(outcome, pos.max_debt_to_cover, all_collateral_at=everything)

    assert without.amounts.collateral_seized < pos.user_collateral  # the tie rule is what decides
    assert best.debt_to_cover == everything and best.profit == without.profit
