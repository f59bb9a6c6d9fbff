"""The custodian's reports and the oracle keeper (`agents.keeper.Keeper`) on hand-made views (no chain)."""

from fractions import Fraction

from rwa_testbed import scenario as sc
from rwa_testbed.agents.keeper import MIN_ANSWER, Keeper

from fakes import DAY, START_TIME, Contract, context, market_view, scenario

HOUR = 3_600


def make_keeper(*, every_days=30, lag_days=0, kind="latency", delay=0, heartbeat=0, deviation=0, window=1_800,
                value_factor=None):
    s = scenario(custodian=sc.CustodianConfig(report_every_days=every_days, reporting_lag_days=lag_days),
                 oracle=sc.OracleConfig(kind=kind, delay_seconds=delay, heartbeat_seconds=heartbeat,
                                        deviation_bps=deviation, twap_window_seconds=window))
    ctx = context(s, oracle_kind=kind)
    if value_factor is not None:
        ctx.world.value_factors = [value_factor]
    return Keeper(ctx), ctx


def act_at(keeper, ctx, t, view=None):
    ctx.world.t = t
    return [(c.to, c.fn, c.args) for c in keeper.act(view or market_view(t=t), ctx)]


def nav_drop_at(day, factor):
    return lambda t: factor if t >= day * DAY else 1.0


def test_keeper__before_first_schedule__no_transaction():
    keeper, ctx = make_keeper()

    assert act_at(keeper, ctx, 30 * DAY - 1) == []


def test_keeper__scheduled_report__nav_as_of_lag_and_submit_now():
    keeper, ctx = make_keeper(lag_days=5, value_factor=nav_drop_at(20, 0.8))

    txs = act_at(keeper, ctx, 30 * DAY)

    assert txs == [("0xspv", "reportNav", (800_000, START_TIME + 25 * DAY)),
                   ("0xspv_feed", "submit", (80_000_000, START_TIME + 30 * DAY))]
    assert keeper.next_report == 60 * DAY
    assert keeper.reports == 1 and keeper.last_reported_nav_usd == 0.8
    assert [e["kind"] for e in ctx.world.events] == ["nav_report"]


def test_keeper__lag_before_the_drop__reports_the_old_value():
    keeper, ctx = make_keeper(lag_days=15, value_factor=nav_drop_at(20, 0.8))

    txs = act_at(keeper, ctx, 30 * DAY)

    assert txs[0] == ("0xspv", "reportNav", (1_000_000, START_TIME + 15 * DAY))


def test_keeper__schedule_missed_twice__one_report_and_next_on_the_schedule():
    keeper, ctx = make_keeper()

    txs = act_at(keeper, ctx, 65 * DAY)

    assert [fn for _, fn, _ in txs] == ["reportNav", "submit"]
    assert keeper.next_report == 90 * DAY


def test_keeper__off_cycle_request__reported_at_its_time_as_of_the_lag():
    keeper, ctx = make_keeper(lag_days=5)
    keeper.request_report(12 * DAY)

    assert act_at(keeper, ctx, 12 * DAY - 1) == []
    txs = act_at(keeper, ctx, 12 * DAY)

    assert txs[0] == ("0xspv", "reportNav", (1_000_000, START_TIME + 7 * DAY))
    assert keeper.extra_reports == []
    assert keeper.next_report == 30 * DAY  # the schedule is unchanged


def test_keeper__writedown_request_as_of_its_date__lag_ignored():
    keeper, ctx = make_keeper(lag_days=5, value_factor=nav_drop_at(12, 0.6))
    keeper.request_report(12 * DAY, as_of=12 * DAY)

    txs = act_at(keeper, ctx, 12 * DAY)

    assert txs == [("0xspv", "reportNav", (600_000, START_TIME + 12 * DAY)),
                   ("0xspv_feed", "submit", (60_000_000, START_TIME + 12 * DAY))]


