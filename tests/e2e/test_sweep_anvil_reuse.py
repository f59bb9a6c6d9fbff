"""A sweep worker's anvil kept across runs and reset between them (`node.KeptAnvil`, `node.AnvilPool`,
`sweep_worker.AnvilPlugin`): the reset gives a fresh node's state and the engine the same summary byte
for byte; a node that died, hung or was lost by a run is replaced; the worker stops its anvils when it
closes, on a cluster reached through its scheduler address (as `--scheduler`), leaving none behind."""

import os
import signal
import time

import pytest

from rwa_testbed import report, sweep
from rwa_testbed.chain import NodeError, Rpc
from rwa_testbed.engine import Engine
from rwa_testbed.node import AnvilPool, KeptAnvil, fresh_anvil, pid_alive
from rwa_testbed.scenario import load
from rwa_testbed.sweep_worker import PLUGIN_NAME

# The flash crash cut just after its day-20 shock, on a small population (as tests/e2e/test_sweep.py).
SCENARIO = "real_estate_flash_crash"
BASE = ["population.borrowers=12", "population.holders=8", "run.duration_days=20.2"]
OTHER = "0x000000000000000000000000000000000000bEEF"
# Creation code of an empty contract (runtime: revert), to leave code on the chain.
EMPTY_CONTRACT = "0x6080604052348015600f57600080fd5b50603f80601d6000396000f3fe6080604052600080fdfea164736f6c6343000814000a"


