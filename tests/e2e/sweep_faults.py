"""Stand-ins for `sweep.run_one` that Dask workers import by name (module level, so they pickle by
reference): a quick row without a chain, and a run that kills its own worker process.

`exits_its_worker` waits until every other run of its sweep is journaled (the journal named by
`JOURNAL_ENV`, set before the cluster starts so that its worker processes inherit it), then ends
its process with `os._exit`: at that moment the worker holds no other task, so only this run is lost.
"""

import os
import time
from pathlib import Path

from rwa_testbed import report, sweep

JOURNAL_ENV = "RWA_TEST_SWEEP_JOURNAL"
WAIT_SECONDS = 60.0


def quick_row(spec: sweep.RunSpec) -> dict:
    """A run's row as `run_one` shapes it, without a chain: status ok, the worker's PID."""
    return {"point": spec.label, "seed": spec.seed, "status": "ok", "error": None,
            **{k: sweep.number(v) for k, v in spec.point}, sweep.VAR_METRIC: 0.0, sweep.LAR_METRIC: 0.0,
            sweep.BAD_DEBT_METRIC: 0.0, "worker_pid": os.getpid(), "seconds": 0.0}


def exits_its_worker(doomed_seed: int, others: int):
    """A `run_one` whose run of `doomed_seed` kills its worker once `others` rows are journaled; the
    other runs are `quick_row`s. A class instance would pickle by value: this returns a partial."""
    from functools import partial

    return partial(_exit_or_row, doomed_seed, others)


def _exit_or_row(doomed_seed: int, others: int, spec: sweep.RunSpec) -> dict:
    if spec.seed != doomed_seed:
        return quick_row(spec)
    journal = Path(os.environ[JOURNAL_ENV])
    deadline = time.monotonic() + WAIT_SECONDS
    while len(report.read_jsonl(journal)) < others and time.monotonic() < deadline:
        time.sleep(0.05)
    os._exit(17)
