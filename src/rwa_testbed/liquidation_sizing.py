"""The most profitable liquidation: `debtToCover` sized over the exact integer math.

A liquidator only chooses the debt to cover. The pool decides what that really repays and seizes
(`models.aave.liquidation_amounts`: close-factor clamp, bonus half up, protocol fee, collateral-capped
branch) and the AMM what the seized collateral fetches (`models.amm`); this module composes the two
exactly as the contracts do and searches the debt to cover that maximises the profit.

Two ways to turn seized collateral into profit:

- `atomic_liquidation`: the Vyper `LiquidationExecutor` (flash-swap the debt out of the pair,
  `liquidationCall`, repay the pair in collateral, sell the rest on the same pair). It reverts when
  the seized collateral cannot repay the flash swap (its `shortfall` here) or the pair lacks the
  debt asset.
- `sold_liquidation`: a capital-backed desk repays from its own balance and values the collateral
  it receives with a function of its own (an AMM dump, a redemption at NAV, a holding at the oracle).

Profit against the debt covered is concave up to integer rounding: the collateral seized grows
linearly with the debt, the AMM's price for it falls (convex cost), and a redemption or a holding is
linear. `best_liquidation` therefore narrows the range with a golden-section search on integers
and scans the last `SCAN_WIDTH` sizes; its profit is within one debt unit of the best over every
size (tests check it against brute force). A size that seizes all the collateral wins ties.
`profit_upper_bound` is a closed-form ceiling that lets callers skip hopeless positions unsearched.

Units: debt amounts and profits in the debt token's units (the stablecoin, 6 decimals); collateral
in its own units (18 decimals); prices in the base currency, 8 decimals; fees and bonus in bps
(bonus in Aave's stored form, 10_500 = 105 %); health factor in WAD.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

from .models.aave import (
    LiquidationAmounts,
    close_factor_bps,
    liquidation_amounts,
    percent_mul,
    smallest_amount_with_value,
)
from .models.amm import BPS, get_amount_in, get_amount_out

SCAN_WIDTH = 16
"""The golden-section search stops when this many debt amounts are left; all of them are then evaluated."""


@dataclass(frozen=True)
class Position:
    """A borrower as `liquidationCall` sees it: `liquidation_amounts`' inputs but the debt to cover."""

    user_debt: int  # debt token units
    user_collateral: int  # collateral token units
    health_factor: int  # WAD
    collateral_price: int  # base currency, 8 decimals
    debt_price: int  # base currency, 8 decimals
    collateral_decimals: int
    debt_decimals: int
    liquidation_bonus_bps: int
    protocol_fee_bps: int

    @property
    def max_debt_to_cover(self) -> int:
        """The close-factor cap: more than this is clamped by the pool (debt units)."""
        return percent_mul(self.user_debt, close_factor_bps(self.health_factor))

    def amounts(self, debt_to_cover: int) -> LiquidationAmounts:
        return liquidation_amounts(
            debt_to_cover=debt_to_cover,
            user_debt=self.user_debt,
            health_factor=self.health_factor,
            user_collateral=self.user_collateral,
            collateral_price=self.collateral_price,
            debt_price=self.debt_price,
            collateral_decimals=self.collateral_decimals,
            debt_decimals=self.debt_decimals,
            liquidation_bonus_bps=self.liquidation_bonus_bps,
            protocol_fee_bps=self.protocol_fee_bps,
        )


def position_from_account_data(
    *,
    collateral_base: int,
    debt_base: int,
    health_factor: int,
    collateral_price: int,
    debt_price: int,
    collateral_decimals: int,
    debt_decimals: int,
    liquidation_bonus_bps: int,
    protocol_fee_bps: int,
) -> Position:
    """A one-collateral, one-debt borrower from `getUserAccountData` (base currency, 8 decimals).

    The base values are rounded down (`models.aave.account_data`), so the token amounts are taken as
    the smallest that round to them (`smallest_amount_with_value`). A plan on these lower bounds stays
    valid when the transaction lands a block later: the true debt, and the interest it accrues in
    between, only raise the close-factor cap, so a planned `debt_to_cover` is not clamped; a larger
    true collateral only matters in the collateral-capped branch, where the pool then seizes (and
    repays) at most one unit more.
    """
    return Position(
        user_debt=smallest_amount_with_value(debt_base, debt_price, debt_decimals),
        user_collateral=smallest_amount_with_value(collateral_base, collateral_price, collateral_decimals),
        health_factor=health_factor,
        collateral_price=collateral_price,
        debt_price=debt_price,
        collateral_decimals=collateral_decimals,
        debt_decimals=debt_decimals,
        liquidation_bonus_bps=liquidation_bonus_bps,
        protocol_fee_bps=protocol_fee_bps,
    )


@dataclass(frozen=True)
class Pair:
    """A constant-product pair's reserves (token units) seen from the collateral side, and its fee."""

    collateral_reserve: int
    debt_reserve: int
    fee_bps: int


