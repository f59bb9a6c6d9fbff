"""A shock kind is added in two places only: its config model in `scenario.py` (a `ShockBase`
subclass with a `kind` literal) and its class in `shocks.py` (registered with `@shock`)."""

import typing

import pytest

from rwa_testbed import scenario as sc
from rwa_testbed import shocks


def test_every_shock_config__has_its_registered_class():
    assert set(sc.SHOCK_CONFIGS) == set(shocks._REGISTRY)
    for config_type, cls in shocks._REGISTRY.items():
        assert issubclass(cls, shocks.Shock), cls


def test_shock_union__is_the_registered_configs_in_definition_order():
    union = typing.get_args(typing.get_args(sc.ShockConfig)[0])
    assert union == sc.SHOCK_CONFIGS
    assert sc.SHOCK_KINDS == {"default_wave", "nav_writedown", "nav_writeup", "rumor", "custodian_hack", "natural_disaster",
                              "liquidity_withdrawal", "oracle_outage", "oracle_latency_change", "stablecoin_depeg",
                              "true_value_path"}


def test_error_paths__drop_the_union_member_name():
    """pydantic puts the member's tag in an error's path; messages name the field path only."""
    data = sc.load("calm_market").model_dump(mode="json")
    data["shocks"] = [{"kind": "rumor", "at_days": 1.0, "holder_share_bps": -5}]
    with pytest.raises(sc.ScenarioError) as err:
        sc.from_dict(data)
    assert "shocks.0.holder_share_bps:" in str(err.value)
    assert "shocks.0.rumor" not in str(err.value)
