"""Monte Carlo sweeps end to end on a 2-worker Dask LocalCluster (each worker resetting its one anvil
between runs): the table's rows and parameters, resuming (exactly the missing runs run), the risk figures against
numpy on the rows, failing runs recorded with their error."""

import json
import shlex
import shutil

import numpy as np
import pandas as pd
import pytest

from rwa_testbed import scenario as sc
from rwa_testbed import stochastic, sweep

# The flash crash cut just after its day-20 shock, on a small population, with rumors drawn at
# random times: ~6 s a run.
BASE = ("population.borrowers=12", "population.holders=8", "run.duration_days=20.2",
        "stochastic.rumors.per_year=40")
GRID = ["market.oracle.twap_window_seconds=900,3600"]
KEY = "market.oracle.twap_window_seconds"


@pytest.fixture(scope="module")
def dask_client(tmp_path_factory):
    with sweep.dask_client(workers=2, scratch=tmp_path_factory.mktemp("dask-scratch")) as client:
        yield client


@pytest.fixture(scope="module")
def small_sweep(dask_client, tmp_path_factory):
    job = sweep.Sweep("real_estate_flash_crash", sweep.Grid.parse(GRID), runs=2, seed=11,
                      out=tmp_path_factory.mktemp("sweep"), base_overrides=BASE)
    new = job.run(dask_client)
    return job, new


def test_sweep__2_points_x_2_seeds__4_rows_with_their_parameters(small_sweep):
    job, new = small_sweep
    rows = job.rows()
    assert len(new) == 4 and len(rows) == 4
    assert [r["status"] for r in rows] == ["ok"] * 4, [r["error"] for r in rows]
    seeds = sweep.derive_seeds(11, 2)
    assert [(r[KEY], r["seed"]) for r in rows] == [(900, seeds[0]), (900, seeds[1]), (3600, seeds[0]), (3600, seeds[1])]
    assert [r["point"] for r in rows] == [f"{KEY}=900"] * 2 + [f"{KEY}=3600"] * 2
    for row in rows:
        for metric in (sweep.VAR_METRIC, sweep.LAR_METRIC, sweep.BAD_DEBT_METRIC, "insolvency.at_true_value.final_usd",
                       "timing.onchain_cascade_seconds"):
            assert isinstance(row[metric], (int, float))
    table = (job.out / "runs.csv").read_text().splitlines()
    assert len(table) == 5 and table[0].startswith("point,seed,status,error,seconds,engine_seconds,replay," + KEY)
    # runs.parquet: the same rows and columns, typed, the floats exact (the CSV's rounded)
    frame = pd.read_parquet(job.out / "runs.parquet")
    assert list(frame.columns) == table[0].split(",") and len(frame) == 4
    assert frame["status"].tolist() == ["ok"] * 4 and frame["seed"].tolist() == [r["seed"] for r in rows]
    assert frame["seed"].dtype == "int64" and frame[KEY].dtype == "int64" and frame["error"].isna().all()
    for row, record in zip(rows, frame.to_dict("records")):
        for metric in (sweep.VAR_METRIC, sweep.LAR_METRIC, sweep.BAD_DEBT_METRIC, "seconds"):
            assert record[metric] == row[metric]


def test_sweep__rows_record_the_draws_and_their_replay_command_draws_them_again(small_sweep):
    job, _ = small_sweep
    rows = job.rows()
    assert len({r["stochastic.rumors"] for r in rows}) > 1 or len({r["stochastic.first_rumor_at_days"] for r in rows}) > 1
    for row in rows:
        args = shlex.split(row["replay"])
        assert args[:4] == ["ape", "run", "crash_scenario", "--scenario"] and args[4] == "real_estate_flash_crash"
        assert args[5:7] == ["--seed", str(row["seed"])]
        sets = [args[i + 1] for i, a in enumerate(args) if a == "--set"]
        assert sets == [*BASE, f"{KEY}={row[KEY]}"]
        replayed = stochastic.realise(sc.load(args[4], sets, seed=int(args[6]))).summary()
        assert {f"stochastic.{k}": v for k, v in replayed.items()} == {k: v for k, v in row.items()
                                                                       if k.startswith("stochastic.")}


