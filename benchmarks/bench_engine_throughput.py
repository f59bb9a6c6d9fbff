"""Engine tx/s over raw JSON-RPC tx/s, measured in one run on the same anvil.

Three numbers, same anvil, same market (the default scenario's, deployed by the engine):

- raw: AMM swaps sent one at a time as `eth_sendRawTransaction`, each receipt polled before the
  next send (anvil's automine is asynchronous) — what a plain script does;
- engine hot path: the same swaps through the engine's transaction layer (`FastChain.step`: signed
  locally, sent in one batch, one mined block, receipts in one batch), as many per block as the
  default scenario averages per mined block;
- whole run: all transactions of a full scenario run over the run loop's wall time (reads of every
  borrower's account data, agents' decisions, revert tracing included).

    make bench   # or: source toolchain/env.sh && python benchmarks/bench_engine_throughput.py
"""

from __future__ import annotations

import sys
import time

from rwa_testbed import scenario as scenarios
from rwa_testbed.units import FAR_DEADLINE
from rwa_testbed.chain import TxRequest
from rwa_testbed.engine import Engine
from rwa_testbed.node import local_chain

SWAPS = 400
SWAP_USD = 1_000  # stablecoin units below: 1,000 USDC per swap (tiny against the pool)


def swaps(engine: Engine, n: int) -> list[TxRequest]:
    m, trader = engine.ctx.market, engine.ctx.actors.arbitrageurs[0]
    return [
        m.router.tx(trader, "swapExactTokensForTokens", m.pair.address, m.stable.address, SWAP_USD * 10**6, 0,
                    trader.address, FAR_DEADLINE, agent="bench", action="swap", gas=300_000)
        for _ in range(n)
    ]


def raw_tx_per_second(engine: Engine) -> float:
    chain = engine.chain
    chain.release_control()  # automine on, as a plain script would have it
    rpc = chain.rpc
    txs = swaps(engine, SWAPS)
    start = time.perf_counter()
    for i, tx in enumerate(txs):
        raw = "0x" + chain._sign(tx, 1).hex()
        tx_hash = rpc.call("eth_sendRawTransaction", raw)
        receipt = None
        while receipt is None:
            receipt = rpc.call("eth_getTransactionReceipt", tx_hash)
        assert int(receipt["status"], 16) == 1, "benchmark swap reverted"
    elapsed = time.perf_counter() - start
    chain.take_control()
    return SWAPS / elapsed


def hot_path_tx_per_second(engine: Engine, per_block: int) -> float:
    chain = engine.chain
    t = chain.timestamp()
    txs = swaps(engine, SWAPS)
    start = time.perf_counter()
    for i in range(0, SWAPS, per_block):
        t += 12
        results, _ = chain.step(txs[i: i + per_block], t)
        assert not any(r.reverted for r in results), "benchmark swap reverted"
    return SWAPS / (time.perf_counter() - start)


def main() -> None:
    name = sys.argv[1] if len(sys.argv) > 1 else "credit_default_ripple"
    with local_chain() as uri:
        engine = Engine(scenarios.load(name), uri)
        engine.setup()
        start = time.perf_counter()
        result = engine.run()
        run_elapsed = time.perf_counter() - start
        sent = result.summary["chain"]["transactions"]
        mined_steps = sum(1 for r in result.timeseries if r["txs"] > 0)
        per_block = max(1, round(sent / max(1, mined_steps)))
        engine.chain.take_control()
        raw = raw_tx_per_second(engine)
        hot = hot_path_tx_per_second(engine, per_block)
        engine.chain.release_control()
    whole = sent / run_elapsed
    print(f"raw JSON-RPC, one swap at a time (send + poll receipt): {raw:8.1f} tx/s over {SWAPS} swaps")
    print(f"engine hot path, {per_block} swaps per mined block:            {hot:8.1f} tx/s   ratio {hot / raw:.2f} (target >= 0.5)")
    print(f"engine whole run ({name}):       {whole:8.1f} tx/s   ratio {whole / raw:.2f} "
          f"({sent} txs, {mined_steps} mined steps, {run_elapsed:.1f} s)")


if __name__ == "__main__":
    main()
