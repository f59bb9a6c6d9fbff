"""A Dask worker's anvils for sweeps: `AnvilPlugin`, a worker plugin that the sweep's client
registers (`Sweep.run`, on a local cluster or an existing one), holds a `node.AnvilPool` for the
worker's lifetime and stops its anvils at teardown (the worker closing) or, failing that, at the
worker process's exit (`atexit`). `worker_pool()` is that pool, for the task running now.

Apart from `sweep` so that importing `sweep` does not import `distributed` (its pure parts run
without Dask)."""

from __future__ import annotations

import atexit

from distributed import get_worker
from distributed.diagnostics.plugin import WorkerPlugin

from .node import AnvilPool

PLUGIN_NAME = "rwa-testbed-anvils"


class AnvilPlugin(WorkerPlugin):
    """Each worker's `AnvilPool` (`pool`), from setup to teardown. Idempotent: registering it again
    (every `Sweep.run` does) keeps the worker's running pool and its anvils."""

    name = PLUGIN_NAME
    idempotent = True

    def __init__(self) -> None:
        self.pool: AnvilPool | None = None

    def setup(self, worker) -> None:
        self.pool = AnvilPool()
        atexit.register(self.pool.close)

    def teardown(self, worker) -> None:
        if self.pool is not None:
            self.pool.close()
            atexit.unregister(self.pool.close)

    def __getstate__(self) -> dict:  # the pool stays on its worker
        return {"pool": None}


def worker_pool() -> AnvilPool | None:
    """The anvil pool of the Dask worker running this task; None outside a worker or where the
    plugin is not registered."""
    try:
        worker = get_worker()
    except ValueError:  # not in a Dask task
        return None
    plugin = worker.plugins.get(PLUGIN_NAME)
    return getattr(plugin, "pool", None)
