"""The scenario language's later fields: stablecoin pricing, price and value paths, nav_writeup, the
treasury_fund kind, `--set` appending with `+`, and errors that list what is allowed."""

import pytest

from rwa_testbed import scenario as sc


def load(*overrides, name="calm_market"):
    return sc.load(name, list(overrides))


def error(*overrides, name="calm_market") -> str:
    with pytest.raises(sc.ScenarioError) as err:
        load(*overrides, name=name)
    return str(err.value)


# -- stablecoin pricing ----------------------------------------------------------------------------


def test_stablecoin_pricing__default_market_at_one_dollar():
    stable = load().market.stablecoin

    assert (stable.pricing, stable.fixed_price_usd, stable.pool_price_usd()) == ("market", None, 1.0)


def test_stablecoin_pricing__fixed__default_one_dollar_or_the_given_price():
    assert load("market.stablecoin.pricing=fixed").market.stablecoin.pool_price_usd() == 1.0
    stable = load("market.stablecoin={pricing: fixed, fixed_price_usd: 0.999}").market.stablecoin
    assert stable.pool_price_usd() == 0.999


@pytest.mark.parametrize("override, expected", [
    ("market.stablecoin.pricing=fixd", "market.stablecoin.pricing: Input should be 'market' or 'fixed'"),
    ("market.stablecoin.fixed_price_usd=0.99", "market.stablecoin.fixed_price_usd, market.stablecoin.pricing:"),
    ("market.stablecoin={pricing: fixed, fixed_price_usd: 0}", "market.stablecoin.fixed_price_usd: Input should be greater than 0"),
    ("market.stablecoin={pricing: fixed, fixed_price_usd: .inf}", "market.stablecoin.fixed_price_usd:"),
    ("market.stablecoin={pricing: fixed, fixed_price_usd: 3}", "less than or equal to 2"),
])
def test_stablecoin_pricing__bad_values__field_path(override, expected):
    assert expected in error(override)


# -- paths -----------------------------------------------------------------------------------------


def test_depeg_path__loads_with_default_deviation():
    shock = load("shocks=[{kind: stablecoin_depeg, at_days: 1, path: [[0.1, 0.9], [1, 0.9], [2, 1.0]]}]").shocks[0]

    assert shock.path == [(0.1, 0.9), (1.0, 0.9), (2.0, 1.0)] and shock.publish_deviation_bps == 25


@pytest.mark.parametrize("shock, expected", [
    ("{kind: stablecoin_depeg, at_days: 1}", "give price_usd and duration_days (one depeg) or path"),
    ("{kind: stablecoin_depeg, at_days: 1, price_usd: 0.9}", "give price_usd and duration_days"),
    ("{kind: stablecoin_depeg, at_days: 1, price_usd: 0.9, path: [[0, 0.9]]}", "not both (price_usd given)"),
    ("{kind: stablecoin_depeg, at_days: 1, path: []}", "shocks.0.path: List should have at least 1 item"),
    ("{kind: stablecoin_depeg, at_days: 1, path: [[1, 0.9], [1, 0.8]]}", "days must increase"),
    ("{kind: stablecoin_depeg, at_days: 1, path: [[0, 0.0001]]}", "shocks.0.path.0.1: Input should be greater than or equal to 0.001"),
    ("{kind: stablecoin_depeg, at_days: 1, path: [[-1, 0.9]]}", "shocks.0.path.0.0:"),
    ("{kind: stablecoin_depeg, at_days: 1, path: [[0, .nan]]}", "shocks.0.path.0.1:"),
    ("{kind: stablecoin_depeg, at_days: 1, path: [[0, 0.9]], publish_deviation_bps: 1}", "publish_deviation_bps"),
    ("{kind: stablecoin_depeg, at_days: 1, path: [0.9]}", "shocks.0.path.0:"),
    ("{kind: nav_writedown, at_days: 1}", "give either nav_drop_pct (one jump at at_days) or path (points), not neither"),
    ("{kind: nav_writedown, at_days: 1, nav_drop_pct: 5, path: [[0, 5]]}", "not both"),
    ("{kind: nav_writedown, at_days: 1, nav_drop_pct: -5}", "shocks.0.nav_drop_pct: Input should be greater than or equal to 0"),
    ("{kind: nav_writedown, at_days: 1, path: [[0, 101]]}", "shocks.0.path.0.1: Input should be less than or equal to 100"),
    ("{kind: natural_disaster, at_days: 1}", "value_drop_pct"),
    ("{kind: nav_writeup, at_days: 1}", "give either nav_rise_pct"),
    ("{kind: nav_writeup, at_days: 1, nav_rise_pct: -1}", "shocks.0.nav_rise_pct: Input should be greater than or equal to 0"),
    ("{kind: nav_writeup, at_days: 1, nav_rise_pct: 1001}", "shocks.0.nav_rise_pct: Input should be less than or equal to 1000"),
    ("{kind: nav_writeup, at_days: 1, path: [[2, 5], [1, 8]]}", "days must increase"),
])
def test_paths_and_writeup__bad_values__field_path(shock, expected):
    assert expected in error(f"shocks=[{shock}]")


