"""Aave V3.0's account and liquidation arithmetic, written in Python from its documented semantics.

Scope: one collateral reserve and one variable-rate debt reserve per user, no e-mode, no isolation
mode: exactly the positions `diff_replay` builds. Units: token amounts in token decimals, prices
and account values in the oracle's base currency (USD, 8 decimals), health factor in WAD,
percentages in bps with Aave's half-up rounding. The liquidation bonus is Aave's stored form
(10_500 = the liquidator receives 105 % of the debt it repays).
"""

from __future__ import annotations

from dataclasses import dataclass

BPS = 10_000
WAD = 10**18
RAY = 10**27
MAX_UINT = 2**256 - 1
CLOSE_FACTOR_HF_THRESHOLD = 95 * WAD // 100
"""At or below this health factor (0.95, WAD) a liquidation may repay 100 % of the debt, else 50 %."""


def percent_mul(value: int, bps: int) -> int:
    """value x bps / 10_000, rounded half up."""
    return (value * bps + BPS // 2) // BPS


def percent_div(value: int, bps: int) -> int:
    """value x 10_000 / bps, rounded half up."""
    return (value * BPS + bps // 2) // bps


def wad_div(a: int, b: int) -> int:
    """a / b in WAD, rounded half up."""
    return (a * WAD + b // 2) // b


@dataclass(frozen=True)
class Market:
    """Prices (base currency, 8 decimals), units (10**decimals) and collateral risk parameters."""

    collateral_price: int
    collateral_unit: int
    debt_price: int
    debt_unit: int
    ltv_bps: int
    liquidation_threshold_bps: int
    liquidation_bonus_bps: int
    """Aave's stored form: 10_000 + premium."""
    protocol_fee_bps: int


def account_data(market: Market, collateral: int, debt: int) -> tuple[int, int, int, int, int, int]:
    """`Pool.getUserAccountData` of a user holding `collateral` (collateral decimals, enabled as
    collateral) and owing `debt` (debt decimals): both values rounded down in base currency."""
    collateral_base = collateral * market.collateral_price // market.collateral_unit
    debt_base = debt * market.debt_price // market.debt_unit
    ltv = market.ltv_bps if collateral_base else 0
    threshold = market.liquidation_threshold_bps if collateral_base else 0
    borrowing_power = percent_mul(collateral_base, ltv)
    available = borrowing_power - debt_base if borrowing_power > debt_base else 0
    health = MAX_UINT if debt_base == 0 else wad_div(percent_mul(collateral_base, threshold), debt_base)
    return collateral_base, debt_base, available, threshold, ltv, health


@dataclass(frozen=True)
class Liquidation:
    """Token amounts moved by one `liquidationCall` with `receiveAToken = false`."""

    debt_repaid: int
    """Debt-asset tokens the liquidator pays (debt decimals)."""
    collateral_to_liquidator: int
    """Collateral tokens the liquidator receives (collateral decimals)."""
    protocol_fee: int
    """Collateral the treasury receives (as aTokens; collateral decimals)."""


def liquidation(market: Market, health: int, collateral: int, debt: int, debt_to_cover: int) -> Liquidation:
    """What Aave V3.0 moves when liquidating a user with `health` (WAD), `collateral` and `debt`.

    Close factor 50 % above health 0.95, 100 % at or below. If the collateral cannot pay the debt
    plus bonus, all collateral goes and the debt repaid shrinks to what it covers (the rest stays
    on the user in v3.0). The treasury takes `protocol_fee_bps` of the bonus part of the collateral.
    """
    close_factor = BPS // 2 if health > CLOSE_FACTOR_HF_THRESHOLD else BPS
    debt_to_liquidate = min(debt_to_cover, percent_mul(debt, close_factor))
    base_collateral = (
        market.debt_price * debt_to_liquidate * market.collateral_unit
        // (market.collateral_price * market.debt_unit)
    )
    seized = percent_mul(base_collateral, market.liquidation_bonus_bps)
    debt_repaid = debt_to_liquidate
    if seized > collateral:
        seized = collateral
        collateral_value_in_debt = (
            market.collateral_price * seized * market.debt_unit
            // (market.debt_price * market.collateral_unit)
        )
        debt_repaid = percent_div(collateral_value_in_debt, market.liquidation_bonus_bps)
    fee = 0
    if market.protocol_fee_bps:
        bonus_part = seized - percent_div(seized, market.liquidation_bonus_bps)
        fee = percent_mul(bonus_part, market.protocol_fee_bps)
    return Liquidation(debt_repaid, seized - fee, fee)
