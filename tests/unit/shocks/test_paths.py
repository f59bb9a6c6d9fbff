"""Price and value paths, the recovery shock and fixed stablecoin pricing (`rwa_testbed.shocks`, no chain).

Paths are (days after `at_days`, value) points, linear in between; a stablecoin path is published
at each point and whenever the price has moved `publish_deviation_bps` from the last publication."""

import typing

import pytest

from rwa_testbed import scenario as sc
from rwa_testbed import shocks

from fakes import DAY, RecordingKeeper, context, scenario


def build(cls, **fields):
    kind = typing.get_args(cls.model_fields["kind"].annotation)[0]
    return shocks.build(cls(kind=kind, **fields))


def ctx_at(t, *, pricing="market", fixed_price_usd=None):
    stable = sc.StablecoinConfig(pricing=pricing, fixed_price_usd=fixed_price_usd)
    ctx = context(scenario(stablecoin=stable), keeper=RecordingKeeper())
    ctx.world.t = t
    return ctx


def run_steps(shock, ctx, times):
    """Fires the shock as the engine does at each of `times`; returns {t: txs}."""
    out = {}
    for t in times:
        ctx.world.t = t
        out[t] = shock.fire(ctx)
    return out


# -- helpers ---------------------------------------------------------------------------------------


def test_interpolate__linear_between_points_last_value_after():
    points = [(0, 1.0), (100, 0.9), (200, 0.9), (400, 1.0)]

    assert [shocks.interpolate(points, s) for s in (0, 50, 100, 150, 300, 400, 10_000)] == pytest.approx(
        [1.0, 0.95, 0.9, 0.9, 0.95, 1.0, 1.0])


def test_path_points__implicit_origin_unless_first_point_at_zero():
    assert shocks.path_points([(1, 5.0)], 0.0) == [(0, 0.0), (DAY, 5.0)]
    assert shocks.path_points([(0, 5.0), (1, 6.0)], 0.0) == [(0, 5.0), (DAY, 6.0)]


def test_publications__every_deviation_step_and_each_corner():
    points = [(0, 1.0), (1_000, 0.9), (2_000, 0.9), (3_000, 1.0)]

    pubs = shocks.publications(points, 100)  # 1 %

    times = [s for s, _ in pubs]
    assert times == sorted(set(times))
    assert (1_000, 0.9) in pubs and pubs[-1] == (3_000, 1.0)
    assert not [s for s, _ in pubs if 1_000 < s < 2_000]  # the hold publishes nothing
    for (_, a), (_, b) in zip(pubs, pubs[1:]):
        assert abs(b / a - 1) <= 0.0102  # the threshold, plus at most one second of the move (1e-4 here)
    assert pubs[0][0] in (100, 101)  # 1 % down of a 10 % fall over 1,000 s (the whole second at or after it)


def test_publications__flat_path__nothing():
    assert shocks.publications([(0, 1.0), (500, 1.0)], 25) == []


# -- stablecoin depeg path -------------------------------------------------------------------------


PATH = [[0.1, 0.9], [0.3, 0.9], [0.6, 1.0]]


def test_depeg_path__publishes_along_the_path_with_market_pricing():
    depeg = build(sc.StablecoinDepeg, at_days=1, path=PATH, publish_deviation_bps=100)
    ctx = ctx_at(0)
    times = sorted({*range(DAY, DAY + DAY, 600), DAY + round(0.6 * DAY)})

    out = run_steps(depeg, ctx, times)

    published = [tx[1] for txs in out.values() for tx in txs]
    assert published[0] == pytest.approx(0.99, abs=1e-3) and published[-1] == 1.0
    assert min(published) == 0.9
    assert depeg.end == DAY + round(0.6 * DAY) and depeg.ended
    assert ctx.world.stable_price_usd == 1.0


def test_depeg_path__wake_times_name_the_next_publication():
    depeg = build(sc.StablecoinDepeg, at_days=1, path=PATH, publish_deviation_bps=100)
    first = depeg.pubs[0][0]

    assert first in depeg.wake_times()
    run_steps(depeg, ctx_at(0), [first])
    assert depeg.pubs[1][0] in depeg.wake_times()
    assert first not in depeg.wake_times()


