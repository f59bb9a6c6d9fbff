"""A progress bar on stderr advanced by simulated seconds (tqdm). Imports `files` only (its units)."""

from __future__ import annotations

import sys
from collections.abc import Mapping
from typing import TextIO

from ..units import SECONDS_PER_DAY


class SimProgress:
    """A tqdm bar on stderr advanced by simulated seconds, with day, mode and liquidations.

    `update(t_seconds, info)` takes the absolute simulated time (as the engine's progress hook
    passes it) and `info` such as {"mode": "step", "liquidations": 12}.
    """

    def __init__(self, total_seconds: int, *, enabled: bool | None = None, file: TextIO | None = None,
                 desc: str = "simulating"):
        from tqdm import tqdm

        self.total_seconds = int(total_seconds)
        self.t = 0
        self.info: dict = {}
        self._bar = tqdm(
            total=self.total_seconds,
            desc=desc,
            file=file if file is not None else sys.stderr,
            disable=None if enabled is None else not enabled,  # None: off when not a TTY
            bar_format="{desc} {percentage:3.0f}%|{bar}| {postfix} [{elapsed}<{remaining}]",
            dynamic_ncols=True,
            mininterval=0.25,
            leave=True,
        )

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


def progress(total_seconds: int, *, enabled: bool | None = None, file: TextIO | None = None) -> SimProgress:
    """A progress bar over `total_seconds` of simulated time (see `SimProgress`).

    `enabled=None` shows it only when the output is a terminal (quiet in CI logs); False never
    shows it (tests); True always does. Use `bar.update(t, {"mode": ..., "liquidations": ...})`
    as the engine's progress hook and `bar.close()` at the end, or `with progress(...) as bar:`.
    """
    return SimProgress(total_seconds, enabled=enabled, file=file)
