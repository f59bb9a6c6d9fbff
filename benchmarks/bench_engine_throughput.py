"""Engine tx/s over raw JSON-RPC tx/s, measured in one run on the same anvil.

Three variants, same anvil, same market (the default scenario's, deployed by the engine):

- raw: AMM swaps sent one at a time as `eth_sendRawTransaction`, each receipt polled before the
  next send (anvil's automine is asynchronous) — what a plain script does;
- engine hot path: the same swaps through the engine's transaction layer (`FastChain.step`: signed
  locally, sent in one batch, one mined block, receipts in one batch), as many per block as the
  default scenario averages per mined block;
- whole run: all transactions of a full scenario run over the run loop's wall time (reads of every
  borrower's account data, agents' decisions, revert tracing included).

Interleaved and repeated (`--repeat`): each round gets a fresh anvil, deploys the scenario, runs it
(whole run), then on that same anvil and market times `SWAPS` raw swaps and `SWAPS` hot-path swaps
in alternating chunks of `CHUNK` (raw, hot, raw, hot, ...: a chunk takes a few seconds at most, so
a load swing hits both). The whole run is paired with the raw figure of its own round, measured
right after it (swapping before the run would change the run). Printed: per variant the median
and min–max of tx/s, and each ratio over raw as the ratio of the medians with the min–max of the
round-by-round ratios.

    make bench   # or: source toolchain/env.sh && python benchmarks/bench_engine_throughput.py [--repeat 5] [scenario]
"""

from __future__ import annotations

import argparse
import time

import stats
from rwa_testbed import scenario as scenarios
from rwa_testbed.units import FAR_DEADLINE
from rwa_testbed.chain import TxRequest
from rwa_testbed.engine import Engine
from rwa_testbed.node import local_chain

SWAPS = 400
CHUNK = 50  # swaps per chunk: raw and hot path alternate in chunks this size, so load hits both alike
SWAP_USD = 1_000  # stablecoin units below: 1,000 USDC per swap (tiny against the pool)


def swaps(engine: Engine, n: int) -> list[TxRequest]:
    m, trader = engine.ctx.market, engine.ctx.actors.arbitrageurs[0]
    return [
        m.router.tx(trader, "swapExactTokensForTokens", m.pair.address, m.stable.address, SWAP_USD * 10**6, 0,
                    trader.address, FAR_DEADLINE, agent="bench", action="swap", gas=300_000)
        for _ in range(n)
    ]


def raw_seconds(engine: Engine, txs: list[TxRequest]) -> float:
    chain = engine.chain
    chain.release_control()  # automine on, as a plain script would have it
    rpc = chain.rpc
    start = time.perf_counter()
    for tx in txs:
        raw = "0x" + chain._sign(tx, 1).hex()
        tx_hash = rpc.call("eth_sendRawTransaction", raw)
        receipt = None
        while receipt is None:
            receipt = rpc.call("eth_getTransactionReceipt", tx_hash)
        assert int(receipt["status"], 16) == 1, "benchmark swap reverted"
    elapsed = time.perf_counter() - start
    chain.take_control()
    return elapsed


def hot_path_seconds(engine: Engine, txs: list[TxRequest], per_block: int) -> float:
    chain = engine.chain
    t = chain.timestamp()
    start = time.perf_counter()
    for i in range(0, len(txs), per_block):
        t += 12
        results, _ = chain.step(txs[i: i + per_block], t)
        assert not any(r.reverted for r in results), "benchmark swap reverted"
    return time.perf_counter() - start


def raw_and_hot_tx_per_second(engine: Engine, per_block: int) -> tuple[float, float]:
    """`SWAPS` swaps each way, alternating chunks of `CHUNK` (raw, hot, raw, hot, ...)."""
    spent = {"raw": 0.0, "hot": 0.0}
    for _ in range(SWAPS // CHUNK):
        spent["raw"] += raw_seconds(engine, swaps(engine, CHUNK))
        spent["hot"] += hot_path_seconds(engine, swaps(engine, CHUNK), per_block)
    return SWAPS / spent["raw"], SWAPS / spent["hot"]


def one_round(name: str) -> dict:
    """Fresh anvil: the scenario's whole run, then a raw chunk and a hot-path chunk on its market."""
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
        raw, hot = raw_and_hot_tx_per_second(engine, per_block)
        engine.chain.release_control()
    return {"whole": sent / run_elapsed, "raw": raw, "hot": hot, "per_block": per_block,
            "sent": sent, "mined_steps": mined_steps, "run_seconds": run_elapsed}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("scenario", nargs="?", default="credit_default_ripple")
    stats.repeat_argument(parser, default=5)
    args = parser.parse_args()
    stats.check_repeat(parser, args.repeat)
    name = args.scenario

    stats.header(f"{name}, tx/s", args.repeat)
    rounds = []
    for i in range(args.repeat):
        r = one_round(name)
        rounds.append(r)
        print(f"  #{i + 1}: whole run {r['whole']:7.1f} tx/s ({r['sent']} txs, {r['mined_steps']} mined steps, "
              f"{r['run_seconds']:.1f} s), raw {r['raw']:7.1f} tx/s, hot path {r['hot']:7.1f} tx/s", flush=True)
    tx_s = {k: [r[k] for r in rounds] for k in ("raw", "hot", "whole")}
    per_block = sorted({r["per_block"] for r in rounds})
    blocks = "/".join(str(p) for p in per_block)
    print(f"raw JSON-RPC, one swap at a time (send + poll receipt), {SWAPS} swaps: "
          f"{stats.spread(tx_s['raw'], 'tx/s', 1)}")
    print(f"engine hot path, {blocks} swaps per mined block, {SWAPS} swaps: {stats.spread(tx_s['hot'], 'tx/s', 1)}"
          f"   hot / raw {stats.ratio_text(tx_s['hot'], tx_s['raw'])} (target >= 0.5)")
    print(f"engine whole run ({name}): {stats.spread(tx_s['whole'], 'tx/s', 1)}"
          f"   whole / raw {stats.ratio_text(tx_s['whole'], tx_s['raw'])}")
    stats.footer()


if __name__ == "__main__":
    main()
