"""Shared statistics and printing for the benchmarks: compared variants are measured interleaved
(A, B, A, B, ...) and repeated, so load on the machine hits every variant alike; each script
reports per variant the median and min–max, and for a comparison the ratio of the medians plus the
min–max of the pairwise ratios (round i of A against round i of B, measured back to back).

Not a benchmark itself (`make bench` runs `bench_*.py` only); the scripts import it from their own
folder, which Python puts on the path when they are run as `python benchmarks/<name>.py`.
"""

from __future__ import annotations

import argparse
import os
import statistics
from collections.abc import Sequence


def repeat_argument(parser: argparse.ArgumentParser, default: int) -> None:
    """`--repeat N`: rounds of the interleaved variants (at least 1; 3 or more for a spread)."""
    parser.add_argument("--repeat", type=int, default=default,
                        help=f"rounds of the compared variants, interleaved (default {default})")


def check_repeat(parser: argparse.ArgumentParser, repeat: int) -> None:
    if repeat < 1:
        parser.error("--repeat must be at least 1")


def machine() -> str:
    """The conditions to note beside the figures: CPUs and load average (1, 5, 15 min)."""
    try:
        load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:  # not on every platform
        load = "unknown"
    return f"{os.cpu_count()} CPUs, load average {load}"


def spread(values: Sequence[float], unit: str = "", digits: int = 2) -> str:
    """`median [min-max] unit` of one variant's measurements."""
    suffix = f" {unit}" if unit else ""
    return (f"{statistics.median(values):.{digits}f}{suffix} "
            f"[{min(values):.{digits}f}-{max(values):.{digits}f}]")


def ratio(numerator: Sequence[float], denominator: Sequence[float]) -> tuple[float, float, float]:
    """Ratio of the medians, and the min and max of the pairwise ratios (round by round)."""
    if len(numerator) != len(denominator) or not numerator:
        raise ValueError("a ratio needs as many measurements of each variant, at least one")
    pairwise = [a / b for a, b in zip(numerator, denominator)]
    return statistics.median(numerator) / statistics.median(denominator), min(pairwise), max(pairwise)


def ratio_text(numerator: Sequence[float], denominator: Sequence[float], digits: int = 2) -> str:
    """`R.RRx (pairwise [a-b])`."""
    of_medians, low, high = ratio(numerator, denominator)
    return f"{of_medians:.{digits}f}x (pairwise [{low:.{digits}f}-{high:.{digits}f}])"


def header(what: str, repeat: int) -> None:
    print(f"{what}: median [min-max] of {repeat} interleaved round{'s' if repeat != 1 else ''} "
          f"({machine()})", flush=True)


def footer() -> None:
    print(f"at the end: {machine()}", flush=True)