def test_keeper__request_older_than_the_lag__as_of_the_lag_date():
    keeper, ctx = make_keeper(lag_days=5)
    keeper.request_report(12 * DAY, as_of=2 * DAY)

    txs = act_at(keeper, ctx, 12 * DAY)

    assert txs[0][2][1] == START_TIME + 7 * DAY  # the latest of the lag date and the requested dates


def test_keeper__report_after_an_immediate_one__never_older_than_the_previous():
    keeper, ctx = make_keeper(lag_days=20)
    keeper.request_report(12 * DAY, as_of=12 * DAY)
    act_at(keeper, ctx, 12 * DAY)

    txs = act_at(keeper, ctx, 30 * DAY)  # the lag says day 10: the SPV would reject it

    assert txs[0][2][1] == START_TIME + 12 * DAY
    assert keeper.last_as_of == 12 * DAY


def test_keeper__delayed_oracle__poke_once_the_delay_has_passed():
    """The keeper's copy of the feed (`models.oracle.LatencyOracleModel`) says when a poke publishes."""
    keeper, ctx = make_keeper(delay=HOUR)
    act_at(keeper, ctx, 30 * DAY)

    assert keeper.feed.pending() == 1 and keeper.feed.next_change_at(30 * DAY) == 30 * DAY + HOUR
    assert act_at(keeper, ctx, 30 * DAY + HOUR - 1) == []
    assert act_at(keeper, ctx, 30 * DAY + HOUR) == [("0xspv_feed", "poke", ())]
    assert keeper.feed.pending() == 0 and keeper.feed.rounds[-1].updated_at == 30 * DAY + HOUR
    assert act_at(keeper, ctx, 30 * DAY + HOUR + 12) == []


def test_keeper__no_delay__the_submit_publishes_and_no_poke_follows():
    keeper, ctx = make_keeper(heartbeat=DAY)

    txs = act_at(keeper, ctx, 30 * DAY)

    assert [fn for _, fn, _ in txs] == ["reportNav", "submit"]
    assert keeper.feed.pending() == 0 and keeper.feed.rounds[-1].updated_at == 30 * DAY
    assert keeper.wake_times(30 * DAY) == [60 * DAY]  # nothing held back: the heartbeat has nothing to publish


def test_keeper__heartbeat_due_nothing_pending__no_poke():
    """As on chain, a heartbeat republishes a held-back observation only: with none, a poke would do nothing."""
    keeper, ctx = make_keeper(heartbeat=HOUR)

    assert act_at(keeper, ctx, HOUR) == []
    assert keeper.wake_times(HOUR) == [30 * DAY]


def test_keeper__held_back_by_the_deviation_threshold__poked_at_the_heartbeat():
    keeper, ctx = make_keeper(heartbeat=40 * DAY, deviation=5_000)  # a NAV move under 50 % is held back
    act_at(keeper, ctx, 30 * DAY)

    assert keeper.feed.pending() == 1 and keeper.wake_times(30 * DAY) == [60 * DAY, 40 * DAY]
    assert act_at(keeper, ctx, 40 * DAY - 1) == []
    assert act_at(keeper, ctx, 40 * DAY) == [("0xspv_feed", "poke", ())]
    assert keeper.feed.rounds[-1].updated_at == 40 * DAY

def test_keeper__outage__pokes_suppressed_until_restored():
    keeper, ctx = make_keeper(delay=HOUR, heartbeat=HOUR)
    act_at(keeper, ctx, 30 * DAY)
    ctx.world.oracle_outage = True

    assert act_at(keeper, ctx, 30 * DAY + HOUR) == []
    assert keeper.feed.pending() == 1  # still waiting
    ctx.world.oracle_outage = False
    assert act_at(keeper, ctx, 31 * DAY) == [("0xspv_feed", "poke", ())]
    assert keeper.feed.pending() == 0


def test_keeper__total_write_off__feed_publishes_min_answer():
    keeper, ctx = make_keeper(value_factor=lambda t: 0.0)

    txs = act_at(keeper, ctx, 30 * DAY)

    assert MIN_ANSWER == 1
    assert txs == [("0xspv", "reportNav", (0, START_TIME + 30 * DAY)),
                   ("0xspv_feed", "submit", (1, START_TIME + 30 * DAY))]


