"""The built-in scenarios end to end on the real contracts: cascades happen, calm markets stay calm."""

from eth_abi import decode
from eth_utils import keccak

PRICE_SOURCE_SET = "0x" + keccak(text="PriceSourceSet(address,address,uint256)").hex()


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


def test_calm_market__no_shock__no_liquidation(run_scenario, chain):
    start = chain.blocks.head.number
    result = run_scenario("calm_market")
    s = result.summary

    # The SPV feed's staleness limit is on the pool (a monthly NAV: 33 days 1 h), and four months
    # of monthly reports never tripped it (a stale price would have stopped the engine's reads).
    logs = chain.provider.web3.eth.get_logs({"fromBlock": start, "topics": [PRICE_SOURCE_SET]})
    ages = [decode(["address", "uint256"], bytes(log["data"]))[1] for log in logs]
    assert ages == [0, 0, result.scenario.collateral_max_price_age_seconds()]  # listing both, then the SPV's
    assert ages[-1] == 33 * 86_400 + 3_600

    assert s["liquidations"]["count"] == 0
    assert s["bad_debt"]["usd"] == 0
    assert s["liquidatable_debt"]["peak_usd"] == 0
    assert s["pool"]["solvent"] is True


def test_real_estate_flash_crash__liquidators__profit_from_the_bonus(run_scenario):
    s = run_scenario("real_estate_flash_crash").summary

    assert s["liquidators"]["atomic_profit_usd"] > 0
    # The capital desk holds collateral bought at the crashed TWAP; at the true value it gained.
    assert s["liquidators"]["pnl_at_true_value_usd"] > s["liquidators"]["atomic_profit_usd"]
