"""Stochastic paths (`rwa_testbed.stochastic`, no chain): the shocks a run draws from its scenario's
processes, from its seed alone; their statistics; the schema's rules; the true-value path shock."""

import math
import typing

import numpy as np
import pytest

from rwa_testbed import scenario as sc
from rwa_testbed import shocks, stochastic
from rwa_testbed.units import SECONDS_PER_DAY

ALL = ["stochastic={true_value: {volatility_pct_per_year: 30, jumps: {per_year: 40}},"
       " amm_depth: {withdrawals_per_year: 40}, stablecoin: {depegs_per_year: 40}, rumors: {per_year: 40}}"]


def load(*overrides, seed=0, name="real_estate_flash_crash"):
    return sc.load(name, list(overrides), seed=seed)


def draws(*overrides, seed=0):
    return stochastic.realise(load(*overrides, seed=seed))


def by_kind(d, kind):
    return [s for s in d.shocks if s.kind == kind]


def test_realise__no_stochastic_section__none():
    assert stochastic.realise(load()) is None


def test_realise__same_seed__same_draws_other_seed__other_draws():
    a, b, c = draws(*ALL, seed=5), draws(*ALL, seed=5), draws(*ALL, seed=6)

    assert a.record() == b.record() and a.summary() == b.summary()
    assert a.record() != c.record()


def test_realise__each_process_its_own_stream__adding_one_leaves_the_others():
    only_rumors = draws("stochastic.rumors.per_year=40", seed=9)
    everything = draws(*ALL, seed=9)

    assert by_kind(only_rumors, "rumor") == by_kind(everything, "rumor")
    assert by_kind(only_rumors, "rumor"), "the seed must draw some rumors to compare"


def test_realise__record__scenario_shock_entries_that_load_back():
    d = draws(*ALL, seed=2)
    base = load()
    replay = sc.from_dict({**base.model_dump(mode="json", exclude_none=True), "shocks": d.record()})

    assert [s.kind for s in replay.shocks] == [s.kind for s in d.shocks]
    assert replay.shocks == d.shocks


def test_realise__counts_in_summary_match_the_shocks():
    d = draws(*ALL, seed=4)
    summary = d.summary()

    assert summary["seed"] == 4
    assert summary["shocks"] == len(d.shocks)
    assert summary["true_value_jumps"] == len(by_kind(d, "natural_disaster"))
    assert summary["amm_depth_withdrawals"] == len(by_kind(d, "liquidity_withdrawal"))
    assert summary["stablecoin_depegs"] == len(by_kind(d, "stablecoin_depeg"))
    assert summary["rumors"] == len(by_kind(d, "rumor"))
    assert len(by_kind(d, "true_value_path")) == 1


def test_realise__draws_inside_the_window_and_ranges():
    s = load(*ALL, "stochastic.from_days=5", "stochastic.amm_depth.share_pct=[20, 30]",
             "stochastic.rumors.holder_share_bps=[1000, 1200]", "stochastic.stablecoin.price_usd=[0.8, 0.85]",
             "stochastic.true_value.jumps.drop_pct=[10, 11]", "stochastic.true_value.jumps.shock=nav_writedown")
    for seed in range(10):
        d = stochastic.realise(s.model_copy(update={"run": s.run.model_copy(update={"seed": seed})}))
        for shock in d.shocks:
            assert 5 <= shock.at_days < s.run.duration_days
        assert all(20 <= x.share_pct <= 30 for x in by_kind(d, "liquidity_withdrawal"))
        assert all(1000 <= x.holder_share_bps <= 1200 for x in by_kind(d, "rumor"))
        assert all(0.8 <= x.price_usd <= 0.85 for x in by_kind(d, "stablecoin_depeg"))
        assert all(10 <= x.nav_drop_pct <= 11 and x.report_immediately for x in by_kind(d, "nav_writedown"))
        assert not by_kind(d, "natural_disaster")


def test_realise__depegs_never_overlap():
    s = load("stochastic.stablecoin={depegs_per_year: 300, duration_days: [1, 3]}")
    seen = 0
    for seed in range(20):
        d = stochastic.realise(s.model_copy(update={"run": s.run.model_copy(update={"seed": seed})}))
        depegs = by_kind(d, "stablecoin_depeg")
        seen += len(depegs)
        for a, b in zip(depegs, depegs[1:]):
            assert b.at_days >= a.at_days + a.duration_days - 1 / SECONDS_PER_DAY
    assert seen > 20


def test_poisson_times__mean_count_is_rate_times_span():
    # 4,000 draws of a Poisson(6) count: the mean is within 0.1 of 6 (4.5 standard errors)
    span = 73 * SECONDS_PER_DAY  # 0.2 years
    counts = [len(stochastic.poisson_times(np.random.default_rng(i), 30.0, 0, span)) for i in range(4_000)]

    assert abs(np.mean(counts) - 6.0) < 0.1
    assert abs(np.var(counts) - 6.0) < 0.6  # Poisson: variance = mean


def test_poisson_times__sorted_whole_seconds_in_window():
    times = stochastic.poisson_times(np.random.default_rng(1), 5_000.0, 100, 100 + 30 * SECONDS_PER_DAY)

    assert times == sorted(times) and len(times) > 100
    assert all(isinstance(t, int) and 100 <= t < 100 + 30 * SECONDS_PER_DAY for t in times)


