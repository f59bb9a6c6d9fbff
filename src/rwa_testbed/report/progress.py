"""Progress bars on stderr (tqdm): over a run's simulated seconds (`SimProgress`) and over a command's
engine runs with a time estimate (`RunProgress`, fuzz_thresholds and sweeps, several runs at a time on
a sweep's workers). Imports `table` (durations)."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Mapping
from typing import TextIO

from ..units import SECONDS_PER_DAY
from .table import format_duration


def _bar(total: int, desc: str, enabled: bool | None, file: TextIO | None, bar_format: str):
    """The project's tqdm bar: on stderr, off when not a terminal unless `enabled` says otherwise
    (None: only on a TTY, quiet in CI logs; False: never, tests; True: always)."""
    from tqdm import tqdm

    return tqdm(total=total, desc=desc, file=file if file is not None else sys.stderr,
                disable=None if enabled is None else not enabled, bar_format=bar_format,
                dynamic_ncols=True, mininterval=0.25, leave=True)


class SimProgress:
    """A tqdm bar on stderr advanced by simulated seconds, with day, mode and liquidations.

    `update(t_seconds, info)` takes the absolute simulated time (as the engine's progress hook
    passes it) and `info` such as {"mode": "step", "liquidations": 12}.
    """

    def __init__(self, total_seconds: int, *, enabled: bool | None = None, file: TextIO | None = None,
                 desc: str = "simulating"):
        self.total_seconds = int(total_seconds)
        self.t = 0
        self.info: dict = {}
        self._bar = _bar(self.total_seconds, desc, enabled, file,
                         "{desc} {percentage:3.0f}%|{bar}| {postfix} [{elapsed}<{remaining}]")

    @property
    def enabled(self) -> bool:
        return not self._bar.disable

    def update(self, t_seconds: int, info: Mapping | None = None) -> None:
        """Moves the bar to simulated time `t_seconds` (never backwards) and shows `info`."""
        t = min(max(int(t_seconds), self.t), self.total_seconds)
        advance, self.t = t - self.t, t
        if info:
            self.info = dict(info)
        if not self.enabled:
            return
        parts = [f"day {t / SECONDS_PER_DAY:.2f}/{self.total_seconds / SECONDS_PER_DAY:g}"]
        if "mode" in self.info:
            parts.append(str(self.info["mode"]))
        if "liquidations" in self.info:
            parts.append(f"{self.info['liquidations']} liquidations")
        self._bar.set_postfix_str(" | ".join(parts), refresh=False)
        self._bar.update(advance)

    def close(self) -> None:
        self._bar.close()

    def __enter__(self) -> "SimProgress":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


class RunProgress:
    """One progress bar over a command's engine runs, search and frontier, on stderr (tqdm, the
    conventions of `progress`: off when not a terminal unless `enabled`, lines printed above
    the bar). Its total is the planned number of runs; `skip(n)` lowers it when a frontier cell
    stops early. `workers` runs go at a time (a sweep's Dask workers; 1 for a command that runs them
    one after the other), so the runs left take about their number / `workers` run times.

    After the first run it prints the time estimate for the rest (`estimate`: the first run's wall
    time x the rounds of `workers` runs left, the other first-round runs taken as finishing with it;
    an upper bound when the frontier may stop early); the bar shows the time left (`eta_seconds`)."""

    def __init__(self, total: int, *, workers: int = 1, enabled: bool | None = None, file: TextIO | None = None,
                 clock: Callable[[], float] = time.monotonic):
        self.file = file if file is not None else sys.stderr
        self.total = int(total)
        self.workers = max(1, int(workers))
        self.done = 0
        self.seconds = 0.0  # the runs' own wall times, added up
        self._clock = clock
        self.started = clock()
        self._bar = _bar(self.total, "engine runs", enabled, self.file,
                         "{desc} {n_fmt}/{total_fmt} {percentage:3.0f}%|{bar}| {postfix} [{elapsed}]")

    def write(self, line: str, *, err: bool = True) -> None:
        """A line above the bar (a plain line when the bar is off), on the bar's stream or, with
        `err=False`, on stdout (results)."""
        _write(line, file=self.file if err else sys.stdout)

    def ran(self, seconds: float, line: str | None = None, postfix: str = "") -> None:
        """One run finished, after `seconds` of its own wall time."""
        self.done += 1
        self.seconds += seconds
        if line:
            self.write(line)
        if self.done == 1 and self.total > 1:
            self.write(f"first run took {seconds:.1f} s: up to {self.total - 1} more, "
                       f"{estimate(self.total - 1, seconds, workers=self.workers, running=self._first_round - 1)}")
        left = self.eta_seconds
        parts = [postfix] if postfix else []
        if left is not None and self.done < self.total:
            parts.append(f"{format_duration(left)} left")
        self._bar.set_postfix_str(" | ".join(parts), refresh=False)
        self._bar.update(1)

    def skip(self, runs: int) -> None:
        """`runs` planned runs will not happen (a frontier cell found its safe threshold)."""
        if runs > 0:
            self.total -= runs
            self._bar.total = self.total
            self._bar.refresh()

    @property
    def seconds_per_run(self) -> float | None:
        """The mean of the runs' own wall times (not divided by `workers`)."""
        return self.seconds / self.done if self.done else None

    @property
    def eta_seconds(self) -> float | None:
        """The wall time left for the runs left, None before the first run. While the first round
        (`workers` runs started together) is finishing: `wall_seconds` of the runs left at the mean
        run time, the rest of that round running. From then on: the throughput so far, the wall time
        since the bar started / runs done, times the runs left (parallelism and the cluster's own
        overhead measured, not assumed)."""
        if not self.done:
            return None
        left = max(self.total - self.done, 0)
        if self.done < self._first_round:
            return wall_seconds(left, self.seconds_per_run, workers=self.workers,
                                running=self._first_round - self.done)
        return (self._clock() - self.started) / self.done * left

    @property
    def _first_round(self) -> int:
        return min(self.workers, self.total)

    def close(self) -> None:
        self._bar.close()

    def __enter__(self) -> "RunProgress":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def wall_seconds(runs: int, seconds_per_run: float, *, workers: int = 1, running: int = 0) -> float:
    """The wall time of `runs` runs of `seconds_per_run` each, `workers` at a time, `running` of
    them already running and about to finish (started with the one that just did): the others go in
    rounds of `workers`, ceil((runs - running) / workers) rounds."""
    waiting = max(runs - running, 0)
    return -(-waiting // max(workers, 1)) * seconds_per_run


def estimate(runs: int, seconds_per_run: float, *, workers: int = 1, running: int = 0) -> str:
    """ "about 6 min 4 s at 9.1 s a run" (one at a time) or "about 3 min 2 s at 9.1 s a run, 2 at a
    time": the wall time of `runs` runs (`wall_seconds`). """
    text = f"about {format_duration(wall_seconds(runs, seconds_per_run, workers=workers, running=running))} " \
           f"at {seconds_per_run:.1f} s a run"
    return text + (f", {workers} at a time" if workers > 1 else "")


def _write(line: str, file: TextIO) -> None:
    from tqdm import tqdm

    tqdm.write(line, file=file)


def progress(total_seconds: int, *, enabled: bool | None = None, file: TextIO | None = None) -> SimProgress:
    """A progress bar over `total_seconds` of simulated time (see `SimProgress`).

    `enabled=None` shows it only when the output is a terminal (quiet in CI logs); False never
    shows it (tests); True always does. Use `bar.update(t, {"mode": ..., "liquidations": ...})`
    as the engine's progress hook and `bar.close()` at the end, or `with progress(...) as bar:`.
    """
    return SimProgress(total_seconds, enabled=enabled, file=file)
