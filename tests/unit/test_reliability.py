"""Faults around a run, injected one by one: a hung node, a dead node, a partial run's files, an
output folder that cannot be written, two runs on one folder, ape's stale list of nodes, a failed write.

The node faults use FastChain against local sockets (a server that accepts and never answers, a
closed port); tests/e2e/test_node_faults.py kills and stops a real anvil under `ape run`.
"""

import json
import os
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from rwa_testbed import report, runner
from rwa_testbed import scenario as sc
from rwa_testbed.chain import FastChain, NodeError, Rpc
from rwa_testbed.engine import RunIncomplete, RunResult
from rwa_testbed.node import pid_alive, prune_dead_nodes

SRC = str(Path(__file__).resolve().parents[2] / "src")


@pytest.fixture
def silent_server():
    """A TCP server on 127.0.0.1 that accepts connections and never answers (a hung node)."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    accepted = []
    stop = threading.Event()

    def accept():
        server.settimeout(0.1)
        while not stop.is_set():
            try:
                accepted.append(server.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.getsockname()[1]}"
    stop.set()
    thread.join()
    for conn in accepted:
        conn.close()
    server.close()


@pytest.fixture
def closed_port():
    """A URI on 127.0.0.1 where nothing listens (a dead node)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}"


def test_hung_node__request_times_out__one_line_node_error(silent_server):
    started = time.monotonic()
    with pytest.raises(NodeError) as err:
        FastChain(silent_server, timeout=0.5)
    elapsed = time.monotonic() - started
    assert 0.5 <= elapsed < 3, "one timeout, no retry"
    message = str(err.value)
    assert message == (f"the node at {silent_server} did not answer eth_chainId within 0.5 s (hung? raise "
                       "run.rpc_timeout_seconds / --rpc-timeout if it is only slow)")
    assert "\n" not in message


def test_dead_node__connection_refused__one_line_node_error(closed_port):
    with pytest.raises(NodeError) as err:
        Rpc(closed_port, timeout=5).batch([("eth_blockNumber", []), ("eth_chainId", [])])
    assert str(err.value).startswith(f"lost the node at {closed_port} during eth_blockNumber (+1 more): ")
    assert str(err.value).endswith("(did it stop?)")
    assert "\n" not in str(err.value)


def test_rpc_timeout__scenario_field__default_60_s_and_validated():
    assert sc.load("credit_default_ripple").run.rpc_timeout_seconds == 60
    assert sc.load("credit_default_ripple", ["run.rpc_timeout_seconds=2.5"]).run.rpc_timeout_seconds == 2.5
    with pytest.raises(sc.ScenarioError, match="run.rpc_timeout_seconds"):
        sc.load("credit_default_ripple", ["run.rpc_timeout_seconds=0"])


def test_dead_node_before_the_first_measurement__run__incomplete_summary_written(closed_port, tmp_path):
    scenario = sc.load("credit_default_ripple", ["run.rpc_timeout_seconds=2"])
    (tmp_path / "figure.png").write_bytes(b"an earlier run's figure")
    with pytest.raises(RunIncomplete) as err:
        runner.run(scenario, closed_port, out=tmp_path)
    summary = json.loads((tmp_path / "summary.json").read_text())
    assert summary["complete"] is False
    assert summary["incomplete_reason"] == str(err.value)
    assert summary["scenario"] == "credit_default_ripple"
    assert set(err.value.files) == {"timeseries", "liquidations", "events", "unliquidated", "summary"}
    assert not (tmp_path / "figure.png").exists(), "an earlier run's figure never stays beside partial data"
    assert not list(tmp_path.glob(".*.tmp*")), "no temporary file left"


def test_partial_run__written__complete_false_and_the_table_says_so(tmp_path):
    """A run cut short writes its rows so far: the same files, summary `complete: false` + reason."""
    rows = [{c: 0 for c in report.TIMESERIES_COLUMNS} | {"mode": "start"}]
    summary = {"scenario": "x", "seed": 1, "venue": "ours", "complete": False,
               "incomplete_reason": "lost the node at http://127.0.0.1:1 during evm_mine: refused (did it stop?)"}
    files = report.write_outputs(tmp_path, scenario_name="x", seed=1, timeseries=rows, liquidations=[],
                                 events=[], summary=summary, figure=False)
    assert json.loads(files["summary"].read_text())["complete"] is False
    assert len(files["timeseries"].read_text().splitlines()) == 2
    table = report.summary_table(summary, title="x - INCOMPLETE")
    assert "complete" in table and " no " in table.replace("\n", " ")
    assert "did it stop?" in table