def test_gbm_path__points_every_step_and_at_the_end():
    day = SECONDS_PER_DAY
    points = stochastic.gbm_path(np.random.default_rng(0), 0, 20, 2 * day, 12 * day + 3_600, day)

    assert [s for s, _ in points] == [k * day for k in range(1, 11)] + [10 * day + 3_600]
    assert all(f > 0 for _, f in points)


def test_gbm_path__log_returns_have_the_drift_and_volatility():
    # d(ln V) over one year of daily steps: mean (mu - sigma^2/2), variance sigma^2, over 2,000 paths
    mu, sigma, year = 0.05, 0.30, 365 * SECONDS_PER_DAY
    finals = [stochastic.gbm_path(np.random.default_rng(i), 100 * mu, 100 * sigma, 0, year, SECONDS_PER_DAY)[-1][1]
              for i in range(2_000)]
    logs = np.log(finals)

    assert abs(logs.mean() - (mu - sigma**2 / 2)) < 0.025  # standard error 0.0067
    assert abs(logs.std() - sigma) < 0.02


def test_gbm_path__no_volatility__the_drift_exactly():
    year = 365 * SECONDS_PER_DAY
    points = stochastic.gbm_path(np.random.default_rng(0), 10, 0, 0, year, 30 * SECONDS_PER_DAY)

    assert points[-1][1] == pytest.approx(math.exp(0.10), rel=1e-12)


def test_true_value_path__path_matches_gbm_and_jumps_multiply():
    d = draws("stochastic.true_value={volatility_pct_per_year: 40, step_days: 0.5, jumps: {per_year: 50}}", seed=3)
    path = by_kind(d, "true_value_path")[0]
    jumps = by_kind(d, "natural_disaster")

    assert len(path.path) == 80  # a 40-day run in half days
    assert d.summary()["gbm_final_factor"] == pytest.approx(1 + path.path[-1][1] / 100, rel=1e-12)
    assert d.summary()["jumps_factor"] == pytest.approx(math.prod(1 - j.value_drop_pct / 100 for j in jumps))
    assert jumps, "the seed must draw jumps"


# -- the true_value_path shock -----------------------------------------------------------------------


def build(cls, **fields):
    kind = typing.get_args(cls.model_fields["kind"].annotation)[0]
    return shocks.build(cls(kind=kind, **fields))


def test_true_value_path_shock__factor_linear_between_points_up_and_down():
    shock = build(sc.TrueValuePath, at_days=1, path=[(1, 10.0), (2, -20.0)])
    day = SECONDS_PER_DAY

    assert shock.value_factor(0) == 1.0
    assert shock.value_factor(day) == 1.0
    assert shock.value_factor(day + day // 2) == pytest.approx(1.05)
    assert shock.value_factor(2 * day) == pytest.approx(1.10)
    assert shock.value_factor(2 * day + day // 4) == pytest.approx(1.025)
    assert shock.value_factor(3 * day) == pytest.approx(0.80)
    assert shock.value_factor(30 * day) == pytest.approx(0.80)
    assert shock.end == 3 * day


def test_interpolate__bisect_equals_a_linear_scan():
    rng = np.random.default_rng(0)
    xs = np.cumsum(rng.integers(1, 1_000, size=300))
    points = [(int(x), float(v)) for x, v in zip(xs, rng.normal(size=300))]

    def scan(s):
        if s >= points[-1][0]:
            return points[-1][1]
        for (s0, v0), (s1, v1) in zip(points, points[1:]):
            if s < s1:
                return v0 + (v1 - v0) * (s - s0) / (s1 - s0) if s >= s0 else v0

    for s in [-5, 0, *rng.integers(0, int(xs[-1]) + 100, size=2_000), *xs[:50]]:
        assert shocks.interpolate(points, s) == scan(s)


# -- the schema's rules ----------------------------------------------------------------------------


@pytest.mark.parametrize("overrides, fields", [
    (["stochastic.from_days=40"], "stochastic.from_days, run.duration_days"),
    (["stochastic.true_value.step_days=0.001"], "stochastic.true_value.step_days, run.duration_days"),
    (["stochastic.rumors.per_year=10000"], "stochastic.rumors.per_year, run.duration_days"),
    (["stochastic.amm_depth.share_pct=[50, 10]"], "stochastic.amm_depth.share_pct"),
    (["stochastic.stablecoin.price_usd=[0.99, 0.9]"], "stochastic.stablecoin.price_usd"),
    (["stochastic.true_value.jumps.shock=custodian_hack"], "stochastic.true_value.jumps.shock"),
    (["stochastic.typo=1"], "stochastic.typo"),
])
def test_stochastic_rules__bad_input__message_names_the_fields(overrides, fields):
    with pytest.raises(sc.ScenarioError) as err:
        load(*overrides)

    assert fields in str(err.value)


def test_replay_command__quoted_and_complete():
    cmd = sc.replay_command("real_estate_flash_crash", 12, ["stochastic.rumors.per_year=5", "name=a b"])

    assert cmd == ("ape run crash_scenario --scenario real_estate_flash_crash --seed 12 "
                   "--set stochastic.rumors.per_year=5 --set 'name=a b'")
