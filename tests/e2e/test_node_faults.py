"""A real anvil killed (SIGKILL) or stopped (SIGSTOP) in the middle of `ape run crash_scenario`.

Each test starts its own anvil (toolchain/bin/anvil on 127.0.0.1, a free port; ape connects to it
through APE_FOUNDRY_HOST and does not manage it), waits until the run is past its setup, injects the
fault by that anvil's PID, and checks what the user sees: one `Error:` line, exit code 3, the table
marked INCOMPLETE, summary.json `"complete": false` with the reason. The anvil is always ended.
"""

import json
import os
import signal
import subprocess
import time
from pathlib import Path

import pytest

from rwa_testbed.chain import Rpc
from rwa_testbed.node import start_anvil, stop_process

ROOT = Path(__file__).resolve().parents[2]
SMALL = ["--set", "population.borrowers=12", "--set", "population.holders=8"]
SETUP_BLOCKS = 30  # setup ends near block 10 for the small scenario; the run mines ~130 more


@pytest.fixture
def own_anvil():
    """An anvil this test owns (its PID, to kill or freeze it), started as sweep workers start theirs."""
    proc, uri = start_anvil()
    yield proc, uri
    stop_process(proc)


def _run_and_fault(proc, uri, out, sig, *extra):
    env = dict(os.environ, APE_FOUNDRY_HOST=uri)
    run = subprocess.Popen(["ape", "run", "crash_scenario", *SMALL, "--no-figure", "--out", str(out), *extra],
                           cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    rpc = Rpc(uri, timeout=5)
    deadline = time.monotonic() + 240
    while int(rpc.call("eth_blockNumber"), 16) < SETUP_BLOCKS:
        assert run.poll() is None, run.communicate()
        assert time.monotonic() < deadline, "the run never got past its setup"
        time.sleep(0.02)
    os.kill(proc.pid, sig)  # the anvil this test started, by its PID
    stdout, stderr = run.communicate(timeout=240)
    return run.returncode, stdout, stderr


def _error_lines(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.startswith("Error")]


def test_anvil_killed_mid_run__one_error_line__exit_3__partial_outputs(own_anvil, tmp_path):
    proc, uri = own_anvil
    code, stdout, stderr = _run_and_fault(proc, uri, tmp_path, signal.SIGKILL)
    assert code == 3, stderr
    assert "Traceback" not in stderr
    errors = _error_lines(stderr)
    assert len(errors) == 1, stderr
    assert errors[0].startswith(f"Error: lost the node at {uri} during ")
    assert "(did it stop?) - the run stopped; what it measured is in" in errors[0]
    assert "INCOMPLETE" in stdout
    summary = json.loads((tmp_path / "summary.json").read_text())
    assert summary["complete"] is False
    assert summary["incomplete_reason"].startswith(f"lost the node at {uri}")
    rows = (tmp_path / "timeseries.csv").read_text().splitlines()
    assert len(rows) >= 2, "the rows measured before the node died are written"


def test_anvil_hung_mid_run__rpc_timeout__exit_3(own_anvil, tmp_path):
    proc, uri = own_anvil
    started = time.monotonic()
    code, stdout, stderr = _run_and_fault(proc, uri, tmp_path, signal.SIGSTOP, "--rpc-timeout", "3")
    assert code == 3, stderr
    assert time.monotonic() - started < 120
    errors = _error_lines(stderr)
    assert len(errors) == 1, stderr
    assert errors[0].startswith(f"Error: the node at {uri} did not answer ")
    assert " within 3 s (hung?" in errors[0]
    assert json.loads((tmp_path / "summary.json").read_text())["complete"] is False
