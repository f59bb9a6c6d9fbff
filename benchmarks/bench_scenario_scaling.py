"""Wall time of the default scenario, and how it grows from 100 to 1,000 borrowers.

Each run gets a fresh local anvil. Targets: the 1,000-borrower run within 5 minutes, and time
about linear in the number of borrowers.

Interleaved and repeated (`--repeat`): each round runs every size once, smallest first (100, 1000,
100, 1000, ...), so load on the machine hits the sizes alike. Printed: per size the median and
min–max of setup, run and total time, and the growth (largest / smallest total) as the ratio of the
medians with the min–max of the round-by-round ratios.

    source toolchain/env.sh && python benchmarks/bench_scenario_scaling.py [--repeat 3] [scenario] [sizes...]
"""

from __future__ import annotations

import argparse
import time

import stats
from rwa_testbed import scenario as scenarios
from rwa_testbed.engine import Engine
from rwa_testbed.node import local_chain


def timed_run(name: str, borrowers: int) -> tuple[float, float, dict]:
    s = scenarios.load(name, [f"population.borrowers={borrowers}"])
    with local_chain() as uri:
        start = time.perf_counter()
        engine = Engine(s, uri)
        engine.setup()
        setup_done = time.perf_counter()
        result = engine.run()
        end = time.perf_counter()
    return setup_done - start, end - setup_done, result.summary


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("scenario", nargs="?", default="credit_default_ripple")
    parser.add_argument("sizes", nargs="*", type=int, help="numbers of borrowers (default 100 1000)")
    stats.repeat_argument(parser, default=3)
    args = parser.parse_args()
    stats.check_repeat(parser, args.repeat)
    name, sizes = args.scenario, sorted(set(args.sizes or [100, 1000]))

    times = {n: {"setup": [], "run": [], "total": []} for n in sizes}
    stats.header(f"{name}, wall time by number of borrowers", args.repeat)
    for i in range(args.repeat):
        for n in sizes:
            setup, run, summary = timed_run(name, n)
            for key, value in (("setup", setup), ("run", run), ("total", setup + run)):
                times[n][key].append(value)
            print(f"  #{i + 1} borrowers={n:5d}: setup {setup:6.1f} s, run {run:6.1f} s, total {setup + run:6.1f} s, "
                  f"{summary['chain']['transactions']} txs, {summary['liquidations']['count']} liquidations",
                  flush=True)
    for n in sizes:
        t = times[n]
        print(f"borrowers={n:5d}: setup {stats.spread(t['setup'], 's', 1)} + run {stats.spread(t['run'], 's', 1)}"
              f" = total {stats.spread(t['total'], 's', 1)}")
    if len(sizes) >= 2:
        n0, n1 = sizes[0], sizes[-1]
        print(f"total time {n1} / {n0} borrowers: {stats.ratio_text(times[n1]['total'], times[n0]['total'])} "
              f"for borrowers x{n1 / n0:g} (linear would be x{n1 / n0:g} at most)")
    stats.footer()


if __name__ == "__main__":
    main()