def test_depeg_path__several_due_in_one_step__the_latest_only():
    depeg = build(sc.StablecoinDepeg, at_days=1, path=PATH, publish_deviation_bps=100)
    ctx = ctx_at(0)

    out = run_steps(depeg, ctx, [DAY + round(0.1 * DAY)])

    assert list(out.values()) == [[("stable_price_tx", 0.9)]]
    assert ctx.world.stable_price_usd == 0.9


def test_depeg__fixed_pricing__world_price_moves_feed_never():
    depeg = build(sc.StablecoinDepeg, at_days=1, price_usd=0.85, duration_days=1)
    ctx = ctx_at(0, pricing="fixed")

    assert depeg.on_start(ctx) == []
    assert ctx.world.stable_price_usd == 0.85
    assert depeg.on_end(ctx) == []
    assert ctx.world.stable_price_usd == 1.0
    assert ctx.keeper.calls == []


def test_depeg_path__fixed_pricing__no_publication():
    depeg = build(sc.StablecoinDepeg, at_days=1, path=PATH)
    ctx = ctx_at(0, pricing="fixed")

    out = run_steps(depeg, ctx, [DAY, DAY + round(0.2 * DAY)])

    assert out == {DAY: [], DAY + round(0.2 * DAY): []}
    assert ctx.world.stable_price_usd == 0.9


def test_depeg_single_jump__unchanged_by_paths():
    depeg = build(sc.StablecoinDepeg, at_days=1, price_usd=0.93, duration_days=2)

    assert depeg.pubs == [] and depeg.wake_times() == [DAY, 3 * DAY]
    assert depeg.on_step(ctx_at(DAY)) == []


# -- true-value paths and the recovery -------------------------------------------------------------


@pytest.mark.parametrize("cls", [sc.NavWritedown, sc.NaturalDisaster])
def test_drop_path__value_factor_linear_then_holds(cls):
    shock = build(cls, at_days=2, path=[[1, 10], [3, 10], [5, 4]])

    factors = [shock.value_factor(round(d * DAY)) for d in (0, 2, 2.5, 3, 4, 5, 6, 7, 100)]
    assert factors == pytest.approx([1.0, 1.0, 0.95, 0.9, 0.9, 0.9, 0.93, 0.96, 0.96])
    assert shock.end == 7 * DAY


@pytest.mark.parametrize("cls, single", [(sc.NavWritedown, "nav_drop_pct"), (sc.NaturalDisaster, "value_drop_pct")])
def test_drop_path__one_point_at_zero__same_as_the_single_jump(cls, single):
    path = build(cls, at_days=2, path=[[0, 12]])
    jump = build(cls, at_days=2, **{single: 12})

    times = [0, 2 * DAY - 1, 2 * DAY, 3 * DAY]
    assert [path.value_factor(t) for t in times] == [jump.value_factor(t) for t in times]
    assert jump.end is None


def test_nav_writeup__rises_at_once():
    up = build(sc.NavWriteup, at_days=1, nav_rise_pct=8)

    assert [up.value_factor(t) for t in (0, DAY - 1, DAY, 9 * DAY)] == pytest.approx([1.0, 1.0, 1.08, 1.08])


def test_nav_writeup__path__gradual_release():
    up = build(sc.NavWriteup, at_days=10, path=[[30, 8]], offchain_days=60)

    assert up.value_factor(25 * DAY) == pytest.approx(1.04)
    assert up.value_factor(90 * DAY) == pytest.approx(1.08)
    assert up.end == 40 * DAY and up.offchain_end == 70 * DAY


def test_nav_writeup__reported_at_once_as_of_its_date():
    up = build(sc.NavWriteup, at_days=1, nav_rise_pct=8)
    ctx = ctx_at(DAY)

    assert up.on_start(ctx) == []
    assert ctx.keeper.calls == [("request_report", DAY, DAY)]
    assert ctx.world.events[-1]["kind"] == "nav_writeup"


def test_writedown_path__reported_at_each_point():
    down = build(sc.NavWritedown, at_days=1, path=[[0, 5], [2, 10]])
    ctx = ctx_at(DAY)

    down.on_start(ctx)

    assert ctx.keeper.calls == [("request_report", DAY, DAY), ("request_report", 3 * DAY, 3 * DAY)]


def test_writeup_and_writedown__compose_multiplicatively():
    down = build(sc.NavWritedown, at_days=1, nav_drop_pct=8)
    up = build(sc.NavWriteup, at_days=5, path=[[10, 8]])

    t = 15 * DAY
    assert down.value_factor(t) * up.value_factor(t) == pytest.approx(0.92 * 1.08)
