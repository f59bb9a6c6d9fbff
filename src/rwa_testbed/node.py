"""Local anvils: one for scripts and benchmarks started and stopped by ape-foundry (`local_chain`),
and one started directly through our launcher (`start_anvil` / `fresh_anvil`: tests that must own
the process to kill or freeze it); both on 127.0.0.1 with a free port, and the launcher adds
--prune-history. Anvils kept across runs and reset in place between them (`KeptAnvil`,
`AnvilPool`: a sweep worker's). Also the pruning of ape's list of nodes. The one home of "a free
port", "an anvil that answers" and "an anvil as good as new"."""

from __future__ import annotations

import ctypes
import json
import os
import shutil
import signal
import socket
import subprocess
import threading
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Iterator

from .chain import NodeError, Rpc, RpcError

ANVIL_START_SECONDS = 30
RESET_SECONDS = 10.0  # a kept anvil that does not answer its reset within this is taken for hung and replaced


@contextmanager
def local_chain(network: str = "ethereum:local:foundry") -> Iterator[str]:
    """Yields the RPC URI of a fresh local chain; stops it on exit."""
    from ape import networks

    with networks.parse_network_choice(network) as provider:
        yield provider.uri


def pid_alive(pid: int) -> bool:
    """True if a process `pid` exists (signal 0; a process of another user counts as alive)."""
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def prune_dead_nodes(path: Path) -> list[int]:
    """Removes from ape's `processes/nodes.json` (under its data folder, `APE_DATA_FOLDER`) the nodes
    whose process is no longer alive; returns their PIDs. ape adds an entry for every anvil it
    starts and, as ape-foundry clears its host before ape's `disconnect` looks the entry up, never
    removes it. Entries of live processes, and a file that is missing or not ape's JSON, are left
    as they are; the file is replaced atomically."""
    path = Path(path)
    try:
        data = json.loads(path.read_text())
        nodes = data["nodes"]
        dead = [pid for pid in nodes if not pid_alive(int(pid))]
    except (OSError, ValueError, KeyError, TypeError):
        return []
    if not dead:
        return []
    data["nodes"] = {pid: node for pid, node in nodes.items() if pid not in dead}
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        tmp.write_text(json.dumps(data))
        os.replace(tmp, path)
    except OSError:
        tmp.unlink(missing_ok=True)
        return []
    return [int(pid) for pid in dead]


def prune_ape_nodes() -> list[int]:
    """`prune_dead_nodes` on ape's own `nodes.json`, and on ape's copy of it in memory if loaded."""
    from ape import config, networks

    pruned = prune_dead_nodes(Path(config.DATA_FOLDER) / "processes" / "nodes.json")
    if pruned and "running_nodes" in vars(networks):  # already read (a cached_property): drop them there too
        networks.running_nodes.nodes = {pid: n for pid, n in networks.running_nodes.nodes.items()
                                        if pid not in pruned}
    return pruned


def free_port() -> int:
    """A TCP port free on 127.0.0.1 now (another process may take it before it is bound)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def anvil_launcher() -> str:
    """`toolchain/bin/anvil` of this checkout (an editable install, as `make setup` makes), else
    the `anvil` on PATH (toolchain/env.sh puts the launcher first)."""
    here = Path(__file__).resolve().parents[2] / "toolchain" / "bin" / "anvil"
    if here.is_file():
        return str(here)
    found = shutil.which("anvil")
    if found is None:
        raise RuntimeError("no anvil launcher: run `make setup` and `source .venv/bin/activate` on this machine")
    return found


PR_SET_PDEATHSIG = 1  # linux/prctl.h


def _die_with_parent(parent: int) -> Callable[[], None]:
    """A `preexec_fn` that asks Linux to send the child SIGTERM when the thread that started it ends
    (its process killed outright included: SIGKILL leaves no chance to clean up), and exits at once
    if that process is already gone. The request survives the launcher's `exec` of anvil."""
    prctl = ctypes.CDLL(None, use_errno=True).prctl  # looked up here: the child does as little as it can

    def set_up() -> None:
        prctl(PR_SET_PDEATHSIG, int(signal.SIGTERM), 0, 0, 0)
        if os.getppid() != parent:
            os._exit(1)
    return set_up


