"""Write-downs and write-offs reach the chain: an announced write-down is reported as of its own date
whatever the reporting lag, and a total write-off moves the pool (no "solvent" with a worthless asset)."""

import pytest

from rwa_testbed.units import SECONDS_PER_DAY

HOUR = 3_600


def test_nav_writedown__ten_day_reporting_lag__reported_as_of_the_shock_and_oracle_moves_after_its_delay(run_scenario):
    # calm_market: monthly reports with a 10-day lag, oracle delay 1 h. Found by a new user: the
    # write-down's report said "NAV $1.0026 as of day 10.0", and the cut reached the chain on day 30.
    result = run_scenario("calm_market", "run.duration_days=22",
                          "shocks=[{kind: nav_writedown, at_days: 20, nav_drop_pct: 30}]")
    at = 20 * SECONDS_PER_DAY
    reports = [e for e in result.events if e["kind"] == "nav_report" and e["t_seconds"] == at]

    assert len(reports) == 1
    assert "as of day 20.0" in reports[0]["description"]
    written_down = next(r["true_nav_usd"] for r in result.timeseries if r["t_seconds"] >= at)
    assert written_down < 0.75
    assert f"${written_down:.4f} as of day 20.0" in reports[0]["description"]
    # The latency oracle publishes it once its 1 h delay has passed, within a block.
    block = result.scenario.run.block_time_seconds
    before = [r for r in result.timeseries if r["t_seconds"] < at + HOUR]
    after = [r for r in result.timeseries if r["t_seconds"] >= at + HOUR + block]
    assert before[-1]["oracle_price_usd"] > 0.99
    assert after[0]["t_seconds"] <= at + HOUR + 2 * block
    assert after[0]["oracle_price_usd"] == pytest.approx(written_down, abs=1e-8)


def test_total_write_off__pool_prices_collateral_near_zero__debt_insolvent_not_solvent(run_scenario):
    result = run_scenario("calm_market", "run.duration_days=6",
                          "shocks=[{kind: nav_writedown, at_days: 5, nav_drop_pct: 100}]")
    s, last = result.summary, result.timeseries[-1]

    assert last["true_nav_usd"] == 0
    # The feed cannot publish 0: it publishes its smallest answer, 1e-8 USD.
    assert last["oracle_price_usd"] == pytest.approx(1e-8)
    # Every position is liquidatable; nobody profits from worthless collateral.
    assert last["liquidatable_debt_usd"] == pytest.approx(last["total_debt_usd"], rel=1e-6)
    assert s["insolvency"]["at_true_value"]["final_usd"] == pytest.approx(last["total_debt_usd"], rel=1e-6)
    assert s["insolvency"]["at_oracle"]["final_usd"] == pytest.approx(last["total_debt_usd"], rel=1e-6)
    assert s["lenders"]["expected_loss_usd"] > 0.5 * s["population"]["borrowed_usd"]
    assert s["pool"]["solvent"] is False
    assert s["unliquidated"]["by_reason"], "the outputs say why the debt stayed unliquidated"
