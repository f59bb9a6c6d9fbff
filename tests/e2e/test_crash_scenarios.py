"""The built-in scenarios end to end on the real contracts: cascades happen, calm markets stay calm."""

import pytest
from eth_abi import decode
from eth_utils import keccak

from rwa_testbed.chain import derive_account

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


def test_real_estate_flash_crash__collateral_below_debt__expected_loss_beyond_the_deficit(run_scenario):
    result = run_scenario("real_estate_flash_crash")
    s, final = result.summary, result.timeseries[-1]
    insolvency = s["insolvency"]

    # Expected loss = realised deficit + debt its collateral does not cover at true value, in
    # every row and in the summary.
    for row in result.timeseries:
        assert row["expected_lender_loss_usd"] == pytest.approx(
            row["deficit_usd"] + row["insolvent_debt_at_true_value_usd"], rel=1e-12)
    assert insolvency["expected_lender_loss_usd"] == s["lenders"]["expected_loss_usd"] == pytest.approx(
        s["bad_debt"]["usd"] + insolvency["at_true_value"]["final_usd"], rel=1e-12)
    assert insolvency["expected_lender_loss_usd"] >= s["bad_debt"]["usd"] > 0
    # The hack and the hurricane cut the true value below what many positions owe before any liquidation.
    assert insolvency["at_true_value"]["peak_usd"] > 0
    assert insolvency["at_true_value"]["final_usd"] <= final["total_debt_usd"]
    # A lower price for the collateral never leaves less debt uncovered (no stablecoin depeg here).
    prices = {"at_true_value": final["true_nav_usd"], "at_oracle": final["oracle_price_usd"],
              "at_amm": final["amm_price_usd"]}
    by_price = sorted(prices, key=prices.get)
    finals = [insolvency[k]["final_usd"] for k in by_price]
    assert all(a >= b * (1 - 1e-9) for a, b in zip(finals, finals[1:])), dict(zip(by_price, finals))
    assert s["pool"]["solvent"] is False


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
    # Every position stays covered at every price, and lenders expect no loss.
    for valuation in ("at_true_value", "at_oracle", "at_amm"):
        assert s["insolvency"][valuation] == {"final_usd": 0.0, "peak_usd": 0.0}, valuation
    assert s["insolvency"]["peak_expected_lender_loss_usd"] == 0
    assert s["lenders"]["expected_loss_usd"] == 0
    assert s["unliquidated"]["position_steps"] == 0


def test_real_estate_flash_crash__liquidators__profit_from_the_bonus(run_scenario):
    s = run_scenario("real_estate_flash_crash").summary

    assert s["liquidators"]["atomic_profit_usd"] > 0
    # The capital desk holds collateral bought at the crashed TWAP; at the true value it gained.
    assert s["liquidators"]["pnl_at_true_value_usd"] > s["liquidators"]["atomic_profit_usd"]


def test_real_estate_flash_crash__no_liquidator__every_liquidatable_position_unliquidated(run_scenario):
    result = run_scenario("real_estate_flash_crash", "agents.liquidators=[]")
    s = result.summary

    assert s["liquidations"]["count"] == 0
    assert result.unliquidated and {p["reason"] for p in result.unliquidated} == {"no_liquidator"}
    assert all(p["min_health_factor"] < 1 for p in result.unliquidated)
    section = s["unliquidated"]
    assert section["position_steps"] == sum(p["steps"] for p in result.unliquidated)
    assert list(section["by_reason"]) == ["no_liquidator"]
    # The last step acted on the view the row before the last one recorded.
    assert section["final_debt_usd"] == pytest.approx(result.timeseries[-2]["liquidatable_debt_usd"], rel=1e-9)
    # Nothing liquidated, nothing realised: the loss is all unrealised.
    assert s["bad_debt"]["usd"] == 0
    assert s["lenders"]["expected_loss_usd"] == s["insolvency"]["at_true_value"]["final_usd"] > 0
    assert s["pool"]["solvent"] is False


def test_concentrated_whale__partial_liquidations_over_tens_of_minutes__market_insolvent(run_scenario):
    # The CRV shape (Aave, 22 Nov 2022): one position too big for the AMM, closed slice by slice.
    result = run_scenario("concentrated_whale")
    s, liqs = result.summary, result.liquidations
    whale = result.population.positions[0]
    whale_user = derive_account(result.scenario.run.seed, "borrower", 0).address.lower()  # explicit positions come first

    assert whale.collateral_tokens > 10 * max(p.collateral_tokens for p in result.population.positions[1:])
    assert s["liquidations"]["count"] > 20
    assert s["timing"]["onchain_cascade_seconds"] > 10 * 60
    # Partial: many liquidations of the same (dominant) borrower, each a small slice of its debt.
    slices = [x["debt_repaid_usd"] for x in liqs if x["user"].lower() == whale_user]
    assert len(slices) > 20 and max(slices) < 0.05 * whale.debt_usd
    # The AMM price falls as slices are dumped, and the debt left is not covered at market prices.
    assert s["prices"]["min_amm_usd"] < 0.5 * s["prices"]["final_true_nav_usd"]
    assert s["bad_debt"]["usd"] > 0 or s["insolvency"]["at_amm"]["final_usd"] > 0
