"""Same seed, same summary (byte for byte); a different oracle latency changes the outcome."""

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
