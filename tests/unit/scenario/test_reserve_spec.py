"""`ReserveSpec.validate`, the one copy of Aave's reserve rules, and the schema that calls it."""

import pytest
from pydantic import ValidationError

from rwa_testbed.models.reserve import ReserveSpec, max_liquidation_bonus_bps
from rwa_testbed.scenario import ReserveConfig
from rwa_testbed.units import RAY

ASSET, FEED = "0x" + "11" * 20, "0x" + "22" * 20


def collateral(**overrides):
    params = dict(ltv_bps=6_000, liquidation_threshold_bps=7_000, liquidation_bonus_bps=11_000)
    return ReserveSpec(asset=ASSET, price_feed=FEED, usable_as_collateral=True, **params | overrides)


def test_reserve_spec__aave_limit_threshold_times_bonus_at_100_percent__is_accepted():
    assert collateral(ltv_bps=9_000, liquidation_threshold_bps=9_500, liquidation_bonus_bps=10_500)


@pytest.mark.parametrize(
    "overrides, message",
    [
        (dict(ltv_bps=7_001), "ltv_bps must not exceed liquidation_threshold_bps"),
        (dict(liquidation_threshold_bps=0, ltv_bps=0), "liquidation_threshold_bps = 0"),
        (dict(liquidation_bonus_bps=10_000), "liquidation_bonus_bps = 10000 must exceed 10000"),
        (dict(liquidation_threshold_bps=9_600, ltv_bps=9_000, liquidation_bonus_bps=10_500),
         "liquidation_threshold_bps x liquidation_bonus_bps must be at most 100 %"),
        (dict(reserve_factor_bps=10_001), "reserve_factor_bps"),
        (dict(liquidation_protocol_fee_bps=-1), "liquidation_protocol_fee_bps"),
        (dict(supply_cap_tokens=2**36), "supply_cap_tokens"),
        (dict(optimal_usage_ray=RAY + 1), "optimal_usage_ray"),
        (dict(optimal_usage_ray=0), "optimal_usage_ray"),
    ],
)
def test_reserve_spec__outside_aave_limits__raises(overrides, message):
    with pytest.raises(ValueError, match=message):
        collateral(**overrides)


def test_reserve_spec__threshold_times_bonus__rounded_half_up_as_the_pool():
    # 9_524 x 10_500 / 10_000 = 10_000.2 bps: rounds to 10_000, the pool accepts it.
    assert collateral(ltv_bps=9_000, liquidation_threshold_bps=9_524, liquidation_bonus_bps=10_500)
    # 9_525 x 10_500 / 10_000 = 10_001.25 bps: the first threshold the pool rejects with this bonus.
    with pytest.raises(ValueError, match=r"liquidation_threshold_bps x liquidation_bonus_bps .* 9525 x 10500 = 10001"):
        collateral(ltv_bps=9_000, liquidation_threshold_bps=9_525, liquidation_bonus_bps=10_500)


def test_schema__boundary_pair__accepted_and_first_rejected_value_named():
    config = ReserveConfig(ltv_bps=9_000, liquidation_threshold_bps=9_524, liquidation_bonus_bps=10_500)
    assert config.spec(ASSET, FEED).to_pool_params()[:3] == (9_000, 9_524, 10_500)
    with pytest.raises(ValidationError, match="liquidation_threshold_bps x liquidation_bonus_bps"):
        ReserveConfig(ltv_bps=9_000, liquidation_threshold_bps=9_525, liquidation_bonus_bps=10_500)


def test_schema__spec__bps_rates_become_ray_and_a_non_collateral_lists_zero_risk_params():
    stable = ReserveConfig(borrowing_enabled=True, optimal_utilization_bps=9_000, slope1_bps=400).spec(ASSET, FEED)
    assert not stable.usable_as_collateral
    assert stable.to_pool_params() == (0, 0, 0, 1_000, 1_000, 0, 0, True, RAY * 9 // 10, 0, RAY * 4 // 100,
                                       RAY * 60 // 100)


@pytest.mark.parametrize("threshold", [3_000, 7_000, 8_100, 9_300, 9_524, 9_999, 10_000])
def test_max_liquidation_bonus__the_largest_bonus_validate_accepts(threshold):
    bonus = max_liquidation_bonus_bps(threshold)
    if bonus > 10_000:
        collateral(ltv_bps=0, liquidation_threshold_bps=threshold, liquidation_bonus_bps=bonus)
    with pytest.raises(ValueError):
        collateral(ltv_bps=0, liquidation_threshold_bps=threshold, liquidation_bonus_bps=bonus + 1)
