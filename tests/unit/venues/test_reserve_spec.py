import pytest

from rwa_testbed.venues.spec import RAY, ReserveSpec

ASSET, FEED = "0x" + "11" * 20, "0x" + "22" * 20


def collateral(**overrides):
    params = dict(ltv_bps=6_000, liquidation_threshold_bps=7_000, liquidation_bonus_bps=11_000)
    return ReserveSpec(asset=ASSET, price_feed=FEED, usable_as_collateral=True, **params | overrides)


def test_reserve_spec__aave_limit_threshold_times_bonus_at_100_percent__is_accepted():
    assert collateral(ltv_bps=9_000, liquidation_threshold_bps=9_500, liquidation_bonus_bps=10_500)


@pytest.mark.parametrize(
    "overrides, message",
    [
        (dict(ltv_bps=7_001), "above threshold"),
        (dict(liquidation_threshold_bps=0, ltv_bps=0), "not in"),
        (dict(liquidation_bonus_bps=10_000), "must exceed 10000"),
        (dict(liquidation_threshold_bps=9_600, ltv_bps=9_000, liquidation_bonus_bps=10_500), "exceeds 100 %"),
        (dict(reserve_factor_bps=10_001), "reserve_factor_bps"),
        (dict(liquidation_protocol_fee_bps=-1), "liquidation_protocol_fee_bps"),
        (dict(optimal_usage_ray=RAY + 1), "optimal usage"),
    ],
)
def test_reserve_spec__outside_aave_limits__raises(overrides, message):
    with pytest.raises(ValueError, match=message):
        collateral(**overrides)
