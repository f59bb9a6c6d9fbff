"""The senior/junior waterfall of `contracts/structured/TrancheVault.sol` (formulas in
`TrancheMath.sol`), integer for integer with the same rounding (every division rounds down).

Units: underlying and tranche tokens have 18 decimals (`SHARE`); prices and values are USD with the
feeds' 8 decimals (USD8); coupons are bps per 365-day year; times are seconds. With V the vault's
value, P the senior principal (USD8 as of inception) and t the seconds since inception:
senior claim C = P + floor(P * coupon * t / (10_000 * year)); senior value = min(V, C);
junior value = V - senior value.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum

from ..units import BPS, FEED_DECIMALS, SECONDS_PER_YEAR, SHARE

INITIAL_NAV_PER_TOKEN = 10**FEED_DECIMALS
"""USD8 per whole tranche token minted while a tranche has no supply: 1 USD."""
MAX_COUPON_BPS = BPS
"""`TrancheVault.MAX_COUPON_BPS`."""


class Tranche(IntEnum):
    """TrancheVault.Tranche."""

    SENIOR = 0
    JUNIOR = 1


def assets_value(assets: int, price: int) -> int:
    """USD8 value of `assets` (18 decimals) at `price` (USD8 per whole token), rounded down."""
    return assets * price // SHARE


def assets_for_value(value: int, price: int) -> int:
    """Underlying (18 decimals) worth `value` (USD8) at `price`, rounded down."""
    return value * SHARE // price


def senior_claim(principal: int, coupon_bps: int, elapsed: int) -> int:
    """The senior's claim (USD8): principal plus simple interest for `elapsed` seconds, interest rounded down."""
    return principal + principal * (coupon_bps * elapsed) // (BPS * SECONDS_PER_YEAR)


def principal_for_claim(value: int, coupon_bps: int, elapsed: int) -> int:
    """The principal (USD8 as of inception) whose claim after `elapsed` seconds is `value`, rounded down."""
    return value * (BPS * SECONDS_PER_YEAR) // (BPS * SECONDS_PER_YEAR + coupon_bps * elapsed)


def split(total_value: int, claim: int) -> tuple[int, int]:
    """The waterfall: (senior, junior) = (min(V, C), V - senior); they sum to V exactly."""
    senior = min(total_value, claim)
    return senior, total_value - senior


def shares_for_value(value: int, tranche_value: int, supply: int) -> int:
    """Tranche tokens minted for `value` (USD8): 1 token per USD at supply 0, else pro rata, rounded down."""
    if supply == 0:
        return value * SHARE // INITIAL_NAV_PER_TOKEN
    return value * supply // tranche_value


def value_for_shares(shares: int, tranche_value: int, supply: int) -> int:
    """USD8 value of `shares` of a tranche worth `tranche_value` with `supply` tokens, rounded down (0 at supply 0)."""
    return 0 if supply == 0 else shares * tranche_value // supply


def nav_per_token(tranche_value: int, supply: int) -> int:
    """USD8 per whole tranche token, rounded down; 1 USD (the first deposit's rate) at supply 0."""
    return INITIAL_NAV_PER_TOKEN if supply == 0 else tranche_value * SHARE // supply


def principal_after_mint(principal: int, minted: int, supply: int) -> int:
    """Senior principal after `minted` tokens join `supply` (> 0): grows pro rata, rounded down."""
    return principal + principal * minted // supply


def principal_after_burn(principal: int, burned: int, supply: int) -> int:
    """Senior principal after `burned` of `supply` tokens leave: shrinks pro rata, the removal rounded down."""
    return principal - principal * burned // supply


class WipedOut(Exception):
    """`TrancheVault.TrancheWipedOut`: the tranche cannot price a deposit."""


class TooSmall(Exception):
    """`TrancheVault.DepositTooSmall`: the deposit would mint no token (or a first senior principal of 0)."""


@dataclass
class TrancheVaultModel:
    """A TrancheVault's state and its deposits and redemptions, as the contract computes them.

    `balance` is the underlying held (18 decimals), `principal` the senior principal (USD8),
    `supplies` the tranche supplies (18 decimals) by `Tranche`.
    """

    coupon_bps: int
    inception_time: int
    balance: int = 0
    principal: int = 0
    senior_supply: int = 0
    junior_supply: int = 0

    def supply(self, tranche: Tranche) -> int:
        """The tranche token's total supply (18 decimals)."""
        return self.senior_supply if tranche == Tranche.SENIOR else self.junior_supply

    def values(self, price: int, now: int) -> tuple[int, int, int, int]:
        """`TrancheVault.values()`: (V, C, senior value, junior value), USD8, at `price` and time `now`."""
        total = assets_value(self.balance, price)
        claim = senior_claim(self.principal, self.coupon_bps, now - self.inception_time)
        return (total, claim, *split(total, claim))

    def nav_per_token(self, tranche: Tranche, price: int, now: int) -> int:
        """`TrancheVault.navPerToken(tranche)`, USD8 per whole token."""
        _, _, senior, junior = self.values(price, now)
        return nav_per_token(senior if tranche == Tranche.SENIOR else junior, self.supply(tranche))

    def deposit(self, tranche: Tranche, assets: int, price: int, now: int) -> int:
        """`depositSenior` / `depositJunior` of `assets` at `price` and time `now`: the tokens minted."""
        total, claim, senior, junior = self.values(price, now)
        supply = self.supply(tranche)
        tranche_value = senior if tranche == Tranche.SENIOR else junior
        if (supply and not tranche_value) or (tranche == Tranche.JUNIOR and total < claim):
            raise WipedOut(tranche, supply, total, claim)
        value = assets_value(assets, price)
        shares = shares_for_value(value, tranche_value, supply)
        if shares == 0:
            raise TooSmall(tranche, assets, value)
        if tranche == Tranche.SENIOR:
            principal = (principal_for_claim(value, self.coupon_bps, now - self.inception_time) if supply == 0
                         else principal_after_mint(self.principal, shares, supply))
            if principal == 0:  # a senior supply that claims nothing
                raise TooSmall(tranche, assets, value)
            self.principal = principal
            self.senior_supply += shares
        else:
            self.junior_supply += shares
        self.balance += assets
        return shares

    def redeem(self, tranche: Tranche, shares: int, price: int, now: int) -> int:
        """`redeemSenior` / `redeemJunior` of `shares` (<= the supply) at `price` and time `now`: the
        underlying paid."""
        _, _, senior, junior = self.values(price, now)
        supply = self.supply(tranche)
        value = value_for_shares(shares, senior if tranche == Tranche.SENIOR else junior, supply)
        assets = assets_for_value(value, price)
        if tranche == Tranche.SENIOR:
            self.principal = principal_after_burn(self.principal, shares, supply)
            self.senior_supply -= shares
        else:
            self.junior_supply -= shares
        self.balance -= assets
        return assets
