"""Uniswap V2 quoting math (fee in bps), the same integer arithmetic as `contracts/amm/AmmMath.sol`."""

from __future__ import annotations

import math

from ..units import BPS

MINIMUM_LIQUIDITY = 1_000  # LP tokens (18 decimals) locked by a pair's first mint


def get_amount_out(amount_in: int, reserve_in: int, reserve_out: int, fee_bps: int = 30) -> int:
    """Output for an exact input: amountIn·(1−fee)·reserveOut / (reserveIn + amountIn·(1−fee))."""
    if amount_in <= 0 or reserve_in <= 0 or reserve_out <= 0:
        return 0
    with_fee = amount_in * (BPS - fee_bps)
    return with_fee * reserve_out // (reserve_in * BPS + with_fee)


def get_amount_in(amount_out: int, reserve_in: int, reserve_out: int, fee_bps: int = 30) -> int:
    """Input that buys `amount_out` (Uniswap V2's getAmountIn): the smallest one, or 1 wei more
    when the division is exact."""
    if amount_out >= reserve_out:
        raise ValueError("amount_out exceeds the reserve")
    return reserve_in * amount_out * BPS // ((reserve_out - amount_out) * (BPS - fee_bps)) + 1


def initial_liquidity(amount0: int, amount1: int) -> int:
    """LP tokens (18 decimals) the first depositor of a pair receives: isqrt(amount0·amount1) − 1000."""
    return math.isqrt(amount0 * amount1) - MINIMUM_LIQUIDITY


def input_to_reach_price(reserve_in: int, reserve_out: int, target_out_per_in: float, fee_bps: int = 30) -> int:
    """Approximate input that moves the pool's marginal price (out per in) down to `target_out_per_in`.

    For a constant product x·y = k selling `in`: new price = y'/x' with x' = sqrt(k / p). The fee
    is ignored in the target (it only makes the result slightly conservative).
    """
    price = reserve_out / reserve_in
    if target_out_per_in <= 0 or target_out_per_in >= price:
        return 0
    k = reserve_in * reserve_out
    new_in = math.sqrt(k / target_out_per_in)
    return max(0, int(new_in - reserve_in))
