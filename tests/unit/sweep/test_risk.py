"""The sweep's pure parts: grid parsing, seed derivation, the bootstrap CI, the risk table on
hand-made rows, flattening and the journal, the cluster's slots on a stand-in client (no chain, no Dask)."""

import json

import numpy as np
import pytest

from rwa_testbed import report, sweep


def test_bootstrap_ci__seeded__same_interval_every_time_and_equal_to_numpy_by_hand():
    values = [0.0, 1.0, 5.0, 2.0, 100.0, 7.0, 3.0]
    stat = lambda a: np.percentile(a, 95, axis=-1)  # noqa: E731
    first = sweep.bootstrap_ci(values, stat, resamples=1_000, confidence=0.90, seed=7)
    assert sweep.bootstrap_ci(values, stat, resamples=1_000, confidence=0.90, seed=7) == first
    idx = np.random.default_rng(7).integers(0, len(values), size=(1_000, len(values)))
    boot = np.percentile(np.asarray(values)[idx], 95, axis=1)
    assert first == tuple(np.quantile(boot, [0.05, 0.95]))
    mean = lambda a: np.mean(a, axis=-1)  # noqa: E731
    x = np.random.default_rng(0).lognormal(size=30)
    assert sweep.bootstrap_ci(x, mean, seed=8) != sweep.bootstrap_ci(x, mean, seed=7)


def test_bootstrap_ci__constant_values__degenerate_interval():
    assert sweep.bootstrap_ci([4.0] * 5, lambda a: a.mean(axis=-1)) == (4.0, 4.0)


def test_bootstrap_ci__wider_confidence__interval_contains_narrower():
    x = np.random.default_rng(1).lognormal(size=50)
    lo90, hi90 = sweep.bootstrap_ci(x, lambda a: a.mean(axis=-1), confidence=0.90)
    lo99, hi99 = sweep.bootstrap_ci(x, lambda a: a.mean(axis=-1), confidence=0.99)
    assert lo99 <= lo90 <= x.mean() <= hi90 <= hi99


def test_bootstrap_ci__no_values__nan():
    lo, hi = sweep.bootstrap_ci([], lambda a: a.mean(axis=-1))
    assert lo != lo and hi != hi


def _row(point, seed, var, lar, bad, status="ok", collapse=0):
    row = {"point": point, "seed": seed, "status": status, "error": None if status == "ok" else "boom", "x": 1}
    if status == "ok":
        row.update({sweep.VAR_METRIC: var, sweep.LAR_METRIC: lar, sweep.BAD_DEBT_METRIC: bad,
                    sweep.COLLAPSE_METRIC: collapse})
    return row


def test_risk_table__per_point__numpy_figures_failed_runs_counted_not_used():
    rng = np.random.default_rng(3)
    rows = [_row("x=1", s, *rng.lognormal(size=2) * 1e6, float(s % 3 == 0) * 5.0) for s in range(40)]
    rows += [_row("x=2", s, float(s), 2.0 * s, 0.0) for s in range(10)] + [_row("x=2", 99, 0, 0, 0, "error")]
    risk = sweep.risk_table(rows, ["x"], seed=0)
    assert [e["point"] for e in risk] == ["x=1", "x=2"]
    for entry in risk:
        ok = [r for r in rows if r["point"] == entry["point"] and r["status"] == "ok"]
        var = np.array([r[sweep.VAR_METRIC] for r in ok])
        lar = np.array([r[sweep.LAR_METRIC] for r in ok])
        assert entry["ok"] == len(ok) and entry["runs"] == entry["ok"] + entry["failed"]
        assert entry["var_mean"] == var.mean() and entry["lar_mean"] == lar.mean()
        assert entry["var_p95"] == np.percentile(var, 95) and entry["var_p99"] == np.percentile(var, 99)
        assert entry["lar_p95"] == np.percentile(lar, 95) and entry["lar_p99"] == np.percentile(lar, 99)
        assert entry["p_bad_debt"] == np.mean([r[sweep.BAD_DEBT_METRIC] > 0 for r in ok])
        for key in ("var_mean", "var_p95", "var_p99", "lar_mean", "lar_p95", "lar_p99", "p_bad_debt"):
            assert entry[f"{key}_lo"] <= entry[f"{key}_hi"]
            assert var.min() <= entry["var_p95_lo"] and entry["var_p99_hi"] <= var.max()
    assert risk[1]["failed"] == 1 and risk[1]["p_bad_debt"] == 0.0
    assert json.dumps(sweep.risk_table(rows, ["x"], seed=0)) == json.dumps(risk)  # seeded: the same CIs (nan too)


