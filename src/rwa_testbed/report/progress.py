"""Progress bars on stderr (tqdm): over a run's simulated seconds (`SimProgress`) and over a command's
engine runs with a time estimate (`RunProgress`, fuzz_thresholds and sweeps). Imports `table` (durations)."""

from __future__ import annotations

import sys
from collections.abc import Mapping
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
    stops early. After the first run it prints the time estimate for the rest (first run's wall time
    x runs left, an upper bound when the frontier may stop early)."""

    def __init__(self, total: int, *, enabled: bool | None = None, file: TextIO | None = None):
        self.file = file if file is not None else sys.stderr
        self.total = int(total)
        self.done = 0
        self.seconds = 0.0  # wall time of the runs so far
        self._bar = _bar(self.total, "engine runs", enabled, self.file,
                         "{desc} {n_fmt}/{total_fmt} {percentage:3.0f}%|{bar}| {postfix} [{elapsed}<{remaining}]")

    def write(self, line: str, *, err: bool = True) -> None:
        """A line above the bar (a plain line when the bar is off), on the bar's stream or, with
        `err=False`, on stdout (results)."""
        _write(line, file=self.file if err else sys.stdout)

    def ran(self, seconds: float, line: str | None = None, postfix: str = "") -> None:
        self.done += 1
        self.seconds += seconds
        if line:
            self.write(line)
        if self.done == 1 and self.total > 1:
            self.write(f"first run took {seconds:.1f} s: up to {self.total - 1} more, {estimate(self.total - 1, seconds)}")
        if postfix:
            self._bar.set_postfix_str(postfix, refresh=False)
        self._bar.update(1)

    def skip(self, runs: int) -> None:
        """`runs` planned runs will not happen (a frontier cell found its safe threshold)."""
        if runs > 0:
            self.total -= runs
            self._bar.total = self.total
            self._bar.refresh()

    @property
    def seconds_per_run(self) -> float | None:
        return self.seconds / self.done if self.done else None

    def close(self) -> None:
        self._bar.close()

    def __enter__(self) -> "RunProgress":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def estimate(runs: int, seconds_per_run: float) -> str:
    """ "about 6 min 4 s at 9.1 s a run": the wall time of `runs` runs. """
    return f"about {format_duration(runs * seconds_per_run)} at {seconds_per_run:.1f} s a run"


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
