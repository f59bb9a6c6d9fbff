"""Bounded hypothesis strategies for the differential tests: one borrower's position and shock.

A `Position` is declarative: `actions(position, ...)` turns it into the action list that every
venue replays. Amounts: RWA in 18 decimals, USDC in 6, prices in USD with 8 decimals.
"""

from __future__ import annotations

from dataclasses import dataclass

from lending_replay import MAX_UINT, Borrow, Liquidate, SetPrice, Supply, Warp
from hypothesis import assume
from hypothesis import strategies as st

BPS = 10_000
DAY = 86_400


@dataclass(frozen=True)
class Position:
    collateral: int
    """RWA supplied by the borrower (18 decimals)."""
    price: int
    """RWA price when the position opens (USD, 8 decimals)."""
    borrow_bps: int
    """Share of the borrowing power (collateral value x LTV) borrowed, bps."""
    health_bps: int
    """Health factor the price drop aims at, bps of 1.0 (interest accrued meanwhile lowers it)."""
    days: int = 0
    """Days between the borrow and the price drop."""
    cover_bps: int | None = None
    """Debt to cover as a share of the borrowed amount, bps; None: as much as allowed (max uint)."""


def borrowed(position: Position, ltv_bps: int) -> int:
    """USDC (6 decimals) the borrower takes."""
    value_usd8 = position.collateral * position.price // 10**18
    return value_usd8 * ltv_bps * position.borrow_bps // (BPS * BPS) // 100


def actions(position: Position, *, ltv_bps: int, threshold_bps: int) -> list:
    """LP liquidity, borrower's supply and borrow, time, the price drop, one liquidation."""
    borrow = borrowed(position, ltv_bps)
    # HF = collateral x price x threshold / debt value  ->  the price that hits health_bps.
    price_after = position.health_bps * borrow * 100 * 10**18 // (position.collateral * threshold_bps)
    cover = MAX_UINT if position.cover_bps is None else max(1, borrow * position.cover_bps // BPS)
    steps = [
        SetPrice("rwa", position.price),
        Supply("lp", "stable", 2 * borrow),
        Supply("borrower", "rwa", position.collateral),
        Borrow("borrower", "stable", borrow),
    ]
    if position.days:
        steps.append(Warp(position.days * DAY))
    steps += [SetPrice("rwa", price_after), Liquidate("liquidator", "rwa", "stable", "borrower", cover)]
    return steps


HALF_CLOSE_BAND = st.integers(9_501, 9_990)
FULL_CLOSE_BAND = st.integers(7_700, 9_500)
COLLATERAL_SHORT_BAND = st.integers(3_000, 7_000)


@st.composite
def positions(draw: st.DrawFn, *, ltv_bps: int, threshold_bps: int) -> Position:
    """Positions from 100 USD to 1 billion USD of collateral at 0.01 to 10_000 USD per token,
    with a health target drawn from three bands alike: the 50 % close factor (0.95, 1), the
    100 % close factor [0.77, 0.95] and below 0.7, where collateral (threshold 70 %) runs short
    of debt x 110 % bonus once the whole debt is liquidated."""
    value_usd = draw(st.integers(100, 10**9))
    price = draw(st.integers(10**6, 10**12))
    position = Position(
        collateral=value_usd * 10**26 // price + draw(st.integers(0, 10**6)),
        price=price,
        borrow_bps=draw(st.integers(1_000, 9_900)),
        health_bps=draw(st.one_of(HALF_CLOSE_BAND, FULL_CLOSE_BAND, COLLATERAL_SHORT_BAND)),
        days=draw(st.sampled_from([0, 0, 1, 30])),
        cover_bps=draw(st.one_of(st.none(), st.integers(1, 10_000))),
    )
    borrow = borrowed(position, ltv_bps)
    assume(borrow >= 10**6)
    assume(position.health_bps * borrow * 100 * 10**18 // (position.collateral * threshold_bps) >= 1)
    return position
