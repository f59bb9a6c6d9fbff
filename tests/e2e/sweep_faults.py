"""Stand-ins for `sweep.run_one` that Dask workers import by name (module level, so they pickle by
reference): a quick row without a chain, and a run that kills its own worker process.

`exits_its_worker` waits until every other run of its sweep is journaled (the journal named by
`JOURNAL_ENV`, set before the cluster starts so that its worker processes inherit it) and its
worker holds no other run (`Sweep.run` released their results once read), then ends its process
with `os._exit`: only this run is lost, nothing is left to compute again. Each call notes what it
did in the file named by `CALLS_ENV`: `row <seed>`, then `exit released` (or `exit timeout` when a
finished run's result was still held after `WAIT_SECONDS`).
"""

import os
import time
from functools import partial
from pathlib import Path

from rwa_testbed import report, sweep

JOURNAL_ENV = "RWA_TEST_SWEEP_JOURNAL"
CALLS_ENV = "RWA_TEST_SWEEP_CALLS"
WAIT_SECONDS = 60.0


def quick_row(spec: sweep.RunSpec) -> dict:
    """A run's row as `run_one` shapes it, without a chain: status ok, the worker's PID."""
    _note(f"row {spec.seed}")
    return {"point": spec.label, "seed": spec.seed, "status": "ok", "error": None,
            **{k: sweep.number(v) for k, v in spec.point}, sweep.VAR_METRIC: 0.0, sweep.LAR_METRIC: 0.0,
            sweep.BAD_DEBT_METRIC: 0.0, "worker_pid": os.getpid(), "seconds": 0.0, "engine_seconds": 0.0,
            "replay": spec.replay}


def exits_its_worker(doomed_seed: int, others: int):
    """A `run_one` whose run of `doomed_seed` kills its worker once the `others` runs are journaled
    and released; the other runs are `quick_row`s."""
    return partial(_exit_or_row, doomed_seed, others)


def _exit_or_row(doomed_seed: int, others: int, spec: sweep.RunSpec) -> dict:
    from distributed import get_worker

    if spec.seed != doomed_seed:
        return quick_row(spec)
    worker = get_worker()
    own = worker.get_current_task()
    journal = Path(os.environ[JOURNAL_ENV])

    def waiting() -> bool:
        held = [k for k in list(worker.state.tasks) if k != own and str(k).startswith("sweep-run-")]
        return len(report.read_jsonl(journal)) < others or bool(held)

    deadline = time.monotonic() + WAIT_SECONDS
    while waiting() and time.monotonic() < deadline:
        time.sleep(0.05)
    _note("exit timeout" if waiting() else "exit released")
    os._exit(17)


def _note(line: str) -> None:
    path = os.environ.get(CALLS_ENV)
    if path:
        with open(path, "a") as f:
            f.write(line + "\n")
