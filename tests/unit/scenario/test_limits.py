"""Numbers the contracts cannot hold, YAML that would blow up, names that would leave the results
folder: all stop at load with one short message naming the field."""

from pathlib import Path

import pytest

from rwa_testbed import runner
from rwa_testbed import scenario as sc


def _message(overrides, name="credit_default_ripple"):
    with pytest.raises(sc.ScenarioError) as err:
        sc.load(name, overrides)
    return str(err.value)


@pytest.mark.parametrize("field", [
    "market.asset.size_usd", "market.asset.nav_per_token_usd", "market.amm.depth_usd",
    "market.lending.stable_supply_usd", "population.collateral_usd_total", "population.holders_usd_total",
    "agents.liquidators.0.capital_usd", "agents.arbitrageurs.capital_usd", "agents.arbitrageurs.max_trade_usd",
    "agents.arbitrageurs.capital_inflow_usd_per_day", "market.asset.redemption_delay_days",
    "market.custodian.report_every_days", "population.collateral_size_sigma", "population.health_factor.max",
    "shocks.0.nav_drop_pct", "shocks.0.over_days", "shocks.1.within_minutes", "run.duration_days",
])
@pytest.mark.parametrize("value", [".inf", "-.inf", ".nan", "1.0e80"])
def test_number__non_finite_or_huge__rejected_with_the_field_path(field, value):
    assert field in _message([f"{field}={value}"])


@pytest.mark.parametrize("field", ["market.oracle.delay_seconds", "market.oracle.heartbeat_seconds",
                                   "market.oracle.max_age_seconds", "run.seed"])
def test_integer__past_its_range__rejected_with_the_field_path(field):
    assert field in _message([f"{field}={10**80}"])


def test_usd__at_the_bound__loads_and_past_it__is_rejected():
    assert sc.load("credit_default_ripple", ["market.asset.size_usd=1.0e15"]).market.asset.size_usd == sc.MAX_USD
    assert "less than or equal to 1000000000000000" in _message(["market.asset.size_usd=1.1e15"])


def _alias_bomb(levels=9, fanout=9):
    lines = ["a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    for i in range(1, levels):
        lines.append(f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * fanout) + "]")
    return "\n".join(lines) + "\n"


def test_yaml__alias_bomb_file__one_short_error(tmp_path):
    path = tmp_path / "bomb.yaml"
    path.write_text(_alias_bomb())
    assert path.stat().st_size < 1_300
    with pytest.raises(sc.ScenarioError) as err:
        sc.load(str(path))
    assert "aliases expanded" in str(err.value) and len(str(err.value)) < 300


def test_yaml__a_few_aliases__still_load():
    assert sc.parse_yaml("fee: &fee {fee_bps: 30}\namm: *fee\n", "t") == {"fee": {"fee_bps": 30}, "amm": {"fee_bps": 30}}


def test_yaml__recursive_alias__rejected():
    assert "recursive" in _message(["description=&a [*a]"])


def test_yaml__file_too_large__rejected_before_parsing(tmp_path):
    path = tmp_path / "big.yaml"
    path.write_text("name: x\n" + "#" * (sc.MAX_FILE_BYTES + 1))
    assert "larger than" in _message([], name=str(path))


def test_yaml__long_rejected_value__message_cut():
    msg = _message(["run.seed=" + "x" * 100_000])
    assert "run.seed" in msg and len(msg) < sc.MAX_MESSAGE_CHARS


@pytest.mark.parametrize("assignment", ["x=[1,", "x={a: 1", 'x="open', "x=!!python/object:os.system 1",
                                        "x=" + "9" * 5_000, "x=" + "[" * 5_000])
def test_set__malformed_value__one_line_scenario_error(assignment):
    msg = _message([assignment])
    assert msg.startswith("--set x: ") and "\n" not in msg


@pytest.mark.parametrize("key", ["shocks.\u00b2", "shocks.\u00b2.x", "shocks." + "9" * 5_000, "shocks.\u0663", "shocks.-1"],
                         ids=["superscript", "superscript-nested", "5000-digits", "arabic-indic", "negative"])
def test_set__list_index_not_ascii_digits_or_too_long__scenario_error(key):
    """Found while writing the fuzz test: '²'.isdigit() is True but int('²') raises ValueError."""
    assert "is not an index of that list" in _message([f"{key}=1"])


@pytest.mark.parametrize("name", ["../../../../etc/cron.d/x", "a/b", ".hidden", "..", "a..b", "", "x" * 101])
def test_name__not_a_plain_folder_name__rejected(name):
    assert "name" in _message([f"name='{name}'"])


@pytest.mark.parametrize("out_dir", ["/etc", "../up", "results/../../x", "a\\b"])
def test_out_dir__absolute_or_upward__rejected(out_dir):
    assert "run.out_dir" in _message([f"run.out_dir='{out_dir}'"])


def test_output_dir__inside_the_results_folder():
    s = sc.load("credit_default_ripple", ["run.out_dir=results/mine"])
    assert runner.output_dir(s) == Path("results/mine/credit_default_ripple/seed-42")


def test_output_dir__unvalidated_name__refused():
    s = sc.load("credit_default_ripple")
    escaped = s.model_copy(update={"name": "../../../../etc/cron.d/x"})
    with pytest.raises(sc.ScenarioError, match="results folder"):
        runner.output_dir(escaped)
