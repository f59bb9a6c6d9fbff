"""Shocks (`rwa_testbed.shocks`): value factors, ends, world flags and keeper calls (no chain).

Each shock is built from its real config model (`scenario.py`) through `shocks.build`; the context
is a real `Context` over recording contracts with a keeper that records what it is asked
(`tests/unit/fakes.py`)."""

import typing
from fractions import Fraction

import pytest

from rwa_testbed import scenario as sc
from rwa_testbed import shocks

from fakes import DAY, RecordingKeeper, context


def build(cls, **fields):
    kind = typing.get_args(cls.model_fields["kind"].annotation)[0]
    return shocks.build(cls(kind=kind, **fields))


def started(shock, *, oracle_kind="latency"):
    """A context at the shock's start, and what its `on_start` returned."""
    ctx = context(oracle_kind=oracle_kind, keeper=RecordingKeeper())
    ctx.world.t = shock.start
    return ctx, shock.on_start(ctx)


def calls(txs):
    return [(c.to, c.fn, c.args, c.sender.name) for c in txs]


def test_build__every_configured_kind__registered_class():
    kinds = typing.get_args(typing.get_args(sc.ShockConfig)[0])

    assert {k.__name__ for k in kinds} == {k.__name__ for k in shocks._REGISTRY}
    assert type(build(sc.Rumor, at_days=1, holder_share_bps=100)) is shocks.RumorShock


def test_shock__start__at_days_in_seconds():
    assert build(sc.NaturalDisaster, at_days=1.5, value_drop_pct=10).start == 129_600


# -- value factors --------------------------------------------------------------------------------


def test_default_wave_value_factor__linear_from_start_to_end_then_flat():
    wave = build(sc.DefaultWave, at_days=2, nav_drop_pct=20, over_days=10)

    assert [wave.value_factor(d * DAY) for d in (0, 2, 7, 12, 40)] == pytest.approx([1.0, 1.0, 0.9, 0.8, 0.8])
    assert wave.end == 12 * DAY


@pytest.mark.parametrize("cls, fields", [
    (sc.NavWritedown, {"nav_drop_pct": 30}),
    (sc.CustodianHack, {"value_haircut_pct": 30}),
    (sc.NaturalDisaster, {"value_drop_pct": 30}),
])
def test_step_value_factor__from_the_start_second__drop(cls, fields):
    shock = build(cls, at_days=3, **fields)

    assert [shock.value_factor(t) for t in (0, 3 * DAY - 1, 3 * DAY, 100 * DAY)] == pytest.approx([1, 1, 0.7, 0.7])


@pytest.mark.parametrize("cls, fields", [
    (sc.Rumor, {"holder_share_bps": 1_000}),
    (sc.LiquidityWithdrawal, {"share_pct": 40}),
    (sc.OracleOutage, {"duration_days": 2}),
    (sc.OracleLatencyChange, {"delay_seconds": 600}),
    (sc.StablecoinDepeg, {"price_usd": 0.9, "duration_days": 2}),
    (sc.CustodianHack, {}),  # no haircut by default
])
def test_value_factor__market_only_shocks__one(cls, fields):
    shock = build(cls, at_days=1, **fields)

    assert [shock.value_factor(t) for t in (0, DAY, 50 * DAY)] == [1.0, 1.0, 1.0]


# -- ends, off-chain ends, wake times -------------------------------------------------------------