def test_engine_failure__run_incomplete__carries_the_partial_result():
    result = RunResult(None, [], [], [], {"complete": False}, None)  # type: ignore[arg-type]
    err = RunIncomplete("lost the node", result)
    assert isinstance(err, NodeError) and err.result is result and err.files == {}


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only folders")
def test_read_only_out__checked_before_the_run(tmp_path):
    out = tmp_path / "ro"
    out.mkdir()
    out.chmod(0o555)
    try:
        with pytest.raises(report.OutputFolderError, match="cannot write to the output folder .*ro: Permission denied"):
            report.check_writable(out)
    finally:
        out.chmod(0o755)


def test_unwritable_out__under_a_regular_file__checked_before_any_chain_work(tmp_path, closed_port):
    """Also as root: a folder under a regular file cannot be created. `runner.run` stops before
    connecting (a closed port would give a NodeError instead)."""
    (tmp_path / "file").write_text("")
    out = tmp_path / "file" / "out"
    with pytest.raises(report.OutputFolderError) as err:
        runner.run(sc.load("credit_default_ripple"), closed_port, out=out)
    assert str(err.value) == f"cannot write to the output folder {out}: Not a directory; give another --out"


def _hold_lock_in_subprocess(out: Path):
    code = (f"import sys, time; sys.path.insert(0, {SRC!r}); from rwa_testbed.report.folder import OutputLock\n"
            f"lock = OutputLock({str(out)!r}).acquire(); print('held', flush=True); sys.stdin.readline()")
    proc = subprocess.Popen([sys.executable, "-c", code], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "held"
    return proc


def test_two_runs_on_one_out__second_refused__released_when_the_first_ends(tmp_path):
    proc = _hold_lock_in_subprocess(tmp_path)
    try:
        with pytest.raises(report.OutputFolderError, match="another run is writing into the output folder"):
            report.OutputLock(tmp_path).acquire()
    finally:
        proc.kill()  # however the holder ends, the kernel drops its lock: never stale
        proc.wait()
    with report.OutputLock(tmp_path):
        with report.OutputLock(tmp_path):  # re-entrant within a process (script, then runner.run)
            pass
    assert (tmp_path / ".lock").exists()


def test_lock__held_in_this_process__refuses_another_process(tmp_path):
    code = (f"import sys; sys.path.insert(0, {SRC!r}); from rwa_testbed.report.folder import OutputLock, "
            f"OutputFolderError\ntry:\n    OutputLock({str(tmp_path)!r}).acquire()\nexcept OutputFolderError as e:\n"
            "    print(e); sys.exit(7)")
    with report.OutputLock(tmp_path):
        refused = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert refused.returncode == 7 and "another run is writing" in refused.stdout
    assert subprocess.run([sys.executable, "-c", code]).returncode == 0, "released on exit"


def test_nodes_json__dead_pids_pruned__live_ones_kept(tmp_path):
    dead = subprocess.Popen(["true"])
    dead.wait()
    assert not pid_alive(dead.pid)
    node = {"http_uri": "http://127.0.0.1:1", "network_choice": "ethereum:local:foundry"}
    path = tmp_path / "nodes.json"
    path.write_text(json.dumps({"nodes": {str(dead.pid): node, str(os.getpid()): node, "1": node}}))
    assert prune_dead_nodes(path) == [dead.pid]
    assert set(json.loads(path.read_text())["nodes"]) == {str(os.getpid()), "1"}  # pid 1: alive
    assert prune_dead_nodes(path) == []
    assert prune_dead_nodes(tmp_path / "missing.json") == []
    (tmp_path / "bad.json").write_text("not json")
    assert prune_dead_nodes(tmp_path / "bad.json") == []


def test_atomic_write__failed_write__previous_file_intact(tmp_path):
    path = report.write_text(tmp_path / "summary.json", "old\n")
    with pytest.raises(RuntimeError):
        with report.atomic_path(path) as tmp:
            tmp.write_text("half")
            raise RuntimeError("interrupted")
    assert path.read_text() == "old\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["summary.json"]
    report.write_text(path, "new\n")
    assert path.read_text() == "new\n" and oct(path.stat().st_mode & 0o777) == oct(0o666 & ~_umask())


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