def test_risk_text__one_line_per_point_and_the_method():
    rows = [_row("x=1", 1, 1e6, 2e6, 0.0), _row("x=1", 2, 3e6, 4e6, 1.0)]
    text = sweep.risk_text(sweep.risk_table(rows, ["x"]), title="t")
    assert "x=1" in text and "50% [" in text and "bootstrap CI" in text


def test_grid__product_in_order__and_bad_options_rejected():
    grid = sweep.Grid.parse(["a.b=1,2", "c=x,y,z"])
    assert grid.keys == ["a.b", "c"]
    assert [sweep.point_label(p) for p in grid.points()][:4] == ["a.b=1 c=x", "a.b=1 c=y", "a.b=1 c=z", "a.b=2 c=x"]
    assert sweep.Grid.parse([]).points() == [{}]
    for bad in (["a"], ["a=1,,2"], ["a=1,1"], ["=1"]):
        with pytest.raises(ValueError):
            sweep.Grid.parse(bad)
    with pytest.raises(ValueError, match="twice"):
        sweep.Grid.parse(["a=1", "a=2"])


def test_derive_seeds__deterministic_prefix_stable_distinct():
    seeds = sweep.derive_seeds(3, 50)
    assert seeds == sweep.derive_seeds(3, 50) and seeds[:10] == sweep.derive_seeds(3, 10)
    assert len(set(seeds)) == 50 and all(0 <= s < 2**sweep.SEED_BITS for s in seeds)
    assert sweep.derive_seeds(4, 10) != seeds[:10]


def test_flatten_numbers__dotted_numbers_only():
    flat = report.flatten_numbers({"a": {"b": 1.5, "c": "text", "d": [1], "e": {"f": True}}, "g": np.int64(3),
                                   "h": None})
    assert flat == {"a.b": 1.5, "a.e.f": True, "g": 3}


def test_journal__appended_rows_read_back_exactly__torn_last_line_skipped(tmp_path):
    path = tmp_path / "runs.jsonl"
    rows = [{"point": "a=1", "seed": 2**52 + 1, "v": 0.1 + 0.2, "n": float("nan")}, {"point": "a=2", "v": 1e300}]
    for row in rows:
        report.append_jsonl(path, row)
    with open(path, "a") as f:
        f.write('{"point": "a=3", "se')
    back = report.read_jsonl(path)
    assert back[0] == {**rows[0], "n": None} and back[1] == rows[1] and len(back) == 2
    assert json.loads(path.read_text().splitlines()[0])["v"] == 0.1 + 0.2


def test_risk_table__time_to_collapse__median_and_p95_over_runs_with_a_cascade():
    collapses = [0, 0, 120, 600, 60, 0, 3_600, 240]
    rows = [_row("x=1", i, 1.0, 1.0, 0.0, collapse=c) for i, c in enumerate(collapses)]
    rows.append(_row("x=1", 99, 0, 0, 0, "error"))
    rows += [_row("x=2", i, 1.0, 1.0, 0.0) for i in range(3)]  # no cascade anywhere
    one, none = sweep.risk_table(rows, ["x"], seed=0)
    cascades = np.array([c for c in collapses if c > 0], dtype=float)
    assert one["collapse_runs"] == 5
    assert one["collapse_median_s"] == np.median(cascades) == 240
    assert one["collapse_p95_s"] == np.percentile(cascades, 95)
    assert cascades.min() <= one["collapse_median_s_lo"] <= one["collapse_median_s"] <= one["collapse_median_s_hi"]
    assert none["collapse_runs"] == 0 and none["collapse_median_s"] != none["collapse_median_s"]  # nan
    assert set(sweep.risk_columns(["x"])) >= {"collapse_runs", "collapse_median_s", "collapse_p95_s_hi"}
    text = sweep.risk_text([one, none], title="t")
    assert "4 min" in text and "collapse" in text


