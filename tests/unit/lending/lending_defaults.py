"""Units and reserve parameters shared by the lending pool's unit tests (and their conftest)."""

from typing import Any

from rwa_testbed.models.aave import RAY

USDC = 10**6
WAD = 10**18
MAX_UINT = 2**256 - 1
VARIABLE = 2
STABLE_PRICE = 10**8  # 1 USD
RWA_PRICE = 100 * 10**8  # 100 USD


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
