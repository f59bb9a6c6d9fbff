"""Constant-product quotes in Python, bit-identical to `contracts/amm/AmmMath.sol`.

Fees are in bps; amounts and reserves in the tokens' own decimals. For fee_bps=30 these equal
Uniswap V2 Library's `getAmountOut` / `getAmountIn` (997/1000 scaled by 10).
"""

from __future__ import annotations

from math import isqrt

BPS = 10_000
MINIMUM_LIQUIDITY = 1_000


def get_amount_out(amount_in: int, reserve_in: int, reserve_out: int, fee_bps: int = 30) -> int:
    """Largest output for `amount_in`: floor(in·(1e4−fee)·R_out / (R_in·1e4 + in·(1e4−fee)))."""
    if amount_in <= 0 or reserve_in <= 0 or reserve_out <= 0 or not 0 <= fee_bps < BPS:
        raise ValueError("amount and reserves must be positive, fee in [0, 10000) bps")
    with_fee = amount_in * (BPS - fee_bps)
    return with_fee * reserve_out // (reserve_in * BPS + with_fee)


def get_amount_in(amount_out: int, reserve_in: int, reserve_out: int, fee_bps: int = 30) -> int:
    """Input that buys `amount_out`: floor(R_in·out·1e4 / ((R_out−out)·(1e4−fee))) + 1."""
    if amount_out <= 0 or reserve_in <= 0 or not 0 < amount_out < reserve_out or not 0 <= fee_bps < BPS:
        raise ValueError("amount must be in (0, reserve_out), reserves positive, fee in [0, 10000) bps")
    return reserve_in * amount_out * BPS // ((reserve_out - amount_out) * (BPS - fee_bps)) + 1


def initial_liquidity(amount0: int, amount1: int) -> int:
    """LP tokens (18 decimals) the first depositor receives: isqrt(amount0·amount1) − 1000."""
    return isqrt(amount0 * amount1) - MINIMUM_LIQUIDITY


def k_holds(
    reserve0: int, reserve1: int, balance0: int, balance1: int, amount0_in: int, amount1_in: int, fee_bps: int = 30
) -> bool:
    """The pair's K check: (b0·1e4 − in0·fee)(b1·1e4 − in1·fee) ≥ r0·r1·1e8."""
    adjusted0 = balance0 * BPS - amount0_in * fee_bps
    adjusted1 = balance1 * BPS - amount1_in * fee_bps
    return adjusted0 * adjusted1 >= reserve0 * reserve1 * BPS * BPS