def start_anvil(*args: str, launcher: str | None = None, attempts: int = 3,
                timeout: float = ANVIL_START_SECONDS, die_with_parent: bool = False) -> tuple[subprocess.Popen, str]:
    """Starts an anvil on 127.0.0.1 with a free port (plus `args`, e.g. `--chain-id 1`) through the
    launcher and waits until it answers `eth_chainId`; returns the process and its RPC URI. A port
    taken between the check and anvil's bind is retried on another. The caller stops the process
    (`stop_process`). `die_with_parent` (Linux): the node ends with the thread that started it, even
    when its process is killed with SIGKILL (`_die_with_parent`); for a thread that outlives its
    runs (a Dask worker's executor threads do: a node found dead is replaced anyway)."""
    cmd = launcher or anvil_launcher()
    last = ""
    for _ in range(attempts):
        port = free_port()
        proc = subprocess.Popen([cmd, "--host", "127.0.0.1", "--port", str(port), "--silent", *args],
                                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, start_new_session=True,
                                preexec_fn=_die_with_parent(os.getpid()) if die_with_parent else None)
        uri = f"http://127.0.0.1:{port}"
        rpc = Rpc(uri, timeout=2)
        deadline = time.monotonic() + timeout
        while proc.poll() is None and time.monotonic() < deadline:
            try:
                rpc.call("eth_chainId")
                return proc, uri
            except (NodeError, OSError):  # not listening yet
                time.sleep(0.05)
        last = stop_process(proc) or f"not answering after {timeout} s"
    raise RuntimeError(f"anvil did not start on 127.0.0.1 ({attempts} attempts): {last.strip()[:300]}")


def stop_process(proc: subprocess.Popen) -> str:
    """Ends `proc` (SIGCONT if frozen, SIGTERM, then SIGKILL after 5 s); returns what it wrote on stderr."""
    if proc.poll() is None:
        os.kill(proc.pid, signal.SIGCONT)
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    try:
        return proc.stderr.read() if proc.stderr else ""
    except (OSError, ValueError):
        return ""


@contextmanager
def fresh_anvil(*args: str, launcher: str | None = None) -> Iterator[str]:
    """`start_anvil` as a context: yields the RPC URI, stops that process (by its PID) on exit, or
    the kernel does when this thread's process is killed outright (`die_with_parent`)."""
    proc, uri = start_anvil(*args, launcher=launcher, die_with_parent=True)
    try:
        yield uri
    finally:
        stop_process(proc)


class KeptAnvil:
    """An anvil started by `start_anvil` (unforked) and kept across runs: `reset` puts it back in a
    fresh node's state, in a few ms where starting one takes ~0.2 s. Its block 0 is read at
    start (`genesis`), to restore and check against."""

    def __init__(self, *args: str, launcher: str | None = None, reset_timeout: float = RESET_SECONDS):
        self.launcher = launcher
        self.proc, self.uri = start_anvil(*args, launcher=launcher, die_with_parent=True)
        self.rpc = Rpc(self.uri, timeout=reset_timeout)
        try:
            self.genesis = self.rpc.call("eth_getBlockByNumber", "0x0", False)
        except BaseException:
            self.stop()
            raise

    @property
    def pid(self) -> int:
        return self.proc.pid

    def reset(self) -> None:
        """Back to a fresh node's state. `anvil_reset` without a fork starts a new in-memory chain
        from the same genesis (accounts, balances, nonces, code, storage, mempool, blocks, the
        clock: anvil 1.7.1) but keeps the mining mode, the block gas limit and the next base fee
        (the engine's `take_control` sets all three), so those are put back first as at start.
        Checked: the chain is block 0 again, equal to `genesis` (hash included: timestamp, gas
        limit, base fee). `NodeError` when the node exited, is gone or hung (`reset_timeout`);
        `RpcError` when it refused or the check failed."""
        code = self.proc.poll()
        if code is not None:
            raise NodeError(f"anvil (PID {self.pid}) at {self.uri} exited with code {code}")
        g = self.genesis
        # In this order, one request at a time (anvil runs a batch's items concurrently): automine on
        # would mine a pending transaction (and spend the base fee set), and the reset builds the
        # new genesis block with the gas limit and base fee set before it.
        self.rpc.call("anvil_dropAllTransactions")
        self.rpc.call("evm_setAutomine", True)
        self.rpc.batch([("evm_setBlockGasLimit", [g["gasLimit"]]), ("anvil_setNextBlockBaseFeePerGas", [g["baseFeePerGas"]])])
        self.rpc.call("anvil_reset")
        latest = self.rpc.call("eth_getBlockByNumber", "latest", False)
        if latest != g:
            raise RpcError(f"anvil at {self.uri}: after anvil_reset the chain is at block "
                           f"{int(latest['number'], 16)} ({latest['hash']}), not its genesis {g['hash']}")

    def stop(self) -> None:
        stop_process(self.proc)


