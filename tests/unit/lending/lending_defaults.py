"""Reserve parameters shared by the lending pool's unit tests (and their conftest); the units and
prices are in `tests/fixtures/constants.py`."""

from typing import Any

from fixtures.constants import RAY


def reserve_params(**overrides: Any) -> dict[str, Any]:
    """`initReserve` params (ILendingPool.ReserveParams) with keyword overrides; defaults: a
    borrowable, non-collateral reserve with Aave's USDC-like curve."""
    params = {
        "ltvBps": 0,
        "liquidationThresholdBps": 0,
        "liquidationBonusBps": 0,
        "liquidationProtocolFeeBps": 0,
        "reserveFactorBps": 1_000,
        "supplyCap": 0,
        "borrowCap": 0,
        "borrowingEnabled": True,
        "optimalUsageRay": RAY * 90 // 100,
        "baseRateRay": 0,
        "slope1Ray": RAY * 4 // 100,
        "slope2Ray": RAY * 60 // 100,
    }
    unknown = set(overrides) - set(params)
    if unknown:
        raise KeyError(f"unknown reserve params {unknown}")
    params.update(overrides)
    return params


STABLE_PARAMS = reserve_params()
RWA_PARAMS = reserve_params(
    ltvBps=6_000,
    liquidationThresholdBps=7_000,
    liquidationBonusBps=11_000,
    liquidationProtocolFeeBps=2_000,
    reserveFactorBps=2_000,
    borrowingEnabled=False,
    optimalUsageRay=RAY * 45 // 100,
    baseRateRay=0,
    slope1Ray=RAY * 7 // 100,
    slope2Ray=RAY * 300 // 100,
)