@pytest.mark.parametrize("cls, fields, end", [
    (sc.Rumor, {"holder_share_bps": 1_000, "within_minutes": 45}, DAY + 2_700),
    (sc.OracleOutage, {"duration_days": 2}, 3 * DAY),
    (sc.StablecoinDepeg, {"price_usd": 0.9, "duration_days": 0.5}, DAY + DAY // 2),
    (sc.DefaultWave, {"nav_drop_pct": 10, "over_days": 4}, 5 * DAY),
    (sc.NavWritedown, {"nav_drop_pct": 10}, None),
    (sc.NaturalDisaster, {"value_drop_pct": 10}, None),
    (sc.LiquidityWithdrawal, {"share_pct": 10}, None),
    (sc.OracleLatencyChange, {"delay_seconds": 600}, None),
])
def test_shock_end_and_wake_times__kind__own_end(cls, fields, end):
    shock = build(cls, at_days=1, **fields)

    assert shock.end == end
    assert shock.wake_times() == ([DAY] if end is None else [DAY, end])


@pytest.mark.parametrize("cls, fields, offchain_end", [
    (sc.CustodianHack, {}, DAY + 180 * DAY),
    (sc.NaturalDisaster, {"value_drop_pct": 5}, DAY + 90 * DAY),
    (sc.DefaultWave, {"nav_drop_pct": 5, "over_days": 30}, 31 * DAY),
    (sc.NavWritedown, {"nav_drop_pct": 5}, DAY),
    (sc.OracleOutage, {"duration_days": 3}, 4 * DAY),
])
def test_offchain_end__default_days_per_kind__at_least_its_own_end(cls, fields, offchain_end):
    assert build(cls, at_days=1, **fields).offchain_end == offchain_end


def test_offchain_end__configured_days__override_but_never_before_own_end():
    assert build(sc.CustodianHack, at_days=1, offchain_days=10).offchain_end == 11 * DAY
    assert build(sc.DefaultWave, at_days=1, nav_drop_pct=5, over_days=30, offchain_days=10).offchain_end == 31 * DAY
    assert build(sc.NavWritedown, at_days=1, nav_drop_pct=5, offchain_days=60).offchain_end == 61 * DAY


# -- on_start / on_end ----------------------------------------------------------------------------


def test_nav_writedown_on_start__report_immediately__keeper_reports_as_of_today():
    ctx, txs = started(build(sc.NavWritedown, at_days=4, nav_drop_pct=25))

    assert txs == []
    assert ctx.keeper.calls == [("request_report", 4 * DAY, 4 * DAY)]
    assert [e["kind"] for e in ctx.world.events] == ["nav_writedown"]


def test_nav_writedown_on_start__not_immediately__keeper_not_asked():
    ctx, txs = started(build(sc.NavWritedown, at_days=4, nav_drop_pct=25, report_immediately=False))

    assert txs == [] and ctx.keeper.calls == []


def test_default_wave_on_start__event_only():
    ctx, txs = started(build(sc.DefaultWave, at_days=1, nav_drop_pct=10, over_days=5))

    assert txs == [] and ctx.keeper.calls == []
    assert [e["kind"] for e in ctx.world.events] == ["default_wave"]


def test_rumor_on_start__panic_until_its_end_with_the_holder_share():
    rumor = build(sc.Rumor, at_days=1, holder_share_bps=2_500, within_minutes=30)

    ctx, txs = started(rumor)

    assert txs == []
    assert (ctx.world.panic_until, ctx.world.panic_share) == (DAY + 1_800, 0.25)


def test_custodian_hack_on_start__flags_and_custodian_freezes_and_impairs():
    ctx, txs = started(build(sc.CustodianHack, at_days=1))

    assert ctx.world.impaired and ctx.world.redemptions_frozen
    assert calls(txs) == [("0xspv", "freezeRedemptions", (True,), "custodian"),
                          ("0xspv", "setImpaired", (True, "custodian hack"), "custodian")]


@pytest.mark.parametrize("fields, custody", [
    ({}, Fraction(1)),  # no haircut, nothing stolen
    ({"value_haircut_pct": 30}, Fraction(7, 10)),  # the contested value is stolen from custody by default
    ({"value_haircut_pct": 30, "reserves_lost_pct": 12.5}, Fraction(875, 1000)),
    ({"value_haircut_pct": 30, "reserves_lost_pct": 0}, Fraction(1)),  # contested, not stolen
])
def test_custodian_hack_on_start__custody_left_for_the_proof_of_reserve(fields, custody):
    ctx, _ = started(build(sc.CustodianHack, at_days=1, **fields))

    assert ctx.world.custody_share == custody


def test_natural_disaster_on_start__event_only():
    ctx, txs = started(build(sc.NaturalDisaster, at_days=1, value_drop_pct=10))

    assert txs == [] and [e["kind"] for e in ctx.world.events] == ["natural_disaster"]


def test_liquidity_withdrawal_on_start__forced_share_for_the_lps():
    ctx, txs = started(build(sc.LiquidityWithdrawal, at_days=1, share_pct=40))

    assert txs == [] and ctx.world.forced_lp_withdrawal == 0.4


def test_oracle_outage__latency_feed__admin_sets_outage_then_lifts_it():
    outage = build(sc.OracleOutage, at_days=1, duration_days=2)
    ctx, txs = started(outage)

    assert ctx.world.oracle_outage
    assert calls(txs) == [("0xspv_feed", "setOutage", (True,), "admin")]
    ctx.world.t = outage.end
    assert calls(outage.on_end(ctx)) == [("0xspv_feed", "setOutage", (False,), "admin")]
    assert not ctx.world.oracle_outage
    assert [e["kind"] for e in ctx.world.events] == ["oracle_outage", "oracle_restored"]


def test_oracle_outage__twap_feed__flag_only():
    outage = build(sc.OracleOutage, at_days=1, duration_days=2)
    ctx, txs = started(outage, oracle_kind="twap")

    assert txs == [] and ctx.world.oracle_outage
    assert outage.on_end(ctx) == [] and not ctx.world.oracle_outage


def test_oracle_latency_change_on_start__keeper_follows_and_admin_sets_the_rules():
    ctx, txs = started(build(sc.OracleLatencyChange, at_days=1, delay_seconds=600, heartbeat_seconds=3_600,
                             deviation_bps=50))

    assert ctx.keeper.calls == [("set_latency", 600, 3_600, 50)]
    assert calls(txs) == [("0xspv_feed", "setLatencyRules", (600, 3_600, 50), "admin")]


def test_stablecoin_depeg__keeper_publishes_the_price_then_one_dollar():
    depeg = build(sc.StablecoinDepeg, at_days=1, price_usd=0.93, duration_days=2)
    ctx, txs = started(depeg)

    assert ctx.world.stable_price_usd == 0.93
    assert txs == [("stable_price_tx", 0.93)]
    ctx.world.t = depeg.end
    assert depeg.on_end(ctx) == [("stable_price_tx", 1.0)]
    assert ctx.world.stable_price_usd == 1.0


@pytest.mark.parametrize("cls, fields", [
    (sc.NavWritedown, {"nav_drop_pct": 10}),
    (sc.Rumor, {"holder_share_bps": 100}),
    (sc.CustodianHack, {}),
    (sc.LiquidityWithdrawal, {"share_pct": 10}),
])
def test_on_end__kinds_that_undo_nothing__no_transaction_no_event(cls, fields):
    shock = build(cls, at_days=1, **fields)
    ctx, _ = started(shock)
    before = len(ctx.world.events)

    assert shock.on_end(ctx) == []
    assert len(ctx.world.events) == before


def test_fire__starts_once_at_its_time__ends_once_after_its_end():
    """`Shock.fire` is what the engine calls at every step: nothing before the start, `on_start`
    once, `on_end` once the end has passed, nothing after."""
    outage = build(sc.OracleOutage, at_days=10, duration_days=2)
    ctx = context(oracle_kind="latency", keeper=RecordingKeeper())

    fired = {}
    for day in (9, 10, 11, 12, 13):
        ctx.world.t = day * DAY
        fired[day] = [c.args for c in outage.fire(ctx)]

    assert fired == {9: [], 10: [(True,)], 11: [], 12: [(False,)], 13: []}
    assert outage.started and outage.ended and not ctx.world.oracle_outage
