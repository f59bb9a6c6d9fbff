"""Reading the health factor of 1,000 positions: one batched call vs one call per position.

The positions are real: `calm_market` with 1,000 borrowers, deployed and opened by the engine.
`getUsersHealthFactors(users)` is one eth_call; the alternative is 1,000 `getUserAccountData`
eth_calls, one request each (what a bot without the batched read does).

    source toolchain/env.sh && python benchmarks/bench_batched_health_factors.py [positions]
"""

from __future__ import annotations

import sys
import time

from rwa_testbed import scenario as scenarios
from rwa_testbed.engine import Engine
from rwa_testbed.node import local_chain

REPEATS = 5


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    with local_chain() as uri:
        engine = Engine(scenarios.load("calm_market", [f"population.borrowers={n}"]), uri)
        ctx = engine.setup()
        pool, chain = ctx.market.pool, engine.chain
        users = [b.address for b in ctx.actors.borrowers]

        batched_call = pool.call("getUsersHealthFactors", users)
        start = time.perf_counter()
        for _ in range(REPEATS):
            batched = pool.abi.decode("getUsersHealthFactors", chain.calls([batched_call])[0])[0]
        t_batched = (time.perf_counter() - start) / REPEATS

        single_calls = [pool.call("getUserAccountData", u) for u in users]
        start = time.perf_counter()
        singles = [pool.abi.decode("getUserAccountData", chain.calls([c])[0])[5] for c in single_calls]
        t_single = time.perf_counter() - start
        chain.release_control()

    assert list(batched) == singles, "batched and single reads disagree"
    print(f"{n} positions: batched {t_batched * 1000:8.1f} ms, one call each {t_single * 1000:8.1f} ms, "
          f"ratio {t_single / t_batched:.1f}x (same health factors)")


if __name__ == "__main__":
    main()
