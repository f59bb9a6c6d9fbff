"""Engine tx/s over raw JSON-RPC tx/s, measured in one run on the same anvil.

raw: `eth_sendTransaction` from an unlocked dev account, automine on, each receipt polled before
the next send (what a simple script does). engine: the transactions of a full scenario run
(agents' swaps, liquidations, oracle updates; setup excluded) over the wall time of the run loop.

    make bench        # or: source toolchain/env.sh && python benchmarks/bench_engine_throughput.py
"""

from __future__ import annotations

import sys
import time

from rwa_testbed import scenario as scenarios
from rwa_testbed.chain import Rpc
from rwa_testbed.engine import Engine
from rwa_testbed.market import artifact
from rwa_testbed.node import local_chain

RAW_TXS = 500


def raw_tx_per_second(uri: str) -> float:
    rpc = Rpc(uri)
    sender = rpc.call("eth_accounts")[0]
    abi, bytecode = artifact("SettlementStablecoin")
    tx_hash = rpc.call("eth_sendTransaction", {"from": sender, "data": "0x" + abi.constructor(bytecode, "USD", "USD", sender).hex(), "gas": hex(5_000_000)})
    receipt = None
    while receipt is None:
        receipt = rpc.call("eth_getTransactionReceipt", tx_hash)
    token = receipt["contractAddress"]
    data = "0x" + abi.encode("mint", sender, 1).hex()
    start = time.perf_counter()
    for _ in range(RAW_TXS):
        tx_hash = rpc.call("eth_sendTransaction", {"from": sender, "to": token, "data": data, "gas": hex(100_000)})
        receipt = None
        while receipt is None:  # anvil's automine is asynchronous: poll
            receipt = rpc.call("eth_getTransactionReceipt", tx_hash)
    return RAW_TXS / (time.perf_counter() - start)


def engine_tx_per_second(uri: str, name: str) -> tuple[float, int, float]:
    engine = Engine(scenarios.load(name), uri)
    engine.setup()
    start = time.perf_counter()
    result = engine.run()
    elapsed = time.perf_counter() - start
    sent = result.summary["chain"]["transactions"]
    return sent / elapsed, sent, elapsed


def main() -> None:
    name = sys.argv[1] if len(sys.argv) > 1 else "credit_default_ripple"
    with local_chain() as uri:
        raw = raw_tx_per_second(uri)
        eng, sent, elapsed = engine_tx_per_second(uri, name)
    print(f"raw JSON-RPC (send + poll receipt, sequential): {raw:8.1f} tx/s over {RAW_TXS} txs")
    print(f"engine ({name} run loop):        {eng:8.1f} tx/s ({sent} txs in {elapsed:.1f} s)")
    print(f"ratio engine/raw: {eng / raw:.2f} (target >= 0.5)")


if __name__ == "__main__":
    main()
