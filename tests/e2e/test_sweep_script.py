"""`ape run sweep` as a user runs it (a subprocess in the project): a 2-point x 2-seed grid on a local
cluster of 2 workers writes every output and its terminal table, the same command again runs
nothing, and bad options are usage errors (exit 2) that say what is wrong."""

import csv
import math
import subprocess
from pathlib import Path

import pandas as pd
import pytest

from rwa_testbed import report, sweep

ROOT = Path(__file__).resolve().parents[2]
BASE = ("population.borrowers=12", "population.holders=8", "run.duration_days=20.2")  # as test_sweep: ~6 s a run
KEY = "market.oracle.twap_window_seconds"
SWEEP = ["ape", "run", "sweep", "--grid", f"{KEY}=900,3600", "--runs", "2", "--seed", "3",
         *(a for s in BASE for a in ("--set", s))]


def _sweep(*args: str, timeout: float = 900) -> subprocess.CompletedProcess:
    return subprocess.run([*SWEEP, *args], cwd=ROOT, capture_output=True, text=True, timeout=timeout)


def test_sweep_script__2_points_x_2_seeds_on_2_workers__outputs_table_and_rerun_runs_nothing(tmp_path):
    out = tmp_path / "out"
    first = _sweep("--workers", "2", "--out", str(out))
    assert first.returncode == 0, first.stderr
    assert (f"real_estate_flash_crash: 2 grid points x 2 seeds = 4 runs; 0 already in {out / sweep.JOURNAL}, "
            "4 to run on a local cluster of 2 worker processes") in first.stderr
    assert "first run took" in first.stderr and "2 at a time" in first.stderr  # the estimate counts the workers
    assert {p.name for p in out.iterdir()} >= {"runs.csv", "runs.jsonl", "runs.parquet", "risk.csv", "risk.json",
                                               "risk.png"}
    # the terminal table: a line per grid point, the method, the closing line
    lines = first.stdout.splitlines()  # after ape's own lines (a compile, the first time)
    lines = lines[lines.index("real_estate_flash_crash: 4 runs, sweep seed 3"):]
    assert [line.split()[0] for line in lines if line.lstrip().startswith(KEY)] == [f"{KEY}=900", f"{KEY}=3600"]
    assert lines[1].split()[:2] == ["grid", "point"]
    assert any(line.startswith(f"VaR: {sweep.VAR_METRIC}; LaR: {sweep.LAR_METRIC}") for line in lines)
    assert "4 runs this time, 0 of 4 failed (see runs.csv)" in first.stdout
    assert "runs.csv, runs.parquet, runs.jsonl, risk.csv, risk.json, risk.png" in first.stdout

    with open(out / "runs.csv", newline="") as f:
        table = list(csv.DictReader(f))
    frame = pd.read_parquet(out / "runs.parquet")
    seeds = sweep.derive_seeds(3, 2)
    assert [(int(r[KEY]), int(r["seed"])) for r in table] == [(900, seeds[0]), (900, seeds[1]),
                                                               (3600, seeds[0]), (3600, seeds[1])]
    assert list(frame.columns) == list(table[0]) and len(frame) == 4
    assert frame["status"].tolist() == ["ok"] * 4 and frame["seed"].dtype == "int64"
    for column in (KEY, "seconds", sweep.VAR_METRIC, sweep.LAR_METRIC, sweep.BAD_DEBT_METRIC):
        assert pd.api.types.is_numeric_dtype(frame[column]), column
        for value, cell in zip(frame[column], (r[column] for r in table)):
            assert math.isclose(report.round_significant(float(value)), float(cell))
    risk = pd.read_csv(out / "risk.csv")
    assert risk[KEY].tolist() == [900, 3600] and risk["runs"].tolist() == [2, 2]

    journal = (out / sweep.JOURNAL).read_text()
    again = _sweep("--workers", "2", "--out", str(out), "--no-figure")
    assert again.returncode == 0, again.stderr
    assert f"4 runs; 4 already in {out / sweep.JOURNAL}, 0 to run" in again.stderr
    assert "0 runs this time, 0 of 4 failed" in again.stdout
    assert (out / sweep.JOURNAL).read_text() == journal  # nothing ran, nothing journaled
    assert pd.read_parquet(out / "runs.parquet").equals(frame)


@pytest.mark.parametrize("args, message", [
    (["--grid", "market.oracle.twap_window_seconds"], "--grid 'market.oracle.twap_window_seconds': expected "
                                                      "KEY.PATH=V1,V2,..."),
    (["--grid", "market.oracle.twap_window_seconds=900,,3600"], "give comma-separated values, none empty"),
    (["--grid", "market.no_such_key=1,2"], "no_such_key"),
    (["--workers", "2", "--scheduler", "tcp://127.0.0.1:1"], "--workers and --scheduler exclude each other"),
])
def test_sweep_script__bad_options__usage_error_exit_2_nothing_written(tmp_path, args, message):
    run = subprocess.run(["ape", "run", "sweep", "--runs", "1", *args, "--out", str(tmp_path / "out")], cwd=ROOT,
                         capture_output=True, text=True, timeout=300)
    assert run.returncode == 2, (run.stdout, run.stderr)
    assert "Usage:" in run.stderr and message in run.stderr
    assert "Traceback" not in run.stderr
    assert not (tmp_path / "out").exists()