@dataclass(frozen=True)
class Liquidation:
    """One liquidation's outcome for the liquidator."""

    debt_to_cover: int
    """What the liquidator passes to `liquidationCall` or the executor (debt units)."""
    amounts: LiquidationAmounts
    """What the pool repays and seizes for it."""
    collateral_to_pair: int = 0
    """Atomic: collateral that repays the flash swap."""
    proceeds: int = 0
    """Debt units the liquidator's remaining collateral fetches (sold, redeemed or valued)."""
    profit: int = 0
    """Debt units gained, before gas (atomic: the executor's `profit`)."""
    fine_profit: int = 0
    """The profit in 1/FINE debt units, before the last floor to whole units (the search's key)."""
    shortfall: int = 0
    """Atomic: collateral missing to repay the flash swap; > 0 means the executor reverts."""

    @property
    def reverts(self) -> bool:
        return self.shortfall > 0

    @property
    def collateral_capped(self) -> bool:
        """The collateral, not the debt covered, limits this liquidation (the pool's collateral-capped
        branch: it repays less than the debt covered)."""
        return self.amounts.debt_repaid < self.debt_to_cover


FINE = 10**6
"""Proceeds are also computed FINE times finer: floor(FINE x value). `fine // FINE` is exactly the
whole-unit value (floor of a floor), and the fine value follows the smooth concave curve instead of
its unit steps, so the search can compare sizes whose whole-unit profits tie or jitter by one."""

Sale = Callable[[int, int], int]
"""What `collateral` (collateral units) fetches, in debt units scaled by `scale`: floor(scale x value)."""