def test_write_risk__figure_with_histograms(tmp_path):
    rng = np.random.default_rng(1)
    rows = [_row(f"x={p}", s, *rng.lognormal(size=2) * 1e6, 1.0, collapse=float(rng.integers(0, 900)))
            for p in (1, 2) for s in range(20)]
    for r in rows:
        r["x"] = int(r["point"][2:])
    risk, paths = sweep.write_risk(tmp_path, rows, ["x"], title="t")
    assert paths["risk_png"].stat().st_size > 20_000
    assert len(risk) == 2 and (tmp_path / "risk.csv").read_text().count("\n") == 3


def test_sample__latin_hypercube__one_point_per_stratum_seeded():
    unit = sweep.latin_hypercube(10, 3, seed=4)
    assert unit.shape == (10, 3)
    for dim in range(3):
        assert sorted(np.floor(unit[:, dim] * 10).astype(int)) == list(range(10))  # each stratum once
    assert np.array_equal(unit, sweep.latin_hypercube(10, 3, seed=4))
    assert not np.array_equal(unit, sweep.latin_hypercube(10, 3, seed=5))


def test_sample__points_in_ranges__integers_for_integer_bounds():
    s = sweep.Sample.parse(["a.x=900:14400", "b.y=0.5:0.9"], 12, seed=1)
    points = s.points()
    assert s.keys == ["a.x", "b.y"] and len(points) == 12
    xs = [int(p["a.x"]) for p in points]
    ys = [float(p["b.y"]) for p in points]
    assert all(900 <= x <= 14400 for x in xs) and all(0.5 <= y < 0.9 for y in ys)
    assert sorted((x - 900) * 12 // (14400 - 900 + 1) for x in xs) == list(range(12))
    assert points == sweep.Sample.parse(["a.x=900:14400", "b.y=0.5:0.9"], 12, seed=1).points()
    full = sweep.Sample.parse(["k=1:4"], 4, seed=0).points()
    assert sorted(int(p["k"]) for p in full) == [1, 2, 3, 4]  # HIGH included, each integer once


@pytest.mark.parametrize("option, message", [
    ("a.x", "KEY.PATH=LOW:HIGH"), ("a.x=1", "KEY.PATH=LOW:HIGH"), ("a.x=z:2", "must be numbers"),
    ("a.x=5:5", "LOW must be below HIGH"), ("a.x=2:1", "LOW must be below HIGH"), ("a.x=0:inf", "finite"),
])
def test_sample__bad_ranges__clear_errors(option, message):
    with pytest.raises(ValueError, match=message):
        sweep.Sample.parse([option], 3)


def test_sample__repeated_key_or_points_below_one__refused():
    with pytest.raises(ValueError, match="twice"):
        sweep.Sample.parse(["a=1:2", "a=3:4"], 3)
    with pytest.raises(ValueError, match="at least 1"):
        sweep.Sample.parse(["a=1:2"], 0)


def test_sweep__sample_repeating_a_point__refused(tmp_path):
    with pytest.raises(ValueError, match="repeats a point"):
        sweep.Sweep("calm_market", sweep.Sample.parse(["run.block_time_seconds=12:13"], 5), runs=1, seed=0, out=tmp_path)


class _Client:
    def __init__(self, *threads):
        self.threads = threads

    def scheduler_info(self):
        return {"workers": {f"tcp://127.0.0.1:{i}": {"nthreads": n} for i, n in enumerate(self.threads)}}


def test_slots__the_workers_threads_added_up__at_least_1():
    assert sweep.slots(_Client(1, 1)) == 2 and sweep.slots(_Client(4, 2, 1)) == 7
    assert sweep.slots(_Client()) == 1  # no worker yet: runs one at a time as far as estimates go
