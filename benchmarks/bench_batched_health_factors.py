"""Reading the health factor of 1,000 positions: one batched call vs one call per position.

The positions are real: `calm_market` with 1,000 borrowers, deployed and opened by the engine.
`getUsersHealthFactors(users)` is one eth_call; the alternative is 1,000 `getUserAccountData`
eth_calls, one request each (what a bot without the batched read does).

Interleaved and repeated on the same anvil and market (`--repeat`): each round times the batched
read (the mean of `BATCHED_CALLS` calls, one alone is a few ms of noise) and then the 1,000 single
reads (batched, single, batched, single, ...). Printed: per variant the median and min–max of the
time to read every position, and single / batched as the ratio of the medians with the min–max of
the round-by-round ratios.

    source toolchain/env.sh && python benchmarks/bench_batched_health_factors.py [--repeat 5] [positions]
"""

from __future__ import annotations

import argparse
import time

import stats
from rwa_testbed import scenario as scenarios
from rwa_testbed.engine import Engine
from rwa_testbed.node import local_chain

BATCHED_CALLS = 5


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("positions", nargs="?", type=int, default=1000)
    stats.repeat_argument(parser, default=5)
    args = parser.parse_args()
    stats.check_repeat(parser, args.repeat)
    n = args.positions

    times: dict[str, list[float]] = {"batched": [], "single": []}
    with local_chain() as uri:
        engine = Engine(scenarios.load("calm_market", [f"population.borrowers={n}"]), uri)
        ctx = engine.setup()
        pool, chain = ctx.market.pool, engine.chain
        users = [b.address for b in ctx.actors.borrowers]
        batched_call = pool.call("getUsersHealthFactors", users)
        single_calls = [pool.call("getUserAccountData", u) for u in users]

        stats.header(f"{n} positions, time to read every health factor", args.repeat)
        for i in range(args.repeat):
            start = time.perf_counter()
            for _ in range(BATCHED_CALLS):
                batched = pool.abi.decode("getUsersHealthFactors", chain.calls([batched_call])[0])[0]
            times["batched"].append((time.perf_counter() - start) / BATCHED_CALLS * 1000)

            start = time.perf_counter()
            singles = [pool.abi.decode("getUserAccountData", chain.calls([c])[0])[5] for c in single_calls]
            times["single"].append((time.perf_counter() - start) * 1000)

            assert list(batched) == singles, "batched and single reads disagree"
            print(f"  #{i + 1}: batched {times['batched'][-1]:8.1f} ms, one call each {times['single'][-1]:8.1f} ms",
                  flush=True)
        chain.release_control()

    print(f"one batched call:      {stats.spread(times['batched'], 'ms', 1)}")
    print(f"one call per position: {stats.spread(times['single'], 'ms', 1)}")
    print(f"single / batched {stats.ratio_text(times['single'], times['batched'], 1)} (same health factors)")
    stats.footer()


if __name__ == "__main__":
    main()