class AnvilPool:
    """Anvils kept for reuse across runs (a sweep worker's, `sweep_worker.AnvilPlugin`), one run at
    a time on each. `lease()` yields the URI of an anvil in a fresh node's state: a kept one reset
    (`KeptAnvil.reset`), or a new one when none is free, or when the reset failed (the node exited,
    hung or refused: it is stopped and replaced). After the lease the anvil is kept for the next,
    unless the lease ended in a `NodeError`. `close()` stops every anvil, leased or not; a lease
    ending after it stops its own. Thread-safe: a worker with several threads holds an anvil per
    concurrent run."""

    def __init__(self, *args: str, reset_timeout: float = RESET_SECONDS):
        self.args = args
        self.reset_timeout = reset_timeout
        self._lock = threading.Lock()
        self._free: list[KeptAnvil] = []
        self._leased: list[KeptAnvil] = []
        self.closed = False
        self.started = 0  # anvils started
        self.resets = 0  # leases served by a reset
        self.replaced = 0  # kept anvils stopped because their reset failed
        self.last_failure = ""  # the last failed reset's error

    @contextmanager
    def lease(self, launcher: str | None = None) -> Iterator[str]:
        """The URI of an anvil started by `launcher` (None: `anvil_launcher()`), as a fresh node. A
        `NodeError` out of the lease (the run lost the node or timed out on it) stops that anvil
        instead of keeping it: a late request of the failed run must not reach the next run's chain."""
        node = self._take(launcher)
        if node is not None:
            try:
                node.reset()
                with self._lock:
                    self.resets += 1
            except (NodeError, RpcError, OSError) as err:
                self._give_back(node, keep=False)
                node = None
                with self._lock:
                    self.replaced += 1
                    self.last_failure = str(err)
        if node is None:
            node = KeptAnvil(*self.args, launcher=launcher, reset_timeout=self.reset_timeout)
            with self._lock:
                self.started += 1
                self._leased.append(node)
                closed = self.closed
            if closed:
                self._give_back(node, keep=False)
                raise RuntimeError("the anvil pool is closed")
        keep = True
        try:
            yield node.uri
        except NodeError:
            keep = False
            raise
        finally:
            self._give_back(node, keep=keep)

    def _take(self, launcher: str | None) -> KeptAnvil | None:
        with self._lock:
            if self.closed:
                raise RuntimeError("the anvil pool is closed")
            for i, node in enumerate(self._free):
                if node.launcher == launcher:
                    del self._free[i]
                    self._leased.append(node)
                    return node
        return None

    def _give_back(self, node: KeptAnvil, keep: bool) -> None:
        """Ends a lease: the anvil kept for the next (`keep`, the pool open, the process alive) or stopped."""
        with self._lock:
            if node in self._leased:
                self._leased.remove(node)
            keep = keep and not self.closed and node.proc.poll() is None
            if keep:
                self._free.append(node)
        if not keep:
            node.stop()

    def pids(self) -> list[int]:
        """The PIDs of the anvils started and not yet stopped, leased or free."""
        with self._lock:
            return [n.pid for n in (*self._free, *self._leased)]

    def close(self) -> None:
        """Stops every anvil (by its PID); later leases raise."""
        with self._lock:
            self.closed = True
            nodes, self._free, self._leased = [*self._free, *self._leased], [], []
        for node in nodes:
            node.stop()
