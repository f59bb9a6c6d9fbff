"""The off-chain world: what the asset is truly worth and what has happened to it.

Shocks change the world; agents and the custodian read it. Nothing here touches the chain.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction
from typing import Callable

from .units import SECONDS_PER_YEAR


def true_nav(nav0_usd: float, yield_apr: float, factors: list[Callable[[int], float]], t: int) -> float:
    """True value per token (USD) at `t`: the start NAV grown by the yield, times every factor at `t`."""
    value = nav0_usd * (1.0 + yield_apr) ** (t / SECONDS_PER_YEAR)
    for factor in factors:
        value *= factor(t)
    return value


@dataclass
class ComponentValue:
    """A component SPV token's true value (`market.structured.components`): its start NAV grown by its
    yield, times the factors of the shocks that name its symbol."""

    symbol: str
    nav0_usd: float
    yield_apr: float
    value_factors: list[Callable[[int], float]] = field(default_factory=list)

    def true_nav_at(self, t: int) -> float:
        return true_nav(self.nav0_usd, self.yield_apr, self.value_factors, t)


@dataclass
class World:
    """Off-chain state at time `t` (seconds since the start of the run)."""

    nav0_usd: float
    yield_apr: float
    t: int = 0
    value_factors: list[Callable[[int], float]] = field(default_factory=list)  # shocks' effects
    stable_price_usd: float = 1.0
    impaired: bool = False
    redemptions_frozen: bool = False
    panic_until: int = -1  # holders are selling until then (a rumor)
    panic_share: float = 0.0  # share of holders selling while panic lasts
    forced_lp_withdrawal: float = 0.0  # share of AMM liquidity LPs must pull next step
    oracle_outage: bool = False
    oracle_stopped: bool = False  # the guardian's emergency stop of the SPV's NAV feed (OSM `stop`)
    # Share of the custodian's reserves still in custody (a hack steals some), exact: the percentages as written.
    custody_share: Fraction = Fraction(1)
    events: list[dict] = field(default_factory=list)
    components: list[ComponentValue] = field(default_factory=list)  # the index's other SPV tokens (RWA²)

    def base_nav(self, t: int | None = None) -> float:
        """NAV per token before shocks: the start NAV grown by the asset's yield."""
        t = self.t if t is None else t
        return true_nav(self.nav0_usd, self.yield_apr, [], t)

    def true_nav_at(self, t: int) -> float:
        """True value per token (USD) at time `t`: base NAV times every shock's factor at `t`."""
        return true_nav(self.nav0_usd, self.yield_apr, self.value_factors, t)

    @property
    def true_nav(self) -> float:
        """True value per token (USD) now."""
        return self.true_nav_at(self.t)

    @staticmethod
    def first_time(holds: Callable[[int], bool], start: int, end: int, probe_seconds: int) -> int | None:
        """First second in (start, end] at which `holds` is true, probing every `probe_seconds` and
        bisecting to the second where it turns true (a condition true for less than a probe
        interval can be missed; callers choose the interval accordingly)."""
        lo = start
        while lo < end:
            hi = min(end, lo + probe_seconds)
            if holds(hi):
                while hi - lo > 1:
                    mid = (lo + hi) // 2
                    lo, hi = (lo, mid) if holds(mid) else (mid, hi)
                return hi
            lo = hi
        return None

    def record(self, kind: str, description: str) -> None:
        self.events.append({"t_seconds": self.t, "kind": kind, "description": description})
