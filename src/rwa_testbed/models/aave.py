"""Aave V3.0's lending arithmetic in pure Python, integer for integer.

The same numbers as `contracts/lending/LendingPool.sol` (and Aave V3.0 itself) to the wei: the
fixed-point helpers with half-up rounding, the two index growth laws, the two-slope rate curve,
account data (health factor) and liquidation amounts, plus `ReserveModel`, a one-reserve
simulator of index accrual, treasury accrual and rate updates. Used by the engine (interest-driven
health-factor crossings), by `liquidation_sizing` and the liquidators (liquidation amounts, close
factor), by the Aave venue (health factors around a liquidation, rebuilt from account data), by
`view.View` (`AccountData`), and by the unit and differential tests as the reference.

Units: token amounts in token decimals; prices and base values in USD with 8 decimals;
percentages in bps (10_000 = 100 %); rates and indexes in RAY (1e27); health factor in WAD (1e18).
The liquidation bonus is Aave's stored form (10_500 = liquidator receives 105 % of the debt repaid).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import NamedTuple

from ..units import BPS, MAX_UINT256, RAY, SECONDS_PER_YEAR, WAD

HALF_WAD = WAD // 2
HALF_RAY = RAY // 2
WAD_RAY_RATIO = 10**9
HALF_BPS = BPS // 2

HEALTH_FACTOR_LIQUIDATION_THRESHOLD = WAD
"""A position with health factor (WAD) below this can be liquidated."""
CLOSE_FACTOR_HF_THRESHOLD = 95 * WAD // 100
"""At or below this health factor a liquidation may repay 100 % of the debt, above it 50 %."""
DEFAULT_LIQUIDATION_CLOSE_FACTOR = 5_000
MAX_LIQUIDATION_CLOSE_FACTOR = 10_000


# --- fixed point ------------------------------------------------------------------------------


def wad_mul(a: int, b: int) -> int:
    """a x b / 1e18, rounded half up."""
    return (a * b + HALF_WAD) // WAD


def wad_div(a: int, b: int) -> int:
    """a x 1e18 / b, rounded half up (offset: half of b, floored)."""
    return (a * WAD + b // 2) // b


def ray_mul(a: int, b: int) -> int:
    """a x b / 1e27, rounded half up."""
    return (a * b + HALF_RAY) // RAY


def ray_div(a: int, b: int) -> int:
    """a x 1e27 / b, rounded half up (offset: half of b, floored)."""
    return (a * RAY + b // 2) // b


def wad_to_ray(a: int) -> int:
    """WAD to RAY, exact."""
    return a * WAD_RAY_RATIO


def percent_mul(value: int, bps: int) -> int:
    """value x bps / 10_000, rounded half up."""
    return (value * bps + HALF_BPS) // BPS


def percent_div(value: int, bps: int) -> int:
    """value x 10_000 / bps, rounded half up (offset: half of bps, floored)."""
    return (value * BPS + bps // 2) // bps


# --- interest ---------------------------------------------------------------------------------


def linear_interest(rate: int, elapsed: int) -> int:
    """Liquidity-index growth factor (RAY) over `elapsed` seconds at yearly `rate` (RAY): 1 + r t."""
    return RAY + rate * elapsed // SECONDS_PER_YEAR


def compounded_interest(rate: int, elapsed: int) -> int:
    """Borrow-index growth factor (RAY): (1 + r/year)^t by Aave's three-term binomial expansion."""
    if elapsed == 0:
        return RAY
    minus_one = elapsed - 1
    minus_two = elapsed - 2 if elapsed > 2 else 0
    base_power_two = ray_mul(rate, rate) // (SECONDS_PER_YEAR * SECONDS_PER_YEAR)
    base_power_three = ray_mul(base_power_two, rate) // SECONDS_PER_YEAR
    second_term = elapsed * minus_one * base_power_two // 2
    third_term = elapsed * minus_one * minus_two * base_power_three // 6
    return RAY + rate * elapsed // SECONDS_PER_YEAR + second_term + third_term