@pytest.mark.parametrize("shock", [
    "{kind: nav_writedown, at_days: 1, path: [[0, 5], [10, 20], [30, 10]]}",
    "{kind: natural_disaster, at_days: 1, path: [[1, 35]]}",
    "{kind: nav_writeup, at_days: 1, nav_rise_pct: 8}",
    "{kind: nav_writeup, at_days: 1, path: [[5, 8]], report_immediately: false}",
])
def test_value_paths__load(shock):
    assert load(f"shocks=[{shock}]").shocks[0].at_days == 1


# The built-ins written before paths existed keep their single jumps (their summaries are
# byte-identical); the incident library (README, "Incident library") uses paths on purpose.
ORIGINAL_BUILTINS = ("credit_default_ripple", "real_estate_flash_crash", "calm_market", "concentrated_whale")


def test_builtin_single_jump_fields__load_as_before():
    assert set(ORIGINAL_BUILTINS) <= set(sc.builtin_names())
    for name in ORIGINAL_BUILTINS:
        for shock in sc.load(name).shocks:
            assert getattr(shock, "path", None) is None


# -- treasury_fund ---------------------------------------------------------------------------------


def test_treasury_fund__defaults_where_left_out():
    import yaml
    data = yaml.safe_load(sc.resolve("calm_market").read_text())
    data["market"]["asset"]["kind"] = "treasury_fund"
    del data["market"]["asset"]["redemption_delay_days"]
    data["market"]["custodian"] = {"reporting_lag_days": 0}

    s = sc.from_dict(data)

    assert (s.market.custodian.report_every_days, s.market.asset.redemption_delay_days) == (1, 1)


def test_treasury_fund__t_plus_zero_allowed():
    s = load("market.asset.kind=treasury_fund", "market.custodian={}", "market.asset.redemption_delay_days=0")

    assert s.market.asset.redemption_delay_days == 0 and s.market.custodian.report_every_days == 1


@pytest.mark.parametrize("overrides, field", [
    (["market.asset.kind=treasury_fund", "market.asset.redemption_delay_days=0"], "market.custodian.report_every_days"),
    (["market.asset.kind=treasury_fund", "market.custodian={}"], "market.asset.redemption_delay_days"),
])
def test_treasury_fund__slower_cadence__names_the_field(overrides, field):
    assert f"{field}, market.asset.kind: a treasury_fund has a daily NAV" in error(*overrides)


def test_asset_kind__unknown__lists_the_kinds():
    assert "'private_credit', 'real_estate' or 'treasury_fund'" in error("market.asset.kind=bond")


# -- --set: append and whole objects ---------------------------------------------------------------


def test_set_append__adds_to_the_list():
    s = load("agents.liquidators.+={count: 2, atomic: false, disposal: hold}", name="credit_default_ripple")

    base = load(name="credit_default_ripple")
    assert len(s.agents.liquidators) == len(base.agents.liquidators) + 1
    assert s.agents.liquidators[-1].disposal == "hold"


def test_set_append__to_a_list_the_document_leaves_out__adds_to_the_default():
    s = load("agents.liquidators.+={count: 2}")

    assert [x.count for x in s.agents.liquidators] == [sc.LiquidatorConfig().count, 2]


def test_set_append__shock_then_set_its_field_by_index():
    s = load("shocks.+={kind: nav_writeup, at_days: 1, nav_rise_pct: 8}", "shocks.0.nav_rise_pct=9")

    assert s.shocks[-1].nav_rise_pct == 9


@pytest.mark.parametrize("override, expected", [
    ("agents.liquidators.1=1", "is not an index of that list (0 to 0; '+' as the last key appends)"),
    ("shocks.+.at_days=1", "'+' appends to a list and must be the last key"),
    ("run.+=1", "'+' appends to a list, and the value there is not a list"),
])
def test_set_append__misuse__one_clear_error(override, expected):
    assert expected in error(override, name="credit_default_ripple")


def test_set_whole_mapping__replaces_the_object():
    s = load("market.oracle={kind: twap, twap_window_seconds: 600}")

    assert (s.market.oracle.kind, s.market.oracle.twap_window_seconds, s.market.oracle.delay_seconds) == ("twap", 600, 0)


# -- errors list what is allowed -------------------------------------------------------------------


@pytest.mark.parametrize("override, allowed", [
    ("market.stablecoin.fixed_price=1", "allowed here: name, symbol, pricing, fixed_price_usd"),
    ("market.asset.kindd=x", "allowed here: kind, name, symbol, size_usd"),
    ("agents.liquidators=[{atomicc: true}]", "allowed here: count, capital_usd"),
    ("shocks=[{kind: nav_writeup, at_days: 1, nav_rise_pct: 1, price_usd: 1}]",
     "allowed here: at_days, offchain_days, kind, nav_rise_pct, path, report_immediately"),
    ("typo=1", "allowed here: name, description, market, population, agents, shocks, stochastic, venue, run"),
])
def test_unknown_field__error_lists_the_allowed_fields(override, allowed):
    message = error(override)

    assert "Extra inputs are not permitted" in message and allowed in message


def test_unknown_shock_kind__lists_the_kinds():
    message = error("shocks=[{kind: nav_write_up, at_days: 1}]")

    assert "nav_writeup" in message and "stablecoin_depeg" in message
