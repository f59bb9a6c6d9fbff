"""Bounded hypothesis strategies for the structured-product tests (one place).

Units: token amounts 18 decimals, prices and values USD with 8 decimals, coupons bps per year,
times seconds. Sizes are chosen so the edges are frequent: units and shares that do not divide 1e18
(rounding), deposits too small to mint, price moves that wipe the junior out and crash the senior.
"""

from hypothesis import strategies as st

from rwa_testbed.units import SECONDS_PER_DAY, SECONDS_PER_YEAR, WAD

# IndexToken: units per 1e18 shares (odd ones: rounding happens) and shares (1 wei .. 1M tokens)
_unit = st.one_of(st.integers(min_value=1, max_value=10**6), st.integers(min_value=WAD // 10, max_value=100 * WAD + 7))
odd_units = st.tuples(_unit, _unit, _unit)
index_shares = st.one_of(st.integers(min_value=1, max_value=10**6), st.integers(min_value=10**6, max_value=10**24))

# TrancheMath (pure): values USD8, supplies 18 decimals, prices USD8 per whole token
usd8 = st.integers(min_value=0, max_value=10**20)  # up to $1e12
supplies = st.integers(min_value=0, max_value=10**30)
prices = st.integers(min_value=1, max_value=10**14)  # 1e-8 .. 1M USD
assets = st.integers(min_value=0, max_value=10**30)
coupons_bps = st.sampled_from([0, 1, 250, 800, 1_500, 10_000])
elapsed = st.integers(min_value=0, max_value=5 * SECONDS_PER_YEAR)

# TrancheVault sequences. Deposits: mostly real amounts (0.001 .. 1M tokens), sometimes dust that
# mints nothing. Redemptions: bps of the holder's balance (10_000 = all). Price moves: bps against the
# current answer, crashes to near zero included. Waits: seconds, up to two years.
real_assets = st.integers(min_value=10**15, max_value=10**24)
deposit_assets = st.one_of(real_assets, real_assets, real_assets, st.integers(min_value=1, max_value=10**8))
redeem_bps = st.sampled_from([1, 2_500, 5_000, 10_000])
price_moves_bps = st.sampled_from([-9_999, -9_000, -5_000, -2_000, -500, -1, 0, 1, 500, 2_000, 10_000])
waits = st.one_of(st.integers(min_value=1, max_value=SECONDS_PER_DAY), st.integers(min_value=1, max_value=2 * SECONDS_PER_YEAR))

# One step: ("senior" | "junior", assets) | ("redeem_senior" | "redeem_junior", bps) | ("price", move_bps)
# | ("wait", seconds). Deposits and price moves are the most frequent. A run opens with a junior and a
# senior deposit of real amounts, so that every run has two tranches to split losses between.
vault_actions = st.one_of(
    st.tuples(st.sampled_from(["senior", "junior"]), deposit_assets),
    st.tuples(st.sampled_from(["redeem_senior", "redeem_junior"]), redeem_bps),
    st.tuples(st.just("price"), price_moves_bps),
    st.tuples(st.just("price"), price_moves_bps),
    st.tuples(st.just("wait"), waits),
)
vault_runs = st.builds(
    lambda junior, senior, rest: [("junior", junior), ("senior", senior), *rest],
    real_assets,
    real_assets,
    st.lists(vault_actions, min_size=3, max_size=8),
)