def debt_growth_reaches(rate: int, updated_at: int, now: int, factor_wad: int, until: int) -> int | None:
    """First time T in (now, until] at which a variable debt grows by at least `factor_wad` (WAD)
    over its value at `now`, or None.

    Debt is scaled shares x the borrow index, and the index at T is the stored index times
    `compounded_interest(rate, T - updated_at)` (the rate is fixed until the reserve's next
    action), so debt(T) / debt(now) = c(T - updated_at) / c(now - updated_at), increasing in T:
    a bisection over whole seconds on the exact integer formula. A health factor h (WAD) falls
    below a threshold x when debt grows by h / x (collateral that earns no interest).
    """
    if factor_wad <= WAD:
        return now + 1 if now < until else None
    if rate <= 0 or until <= now:
        return None
    base = compounded_interest(rate, max(0, now - updated_at))
    reached = lambda t: compounded_interest(rate, t - updated_at) * WAD >= base * factor_wad  # noqa: E731
    if not reached(until):
        return None
    lo, hi = now, until  # not reached at lo, reached at hi
    while hi - lo > 1:
        mid = (lo + hi) // 2
        lo, hi = (lo, mid) if reached(mid) else (mid, hi)
    return hi


@dataclass(frozen=True)
class RateCurve:
    """Two-slope variable-rate curve, every field RAY (Aave's DefaultReserveInterestRateStrategy)."""

    optimal_usage: int = 8 * RAY // 10
    base_rate: int = 0
    slope1: int = 4 * RAY // 100
    slope2: int = 60 * RAY // 100


def interest_rates(
    curve: RateCurve, total_debt: int, available_liquidity: int, reserve_factor_bps: int, deficit: int = 0
) -> tuple[int, int]:
    """(liquidity rate, variable borrow rate), RAY, for a reserve's debt and available cash.

    The borrow rate follows usage = debt / (cash + debt). Suppliers earn it on the supply usage
    debt / (cash + debt + deficit): the pool's deficit plays Aave's `unbacked` (as in Aave V3.3), so
    balances that still include written-off debt earn only what borrowers pay. deficit = 0 gives
    Aave V3.0's numbers.
    """
    usage = supply_usage = 0
    variable_rate = curve.base_rate
    if total_debt != 0:
        usage = ray_div(total_debt, available_liquidity + total_debt)
        supply_usage = ray_div(total_debt, available_liquidity + total_debt + deficit)
    if usage > curve.optimal_usage:
        excess = ray_div(usage - curve.optimal_usage, RAY - curve.optimal_usage)
        variable_rate += curve.slope1 + ray_mul(curve.slope2, excess)
    else:
        variable_rate += ray_div(ray_mul(curve.slope1, usage), curve.optimal_usage)
    overall = 0
    if total_debt != 0:
        debt_ray = wad_to_ray(total_debt)
        overall = ray_div(ray_mul(debt_ray, variable_rate), debt_ray)
    liquidity_rate = percent_mul(ray_mul(overall, supply_usage), BPS - reserve_factor_bps)
    return liquidity_rate, variable_rate


