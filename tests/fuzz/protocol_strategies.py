"""Bounded hypothesis strategies for the protocol state machine (one place, shared by its tests).

Amounts are drawn as shares of what the actor has (wallet, supply, debt, borrowing power, AMM
reserve) so that every draw is meaningful whatever state the machine is in, with the boundaries
(0, 1 wei, exactly 100 %, just above 100 %) drawn often. Prices move in bps of the current true
price, crashes included, so that positions become liquidatable and some end in bad debt.
"""

from hypothesis import strategies as st

# Actors (tests/conftest.py names). USERS use the pool; everyone in HOLDERS may hold supply shares.
BORROWERS = ("borrower", "other_borrower", "trader")
USERS = (*BORROWERS, "lp")
HOLDERS = (*USERS, "liquidator", "treasury")

users = st.sampled_from(USERS)
borrowers = st.sampled_from(BORROWERS)
assets = st.sampled_from(("stable", "rwa"))

# Percent of a wallet / balance / debt / borrowing power; 0 and 100 are frequent boundaries.
percents = st.one_of(st.sampled_from([0, 1, 10, 50, 100, 100]), st.integers(1, 100))
# Withdraw / repay: a percentage, everything (type(uint256).max), one wei, or one wei too many.
amount_modes = st.sampled_from(["percent", "percent", "percent", "max", "one_wei", "balance_plus_one"])
# Borrow: percent of the available borrowing power; above 100 must fail, 100 may round either way.
borrow_percents = st.one_of(st.sampled_from([1, 50, 99, 100, 101, 150]), st.integers(1, 105))

# Oracle: the true price moves by `bps` (negative = down), then the keeper reports it `lag`
# seconds after the fact (bounded by the previous observation: observations stay ordered).
price_moves_bps = st.one_of(
    st.sampled_from([-6_000, -3_500, -2_000, -1_000, -500, -200, -50, 0, 50, 200, 1_000]),
    st.integers(-3_000, 1_000),
)
observation_lags = st.sampled_from([0, 0, 30, 300, 3_600, 7_200])  # seconds
delays = st.sampled_from([0, 0, 60, 600, 3_600])  # seconds
heartbeats = st.sampled_from([0, 600, 3_600, 86_400])  # seconds, 0 = off
thresholds_bps = st.sampled_from([0, 0, 50, 500])
latency_rules = st.tuples(delays, heartbeats, thresholds_bps)

# Time between actions: a block, minutes, hours, a day, a month (interest accrues).
time_steps = st.one_of(st.sampled_from([12, 60, 600, 3_600, 86_400, 30 * 86_400]), st.integers(1, 7 * 86_400))

# AMM: sell a share of the reserve of the sold token, bps (up to 50 %).
swap_sizes_bps = st.one_of(st.sampled_from([1, 10, 100, 1_000, 5_000]), st.integers(1, 5_000))

# Liquidations: debtToCover as type(uint256).max ("uncapped"), a percent of the debt ("capped") or 1 wei.
debt_to_cover_modes = st.sampled_from(["max", "max", "percent", "percent", "one_wei"])
