"""Wall time of the default scenario, and how it grows from 100 to 1,000 borrowers.

Each run gets a fresh local anvil. Targets: the 1,000-borrower run within 5 minutes, and time
about linear in the number of borrowers.

    source toolchain/env.sh && python benchmarks/bench_scenario_scaling.py [scenario] [sizes...]
"""

from __future__ import annotations

import sys
import time

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
    name = sys.argv[1] if len(sys.argv) > 1 else "credit_default_ripple"
    sizes = [int(x) for x in sys.argv[2:]] or [100, 1000]
    rows = []
    for n in sizes:
        setup, run, summary = timed_run(name, n)
        rows.append((n, setup, run, summary))
        print(f"{name} borrowers={n:5d}: setup {setup:6.1f} s, run {run:6.1f} s, total {setup + run:6.1f} s, "
              f"{summary['chain']['transactions']} txs, {summary['liquidations']['count']} liquidations", flush=True)
    if len(rows) >= 2:
        (n0, s0, r0, _), (n1, s1, r1, _) = rows[0], rows[-1]
        growth = (s1 + r1) / (s0 + r0)
        print(f"time x{growth:.2f} for borrowers x{n1 / n0:.0f} (linear would be x{n1 / n0:.0f} at most)")


if __name__ == "__main__":
    main()
