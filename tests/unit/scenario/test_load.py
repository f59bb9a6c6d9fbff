"""Scenario validation: bad input stops before any chain work, with one message naming the field."""

import pytest

from rwa_testbed import scenario as sc


def test_builtin__all_load_and_validate():
    names = sc.builtin_names()
    assert {"credit_default_ripple", "real_estate_flash_crash", "calm_market", "concentrated_whale",
            "usdc_depeg_tbill_market", "usdc_depeg_tbill_fixed", "maple_orthogonal_default"} <= set(names)
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


def test_max_price_age__default__fits_each_feeds_cadence():
    """A NAV attested every 30 days through a 1 h delay: a report up to 3 days late keeps the pool
    open; a TWAP (updated only while the AMM moves) is unchecked; a heartbeat longer than the
    report interval sets the cadence (it publishes a held-back report; it never republishes an old
    answer, so an hourly heartbeat does not keep a monthly NAV fresh)."""
    assert sc.load("credit_default_ripple").collateral_max_price_age_seconds() == 33 * 86_400 + 3_600
    assert sc.load("calm_market").collateral_max_price_age_seconds() == 33 * 86_400 + 3_600
    assert sc.load("real_estate_flash_crash").collateral_max_price_age_seconds() == 0
    hourly = sc.load("credit_default_ripple", ["market.oracle.heartbeat_seconds=3600"])
    assert hourly.collateral_max_price_age_seconds() == 33 * 86_400 + 3_600
    slow = sc.load("credit_default_ripple", ["market.oracle.heartbeat_seconds=5184000", "market.oracle.deviation_bps=50"])
    assert slow.collateral_max_price_age_seconds() == 66 * 86_400 + 3_600  # 60 days + 10 % + the delay
    threshold_only = sc.load("credit_default_ripple", ["market.oracle.deviation_bps=50"])
    assert threshold_only.collateral_max_price_age_seconds() == 0  # an unchanged NAV is never republished


def test_max_price_age__outages_and_slower_oracles_in_the_timeline_extend_the_default():
    s = sc.load("credit_default_ripple", [
        "shocks=[{kind: oracle_outage, at_days: 10, duration_days: 5}, "
        "{kind: oracle_latency_change, at_days: 20, delay_seconds: 86400}]"])
    assert s.collateral_max_price_age_seconds() == 33 * 86_400 + 86_400 + 5 * 86_400


def test_max_price_age__set__wins_and_must_not_be_negative():
    assert sc.load("real_estate_flash_crash", ["market.oracle.max_age_seconds=3600"]
                   ).collateral_max_price_age_seconds() == 3_600
    with pytest.raises(sc.ScenarioError) as err:
        sc.load("credit_default_ripple", ["market.oracle.max_age_seconds=-1"])
    assert "market.oracle.max_age_seconds" in str(err.value)


def test_max_price_age__conservative_oracle__unchecked_with_twap_side_else_latency_plus_freeze():
    """The pool reads the conservative oracle's rounds: with a TWAP side as unchecked as a TWAP; over
    a latency feed alone a freeze holds the last round back `freeze_seconds` longer."""
    guard = "market.mitigations.oracle."
    assert sc.load("credit_default_ripple", [guard + "min_nav_twap=true"]).collateral_max_price_age_seconds() == 0
    frozen = sc.load("credit_default_ripple", [guard + "max_change_bps=1500", guard + "freeze_seconds=86400"])
    assert frozen.collateral_max_price_age_seconds() == 33 * 86_400 + 3_600 + 86_400
    assert sc.load("real_estate_flash_crash", [guard + "max_change_bps=1500"]).collateral_max_price_age_seconds() == 0
