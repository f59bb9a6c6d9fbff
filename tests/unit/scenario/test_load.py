"""Scenario validation: bad input stops before any chain work, with one message naming the field."""

import pytest

from rwa_testbed import scenario as sc


def test_builtin__all_load_and_validate():
    names = sc.builtin_names()
    assert {"credit_default_ripple", "real_estate_flash_crash", "calm_market"} <= set(names)
    for name in names:
        assert sc.load(name).name == name


@pytest.mark.parametrize(
    "override, field",
    [
        ("population.bogus=1", "population.bogus"),
        ("market.asset.size_usd=-5", "market.asset.size_usd"),
        ("run.seed=abc", "run.seed"),
        ("shocks.0.at_days=500", "shocks.0.at_days"),
        ("market.lending.collateral.ltv_bps=9000", "market.lending.collateral"),
        ("agents.liquidators.0.disposal=hold", "agents.liquidators.0"),
        ("market.oracle.kind=chainlink", "market.oracle.kind"),
        ("shocks.1.kind=meteor", "shocks.1"),
    ],
)
def test_load__invalid_field__names_the_path(override, field):
    with pytest.raises(sc.ScenarioError) as err:
        sc.load("credit_default_ripple", [override])
    assert field in str(err.value)


def test_load__override__changes_value_and_keeps_the_rest():
    s = sc.load("credit_default_ripple", ["market.oracle.delay_seconds=7200", "run.duration_days=90"], seed=3)
    assert s.market.oracle.delay_seconds == 7200
    assert s.run.duration_days == 90
    assert s.run.seed == 3
    assert s.market.asset.size_usd == 5_000_000_000


def test_load__unknown_scenario__lists_builtins():
    with pytest.raises(sc.ScenarioError, match="credit_default_ripple"):
        sc.load("no_such_scenario")


def test_override__malformed_assignment__is_rejected():
    with pytest.raises(sc.ScenarioError, match="key.path=value"):
        sc.load("credit_default_ripple", ["population.borrowers"])
