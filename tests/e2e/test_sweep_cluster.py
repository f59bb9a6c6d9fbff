"""Sweeps on other clusters than the script's default: an existing Dask cluster started by the
`dask scheduler` / `dask worker` command lines (`ape run sweep --scheduler`), and a worker process
that dies in the middle of a run (the row is `lost`, journaled, and run again on the next start).
Every process a test starts is on 127.0.0.1 and is stopped by its PID."""

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import dask
import pandas as pd
import psutil
import pytest
from distributed import Client, LocalCluster

from rwa_testbed import report, sweep
from rwa_testbed.node import stop_process

from . import sweep_faults

ROOT = Path(__file__).resolve().parents[2]
DASK = str(Path(sys.executable).with_name("dask"))
BASE = ("population.borrowers=12", "population.holders=8", "run.duration_days=20.2")  # as test_sweep: ~6 s a run
START_SECONDS = 120


def _stop_tree(proc: subprocess.Popen) -> None:
    """Stops `proc` (SIGTERM, then SIGKILL) and then any process it had started that is still alive,
    each by its PID."""
    try:
        children = psutil.Process(proc.pid).children(recursive=True)
    except psutil.NoSuchProcess:
        children = []
    stop_process(proc)
    for child in children:
        try:
            child.wait(timeout=10)
        except psutil.TimeoutExpired:
            child.kill()
        except psutil.NoSuchProcess:
            pass


@pytest.fixture
def dask_cli_cluster(tmp_path):
    """A scheduler and 2 single-thread workers (`dask worker --nworkers 2`), separate processes on
    127.0.0.1 with free ports, logs and scratch under tmp_path; yields (address, the workers' PID)."""
    scratch = tmp_path / "dask"
    scratch.mkdir()
    scheduler_file = scratch / "scheduler.json"
    started = []
    try:
        with open(scratch / "scheduler.log", "w") as log:
            started.append(subprocess.Popen(
                [DASK, "scheduler", "--host", "127.0.0.1", "--port", "0", "--no-dashboard",
                 "--scheduler-file", str(scheduler_file)], cwd=scratch, stdout=log, stderr=subprocess.STDOUT))
        deadline = time.monotonic() + START_SECONDS
        while not scheduler_file.exists() or not scheduler_file.read_text().strip():
            assert started[0].poll() is None, (scratch / "scheduler.log").read_text()
            assert time.monotonic() < deadline, "the scheduler never wrote its address"
            time.sleep(0.1)
        address = json.loads(scheduler_file.read_text())["address"]
        assert address.startswith("tcp://127.0.0.1:")
        with open(scratch / "workers.log", "w") as log:  # cwd: the project (workers read its artifacts)
            started.append(subprocess.Popen(
                [DASK, "worker", address, "--nworkers", "2", "--nthreads", "1", "--host", "127.0.0.1",
                 "--no-dashboard", "--local-directory", str(scratch / "workers")],
                cwd=ROOT, stdout=log, stderr=subprocess.STDOUT))
        with Client(address, timeout=START_SECONDS) as client:
            client.wait_for_workers(2, timeout=START_SECONDS)
        yield address, started[1].pid
    finally:
        for proc in reversed(started):
            _stop_tree(proc)


def test_sweep_script__existing_scheduler__its_2_workers_run_every_run(dask_cli_cluster, tmp_path):
    address, workers_pid = dask_cli_cluster
    out = tmp_path / "out"
    with Client(address) as client:
        client.get_task_stream()  # the scheduler records its task stream from here on
        since = time.time()
        run = subprocess.run(["ape", "run", "sweep", "--scheduler", address, "--runs", "2", "--seed", "4",
                              *(a for s in BASE for a in ("--set", s)), "--no-figure", "--out", str(out)],
                             cwd=ROOT, capture_output=True, text=True, timeout=900)
        assert run.returncode == 0, run.stderr
        assert f"2 runs; 0 already in {out / sweep.JOURNAL}, 2 to run on {address}" in run.stderr
        stream = [t for t in client.get_task_stream(start=since) if t["key"].startswith("sweep-run-")]
        pids = client.run(os.getpid)  # worker address -> PID
    rows = report.read_jsonl(out / sweep.JOURNAL)
    assert sorted(r["seed"] for r in rows) == sorted(sweep.derive_seeds(4, 2))
    assert [r["status"] for r in rows] == ["ok", "ok"], [r["error"] for r in rows]
    assert all(r[sweep.VAR_METRIC] >= 0 and isinstance(r[sweep.LAR_METRIC], (int, float)) for r in rows)
    assert len(pd.read_parquet(out / "runs.parquet")) == 2 and len((out / "runs.csv").read_text().splitlines()) == 3
    # both runs ran on this cluster's workers: processes of the `dask worker` this test started
    assert len(stream) == 2 and {t["worker"] for t in stream} <= set(pids)
    for pid in pids.values():
        assert workers_pid in [p.pid for p in psutil.Process(pid).parents()]


def test_sweep__worker_dies_during_a_run__row_lost_journaled_and_only_that_run_rerun(tmp_path, monkeypatch):
    out = tmp_path / "out"
    calls = tmp_path / "calls.txt"
    monkeypatch.setenv(sweep_faults.JOURNAL_ENV, str(out / sweep.JOURNAL))  # before the workers start
    monkeypatch.setenv(sweep_faults.CALLS_ENV, str(calls))
    job = sweep.Sweep("real_estate_flash_crash", sweep.Grid(), runs=3, seed=9, out=out, base_overrides=BASE)
    doomed = job.seeds[1]
    # one worker with a thread per run: the other runs end while the doomed one waits, so at its
    # worker's death it is the only task there; no retry (allowed-failures 0)
    with dask.config.set({"distributed.scheduler.allowed-failures": 0}), \
            LocalCluster(n_workers=1, threads_per_worker=3, processes=True, dashboard_address=None,
                         local_directory=str(tmp_path / "dask")) as cluster, Client(cluster) as client:
        monkeypatch.setattr(sweep, "run_one", sweep_faults.exits_its_worker(doomed, others=2))
        first = job.run(client)
        assert sorted((r["seed"], r["status"]) for r in first) == sorted(
            [(job.seeds[0], "ok"), (doomed, "lost"), (job.seeds[2], "ok")])
        lost = next(r for r in first if r["status"] == "lost")
        assert "KilledWorker" in lost["error"] and lost["seconds"] is None
        assert report.read_jsonl(job.journal)[-1] == lost  # journaled, as it came (the others first)
        assert [(s.label, s.seed) for s in job.missing()] == [("", doomed)]
        # the finished runs were released once read: the worker died holding nothing to compute again
        assert sorted(calls.read_text().splitlines()) == sorted(
            ["exit released", f"row {job.seeds[0]}", f"row {job.seeds[2]}"])
        # the table holds it as lost until it is run again
        assert pd.read_parquet(out / "runs.parquet")["status"].tolist() == ["ok", "lost", "ok"]

        monkeypatch.setattr(sweep, "run_one", sweep_faults.quick_row)
        second = job.run(client)
        assert [(r["seed"], r["status"]) for r in second] == [(doomed, "ok")]
        assert calls.read_text().splitlines()[-1] == f"row {doomed}" and len(calls.read_text().splitlines()) == 4
        assert job.missing() == [] and job.run(client) == []
    assert [r["status"] for r in job.rows()] == ["ok", "ok", "ok"]
    assert [r["status"] for r in report.read_jsonl(job.journal)] == ["ok", "ok", "lost", "ok"]
    assert pd.read_parquet(out / "runs.parquet")["status"].tolist() == ["ok", "ok", "ok"]
