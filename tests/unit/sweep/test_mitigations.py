"""The comparison's pure parts: the variants sized from a scenario, `--only`, the table on hand-made
rows (means, p95, medians over cascades, the change against the baseline), the text and the files
(no chain, no Dask)."""

import json

import numpy as np
import pytest

from rwa_testbed import mitigations, sweep
from rwa_testbed import scenario as scenarios
from rwa_testbed.scenario import sample_positions


@pytest.fixture(scope="module")
def crash():
    return scenarios.load("real_estate_flash_crash")


def _by_name(variants):
    return {v.name: v for v in variants}


def test_variants__every_one_loads__and_the_baseline_has_no_override(crash):
    variants = mitigations.variants(crash)
    assert variants[0].name == mitigations.BASELINE and variants[0].overrides == ()
    names = [v.name for v in variants]
    assert len(set(names)) == len(names)
    for v in variants:
        s = scenarios.load("real_estate_flash_crash", list(v.overrides))
        active = s.market.mitigations.active()
        if v.name == "osm_delay":
            assert s.market.oracle.delay_seconds == 3600
        elif v.name != mitigations.BASELINE:
            assert active, v.name
        else:
            assert active == []


def test_variants__caps_sized_from_the_population_at_its_seed(crash):
    positions, _ = sample_positions(crash, np.random.default_rng(crash.run.seed))
    debt = sum(p.debt_usd for p in positions)
    v = _by_name(mitigations.variants(crash))
    ceiling = scenarios.load("real_estate_flash_crash", list(v["debt_ceiling"].overrides))
    assert ceiling.market.mitigations.collateral.debt_ceiling_usd == pytest.approx(0.75 * debt, abs=1)
    cap = scenarios.load("real_estate_flash_crash", list(v["liquidation_cap"].overrides))
    assert cap.market.mitigations.circuit_breakers.liquidation_cap.usd_per_window == pytest.approx(0.02 * debt, abs=1)


def test_variants__combinations_are_their_parts(crash):
    v = _by_name(mitigations.variants(crash))
    assert v["conservative_oracle"].overrides == v["min_nav_twap"].overrides + v["max_change_freeze"].overrides
    assert v["circuit_breakers"].overrides == (v["grace_period"].overrides + v["liquidation_cap"].overrides
                                               + v["divergence_pause"].overrides)


def test_variants__on_aave_v3__no_pool_only_mechanism():
    s = scenarios.load("real_estate_flash_crash", ["venue.kind=aave-v3"])
    names = {v.name for v in mitigations.variants(s)}
    assert not names & {"grace_period", "liquidation_cap", "liquidator_allowlist", "circuit_breakers", "proof_of_reserve"}
    for v in mitigations.variants(s):  # and every one it offers loads there
        scenarios.load("real_estate_flash_crash", ["venue.kind=aave-v3", *v.overrides])


def test_variants__osm_delay_only_on_an_undelayed_latency_feed(crash):
    assert "osm_delay" not in _by_name(mitigations.variants(crash))  # a TWAP feed
    depeg = scenarios.load("usdc_depeg_tbill_market")  # a latency feed 600 s late
    assert "osm_delay" in _by_name(mitigations.variants(depeg))
    ripple = scenarios.load("credit_default_ripple")  # already 1 h late
    assert "osm_delay" not in _by_name(mitigations.variants(ripple))


def test_variants__emergency_stop_on_latency_feeds__with_the_osm_delay_when_undelayed(crash):
    assert "emergency_stop" not in _by_name(mitigations.variants(crash))  # a TWAP feed
    ripple = _by_name(mitigations.variants(scenarios.load("credit_default_ripple")))  # already 1 h late
    assert ripple["emergency_stop"].overrides == (
        "market.mitigations.circuit_breakers.emergency_stop={pending_move_bps: 1000, hold_hours: 24}",)
    depeg = _by_name(mitigations.variants(scenarios.load("usdc_depeg_tbill_market")))  # 600 s late
    assert depeg["emergency_stop"].overrides == (*depeg["osm_delay"].overrides, *ripple["emergency_stop"].overrides)
    s = scenarios.load("usdc_depeg_tbill_market", list(depeg["emergency_stop"].overrides))
    assert s.market.oracle.delay_seconds == 3_600 and s.market.mitigations.active() == ["circuit_breakers.emergency_stop"]


