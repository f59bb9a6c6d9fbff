"""The keeper with the conservative oracle (`market.mitigations.oracle`): it serves both sides, calls the
ConservativeOracle's `update()` after them, and wakes at a freeze's end (no chain: hand-made views)."""

from dataclasses import replace

from rwa_testbed import scenario as sc
from rwa_testbed.agents.keeper import Keeper
from rwa_testbed.models.oracle import Side

from fakes import DAY, Contract, context, market_view, scenario

NAV0 = 10**8  # $1, 8 decimals


def make_keeper(*, kind="latency", min_nav_twap=True, max_change_bps=1_000, freeze_seconds=3_600, window=1_800):
    s = scenario(custodian=sc.CustodianConfig(report_every_days=30, reporting_lag_days=0),
                 oracle=sc.OracleConfig(kind=kind, twap_window_seconds=window))
    s.market.mitigations = sc.MitigationsConfig(oracle=sc.OracleMitigations(
        min_nav_twap=min_nav_twap, max_change_bps=max_change_bps, freeze_seconds=freeze_seconds, twap_window_seconds=window))
    ctx = context(s, oracle_kind=kind)
    m = ctx.market
    m.guard = m.spv_feed = Contract("guard")
    if min_nav_twap:
        m.nav_feed, m.twap_feed = Contract("nav_feed"), Contract("twap_feed")
    return Keeper(ctx), ctx


def view_at(t, nav=(NAV0, 1), twap=(NAV0, 1), amm_price_usd=1.0):
    return replace(market_view(t=t, amm_price_usd=amm_price_usd), nav_side=Side(*nav) if nav else None,
                   twap_side=Side(*twap) if twap else None)


def act_at(keeper, ctx, t, view):
    ctx.world.t = t
    return [(c.to, c.fn) for c in keeper.act(view, ctx)]


def test_keeper__first_view__is_setups_round_and_no_move():
    keeper, ctx = make_keeper()

    assert act_at(keeper, ctx, 12, view_at(12)) == []
    assert keeper.guard.latest_round_data()[1] == NAV0
    assert keeper.twap_catch_up_until == 2 * keeper.twap_window  # the start's catch-up only: setup's price is no new move


def test_keeper__report__submits_to_nav_side_then_updates_guard():
    keeper, ctx = make_keeper(kind="twap")
    act_at(keeper, ctx, 12, view_at(12))

    txs = act_at(keeper, ctx, 30 * DAY, view_at(30 * DAY))

    assert txs == [("0xspv", "reportNav"), ("0xnav_feed", "submit"), ("0xguard", "update")]


def test_keeper__twap_side_catching_up__updates_twap_then_guard():
    keeper, ctx = make_keeper(kind="latency")
    act_at(keeper, ctx, 12, view_at(12))
    act_at(keeper, ctx, 24, view_at(24, amm_price_usd=0.8))  # a move: catching up for two windows

    assert act_at(keeper, ctx, 474, view_at(474, amm_price_usd=0.8)) == [("0xtwap_feed", "update"), ("0xguard", "update")]


def test_keeper__freeze_seen__wakes_and_updates_at_its_end():
    keeper, ctx = make_keeper(kind="twap")
    act_at(keeper, ctx, 12, view_at(12))
    act_at(keeper, ctx, 30 * DAY, view_at(30 * DAY))  # the guard's update at 30 days reads a NAV 20 % down
    t = 30 * DAY + 12

    assert act_at(keeper, ctx, t, view_at(t, nav=(80_000_000, 2))) == []
    end = 30 * DAY + 3_600
    assert keeper.guard.frozen_until == end
    assert end in keeper.wake_times(t)
    assert act_at(keeper, ctx, end - 12, view_at(end - 12, nav=(80_000_000, 2))) == []
    assert act_at(keeper, ctx, end, view_at(end, nav=(80_000_000, 2))) == [("0xguard", "update")]
    act_at(keeper, ctx, end + 12, view_at(end + 12, nav=(80_000_000, 2)))
    assert keeper.guard.latest_round_data()[1] == 80_000_000
    assert keeper.guard.next_change_at(end + 12) is None


def test_keeper__latency_shock_with_twap_feed__added_nav_side_keeps_publishing_at_once():
    keeper, ctx = make_keeper(kind="twap")
    keeper.set_latency(86_400, 0, 0)  # the shock changes no feed here (context.feed_admin_txs: TWAP)

    act_at(keeper, ctx, 12, view_at(12))
    act_at(keeper, ctx, 30 * DAY, view_at(30 * DAY))

    assert keeper.feed.delay == 0 and keeper.feed.pending() == 0