def test_keeper__set_latency__next_report_waits_for_the_new_delay():
    keeper, ctx = make_keeper()
    keeper.set_latency(2 * HOUR, 6 * HOUR, 50)

    act_at(keeper, ctx, 30 * DAY)

    assert (keeper.feed.delay, keeper.feed.heartbeat, keeper.feed.threshold_bps) == (2 * HOUR, 6 * HOUR, 50)
    assert keeper.feed.next_change_at(30 * DAY) == 30 * DAY + 2 * HOUR


def test_keeper__twap_report__nav_only_no_feed_submit():
    keeper, ctx = make_keeper(kind="twap")
    act_at(keeper, ctx, 0)  # the AMM price seen first here: caught up long before day 30

    txs = act_at(keeper, ctx, 30 * DAY)

    assert [fn for _, fn, _ in txs] == ["reportNav"]
    assert keeper.feed.pending() == 0


def test_keeper__twap_catching_up__updates_every_quarter_window_for_two_windows():
    keeper, ctx = make_keeper(kind="twap", window=1_800)  # an update every 450 s
    act_at(keeper, ctx, 0, market_view(amm_price_usd=1.0))
    view = market_view(amm_price_usd=0.9)

    assert act_at(keeper, ctx, 10, view) == []  # the price moved: catching up until 3 610
    assert keeper.twap_catch_up_until == 3_610
    assert act_at(keeper, ctx, 449, view) == []
    assert act_at(keeper, ctx, 450, view) == [("0xspv_feed", "update", ())]
    assert act_at(keeper, ctx, 600, view) == []
    assert act_at(keeper, ctx, 900, view) == [("0xspv_feed", "update", ())]
    assert act_at(keeper, ctx, 3_610, view) == []  # caught up: a constant price needs no update


def test_keeper__twap_price_moves_again__catch_up_restarts():
    keeper, ctx = make_keeper(kind="twap", window=1_800)
    act_at(keeper, ctx, 0, market_view(amm_price_usd=0.9))

    assert act_at(keeper, ctx, 5_000, market_view(amm_price_usd=0.8)) == [("0xspv_feed", "update", ())]
    assert keeper.twap_catch_up_until == 8_600


def test_keeper__twap_outage__no_update():
    keeper, ctx = make_keeper(kind="twap", window=1_800)
    act_at(keeper, ctx, 0, market_view(amm_price_usd=0.9))
    ctx.world.oracle_outage = True

    assert act_at(keeper, ctx, 450, market_view(amm_price_usd=0.9)) == []


def test_keeper_wake_times__report_request_and_pending__only_future_ones():
    keeper, ctx = make_keeper(delay=HOUR)
    keeper.request_report(12 * DAY)
    keeper.request_report(3 * DAY)

    assert keeper.wake_times(0) == [30 * DAY, 12 * DAY, 3 * DAY]
    assert keeper.wake_times(12 * DAY) == [30 * DAY]
    act_at(keeper, ctx, 30 * DAY)
    assert keeper.wake_times(30 * DAY) == [60 * DAY, 30 * DAY + HOUR]


def test_keeper_wake_times__pending_observation__latency_only():
    latency, lctx = make_keeper(delay=HOUR)
    twap, tctx = make_keeper(kind="twap", delay=HOUR)
    act_at(latency, lctx, 30 * DAY)
    act_at(twap, tctx, 30 * DAY - 1, market_view(amm_price_usd=1.0))
    act_at(twap, tctx, 30 * DAY, market_view(amm_price_usd=0.9))

    assert latency.wake_times(30 * DAY) == [60 * DAY, 30 * DAY + HOUR]
    assert twap.wake_times(30 * DAY) == [60 * DAY, 30 * DAY + 450]  # its TWAP updates, no feed publication


