"""One reserve's parameters and Aave's rules on them, the one copy every caller uses.

A `ReserveSpec` is plain data: the same spec lists a reserve on the real Aave V3.0 market
(`venues.aave_v3`) and on our own `LendingPool` (`to_pool_params`), which is what makes the
differential tests meaningful. A scenario's reserve becomes one through `ReserveConfig.spec`, and
the schema, the fuzzer and the venues all validate through `ReserveSpec.validate`.

The rules are the pool's own (`LendingPool._configure`, the same as Aave V3.0's
`PoolConfigurator.configureReserveAsCollateral`): LTV <= threshold; with a threshold, bonus
> 100 % and `threshold.percentMul(bonus) <= 100 %`, i.e. the product in bps **rounded half up**
(LT 9_524 with bonus 10_500 is 10_000.2 bps, rounds to 10_000: accepted; LT 9_525 is 10_001:
rejected), bonus <= uint16 max; fee and reserve factor <= 100 %; caps fit 36 bits; optimal
usage in (0, RAY].
"""

from __future__ import annotations

from dataclasses import dataclass

from ..units import BPS, MAX_CAP, MAX_LIQUIDATION_BONUS_BPS, RAY
from .aave import percent_mul


def threshold_times_bonus_bps(threshold_bps: int, bonus_bps: int) -> int:
    """`threshold.percentMul(bonus)`: the product the pool compares with 100 %, bps rounded half up."""
    return percent_mul(threshold_bps, bonus_bps)


def max_liquidation_bonus_bps(threshold_bps: int) -> int:
    """The largest bonus the pool accepts with `threshold_bps` (> 0): the largest b with
    `(threshold x b + 5_000) // 10_000 <= 10_000`, i.e. threshold x b <= 10_000 x 10_000 + 4_999."""
    bonus = (BPS * BPS + BPS // 2 - 1) // threshold_bps
    assert threshold_times_bonus_bps(threshold_bps, bonus) <= BPS < threshold_times_bonus_bps(threshold_bps, bonus + 1)
    return bonus


def within_cap(total_after: int, cap_tokens: int, decimals: int) -> bool:
    """The pool's cap check (supply and borrow alike, as Aave V3.0's `ValidationLogic`): the reserve's
    total after the action, token units, at most `cap_tokens` whole tokens; a cap of 0 is no cap."""
    return cap_tokens == 0 or total_after <= cap_tokens * 10**decimals


@dataclass(frozen=True)
class ReserveSpec:
    """Parameters of one reserve; percentages in bps (10_000 = 100 %), rates in RAY (1e27 = 100 %/year).

    `liquidation_bonus_bps` is Aave's stored form, repaid part included: 10_500 means the
    liquidator receives collateral worth 105 % of the debt it repays.
    `liquidation_protocol_fee_bps` is the treasury's share of the bonus part (the 5 %).
    Caps are in whole tokens (Aave's unit); 0 means no cap. A reserve that is not
    `usable_as_collateral` is listed with LTV, threshold and bonus 0, as on Aave.
    Validated on construction (`validate`).
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
        self.validate()

    def validate(self) -> None:
        """Raises ValueError, naming the fields, if the pool (or Aave V3.0's configurator) would reject
        these parameters; the same checks in the same order as `LendingPool._configure`."""
        ltv, threshold, bonus = self.ltv_bps, self.liquidation_threshold_bps, self.liquidation_bonus_bps
        if ltv > threshold:
            raise ValueError(f"ltv_bps must not exceed liquidation_threshold_bps ({ltv} > {threshold})")
        if self.usable_as_collateral:
            if threshold <= 0:
                raise ValueError(f"liquidation_threshold_bps = {threshold}: a collateral needs one above 0")
            if bonus <= BPS:
                raise ValueError(f"liquidation_bonus_bps = {bonus} must exceed 10000 (100 %) when used as collateral")
            product = threshold_times_bonus_bps(threshold, bonus)
            if product > BPS:
                raise ValueError(
                    f"liquidation_threshold_bps x liquidation_bonus_bps must be at most 100 %: {threshold} x {bonus} "
                    f"= {product} bps (rounded half up, as the pool's percentMul; at most {BPS})"
                )
            if bonus > MAX_LIQUIDATION_BONUS_BPS:
                raise ValueError(f"liquidation_bonus_bps = {bonus} above {MAX_LIQUIDATION_BONUS_BPS} (16 bits)")
        for name in ("liquidation_protocol_fee_bps", "reserve_factor_bps"):
            if not 0 <= getattr(self, name) <= BPS:
                raise ValueError(f"{name} = {getattr(self, name)} not in [0, 10000]")
        for name in ("supply_cap_tokens", "borrow_cap_tokens"):
            if not 0 <= getattr(self, name) <= MAX_CAP:
                raise ValueError(f"{name} = {getattr(self, name)} not in [0, {MAX_CAP}]")
        if not 0 < self.optimal_usage_ray <= RAY:
            raise ValueError(f"optimal_usage_ray = {self.optimal_usage_ray} not in (0, RAY]")

    def to_pool_params(self) -> tuple:
        """`ILendingPool.ReserveParams`, in the struct's order (bps stay bps, rates in RAY)."""
        collateral = self.usable_as_collateral
        return (
            self.ltv_bps if collateral else 0,
            self.liquidation_threshold_bps if collateral else 0,
            self.liquidation_bonus_bps if collateral else 0,
            self.liquidation_protocol_fee_bps,
            self.reserve_factor_bps,
            self.supply_cap_tokens,
            self.borrow_cap_tokens,
            self.borrowing_enabled,
            self.optimal_usage_ray,
            self.base_rate_ray,
            self.slope1_ray,
            self.slope2_ray,
        )