def test_variants__proof_of_reserve__daily_attestation_on_our_pool(crash):
    v = _by_name(mitigations.variants(crash))["proof_of_reserve"]
    s = scenarios.load("real_estate_flash_crash", list(v.overrides))
    assert s.market.mitigations.oracle.proof_of_reserve.report_every_hours == 24


def test_choose__only__keeps_the_baseline_and_the_order(crash):
    all_ = mitigations.variants(crash)
    chosen = mitigations.choose(all_, ["liquidation_cap", "grace_period"])
    assert [v.name for v in chosen] == ["baseline", "grace_period", "liquidation_cap"]
    assert mitigations.choose(all_, []) == all_


def test_choose__unknown_name__names_it_and_the_known_ones(crash):
    with pytest.raises(ValueError, match=r"unknown variant\(s\) nope; this scenario has: baseline, "):
        mitigations.choose(mitigations.variants(crash), ["grace_period", "nope"])


def test_variants_space__points_and_overrides():
    chosen = (mitigations.Variant("baseline", "", ()), mitigations.Variant("x", "", ("a.b=1", "c=2")))
    space = mitigations.Variants(chosen)
    assert space.keys == ["variant"]
    assert space.points() == [{"variant": "baseline"}, {"variant": "x"}]
    assert space.overrides({"variant": "x"}) == ("a.b=1", "c=2")
    assert space.overrides({"variant": "baseline"}) == ()


def test_sweep__variants_space__runs_carry_the_variant_and_its_overrides(tmp_path):
    chosen = mitigations.choose(mitigations.variants(scenarios.load("real_estate_flash_crash")), ["grace_period"])
    job = sweep.Sweep("real_estate_flash_crash", mitigations.Variants(tuple(chosen)), runs=2, seed=3, out=tmp_path)
    specs = job.specs()
    assert [(s.label, s.seed) for s in specs] == [(f"variant={v}", seed) for v in ("baseline", "grace_period")
                                                  for seed in job.seeds]
    assert specs[0].overrides == []
    assert specs[2].overrides == list(chosen[1].overrides)
    assert "--set 'market.mitigations.circuit_breakers.grace_period=" in specs[2].replay


def _rows(values: dict[str, list[float]], key: str = "bad_debt.usd", **fixed) -> list[dict]:
    rows = []
    for variant, xs in values.items():
        for i, x in enumerate(xs):
            rows.append({"variant": variant, "seed": i, "status": "ok", key: x, **fixed})
    return rows


def test_comparison_table__means_p95_and_change_against_the_baseline():
    chosen = [mitigations.Variant("baseline", "b", ()), mitigations.Variant("cap", "c", ("x=1",))]
    rows = _rows({"baseline": [0.0, 10.0, 20.0, 30.0], "cap": [0.0, 0.0, 4.0, 8.0]})
    rows.append({"variant": "cap", "seed": 9, "status": "error"})
    table = mitigations.comparison_table(rows, chosen, seeds=4, resamples=200)
    base, cap = table
    assert (base["runs"], base["ok"], base["failed"]) == (4, 4, 0)
    assert (cap["runs"], cap["ok"], cap["failed"]) == (5, 4, 1)
    assert base["bad_debt.usd:mean"] == 15.0 and cap["bad_debt.usd:mean"] == 3.0
    assert cap["bad_debt.usd:p95"] == pytest.approx(np.percentile([0, 0, 4, 8], 95))
    assert cap["bad_debt.usd:vs_baseline"] == -12.0 and base["bad_debt.usd:vs_baseline"] == 0.0
    assert cap["bad_debt.usd:mean_lo"] <= 3.0 <= cap["bad_debt.usd:mean_hi"]
    # a key the rows lack counts as 0 (a mechanism's cost where it is off)
    assert base["mitigations.capacity_given_up_usd:mean"] == 0.0


def test_comparison_table__time_to_collapse__median_over_the_runs_with_a_cascade():
    chosen = [mitigations.Variant("baseline", "b", ())]
    rows = _rows({"baseline": [0.0, 60.0, 120.0, 600.0]}, key="timing.onchain_cascade_seconds")
    entry, = mitigations.comparison_table(rows, chosen, seeds=4, resamples=100)
    assert entry["timing.onchain_cascade_seconds:runs"] == 3
    assert entry["timing.onchain_cascade_seconds:mean"] == 120.0
    assert "timing.onchain_cascade_seconds:p95" not in entry