def atomic_liquidation(position: Position, pair: Pair, debt_to_cover: int) -> Liquidation:
    """What `LiquidationExecutor.liquidate(debt_to_cover)` does on `pair`'s reserves.

    Flash-swaps `debt_to_cover` out (`debt_to_cover` must be below the pair's debt reserve), the pool
    takes only the clamped `debt_repaid` (the rest stays with the executor, part of its profit), the
    pair is repaid `get_amount_in(debt_to_cover)` in collateral and the rest is sold on the moved
    reserves; a sale that would return 0 is skipped (the collateral stays in the executor).
    """
    amounts = position.amounts(debt_to_cover)
    seized = amounts.collateral_to_liquidator
    owed = get_amount_in(debt_to_cover, pair.collateral_reserve, pair.debt_reserve, pair.fee_bps)
    if seized < owed:
        return Liquidation(debt_to_cover, amounts, owed, shortfall=owed - seized)
    moved = Pair(pair.collateral_reserve + owed, pair.debt_reserve - debt_to_cover, pair.fee_bps)
    fine_proceeds = amm_sale(moved)(seized - owed, FINE)
    fine_profit = (debt_to_cover - amounts.debt_repaid) * FINE + fine_proceeds
    return Liquidation(debt_to_cover, amounts, owed, fine_proceeds // FINE, fine_profit // FINE, fine_profit)


def sold_liquidation(position: Position, debt_to_cover: int, sale: Sale) -> Liquidation:
    """A capital-backed liquidation: repay `debt_repaid` from capital, turn the collateral received
    into `sale(collateral, 1)` (debt units)."""
    amounts = position.amounts(debt_to_cover)
    fine_proceeds = sale(amounts.collateral_to_liquidator, FINE)
    fine_profit = fine_proceeds - amounts.debt_repaid * FINE
    return Liquidation(debt_to_cover, amounts, proceeds=fine_proceeds // FINE, profit=fine_profit // FINE,
                       fine_profit=fine_profit)


def amm_sale(pair: Pair) -> Sale:
    """Selling collateral on `pair` in one swap: `get_amount_out` on reserves scaled by `scale` too,
    which is floor(scale x the exact quotient) (scale = 1: the pair's own output)."""
    return lambda collateral, scale: get_amount_out(
        collateral * scale, pair.collateral_reserve * scale, pair.debt_reserve * scale, pair.fee_bps
    )


def best_liquidation(
    outcome: Callable[[int], Liquidation], max_debt_to_cover: int, *, all_collateral_at: int | None = None
) -> Liquidation | None:
    """The most profitable of `outcome(d)` for d in [1, max_debt_to_cover]; None when every d reverts
    or the range is empty. A size that seizes all the collateral (`all_collateral_at`, see
    `smallest_size_taking_all`) wins ties in whole units: a position left with dust collateral keeps
    its debt, while one left with none has the rest written off into the pool's deficit.

    Searches the fine profit (see FINE): a golden-section search on integers narrows the range to
    SCAN_WIDTH sizes, all of which are evaluated; the best whole-unit profit among them wins (ties:
    the higher fine profit, then the smaller size). The whole-unit profit is then within one debt unit
    of the best over every size: the fine curve lies within one unit above it everywhere. The key of a
    size that reverts is minus (shortfall + 1): the shortfall is a concave function's negative part
    (linear seizure minus the convex flash-swap cost), so the key stays unimodal across the boundary
    and steers the search towards sizes that land.
    """
    if max_debt_to_cover < 1:
        return None
    cache: dict[int, Liquidation] = {}

    def get(d: int) -> Liquidation:
        if d not in cache:
            cache[d] = outcome(d)
        return cache[d]

    def key(d: int) -> int:
        liq = get(d)
        return -(liq.shortfall + 1) if liq.reverts else liq.fine_profit

    # x1 and x2 sit symmetrically in [lo, hi]; one of them is kept at each step, so each step costs
    # one evaluation and shrinks the range by ~0.618.
    lo, hi = 1, max_debt_to_cover
    x1, x2 = _golden_points(lo, hi)
    while hi - lo + 1 > SCAN_WIDTH:
        if key(x1) < key(x2):  # the best is right of x1
            lo, x1, x2 = x1, x2, x1 + hi - x2
        else:  # left of x2 (on a tie both halves hold [x1, x2]; the smaller sizes are kept)
            hi, x2, x1 = x2, x1, lo + x2 - x1
        if not lo < x1 < x2 < hi:
            x1, x2 = _golden_points(lo, hi)
    window = [get(d) for d in range(lo, hi + 1)]
    landing = [liq for liq in window if not liq.reverts]
    best = max(landing, key=lambda liq: (liq.profit, liq.fine_profit, -liq.debt_to_cover), default=None)
    if all_collateral_at is not None and 1 <= all_collateral_at <= max_debt_to_cover:
        everything = get(all_collateral_at)
        if not everything.reverts and (best is None or everything.profit >= best.profit):
            return everything
    return best


def smallest_size_taking_all(position: Position, max_debt_to_cover: int) -> int | None:
    """The smallest debt to cover, at most `max_debt_to_cover`, whose liquidation seizes all the
    position's collateral; None when none does (the collateral seized only grows with the size)."""
    def takes_all(d: int) -> bool:
        return position.amounts(d).collateral_seized >= position.user_collateral

    if max_debt_to_cover < 1 or not takes_all(max_debt_to_cover):
        return None
    lo, hi = 1, max_debt_to_cover
    while lo < hi:
        mid = (lo + hi) // 2
        if takes_all(mid):
            hi = mid
        else:
            lo = mid + 1
    return lo


def _golden_points(lo: int, hi: int) -> tuple[int, int]:
    step = (hi - lo) * 382 // 1000
    return lo + step, hi - step


def best_sold_liquidation(
    position: Position, sale: Sale, max_debt_to_cover: int, *, linear: bool = False
) -> Liquidation | None:
    """The most profitable capital-backed liquidation of at most `max_debt_to_cover` (its capital).

    `linear`: the sale values collateral at a fixed price (a redemption at NAV, a holding at the
    oracle), so the profit moves one way with the size and the ends decide: the largest size, or the
    smallest that takes all the collateral if it earns as much. Otherwise `best_liquidation`'s search.
    """
    everything = smallest_size_taking_all(position, max_debt_to_cover)
    outcome = lambda d: sold_liquidation(position, d, sale)  # noqa: E731
    if not linear:
        return best_liquidation(outcome, max_debt_to_cover, all_collateral_at=everything)
    if max_debt_to_cover < 1:
        return None
    ends = [outcome(d) for d in (1, max_debt_to_cover)]
    best = max(ends, key=lambda liq: (liq.profit, liq.fine_profit, -liq.debt_to_cover))
    if everything is not None:
        taking_all = outcome(everything)
        if taking_all.profit >= best.profit:
            return taking_all
    return best


def profit_upper_bound(position: Position, pair: Pair) -> float:
    """A bound (debt units, a float) above the profit of every size, atomic on `pair` or dumped on it.

    The collateral the pool hands over per unit repaid, sold in one swap on `pair` as it stands,
    maximised over the amount repaid (up to what the close factor allows) in closed form: with x, y
    the reserves, g the fee factor and s the collateral per unit, y g s r / (x + g s r) - r peaks at
    r = (sqrt(g s x y) - x) / (g s). The executor's two legs, the flash swap's extra unit and moved
    reserves only fetch less. A screen that spares the search for hopeless positions, never a size.
    """
    most = position.amounts(position.max_debt_to_cover)
    if most.debt_repaid <= 0 or pair.collateral_reserve <= 0 or pair.debt_reserve <= 0:
        return 0.0
    per_unit = most.collateral_to_liquidator / most.debt_repaid
    g = (BPS - pair.fee_bps) / BPS
    x, y = float(pair.collateral_reserve), float(pair.debt_reserve)
    if per_unit <= 0 or g <= 0:
        return 0.0
    peak = (math.sqrt(g * per_unit * x * y) - x) / (g * per_unit)
    r = min(max(peak, 0.0), float(most.debt_repaid))
    return y * g * per_unit * r / (x + g * per_unit * r) - r


def best_atomic_liquidation(position: Position, pair: Pair, limit: int | None = None) -> Liquidation | None:
    """The most profitable executor call on `pair` (at most the close-factor cap, `limit` if given,
    e.g. a liquidation cap's room, and less than the pair's debt reserve, which the flash swap cannot
    take whole); None when every size reverts."""
    hi = min(position.max_debt_to_cover, pair.debt_reserve - 1)
    if limit is not None:
        hi = min(hi, limit)
    return best_liquidation(lambda d: atomic_liquidation(position, pair, d), hi,
                            all_collateral_at=smallest_size_taking_all(position, hi))
