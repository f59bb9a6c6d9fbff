"""Sweep throughput: a 16-run sweep on 1 vs 2 local workers, runs per minute, memory per worker, and
each run's overhead beside its engine time.

The sweep is the small default one (README, "Monte Carlo risk": real_estate_flash_crash, TWAP window
900 s and 3600 s, 12 borrowers, 8 holders, 21 days) with 8 seeds per point: 16 runs. Each round
runs it on a new local cluster of 1 worker, then of 2 (`sweep.dask_client`, one thread per worker;
interleaved and repeated, `--repeat`, so load on the machine hits both alike). A sweep is timed from
`Sweep.run`'s start to its end: the workers' imports, their anvil's start (each worker keeps one and
resets it between runs) and Dask's scheduling are in it; the cluster's own start is printed apart.

Printed:
- per worker count: the sweep's wall time and runs per minute, median [min-max] over the rounds;
  the speed-up of 2 workers over 1 (ratio of the medians, min-max of the round-by-round ratios;
  target >= 1.7x on 2 cores);
- cores busy: CPU seconds of the workers and their anvils over the wall time (1 worker using more
  than one core bounds what a second one can add);
- memory per worker: the peak RSS of each worker process plus its children (its anvil), sampled
  every `SAMPLE_SECONDS` during the sweep, median [min-max] over workers and rounds, and of each part;
- overhead per run: the row's `seconds` - `engine_seconds` (the task's wall time less `Engine.run`'s:
  scenario load, anvil reset or start, a worker's first imports) over `engine_seconds`, median
  [min-max] over every run (target <= 25 %); and per sweep: worker-seconds (workers x wall time) not
  spent in `Engine.run`, over the engine's seconds (Dask, imports, and workers idle at the end).

`--fresh-anvil` adds a third variant: 2 workers, a new anvil per run (the way before the reuse).
`--quick`: one round of a 4-run sweep (2 points x 2 seeds), a smoke run, not a measurement.

    make bench   # or: source toolchain/env.sh && python benchmarks/bench_sweep.py [--repeat 3] [--quick] [--fresh-anvil]
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import threading
import time
from pathlib import Path

import psutil

import stats
from rwa_testbed import sweep

SCENARIO = "real_estate_flash_crash"
GRID = ("market.oracle.twap_window_seconds=900,3600",)
BASE = ("population.borrowers=12", "population.holders=8", "run.duration_days=21")
SEEDS = 8  # per grid point: 16 runs
QUICK_SEEDS = 2
SEED = 0
SAMPLE_SECONDS = 0.25


class Sampler:
    """Peak RSS of each process in `pids` and of its children (recursive), and their CPU seconds
    (user + system, as of the last sample: children that ended before it are missed), sampled in a
    thread."""

    def __init__(self, pids: list[int]):
        self.procs = {pid: psutil.Process(pid) for pid in pids}
        self.peak = {pid: {"worker": 0, "children": 0, "total": 0} for pid in pids}
        self.cpu = {pid: 0.0 for pid in pids}  # since the start of the sampling
        self.cpu_before = {pid: sum(proc.cpu_times()[:2]) for pid, proc in self.procs.items()}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            for pid, proc in self.procs.items():
                try:
                    kids = proc.children(recursive=True)
                    own = proc.memory_info().rss
                    children = sum(c.memory_info().rss for c in kids)
                    cpu = sum(t.user + t.system for t in (proc.cpu_times(), *(c.cpu_times() for c in kids)))
                except psutil.Error:  # a child ended between the listing and the reading
                    continue
                self.cpu[pid] = cpu - self.cpu_before[pid]
                peak = self.peak[pid]
                peak["worker"] = max(peak["worker"], own)
                peak["children"] = max(peak["children"], children)
                peak["total"] = max(peak["total"], own + children)
            self._stop.wait(SAMPLE_SECONDS)

    def __enter__(self) -> "Sampler":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()


def one_sweep(workers: int, seeds: int, scratch: Path, *, reuse_anvil: bool = True) -> dict:
    """A new local cluster of `workers`, the sweep on it; wall times, rows and memory peaks."""
    out = Path(tempfile.mkdtemp(dir=scratch))
    job = sweep.Sweep(SCENARIO, sweep.Grid.parse(GRID), runs=seeds, seed=SEED, out=out, base_overrides=BASE,
                      reuse_anvil=reuse_anvil)
    started = time.perf_counter()
    with sweep.dask_client(workers=workers, scratch=out / "dask-scratch") as client:
        cluster_seconds = time.perf_counter() - started
        pids = list(client.run(os.getpid).values())
        with Sampler(pids) as sampled:
            begun = time.perf_counter()
            rows = job.run(client)
            wall = time.perf_counter() - begun
    failed = [r for r in rows if r["status"] != "ok"]
    if failed:
        raise SystemExit(f"{len(failed)} of {len(rows)} runs failed, first: {failed[0]['error']}")
    engine = sum(r["engine_seconds"] for r in rows)
    return {"workers": workers, "runs": len(rows), "wall": wall, "cluster": cluster_seconds,
            "runs_per_minute": 60 * len(rows) / wall,
            "overhead_shares": [(r["seconds"] - r["engine_seconds"]) / r["engine_seconds"] for r in rows],
            "sweep_overhead_share": (workers * wall - engine) / engine,
            "engine_seconds": [r["engine_seconds"] for r in rows],
            "memory": list(sampled.peak.values()), "cores": sum(sampled.cpu.values()) / wall}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    stats.repeat_argument(parser, default=3)
    parser.add_argument("--quick", action="store_true", help="one round of a 4-run sweep: a smoke run")
    parser.add_argument("--fresh-anvil", action="store_true",
                        help="also 2 workers with a new anvil per run (the way before the reuse)")
    args = parser.parse_args()
    stats.check_repeat(parser, args.repeat)
    repeat, seeds = (1, QUICK_SEEDS) if args.quick else (args.repeat, SEEDS)
    variants = [("1 worker", 1, True), ("2 workers", 2, True)]
    if args.fresh_anvil:
        variants.append(("2 workers, new anvil per run", 2, False))

    from ape import project

    project.load_contracts()  # compiled here once, as `ape run sweep` does: workers only read artifacts
    runs = len(sweep.Grid.parse(GRID).points()) * seeds
    stats.header(f"{SCENARIO} sweep, {runs} runs ({' '.join(BASE)})", repeat)
    results: dict[str, list[dict]] = {name: [] for name, _, _ in variants}
    with tempfile.TemporaryDirectory(prefix="bench-sweep-") as scratch:
        for i in range(repeat):
            for name, workers, reuse in variants:
                r = one_sweep(workers, seeds, Path(scratch), reuse_anvil=reuse)
                results[name].append(r)
                mem = statistics.median(m["total"] for m in r["memory"]) / 2**20
                print(f"  #{i + 1} {name}: {r['wall']:6.1f} s ({r['runs_per_minute']:.1f} runs/min; cluster start "
                      f"{r['cluster']:.1f} s), engine {statistics.median(r['engine_seconds']):.1f} s a run, overhead "
                      f"{100 * statistics.median(r['overhead_shares']):.1f} % a run, {100 * r['sweep_overhead_share']:.0f} % "
                      f"of the sweep, memory {mem:.0f} MiB a worker, {r['cores']:.2f} cores busy", flush=True)

    for name, _, _ in variants:
        rs = results[name]
        memory = [m for r in rs for m in r["memory"]]
        mib = lambda key: [m[key] / 2**20 for m in memory]  # noqa: E731
        shares = [100 * s for r in rs for s in r["overhead_shares"]]
        print(f"{name}: wall {stats.spread([r['wall'] for r in rs], 's', 1)}, "
              f"{stats.spread([r['runs_per_minute'] for r in rs], 'runs/min', 1)}, "
              f"cores busy (workers and anvils, CPU seconds / wall) {stats.spread([r['cores'] for r in rs])}")
        print(f"  memory a worker (peak RSS): {stats.spread(mib('total'), 'MiB', 0)} = worker process "
              f"{stats.spread(mib('worker'), 'MiB', 0)} + its anvil {stats.spread(mib('children'), 'MiB', 0)}")
        print(f"  overhead a run over its engine time: {stats.spread(shares, '%', 1)} of {len(shares)} runs "
              f"(target <= 25 %); of the sweep: {stats.spread([100 * r['sweep_overhead_share'] for r in rs], '%', 1)}")
    one, two = ([r["wall"] for r in results[n]] for n in ("1 worker", "2 workers"))
    print(f"2 workers over 1 (speed-up, wall time 1 / 2): {stats.ratio_text(one, two)} (target >= 1.7x on 2 cores)")
    if args.fresh_anvil:
        fresh = [r["wall"] for r in results["2 workers, new anvil per run"]]
        print(f"kept anvil over a new one per run (2 workers, wall time new / kept): {stats.ratio_text(fresh, two)}")
    stats.footer()


if __name__ == "__main__":
    main()