def _gone(pid: int, timeout: float = 10.0) -> bool:
    deadline = time.monotonic() + timeout
    while pid_alive(pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    return not pid_alive(pid)


def _state(rpc: Rpc, dev: str, deployed: str) -> dict:
    return {
        "block": int(rpc.call("eth_blockNumber"), 16),
        "dev_balance": int(rpc.call("eth_getBalance", dev, "latest"), 16),
        "dev_nonce": int(rpc.call("eth_getTransactionCount", dev, "pending"), 16),
        "other_balance": int(rpc.call("eth_getBalance", OTHER, "latest"), 16),
        "code": rpc.call("eth_getCode", deployed, "latest"),
        "txpool": rpc.call("txpool_status"),
        "automine": rpc.call("anvil_getAutomine"),
    }


def test_anvil_reset__after_txs_and_settings__state_nonces_blocks_and_clock_as_a_fresh_node():
    node = KeptAnvil()
    try:
        rpc = Rpc(node.uri)
        dev = rpc.call("eth_accounts")[0]
        deployed = "0x5FbDB2315678afecb367f032d93F642f64180aa3"  # dev's first contract (nonce 0)
        fresh = _state(rpc, dev, deployed)
        rpc.call("eth_sendTransaction", {"from": dev, "data": EMPTY_CONTRACT})
        rpc.call("eth_sendTransaction", {"from": dev, "to": OTHER, "value": hex(10**18)})
        rpc.call("anvil_setBalance", OTHER, hex(5 * 10**18))
        rpc.batch([("evm_setBlockGasLimit", [hex(10**9)]), ("anvil_setNextBlockBaseFeePerGas", ["0x0"])])
        later = int(node.genesis["timestamp"], 16) + 10_000_000
        rpc.call("evm_mine", later)
        rpc.call("evm_setAutomine", False)
        rpc.call("eth_sendTransaction", {"from": dev, "to": OTHER, "value": "0x1"})  # left pending
        rpc.call("evm_increaseTime", 12_345)
        dirty = _state(rpc, dev, deployed)
        assert dirty["block"] == 3 and dirty["code"] != "0x" and dirty["dev_nonce"] == 3 and not dirty["automine"]

        node.reset()

        assert _state(rpc, dev, deployed) == fresh
        assert rpc.call("eth_getBlockByNumber", "latest", False) == node.genesis
        with fresh_anvil() as uri:  # the next block as on a new node: gas limit, base fee, the clock back
            other = Rpc(uri)
            other.call("evm_mine")
            expected = other.call("eth_getBlockByNumber", "latest", False)
        rpc.call("evm_mine")
        mined = rpc.call("eth_getBlockByNumber", "latest", False)
        for key in ("number", "gasLimit", "baseFeePerGas", "gasUsed", "transactions"):
            assert mined[key] == expected[key], key
        assert int(node.genesis["timestamp"], 16) <= int(mined["timestamp"], 16) < later
    finally:
        node.stop()
    assert _gone(node.pid)


def _summary_bytes(uri: str, seed: int) -> tuple[bytes, list]:
    result = Engine(load(SCENARIO, BASE, seed=seed), uri).run()
    return report.summary_json(result.summary).encode(), result.liquidations


def test_kept_anvil__reset_after_another_run__same_summary_bytes_as_a_fresh_node():
    with fresh_anvil() as uri:
        on_fresh, liquidations_fresh = _summary_bytes(uri, seed=5)
    pool = AnvilPool()
    try:
        with pool.lease() as uri:
            other, _ = _summary_bytes(uri, seed=6)  # another run first, on the same node
        with pool.lease() as again:
            on_reused, liquidations_reused = _summary_bytes(again, seed=5)
    finally:
        pool.close()
    assert again == uri and (pool.started, pool.resets, pool.replaced) == (1, 1, 0)
    assert on_reused == on_fresh
    assert liquidations_reused == liquidations_fresh
    assert b'"liquidations"' in on_fresh and other != on_fresh


@pytest.mark.parametrize("fault", [signal.SIGKILL, signal.SIGSTOP], ids=["killed", "frozen"])
def test_anvil_pool__node_dead_or_hung_between_runs__replaced_by_a_new_one(fault):
    pool = AnvilPool(reset_timeout=0.5)
    try:
        with pool.lease() as first:
            pid = pool.pids()[0]
            Rpc(first).call("evm_mine")
        os.kill(pid, fault)  # the anvil this pool started, by its PID
        with pool.lease() as second:
            assert second != first and pool.pids() != [pid]
            assert int(Rpc(second).call("eth_blockNumber"), 16) == 0
        assert (pool.started, pool.resets, pool.replaced) == (2, 0, 1)
        assert pool.last_failure
        assert _gone(pid)  # the old one stopped (a frozen one continued, then ended)
    finally:
        pool.close()


def test_anvil_pool__run_lost_its_node__that_node_not_kept():
    pool = AnvilPool()
    try:
        with pytest.raises(NodeError):
            with pool.lease():
                pid = pool.pids()[0]
                raise NodeError("the node at ... did not answer within 60 s")  # as a run that timed out
        assert _gone(pid) and pool.pids() == []
        with pool.lease():
            assert pool.pids() != [pid]
        assert (pool.started, pool.resets, pool.replaced) == (2, 0, 0)
    finally:
        pool.close()


def test_anvil_pool__concurrent_leases__one_node_each__close_stops_them_all():
    pool = AnvilPool()
    with pool.lease() as a, pool.lease() as b:
        assert a != b and len(pool.pids()) == 2
    with pool.lease() as c:
        assert c in (a, b)
    pids = pool.pids()
    assert len(pids) == 2 and pool.started == 2
    pool.close()
    assert all(_gone(pid) for pid in pids) and pool.pids() == []
    with pytest.raises(RuntimeError, match="closed"):
        with pool.lease():
            pass


@pytest.fixture(scope="module")
def one_worker_sweeps(tmp_path_factory):
    """One worker reached through its scheduler's address (as `--scheduler`): the same 3 runs with
    the worker's kept anvil and with a new anvil per run; the worker's anvils before and after the
    client and the cluster close."""
    from distributed import LocalCluster

    out = tmp_path_factory.mktemp("reuse")
    found: dict = {}
    with LocalCluster(n_workers=1, threads_per_worker=1, processes=True, dashboard_address=None,
                      local_directory=str(out / "dask-scratch")) as cluster:
        with sweep.dask_client(scheduler=cluster.scheduler_address) as client:
            for reuse in (True, False):
                job = sweep.Sweep(SCENARIO, sweep.Grid(), runs=3, seed=3, out=out / f"reuse-{reuse}",
                                  base_overrides=BASE, reuse_anvil=reuse)
                job.run(client)
                found[reuse] = job
            pools = client.run(lambda dask_worker: (dask_worker.plugins[PLUGIN_NAME].pool.pids(),
                                                    dask_worker.plugins[PLUGIN_NAME].pool.started,
                                                    dask_worker.plugins[PLUGIN_NAME].pool.resets))
        (found["pids"], found["started"], found["resets"]), = pools.values()
        found["alive_after_client"] = [pid_alive(pid) for pid in found["pids"]]
    found["gone_after_cluster"] = [_gone(pid) for pid in found["pids"]]
    return found


def test_sweep__worker_keeps_its_anvil__same_rows_as_a_new_anvil_per_run(one_worker_sweeps):
    reused, fresh = one_worker_sweeps[True].rows(), one_worker_sweeps[False].rows()
    assert [r["status"] for r in reused + fresh] == ["ok"] * 6, [r["error"] for r in reused + fresh]
    assert one_worker_sweeps["started"] == 1 and one_worker_sweeps["resets"] == 2
    untimed = lambda rows: [{k: v for k, v in r.items() if k not in sweep.TIMING_COLUMNS} for r in rows]  # noqa: E731
    assert untimed(reused) == untimed(fresh)


def test_sweep__rows__total_and_engine_seconds_in_runs_csv(one_worker_sweeps):
    job = one_worker_sweeps[True]
    for row in job.rows():
        assert 0 < row["engine_seconds"] < row["seconds"]
    header = (job.out / "runs.csv").read_text().splitlines()[0]
    assert header.startswith("point,seed,status,error,seconds,engine_seconds,")


def test_sweep__worker_closes__its_anvil_stopped(one_worker_sweeps):
    assert len(one_worker_sweeps["pids"]) == 1
    assert one_worker_sweeps["alive_after_client"] == [True]  # the worker's, not the client's
    assert one_worker_sweeps["gone_after_cluster"] == [True]


KEEPER = """
import sys, threading, time
from rwa_testbed.node import AnvilPool, fresh_anvil
pool = AnvilPool()
def lease():  # from a thread, as a Dask worker's runs
    with pool.lease() as uri:
        print(uri, flush=True)
        time.sleep(600)
threading.Thread(target=lease, daemon=True).start()
with fresh_anvil() as uri:
    print(uri, flush=True)
    time.sleep(600)
"""


def test_kept_and_fresh_anvils__their_process_killed_outright__anvils_end_too():
    """A worker killed with SIGKILL cannot stop its anvils: the kernel does (`die_with_parent`)."""
    import subprocess
    import sys

    proc = subprocess.Popen([sys.executable, "-c", KEEPER], stdout=subprocess.PIPE, text=True,
                            env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)})
    try:
        uris = [proc.stdout.readline().strip() for _ in range(2)]
        assert all(u.startswith("http://127.0.0.1:") for u in uris), uris
        ports = {u.rsplit(":", 1)[1] for u in uris}
        pids = [_listener_pid(port) for port in ports]
        assert all(pid_alive(pid) for pid in pids)
    finally:
        proc.kill()
        proc.wait()
    assert all(_gone(pid) for pid in pids), "an anvil outlived its killed process"


def _listener_pid(port: str) -> int:
    """The PID of the process listening on 127.0.0.1:`port` (from /proc: the socket's inode)."""
    hex_port = f"{int(port):04X}"
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with open(table) as f:
            for line in f.readlines()[1:]:
                fields = line.split()
                if fields[1].endswith(f":{hex_port}") and fields[3] == "0A":  # LISTEN
                    inodes.add(fields[9])
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            for fd in os.listdir(f"/proc/{pid}/fd"):
                if os.readlink(f"/proc/{pid}/fd/{fd}").removeprefix("socket:[").rstrip("]") in inodes:
                    return int(pid)
        except OSError:
            continue
    raise AssertionError(f"nothing listens on port {port}")
