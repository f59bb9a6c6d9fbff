"""A local anvil for scripts and benchmarks, started and stopped by ape-foundry (our launcher adds
--prune-history), on 127.0.0.1 with a free port; and the pruning of ape's list of nodes."""

from __future__ import annotations

import json
import os
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator


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
