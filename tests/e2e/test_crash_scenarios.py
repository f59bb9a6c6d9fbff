"""The built-in scenarios end to end on the real contracts: cascades happen, calm markets stay calm."""

from rwa_testbed.market import STABLE_DECIMALS


def test_credit_default_ripple__rumor_and_reports__liquidate_within_minutes(run_scenario):
    result = run_scenario("credit_default_ripple")
    s = result.summary

    assert s["liquidations"]["count"] > 0
    assert s["liquidations"]["debt_repaid_usd"] > 0
    # The token traded below its true value, and the cascade took minutes while the defaults took months.
    assert s["prices"]["max_discount_amm_to_true_pct"] > 1
    assert 0 < s["timing"]["onchain_cascade_seconds"] < 6 * 3600
    assert s["timing"]["offchain_shock_seconds"] >= 60 * 86_400
    # Liquidation rows come from the pool's events and add up to the summary.
    assert sum(x["debt_repaid_usd"] for x in result.liquidations) == s["liquidations"]["debt_repaid_usd"]


def test_real_estate_flash_crash__hack_and_hurricane__leave_on_chain_deficit(run_scenario, chain):
    result = run_scenario("real_estate_flash_crash")
    s = result.summary

    assert s["liquidations"]["count"] > 0
    assert s["bad_debt"]["usd"] > 0
    assert s["pool"]["solvent"] is False
    # The reported bad debt is the pool's on-chain deficit at the end of the run.
    assert result.timeseries[-1]["deficit_usd"] == s["bad_debt"]["usd"]
    assert any(x["deficit_created_usd"] > 0 for x in result.liquidations)


def test_calm_market__no_shock__no_liquidation(run_scenario):
    result = run_scenario("calm_market")
    s = result.summary

    assert s["liquidations"]["count"] == 0
    assert s["bad_debt"]["usd"] == 0
    assert s["liquidatable_debt"]["peak_usd"] == 0
    assert s["pool"]["solvent"] is True


def test_real_estate_flash_crash__liquidators__profit_from_the_bonus(run_scenario):
    s = run_scenario("real_estate_flash_crash").summary

    assert s["liquidators"]["atomic_profit_usd"] > 0
    # The capital desk holds collateral bought at the crashed TWAP; at the true value it gained.
    assert s["liquidators"]["pnl_at_true_value_usd"] > s["liquidators"]["atomic_profit_usd"]
