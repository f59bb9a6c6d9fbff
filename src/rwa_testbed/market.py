"""The deployed market a run trades on: tokens, SPV, AMM, oracles, the lending venue and the
liquidators' executors, as bound contracts (`population.deploy` builds it; `deployment` holds the
plumbing it uses)."""

from __future__ import annotations

from dataclasses import dataclass, field

from .abi import Abi, Bound
from .units import FEED_DECIMALS
from .venues.base import LendingVenue, ReserveListing


@dataclass
class Market:
    stable: Bound
    spv: Bound
    pair: Bound
    router: Bound
    spv_feed: Bound
    stable_feed: Bound
    pool: Bound
    executors: dict[str, Bound]  # liquidator address -> its LiquidationExecutor
    oracle_kind: str
    spv_is_token0: bool
    fee_bps: int
    abis: dict[str, Abi] = field(default_factory=dict)
    venue: LendingVenue | None = None  # the lending venue behind `pool`
    listings: list[ReserveListing] = field(default_factory=list)  # stablecoin first
    stable_feed_kind: str = "latency"  # or "pinned": an existing feed taken over on a fork (fork.pin_feed)
    stable_answer0: int = 10**FEED_DECIMALS  # the stablecoin feed's first answer, 8 decimals

    def reserves(self, raw: tuple) -> tuple[int, int]:
        """(spv reserve, stable reserve) from `getReserves()`'s answer."""
        r0, r1 = raw[0], raw[1]
        return (r0, r1) if self.spv_is_token0 else (r1, r0)

    def contracts(self) -> list[Bound]:
        found = [self.stable, self.spv, self.pair, self.router, self.spv_feed, self.stable_feed, self.pool]
        extra = [c for c in self.venue.contracts() if c is not self.pool] if self.venue else []
        return found + list(self.executors.values()) + extra
