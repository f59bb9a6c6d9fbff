"""Bounded hypothesis strategies for the oracle tests (one place, shared by the oracle tests).

Values are chosen so the interesting cases are frequent: prices around 10_000 so that the
thresholds (bps) below are crossed sometimes and not others, equal prices, observations older
than the delay, heartbeats shorter and longer than the gaps between blocks.
"""

from hypothesis import strategies as st

delays = st.sampled_from([0, 0, 5, 20, 60])  # seconds
heartbeats = st.sampled_from([0, 15, 40, 120])  # seconds, 0 = off
thresholds_bps = st.sampled_from([0, 1, 25, 100, 500])
latency_rules = st.tuples(delays, heartbeats, thresholds_bps)

# A submitted price as a move against the latest published answer, (bps, nudge, downwards):
# |move| = ceil(latest * bps / 10_000) + nudge, so every threshold's boundary is hit exactly,
# just under and just over; bps 0 with nudge 0 is an equal value. Tiny moves are the most
# frequent so that candidates are often held back (then published by a heartbeat or skipped).
price_moves = st.tuples(st.sampled_from([0, 0, 1, 25, 100, 500]), st.sampled_from([-1, 0, 0, 1]), st.booleans())
# Or an absolute price around 10_000 (one draw in three).
absolute_prices = st.integers(min_value=9_400, max_value=10_600)
prices = st.one_of(price_moves, price_moves, absolute_prices)
observation_lags = st.integers(min_value=0, max_value=90)  # seconds before the block time
block_steps = st.integers(min_value=1, max_value=45)  # seconds between blocks

# One block of a LatencyOracle run: ("submit", step, price, lag) | ("poke", step) |
# ("keeper", nudge) (a poke `nudge` seconds from the model's next change time: exact
# visibility and heartbeat boundaries) | ("block", step) (an empty block) |
# ("rules", step, (delay, heartbeat, threshold)) | ("outage", step, active).
# Submissions and pokes are the common actions (listed more often).
_submit = st.tuples(st.just("submit"), block_steps, prices, observation_lags)
_poke = st.tuples(st.just("poke"), block_steps)
_keeper_poke = st.tuples(st.just("keeper"), st.sampled_from([-1, 0, 0, 1]))
latency_actions = st.one_of(
    _submit,
    _submit,
    _submit,
    _poke,
    _keeper_poke,
    _keeper_poke,
    st.tuples(st.just("block"), block_steps),
    st.tuples(st.just("rules"), block_steps, latency_rules),
    st.tuples(st.just("outage"), block_steps, st.booleans()),
)
latency_runs = st.lists(latency_actions, min_size=12, max_size=30)

# TWAP: pool moves as (RWA, USDC) raw units donated to the pair before a sync (one token at a
# time: the price falls or rises, or no move), and time between blocks.
rwa_donations = st.integers(min_value=1, max_value=300 * 10**18)
usdc_donations = st.integers(min_value=1, max_value=30_000 * 10**6)
pool_moves = st.one_of(
    st.just((0, 0)),
    st.tuples(rwa_donations, st.just(0)),
    st.tuples(st.just(0), usdc_donations),
)
twap_steps = st.integers(min_value=1, max_value=400)  # seconds
# (seconds to the next block, pool move, keeper calls update())
twap_runs = st.lists(st.tuples(twap_steps, pool_moves, st.booleans()), min_size=4, max_size=8)

# ConservativeOracle: limits (max_change_bps, freeze_seconds) and a run of blocks. A side's new
# answer is a move against the oracle's last published answer, (bps, nudge, downwards) with
# |move| = floor(last * bps / 10_000) + nudge (the limit's boundary exactly, just under, just over),
# or an absolute price around 10_000.
guard_limits = st.tuples(st.sampled_from([0, 100, 1_000]), st.sampled_from([30, 120]))
guard_prices = st.one_of(
    st.tuples(st.sampled_from([0, 100, 1_000, 3_000]), st.sampled_from([-1, 0, 0, 1]), st.booleans()),
    st.integers(min_value=8_000, max_value=12_000),
)
guard_steps = st.integers(min_value=1, max_value=60)  # seconds between blocks
# ("nav" | "twap", step, price): a side publishes, then update() in the same block;
# ("update", step); ("keeper", nudge): update() `nudge` seconds from the model's freeze end;
# ("block", step): an empty block.
guard_actions = st.one_of(
    st.tuples(st.sampled_from(["nav", "twap"]), guard_steps, guard_prices),
    st.tuples(st.just("update"), guard_steps),
    st.tuples(st.just("keeper"), st.sampled_from([-1, 0, 0, 1])),
    st.tuples(st.just("block"), guard_steps),
)
guard_runs = st.lists(guard_actions, min_size=6, max_size=20)