@dataclass
class ReserveModel:
    """One reserve's state, stepped exactly as the pool (and Aave V3.0) steps it.

    `cash` is the pool's token balance for the reserve. Actions take the block time `now`;
    per-user shares live in `supply_shares` / `debt_shares`.
    """

    curve: RateCurve = field(default_factory=RateCurve)
    reserve_factor_bps: int = 0
    liquidity_index: int = RAY
    variable_borrow_index: int = RAY
    liquidity_rate: int = 0
    variable_borrow_rate: int = 0
    last_update: int = 0
    scaled_total_supply: int = 0
    scaled_total_debt: int = 0
    accrued_to_treasury: int = 0
    cash: int = 0
    deficit: int = 0
    """Written-off debt of the reserve (token units); lowers the supply rate, not the borrow rate."""
    supply_shares: dict[str, int] = field(default_factory=dict)
    debt_shares: dict[str, int] = field(default_factory=dict)

    # views (as of `now`, no state written)
    def normalized_income(self, now: int) -> int:
        if now == self.last_update:
            return self.liquidity_index
        return ray_mul(linear_interest(self.liquidity_rate, now - self.last_update), self.liquidity_index)

    def normalized_debt(self, now: int) -> int:
        if now == self.last_update:
            return self.variable_borrow_index
        return ray_mul(compounded_interest(self.variable_borrow_rate, now - self.last_update), self.variable_borrow_index)

    def supply_balance(self, user: str, now: int) -> int:
        return ray_mul(self.supply_shares.get(user, 0), self.normalized_income(now))

    def debt_balance(self, user: str, now: int) -> int:
        shares = self.debt_shares.get(user, 0)
        return 0 if shares == 0 else ray_mul(shares, self.normalized_debt(now))

    def total_debt(self, now: int) -> int:
        return ray_mul(self.scaled_total_debt, self.normalized_debt(now))

    # state transitions
    def update_state(self, now: int) -> None:
        """Accrue both indexes and the treasury's share (once per timestamp)."""
        if now == self.last_update:
            return
        elapsed = now - self.last_update
        previous_borrow_index = self.variable_borrow_index
        if self.liquidity_rate != 0:
            self.liquidity_index = ray_mul(linear_interest(self.liquidity_rate, elapsed), self.liquidity_index)
        if self.scaled_total_debt != 0:
            self.variable_borrow_index = ray_mul(
                compounded_interest(self.variable_borrow_rate, elapsed), self.variable_borrow_index
            )
        if self.reserve_factor_bps != 0:
            accrued = ray_mul(self.scaled_total_debt, self.variable_borrow_index) - ray_mul(
                self.scaled_total_debt, previous_borrow_index
            )
            to_mint = percent_mul(accrued, self.reserve_factor_bps)
            if to_mint != 0:
                self.accrued_to_treasury += ray_div(to_mint, self.liquidity_index)
        self.last_update = now

    def update_rates(self, added: int = 0, taken: int = 0) -> None:
        """Recompute the rates; `added`/`taken` are the tokens the action moves after this call."""
        total_debt = ray_mul(self.scaled_total_debt, self.variable_borrow_index)
        available = self.cash + added - taken
        if available < 0:
            raise ValueError(f"insufficient liquidity: {self.cash + added} < {taken}")
        self.liquidity_rate, self.variable_borrow_rate = interest_rates(
            self.curve, total_debt, available, self.reserve_factor_bps, self.deficit
        )

    def supply(self, user: str, amount: int, now: int) -> int:
        """Returns the shares minted."""
        self.update_state(now)
        self.update_rates(added=amount)
        self.cash += amount
        shares = ray_div(amount, self.liquidity_index)
        if shares == 0:
            raise ValueError("amount rounds to zero shares")
        self.supply_shares[user] = self.supply_shares.get(user, 0) + shares
        self.scaled_total_supply += shares
        return shares

    def withdraw(self, user: str, amount: int, now: int) -> int:
        """`amount` = MAX_UINT256 withdraws everything; returns the amount withdrawn."""
        self.update_state(now)
        balance = ray_mul(self.supply_shares.get(user, 0), self.liquidity_index)
        if amount == MAX_UINT256:
            amount = balance
        if amount == 0 or amount > balance:
            raise ValueError(f"cannot withdraw {amount} of {balance}")
        self.update_rates(taken=amount)
        shares = ray_div(amount, self.liquidity_index)
        self.supply_shares[user] -= shares
        self.scaled_total_supply -= shares
        self.cash -= amount
        return amount

    def borrow(self, user: str, amount: int, now: int) -> int:
        """Returns the debt shares minted (no collateral check: that is the pool's business)."""
        self.update_state(now)
        shares = ray_div(amount, self.variable_borrow_index)
        if shares == 0:
            raise ValueError("amount rounds to zero shares")
        self.debt_shares[user] = self.debt_shares.get(user, 0) + shares
        self.scaled_total_debt += shares
        self.update_rates(taken=amount)
        self.cash -= amount
        return shares

    def repay(self, user: str, amount: int, now: int) -> int:
        """`amount` = MAX_UINT256 repays everything; returns the amount repaid."""
        self.update_state(now)
        debt = self.debt_balance(user, now)
        if debt == 0:
            raise ValueError("no debt")
        paid = min(amount, debt)
        shares = ray_div(paid, self.variable_borrow_index)
        self.debt_shares[user] -= shares
        self.scaled_total_debt -= shares
        self.update_rates(added=paid)
        self.cash += paid
        return paid

    def mint_to_treasury(self, treasury: str, now: int) -> int:
        """Credit `accrued_to_treasury` to `treasury`; returns the amount (token units)."""
        if self.accrued_to_treasury == 0:
            return 0
        index = self.normalized_income(now)
        amount = ray_mul(self.accrued_to_treasury, index)
        self.accrued_to_treasury = 0
        shares = ray_div(amount, index)
        self.supply_shares[treasury] = self.supply_shares.get(treasury, 0) + shares
        self.scaled_total_supply += shares
        return amount


