"""Wall time of the default scenario end to end, and how it grows from 1,000 to 10,000 borrowers;
with `--huge`, one 100,000-borrower run's time and peak memory.

Each run gets a fresh anvil of its own (`node.start_anvil`: 127.0.0.1, --prune-history), deploys
the scenario with `population.borrowers=N` and runs it. Target (the Monte Carlo issue): the
10,000-borrower run at most 1.1x linear, time(10k) <= 1.1 x 10 x time(1k), and a 100,000-borrower
run that completes.

A small untimed run first loads the contracts' artifacts (ape's project), which would otherwise
count against the first size only. Interleaved and repeated (`--repeat`): each round runs every size once, smallest first (1000,
10000, 1000, 10000, ...), so load on the machine hits the sizes alike. Printed: per size the median
and min–max of setup, run and total time; the growth (largest / smallest total) as the ratio of the
medians with the min–max of the round-by-round ratios; that growth over linear (1.00x is exactly
linear) and as an exponent (time ~ borrowers^k).

`--huge` (long: tens of minutes) runs the scenario once at `--huge-borrowers` (100,000) and prints
its setup, run and total time and the peak resident memory of python and of anvil (each process's
own peak, VmHWM, and the peak of their sum sampled every second).

    source toolchain/env.sh && python benchmarks/bench_scenario_scaling.py [--repeat 3] [scenario] [sizes...]
    source toolchain/env.sh && python benchmarks/bench_scenario_scaling.py --huge [--huge-borrowers 100000] [scenario]
"""

from __future__ import annotations

import argparse
import contextlib
import math
import os
import resource
import threading
import time
from pathlib import Path

import stats
from rwa_testbed import scenario as scenarios
from rwa_testbed.engine import Engine
from rwa_testbed.node import start_anvil, stop_process


def rss_kib(pid: int, field: str = "VmRSS") -> int:
    """A process's resident memory from /proc (`VmRSS` now, `VmHWM` its peak), KiB; 0 if unknown."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


class PeakMemory:
    """Samples the summed resident memory of some processes every `interval` seconds, keeping the peak."""

    def __init__(self, pids: list[int], interval: float = 1.0):
        self.pids, self.interval, self.peak_kib = pids, interval, 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self) -> None:
        while not self._stop.is_set():
            self.peak_kib = max(self.peak_kib, sum(rss_kib(pid) for pid in self.pids))
            self._stop.wait(self.interval)

    def __enter__(self) -> "PeakMemory":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()


def timed_run(name: str, borrowers: int, memory: bool = False) -> dict:
    """One run on a fresh anvil: setup, run and total seconds, the summary, and with `memory` the
    peak resident memory (KiB) of python, of anvil, and of their sum."""
    s = scenarios.load(name, [f"population.borrowers={borrowers}"])
    proc, uri = start_anvil()
    try:
        with PeakMemory([os.getpid(), proc.pid]) if memory else contextlib.nullcontext() as peak:
            start = time.perf_counter()
            engine = Engine(s, uri)
            engine.setup()
            setup_done = time.perf_counter()
            result = engine.run()
            end = time.perf_counter()
        anvil_peak = rss_kib(proc.pid, "VmHWM")
    finally:
        stop_process(proc)
    out = {"setup": setup_done - start, "run": end - setup_done, "total": end - start, "summary": result.summary}
    if memory:
        out.update(python_peak_kib=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, anvil_peak_kib=anvil_peak,
                   sum_peak_kib=peak.peak_kib)
    return out


def describe(n: int, r: dict) -> str:
    summary = r["summary"]
    return (f"borrowers={n:6d}: setup {r['setup']:7.1f} s, run {r['run']:7.1f} s, total {r['total']:7.1f} s, "
            f"{summary['chain']['transactions']} txs, {summary['chain']['steps']} steps, "
            f"{summary['liquidations']['count']} liquidations")


WARM_UP_BORROWERS = 10


def scaling(args: argparse.Namespace) -> None:
    name, sizes = args.scenario, sorted(set(args.sizes or [1000, 10000]))
    timed_run(name, WARM_UP_BORROWERS)  # artifacts loaded, imports done: not counted against the first size
    times: dict[int, dict[str, list[float]]] = {n: {"setup": [], "run": [], "total": []} for n in sizes}
    stats.header(f"{name}, wall time by number of borrowers", args.repeat)
    for i in range(args.repeat):
        for n in sizes:
            r = timed_run(name, n)
            for key in ("setup", "run", "total"):
                times[n][key].append(r[key])
            print(f"  #{i + 1} {describe(n, r)}", flush=True)
    for n in sizes:
        t = times[n]
        print(f"borrowers={n:6d}: setup {stats.spread(t['setup'], 's', 1)} + run {stats.spread(t['run'], 's', 1)}"
              f" = total {stats.spread(t['total'], 's', 1)}")
    if len(sizes) >= 2:
        n0, n1 = sizes[0], sizes[-1]
        growth = n1 / n0
        for key in ("setup", "run", "total"):
            of_medians, low, high = stats.ratio(times[n1][key], times[n0][key])
            print(f"{key:5s} time {n1} / {n0} borrowers: {of_medians:.2f}x (pairwise [{low:.2f}-{high:.2f}]) for "
                  f"borrowers x{growth:g}: {of_medians / growth:.2f}x linear (pairwise [{low / growth:.2f}-"
                  f"{high / growth:.2f}]), exponent {math.log(of_medians) / math.log(growth):.2f}")
        print("target: total at most 1.10x linear")
    stats.footer()


def huge(args: argparse.Namespace) -> None:
    n = args.huge_borrowers
    print(f"{args.scenario}, one run at {n} borrowers ({stats.machine()})", flush=True)
    timed_run(args.scenario, WARM_UP_BORROWERS)
    r = timed_run(args.scenario, n, memory=True)
    print(describe(n, r))
    gib = lambda kib: kib / 2**20  # noqa: E731
    print(f"peak resident memory: python {gib(r['python_peak_kib']):.2f} GiB, anvil {gib(r['anvil_peak_kib']):.2f} GiB, "
          f"both together {gib(r['sum_peak_kib']):.2f} GiB (sampled every second)")
    stats.footer()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("scenario", nargs="?", default="credit_default_ripple")
    parser.add_argument("sizes", nargs="*", type=int, help="numbers of borrowers (default 1000 10000)")
    stats.repeat_argument(parser, default=3)
    parser.add_argument("--huge", action="store_true", help="one long run at --huge-borrowers: time and peak memory")
    parser.add_argument("--huge-borrowers", type=int, default=100_000)
    args = parser.parse_args()
    stats.check_repeat(parser, args.repeat)
    if args.huge:
        huge(args)
    else:
        scaling(args)


if __name__ == "__main__":
    main()