def test_comparison_table__one_seed__no_p95():
    chosen = [mitigations.Variant("baseline", "b", ())]
    entry, = mitigations.comparison_table(_rows({"baseline": [5.0]}), chosen, seeds=1, resamples=50)
    assert entry["bad_debt.usd:mean"] == 5.0 and "bad_debt.usd:p95" not in entry
    assert set(mitigations.table_columns(1)) <= set(entry)


def test_write_comparison__files_and_text(tmp_path):
    chosen = [mitigations.Variant("baseline", "as it is", ()), mitigations.Variant("cap", "a cap", ("x=1",))]
    rows = _rows({"baseline": [100.0, 300.0], "cap": [0.0, 50.0]})
    table, paths = mitigations.write_comparison(tmp_path, rows, chosen, seeds=2, title="t", figure=True)
    assert {p.name for p in paths.values()} == {"comparison.csv", "comparison.json", "comparison.txt",
                                                "comparison.png"}
    doc = json.loads((tmp_path / "comparison.json").read_text())
    assert [v["name"] for v in doc["variants"]] == ["baseline", "cap"]
    assert doc["variants"][1]["overrides"] == ["x=1"]
    text = (tmp_path / "comparison.txt").read_text()
    assert "cost: capacity given up" in text and "cap: a cap" in text
    header = (tmp_path / "comparison.csv").read_text().splitlines()[0].split(",")
    assert header == list(mitigations.table_columns(2))


def test_variants__leverage_loops__no_caps_and_every_variant_loads():
    looped = ["population.leverage_loops=1"]
    s = scenarios.load("real_estate_flash_crash", looped)
    variants = mitigations.variants(s)
    names = {v.name for v in variants}
    assert not names & {"supply_cap", "debt_ceiling"}
    assert "stricter_collateral" not in names  # one part left: no combination
    for v in variants:
        scenarios.load("real_estate_flash_crash", [*looped, *v.overrides])


def test_parse_variant__name_and_assignments_split_on_semicolons():
    v = mitigations.parse_variant("stall=shocks.+={kind: oracle_outage, at_days: 1, duration_days: 2}; run.seed=4")
    assert v.name == "stall"
    assert v.overrides == ("shocks.+={kind: oracle_outage, at_days: 1, duration_days: 2}", "run.seed=4")
    for bad, message in [("stall", "expected NAME="), ("=a.b=1", "expected NAME="), ("x y=a=1", "expected NAME="),
                         ("stall=", "expected NAME="), ("baseline=a.b=1", "is the scenario as it is"),
                         ("stall=ab", "is not KEY.PATH=VALUE")]:
        with pytest.raises(ValueError, match=message):
            mitigations.parse_variant(bad)
    with pytest.raises(ValueError, match="given more than once"):
        mitigations.own_variants(["a=x.y=1", "a=x.y=2"])
    assert [v.name for v in mitigations.own_variants(["a=x.y=1"])] == [mitigations.BASELINE, "a"]


def test_comparison_table__structured_metrics_only_when_runs_have_them__none_left_out():
    chosen = mitigations.own_variants(["stall=x.y=1"])
    plain = [{"variant": "baseline", "status": "ok", "bad_debt.usd": 1.0}]
    assert not any(":mean" in k and "structured" in k for k in mitigations.comparison_table(plain, chosen, seeds=1)[0])
    key = "structured.correlation.market_prices_in_cascade"
    rows = [{"variant": "baseline", "status": "ok", key: 0.2}, {"variant": "baseline", "status": "ok", key: None},
            {"variant": "stall", "status": "ok", key: 0.8}, {"variant": "stall", "status": "ok", key: 0.6}]
    table = mitigations.comparison_table(rows, chosen, seeds=2)
    assert table[0][f"{key}:mean"] == pytest.approx(0.2)  # the run without a cascade has no correlation
    assert table[1][f"{key}:mean"] == pytest.approx(0.7)
    assert table[1][f"{key}:vs_baseline"] == pytest.approx(0.5)
    assert "products' market corr. in cascade" in mitigations.comparison_text(table, title="t", seeds=2)
