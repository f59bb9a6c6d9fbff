"""One reserve's parameters, in the units every venue of this project agrees on.

A `ReserveSpec` is plain data: the same spec deploys a reserve on the real Aave V3.0 market
(`rwa_testbed.venues.aave_v3`) and on our own `LendingPool`, which is what makes the
differential tests meaningful.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..units import BPS, RAY

if TYPE_CHECKING:
    from ..scenario import ReserveConfig


@dataclass(frozen=True)
class ReserveSpec:
    """Parameters of one reserve; percentages in bps (10_000 = 100 %), rates in RAY (1e27 = 100 %/year).

    `liquidation_bonus_bps` is Aave's stored form, repaid part included: 10_500 means the
    liquidator receives collateral worth 105 % of the debt it repays (0 for a non-collateral).
    `liquidation_protocol_fee_bps` is the treasury's share of the bonus part (the 5 %).
    Caps are in whole tokens (Aave's unit); 0 means no cap.
    """

    asset: str
    """Address of the underlying ERC20."""
    price_feed: str
    """Address of a Chainlink-style feed (8 decimals, USD); Aave V3.0 reads its `latestAnswer()`."""
    ltv_bps: int = 0
    liquidation_threshold_bps: int = 0
    liquidation_bonus_bps: int = 0
    liquidation_protocol_fee_bps: int = 0
    reserve_factor_bps: int = 0
    supply_cap_tokens: int = 0
    borrow_cap_tokens: int = 0
    borrowing_enabled: bool = False
    usable_as_collateral: bool = False
    optimal_usage_ray: int = RAY * 8 // 10
    base_rate_ray: int = 0
    slope1_ray: int = RAY * 4 // 100
    slope2_ray: int = RAY * 60 // 100

    def __post_init__(self) -> None:
        if self.usable_as_collateral:
            threshold, bonus = self.liquidation_threshold_bps, self.liquidation_bonus_bps
            if not 0 < threshold < BPS:
                raise ValueError(f"liquidation threshold {threshold} bps not in (0, 10000)")
            if self.ltv_bps > threshold:
                raise ValueError(f"ltv {self.ltv_bps} bps above threshold {threshold} bps")
            if bonus <= BPS:
                raise ValueError(f"liquidation bonus {bonus} bps must exceed 10000 (100 %)")
            # Aave: threshold x bonus, rounded half up in bps, must not exceed 100 %.
            if (threshold * bonus + BPS // 2) // BPS > BPS:
                raise ValueError("liquidation threshold x (1 + bonus) exceeds 100 %")
        for name in ("liquidation_protocol_fee_bps", "reserve_factor_bps"):
            if not 0 <= getattr(self, name) <= BPS:
                raise ValueError(f"{name} = {getattr(self, name)} not in [0, 10000]")
        if not 0 <= self.optimal_usage_ray <= RAY:
            raise ValueError(f"optimal usage {self.optimal_usage_ray} not in [0, RAY]")


def reserve_params(config: "ReserveConfig", supply_cap: int = 0, borrow_cap: int = 0) -> tuple:
    """`ILendingPool.ReserveParams` from a scenario reserve (bps stay bps, rates become RAY)."""
    bps_to_ray = lambda bps: bps * RAY // BPS  # noqa: E731
    return (
        config.ltv_bps,
        config.liquidation_threshold_bps,
        config.liquidation_bonus_bps if config.liquidation_threshold_bps else 0,
        config.liquidation_protocol_fee_bps,
        config.reserve_factor_bps,
        supply_cap,
        borrow_cap,
        config.borrowing_enabled,
        bps_to_ray(config.optimal_utilization_bps),
        bps_to_ray(config.base_rate_bps),
        bps_to_ray(config.slope1_bps),
        bps_to_ray(config.slope2_bps),
    )
