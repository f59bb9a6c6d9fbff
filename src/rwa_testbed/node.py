"""Local anvils: one for scripts and benchmarks started and stopped by ape-foundry (`local_chain`),
and one started directly through our launcher (`start_anvil` / `fresh_anvil`: sweep workers,
tests that must own the process to kill or freeze it); both on 127.0.0.1 with a free port, and
the launcher adds --prune-history. Also the pruning of ape's list of nodes. The one home of
"a free port" and "an anvil that answers"."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from .chain import NodeError, Rpc

ANVIL_START_SECONDS = 30


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


def start_anvil(*args: str, launcher: str | None = None, attempts: int = 3,
                timeout: float = ANVIL_START_SECONDS) -> tuple[subprocess.Popen, str]:
    """Starts an anvil on 127.0.0.1 with a free port (plus `args`, e.g. `--chain-id 1`) through the
    launcher and waits until it answers `eth_chainId`; returns the process and its RPC URI. A port
    taken between the check and anvil's bind is retried on another. The caller stops the process
    (`stop_process`)."""
    cmd = launcher or anvil_launcher()
    last = ""
    for _ in range(attempts):
        port = free_port()
        proc = subprocess.Popen([cmd, "--host", "127.0.0.1", "--port", str(port), "--silent", *args],
                                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, start_new_session=True)
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
    """`start_anvil` as a context: yields the RPC URI, stops that process (by its PID) on exit."""
    proc, uri = start_anvil(*args, launcher=launcher)
    try:
        yield uri
    finally:
        stop_process(proc)