def test_keeper__twap_first_step__catches_up_from_the_start_whenever_it_first_acts():
    """Setup's trades moved the AMM just before the start: the TWAP catches up for two windows from
    t = 0, the same whether the engine's first step is the first block or a later wake."""
    keeper, ctx = make_keeper(kind="twap", window=1_800)

    assert keeper.wake_times(0) == [30 * DAY, 450]
    assert act_at(keeper, ctx, 450, market_view(amm_price_usd=0.9)) == [("0xspv_feed", "update", ())]
    assert keeper.twap_catch_up_until == 3_600  # the first price seen is the start's, not a move


def test_keeper_wake_times__twap__next_update_only_while_catching_up():
    keeper, ctx = make_keeper(kind="twap", window=1_800)
    act_at(keeper, ctx, 4_000, market_view(amm_price_usd=1.0))
    assert keeper.wake_times(4_000) == [30 * DAY]  # the start's catch-up is over, no move since
    act_at(keeper, ctx, 4_000, market_view(amm_price_usd=0.9))

    assert keeper.wake_times(4_000) == [30 * DAY, 4_450]
    assert keeper.wake_times(7_600) == [30 * DAY]


def test_keeper_stable_price_tx__latency_feed__submit_at_chain_time():
    keeper, ctx = make_keeper()
    ctx.world.t = 5 * DAY

    call = keeper.stable_price_tx(0.97)

    assert (call.to, call.fn, call.args, call.action) == ("0xstable_feed", "submit", (97_000_000, START_TIME + 5 * DAY),
                                                          "stable_price")
    assert call.sender is ctx.actors.keeper


def test_keeper_stable_price_tx__pinned_feed__set_answer():
    keeper, ctx = make_keeper()
    ctx.market.stable_feed_kind = "pinned"

    call = keeper.stable_price_tx(1.02)

    assert (call.fn, call.args) == ("setAnswer", (102_000_000,))


def test_keeper__stopped_feed__pokes_suppressed_until_restarted():
    keeper, ctx = make_keeper(delay=HOUR)
    act_at(keeper, ctx, 30 * DAY)  # queued, visible an hour later
    ctx.world.oracle_stopped = True  # the guardian's emergency stop

    assert act_at(keeper, ctx, 30 * DAY + HOUR) == []
    ctx.world.oracle_stopped = False

    assert act_at(keeper, ctx, 30 * DAY + 2 * HOUR) == [("0xspv_feed", "poke", ())]


def make_attestor(every_hours=24):
    s = scenario()
    s.market.mitigations = sc.MitigationsConfig(oracle=sc.OracleMitigations(
        proof_of_reserve=sc.ProofOfReserve(report_every_hours=every_hours)))
    ctx = context(s)
    ctx.market.por_feed = Contract("por_feed")
    return Keeper(ctx), ctx


def supply_view(t, supply):
    view = market_view(t=t)
    view.spv_supply = supply
    return view


def test_keeper__proof_of_reserve__reports_supply_times_custody_left_on_schedule():
    keeper, ctx = make_attestor(every_hours=24)
    supply = 3 * 10**26 + 7

    assert sorted(keeper.wake_times(0)) == [24 * HOUR, 30 * DAY]  # setup sent the first report
    assert act_at(keeper, ctx, 24 * HOUR - 1, supply_view(0, supply)) == []
    assert act_at(keeper, ctx, 24 * HOUR, supply_view(0, supply)) == [("0xpor_feed", "submit", (supply, START_TIME + DAY))]
    ctx.world.custody_share = Fraction(7, 10)  # a hack took 30 %
    ((_, _, (reserves, _)),) = act_at(keeper, ctx, 50 * HOUR, supply_view(0, supply))  # missed one: one report

    assert reserves == supply * 7 // 10  # exact, rounded down
    assert keeper.next_por == 72 * HOUR
    ctx.world.custody_share = Fraction(0)
    assert act_at(keeper, ctx, 72 * HOUR, supply_view(0, supply))[0][2][0] == 1  # none: the smallest answer