# --- account data and liquidation -------------------------------------------------------------


class PositionLine(NamedTuple):
    """One reserve of a user, as the account-data loop sees it.

    `collateral` and `debt` are current balances in token units (shares x index); `collateral`
    counts only if `is_collateral` (the user's flag) and the reserve's threshold is non-zero.
    A named tuple: the engine builds one per borrower and reserve at every step.
    """

    price: int
    decimals: int
    ltv_bps: int = 0
    liquidation_threshold_bps: int = 0
    collateral: int = 0
    is_collateral: bool = True
    debt: int = 0


@dataclass(frozen=True)
class AccountData:
    """`getUserAccountData`'s six numbers (values in the base currency, USD with 8 decimals;
    threshold and LTV in bps, value-weighted; health factor in WAD), plus the zero-LTV-collateral flag."""

    collateral_base: int
    debt_base: int
    available_borrows_base: int
    liquidation_threshold_bps: int
    ltv_bps: int
    health_factor: int
    has_zero_ltv_collateral: bool = False

    @property
    def liquidatable(self) -> bool:
        """Health factor below 1 and some collateral to seize (Aave V3.0 leaves debt on a borrower
        whose collateral is gone: health factor 0, but nothing left to liquidate)."""
        return self.debt_base > 0 and self.health_factor < HEALTH_FACTOR_LIQUIDATION_THRESHOLD and self.collateral_base > 0

    def as_tuple(self) -> tuple[int, int, int, int, int, int]:
        return (
            self.collateral_base,
            self.debt_base,
            self.available_borrows_base,
            self.liquidation_threshold_bps,
            self.ltv_bps,
            self.health_factor,
        )


def base_value(amount: int, price: int, decimals: int) -> int:
    """Value in the base currency (8 decimals) of `amount` token units at `price`, rounded down, as
    the account-data loop values every balance: amount x price // 10^decimals."""
    return amount * price // 10**decimals


def health_factor(collateral_base: int, debt_base: int, liquidation_threshold_bps: int) -> int:
    """Aave V3.0's health factor (WAD): collateral x threshold (percent, half up) / debt (wad, half
    up); `type(uint256).max` without debt."""
    if debt_base == 0:
        return MAX_UINT256
    return wad_div(percent_mul(collateral_base, liquidation_threshold_bps), debt_base)


def account_data(lines: Iterable[PositionLine]) -> AccountData:
    """Aave V3.0's `calculateUserAccountData` + `calculateAvailableBorrows` (values rounded down)."""
    collateral = debt = weighted_ltv = weighted_threshold = 0
    zero_ltv = False
    for price, decimals, ltv_bps, threshold_bps, balance, is_collateral, owed in lines:
        if is_collateral and threshold_bps != 0:
            value = base_value(balance, price, decimals)
            collateral += value
            if ltv_bps != 0:
                weighted_ltv += value * ltv_bps
            else:
                zero_ltv = True
            weighted_threshold += value * threshold_bps
        if owed:
            debt += base_value(owed, price, decimals)
    ltv = weighted_ltv // collateral if collateral else 0
    threshold = weighted_threshold // collateral if collateral else 0
    health = health_factor(collateral, debt, threshold)
    power = percent_mul(collateral, ltv)
    available = power - debt if power > debt else 0
    return AccountData(collateral, debt, available, threshold, ltv, health, zero_ltv)