def test_sweep__rerun_after_losing_rows__runs_exactly_the_missing_ones(small_sweep, dask_client, tmp_path):
    job, _ = small_sweep
    lines = job.journal.read_text().splitlines()
    out = tmp_path / "resumed"
    out.mkdir()
    kept = [lines[0], lines[2], lines[3]]  # one run lost
    (out / sweep.JOURNAL).write_text("\n".join(kept) + "\n")
    again = sweep.Sweep("real_estate_flash_crash", sweep.Grid.parse(GRID), runs=2, seed=11, out=out,
                        base_overrides=BASE)
    lost = json.loads(lines[1])
    assert [(s.label, s.seed) for s in again.missing()] == [(lost["point"], lost["seed"])]
    new = again.run(dask_client)
    assert len(new) == 1 and new[0]["status"] == "ok"
    assert again.missing() == [] and len(again.rows()) == 4
    assert again.run(dask_client) == []  # nothing left: nothing runs
    # the rerun run equals the original one (same seed, same point), apart from its wall times
    original = {(r["point"], r["seed"]): r for r in job.rows()}[(new[0]["point"], new[0]["seed"])]
    untimed = lambda row: {k: v for k, v in row.items() if k not in sweep.TIMING_COLUMNS}  # noqa: E731
    assert untimed(new[0]) == untimed(original)


def test_sweep__risk_figures__equal_numpy_on_the_rows(small_sweep):
    job, _ = small_sweep
    rows = job.rows()
    risk, paths = sweep.write_risk(job.out, rows, job.grid.keys, title="test", seed=11)
    assert [e[KEY] for e in risk] == [900, 3600] and [e["runs"] for e in risk] == [2, 2]
    for entry in risk:
        ok = [r for r in rows if r["point"] == entry["point"]]
        for name, metric in (("var", sweep.VAR_METRIC), ("lar", sweep.LAR_METRIC)):
            x = np.array([r[metric] for r in ok], dtype=float)
            assert entry[f"{name}_mean"] == x.mean()
            assert entry[f"{name}_p95"] == np.percentile(x, 95) and entry[f"{name}_p99"] == np.percentile(x, 99)
            assert x.min() <= entry[f"{name}_p95_lo"] <= entry[f"{name}_p95_hi"] <= x.max()
        assert entry["p_bad_debt"] == np.mean([r[sweep.BAD_DEBT_METRIC] > 0 for r in ok])
    assert set(paths) == {"risk_csv", "risk_json", "risk_png"}
    assert len((job.out / "risk.csv").read_text().splitlines()) == 3
    assert (job.out / "risk.png").stat().st_size > 10_000


def test_sweep__failing_runs__recorded_with_their_error_and_not_rerun(dask_client, tmp_path):
    # an RPC timeout no node can meet: the scenario loads, the run fails at its first request
    job = sweep.Sweep("real_estate_flash_crash", sweep.Grid.parse(["run.rpc_timeout_seconds=0.000001"]), runs=2,
                      seed=1, out=tmp_path, base_overrides=BASE)
    first = job.run(dask_client, limit=1)  # stopped after one run
    assert len(first) == 1
    second = job.run(dask_client)
    assert len(second) == 1 and second[0]["seed"] != first[0]["seed"]
    rows = job.rows()
    assert [r["status"] for r in rows] == ["error", "error"]
    assert all("NodeError" in r["error"] and "within 1e-06 s" in r["error"] for r in rows)
    assert job.run(dask_client) == []  # a failed run is a result: not run again
    risk = sweep.risk_table(rows, job.grid.keys)
    assert risk[0]["failed"] == 2 and risk[0]["ok"] == 0 and np.isnan(risk[0]["var_p95"])
    assert "error" in (tmp_path / "runs.csv").read_text()
    shutil.rmtree(tmp_path / "dask-scratch", ignore_errors=True)
