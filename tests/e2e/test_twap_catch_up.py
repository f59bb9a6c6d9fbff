"""A TWAP oracle keeps following the AMM after the market goes quiet (the keeper's catch-up updates)."""

SHORT_CRASH = ["run.duration_days=25"]


def test_twap_window_longer_than_the_panic__oracle_still_reaches_the_amm_price(run_scenario):
    # Found by the threshold fuzzer: with a window of an hour or more the engine fast-forwarded once
    # the panic ended, the keeper was never woken to update the TWAP, and the oracle stayed at the
    # pre-crash price to the end of the run (no liquidation, no bad debt).
    result = run_scenario("real_estate_flash_crash", *SHORT_CRASH, "market.oracle.twap_window_seconds=7200")
    crash = 20 * 86_400
    after = [r for r in result.timeseries if r["t_seconds"] >= crash + 3 * 7200]

    assert after, "the run has no step after the crash"
    assert after[0]["oracle_price_usd"] < 0.6 * result.timeseries[0]["oracle_price_usd"]
    assert result.summary["liquidations"]["count"] > 0