def smallest_amount_with_value(value_base: int, price: int, decimals: int) -> int:
    """Smallest token amount (token units) whose base value, as `account_data` rounds it
    (price x amount // 10^decimals), is at least `value_base`: the least a balance reported as
    `value_base` can be. ceil(value_base x 10^decimals / price)."""
    return -(-value_base * 10**decimals // price)


def price_is_stale(updated_at: int, max_age: int, now: int) -> bool:
    """Our pool's staleness rule (`AccountLogic.assetPrice`; Aave V3.0 checks no age): a feed answer
    updated at `updated_at` is refused at block time `now` when `max_age` (seconds, 0 = unchecked) is
    set and `now > updated_at + max_age`. Actions revert with `StalePrice`; the batched monitoring
    read does not."""
    return max_age != 0 and now > updated_at + max_age


def close_factor_bps(health_factor: int) -> int:
    """50 % while the health factor is above 0.95, 100 % at or below."""
    return DEFAULT_LIQUIDATION_CLOSE_FACTOR if health_factor > CLOSE_FACTOR_HF_THRESHOLD else MAX_LIQUIDATION_CLOSE_FACTOR


@dataclass(frozen=True)
class LiquidationAmounts:
    """What one liquidation moves (token units)."""

    debt_repaid: int
    """Debt the liquidator repays."""
    collateral_to_liquidator: int
    """Collateral the liquidator receives."""
    protocol_fee: int
    """Collateral the treasury receives (before the pool's 1-wei cap at the user's remaining shares)."""

    @property
    def collateral_seized(self) -> int:
        """Collateral leaving the user."""
        return self.collateral_to_liquidator + self.protocol_fee


def liquidation_amounts(
    *,
    debt_to_cover: int,
    user_debt: int,
    health_factor: int,
    user_collateral: int,
    collateral_price: int,
    debt_price: int,
    collateral_decimals: int,
    debt_decimals: int,
    liquidation_bonus_bps: int,
    protocol_fee_bps: int = 0,
) -> LiquidationAmounts:
    """Aave V3.0's `_calculateDebt` + `_calculateAvailableCollateralToLiquidate`."""
    collateral_unit = 10**collateral_decimals
    debt_unit = 10**debt_decimals
    debt_to_liquidate = min(debt_to_cover, percent_mul(user_debt, close_factor_bps(health_factor)))
    base_collateral = debt_price * debt_to_liquidate * collateral_unit // (collateral_price * debt_unit)
    seized = percent_mul(base_collateral, liquidation_bonus_bps)
    repaid = debt_to_liquidate
    if seized > user_collateral:
        seized = user_collateral
        repaid = percent_div(
            collateral_price * seized * debt_unit // (debt_price * collateral_unit), liquidation_bonus_bps
        )
    fee = 0
    if protocol_fee_bps:
        fee = percent_mul(seized - percent_div(seized, liquidation_bonus_bps), protocol_fee_bps)
    return LiquidationAmounts(repaid, seized - fee, fee)


# --- liquidation circuit breakers (our pool's `CircuitBreakerLogic`; each off by default) ------


MAX_GRACE_PERIOD_SECONDS = 4 * 3_600
"""The longest grace period a guardian may start, from now (Aave V3.1's 4 hours)."""


def in_grace_period(until: int, now: int) -> bool:
    """Whether a reserve whose grace period runs until block time `until` (0 = none) blocks
    liquidations at block time `now`: `now <= until`, as Aave V3.1 (open again the second after); 0 is
    none (on a chain block time is never 0)."""
    return until != 0 and now <= until


@dataclass(frozen=True)
class LiquidationCapState:
    """A collateral reserve's cap on debt repaid by liquidations per fixed window (Maker `Dog.Hole`),
    as `getLiquidationCapState` reports it at block time `as_of`. Base values in USD, 8 decimals."""

    cap_base: int
    """Debt repaid allowed per window; 0 = no cap."""
    window_seconds: int
    window_start: int
    """Start of the window current at `as_of` (block time, seconds)."""
    used_base: int
    """Debt repaid in that window so far."""

    @property
    def enabled(self) -> bool:
        return self.cap_base != 0

    def window_start_at(self, now: int) -> int:
        """Start of the window holding block time `now`: now - now % window."""
        return now - now % self.window_seconds

    def used_at(self, now: int) -> int:
        """Debt repaid in the window holding `now` (0 once a later window has begun)."""
        return self.used_base if self.window_start_at(now) == self.window_start else 0

    def room_debt(self, now: int, debt_price: int, debt_decimals: int) -> int:
        """Most debt (token units) one liquidation may repay at `now`: the room left in the window at
        `debt_price`, floored (`CircuitBreakerLogic.capRoomDebt`); `MAX_UINT256` without a cap. 0 means
        the liquidation reverts `LiquidationCapReached`."""
        if not self.enabled:
            return MAX_UINT256
        used = self.used_at(now)
        return 0 if used >= self.cap_base else (self.cap_base - used) * 10**debt_decimals // debt_price

    def next_window_start(self, now: int) -> int:
        """Block time the window after the one holding `now` starts (when a full cap's room returns)."""
        return self.window_start_at(now) + self.window_seconds


NO_LIQUIDATION_CAP = LiquidationCapState(0, 0, 0, 0)
