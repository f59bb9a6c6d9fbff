"""Rules across fields: checked when the scenario loads, before any chain work, one message that
starts with the fields it names; the script stops with exit code 2 without starting a node."""

import importlib.util
from pathlib import Path

import pytest
from click.testing import CliRunner

from rwa_testbed import scenario as sc

SCRIPT = Path(__file__).parents[3] / "scripts" / "crash_scenario.py"


def _message(name, overrides):
    with pytest.raises(sc.ScenarioError) as err:
        sc.load(name, overrides)
    return str(err.value)


def test_budget__amm_depth_past_the_issued_tokens__names_every_term():
    """concentrated_whale issues $1B of tokens; a $1.5B AMM needs $750M of them beside $260M of
    collateral, $20M of holders' tokens and $15M of arbitrage inventory: $1,045M."""
    msg = _message("concentrated_whale", ["market.amm.depth_usd=1500000000"])
    assert "market.asset.size_usd, population.collateral_usd_total" in msg
    assert "market.amm.depth_usd" in msg and "agents.arbitrageurs" in msg
    assert "collateral (260,000,000) + holders (20,000,000) + AMM side (750,000,000)" in msg
    assert "arbitrage inventory (15,000,000) = 1,045,000,000 USD" in msg


def test_budget__exactly_covered__loads():
    s = sc.load("concentrated_whale")
    budget = sc.token_budget(s)
    room = s.market.asset.size_usd - sum(budget.values())
    sc.load("concentrated_whale", [f"market.amm.depth_usd={s.market.amm.depth_usd + 2 * room:.0f}"])


def test_stable_supply__below_what_the_population_borrows__names_both():
    msg = _message("credit_default_ripple", ["market.lending.stable_supply_usd=1000"])
    assert msg.split(": ", 1)[1].startswith("market.lending.stable_supply_usd, population: lenders supply 1,000 USD")
    assert "seed 42" in msg


def test_twap_oracle__with_a_latency_change_shock__is_rejected_at_load():
    msg = _message("real_estate_flash_crash",
                   ["shocks.1={kind: oracle_latency_change, at_days: 1, delay_seconds: 60}"])
    assert "shocks.1, market.oracle.kind: oracle_latency_change" in msg


def test_explicit_position__below_the_ltv_limit__names_position_and_reserve():
    msg = _message("concentrated_whale", ["population.positions.0.health_factor=1.01"])
    assert "population.positions.0.health_factor, market.lending.collateral: 1.01 is below the LTV limit" in msg


def test_borrowers__collateral_without_ltv__is_rejected():
    msg = _message("credit_default_ripple", ["market.lending.collateral.ltv_bps=0"])
    assert "market.lending.collateral.ltv_bps, population.borrowers" in msg


def test_token_count__past_the_amm_uint112__is_rejected():
    msg = _message("credit_default_ripple", ["market.asset.nav_per_token_usd=1e-9"])
    assert "market.asset.size_usd, market.asset.nav_per_token_usd" in msg and "uint112" in msg


def test_shock_after_the_end__names_shock_and_duration():
    msg = _message("credit_default_ripple", ["shocks.0.at_days=500"])
    assert "shocks.0.at_days, run.duration_days" in msg


def test_rules__copied_scenario__checked_again_by_the_same_function():
    s = sc.load("credit_default_ripple")
    bad = s.model_copy(update={"market": s.market.model_copy(update={
        "amm": s.market.amm.model_copy(update={"depth_usd": 1e13})})})
    with pytest.raises(sc.ScenarioError, match="market.amm.depth_usd"):
        sc.check_rules(bad)


@pytest.fixture(scope="module")
def crash_scenario_cli():
    spec = importlib.util.spec_from_file_location("crash_scenario_under_test", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.cli


@pytest.mark.parametrize("sets", [
    ["market.amm.depth_usd=1500000000"],
    ["x=[1,"],
    ["market.asset.size_usd=.inf"],
    ["name=../../../../etc/cron.d/x"],
])
def test_crash_scenario__bad_scenario__exits_2_with_one_error_line_before_any_chain(crash_scenario_cli, sets):
    args = ["--scenario", "concentrated_whale"] + [a for s in sets for a in ("--set", s)]
    result = CliRunner().invoke(crash_scenario_cli, args)
    assert result.exit_code == 2
    errors = [line for line in result.output.splitlines() if line.startswith("Error: ")]
    assert len(errors) == 1 and "Traceback" not in result.output
