"""Same seed, same summary (byte for byte), on the same node or on nodes started at different times;
a different oracle latency changes the outcome."""

from rwa_testbed import report
from rwa_testbed import scenario as sc
from rwa_testbed.chain import Rpc
from rwa_testbed.deployment import LOCAL_START_TIME
from rwa_testbed.engine import Engine
from rwa_testbed.node import start_anvil, stop_process

from .conftest import SMALL

SHORT_CRASH = ["run.duration_days=25"]


def test_same_seed__summary_json__byte_identical(run_scenario, summary_bytes, chain):
    snapshot = chain.snapshot()
    first = summary_bytes(run_scenario("real_estate_flash_crash", *SHORT_CRASH))
    chain.restore(snapshot)
    second = summary_bytes(run_scenario("real_estate_flash_crash", *SHORT_CRASH))

    assert first == second
    assert b'"liquidations"' in first


def test_different_seed__different_population__different_summary(run_scenario, summary_bytes, chain):
    snapshot = chain.snapshot()
    first = summary_bytes(run_scenario("real_estate_flash_crash", *SHORT_CRASH))
    chain.restore(snapshot)
    other = summary_bytes(run_scenario("real_estate_flash_crash", *SHORT_CRASH, "run.seed=8"))

    assert first != other


def _max_oracle_jump(result) -> float:
    prices = [r["oracle_price_usd"] for r in result.timeseries if r["oracle_price_usd"] > 0]
    return max(abs(b - a) / a for a, b in zip(prices, prices[1:]))


def test_oracle_latency__deviation_threshold__larger_jump_at_the_update(run_scenario, chain):
    # Weekly NAV reports through the latency oracle: publishing every report vs only moves >= 5 %.
    weekly = ["market.custodian.report_every_days=7", "run.duration_days=100"]
    snapshot = chain.snapshot()
    eager = run_scenario("credit_default_ripple", *weekly, "market.oracle.deviation_bps=0")
    chain.restore(snapshot)
    lazy = run_scenario("credit_default_ripple", *weekly, "market.oracle.deviation_bps=500")

    assert _max_oracle_jump(lazy) > _max_oracle_jump(eager)
    assert _max_oracle_jump(lazy) >= 0.05


def test_same_seed__nodes_started_at_different_times__same_start_and_summary():
    # anvil's genesis takes the wall clock; timestamps reach calldata (oracle reports, deadlines), whose
    # zero bytes cost less gas. Two nodes whose genesis differ by 77 s (as two runs started a minute
    # apart): every run on a local chain starts at the same chain time (`deployment.LOCAL_START_TIME`).
    scenario = sc.load("credit_default_ripple", SMALL)
    starts, summaries = [], []
    for genesis in (1_800_000_000, 1_800_000_077):
        proc, uri = start_anvil("--timestamp", str(genesis), "--prune-history")
        try:
            result = Engine(scenario, uri).run()
            first_block = Rpc(uri).call("eth_getBlockByNumber", "0x1", False)
            starts.append(int(first_block["timestamp"], 16))
            summaries.append(report.summary_json(result.summary))
        finally:
            stop_process(proc)

    first = LOCAL_START_TIME + scenario.run.block_time_seconds  # setup's first block, one block in
    assert starts == [first, first]
    assert summaries[0] == summaries[1]
    assert '"gas_used"' in summaries[0]
