"""The deployed market a run trades on: tokens, SPV, AMM, oracles, the lending venue and the
liquidators' executors, as bound contracts (`population.deploy` builds it; `deployment` holds the
plumbing it uses)."""

from __future__ import annotations

from dataclasses import dataclass, field

from .abi import Abi, Bound
from .scenario import AssetConfig
from .units import FEED_DECIMALS
from .venues.base import LendingVenue, ReserveListing


@dataclass
class StructuredComponent:
    """A component SPV token of the index (not the scenario's own) and its NAV feed."""

    config: AssetConfig
    spv: Bound
    feed: Bound


@dataclass
class Product:
    """A collateral product: its token (18 decimals), the feed the pool prices it with, its pair."""

    name: str  # one of scenario.PRODUCTS
    token: Bound
    feed: Bound
    pair: Bound
    token_is_token0: bool

    def reserves(self, raw: tuple) -> tuple[int, int]:
        """(token reserve, stablecoin reserve) from the pair's `getReserves()` answer."""
        return (raw[0], raw[1]) if self.token_is_token0 else (raw[1], raw[0])


@dataclass
class StructuredMarket:
    """The deployed RWA² market beside the scenario's own SPV token."""

    components: list[StructuredComponent]
    index: Bound
    vault: Bound | None
    products: dict[str, Product]  # "index", and with tranches "senior", "junior"

    def contracts(self) -> list[Bound]:
        found = [c for comp in self.components for c in (comp.spv, comp.feed)] + [self.index]
        found += [self.vault] if self.vault is not None else []
        for p in self.products.values():
            found += [p.token, p.feed, p.pair]
        return found


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
    # The SPV token's feeds behind `spv_feed` (the one the pool reads). Without the conservative oracle
    # (`market.mitigations.oracle`) `spv_feed` is the scenario's own feed and is `nav_feed` (a latency
    # oracle, the custodian's reports reach it) or `twap_feed` (the AMM TWAP). With it, `spv_feed` is
    # `guard` (a ConservativeOracle) and the two are its sides: the scenario's own feed and, with
    # `min_nav_twap`, the one added at deployment (None: no such side).
    nav_feed: Bound | None = None
    twap_feed: Bound | None = None
    guard: Bound | None = None
    # With `market.mitigations.oracle.proof_of_reserve`: the attestor's feed of the custodian's reserves
    # (a LatencyOracle in the SPV token's 18 decimals, published at once) and the ProofOfReserveExecutor.
    por_feed: Bound | None = None
    por_executor: Bound | None = None
    # With `market.structured` (RWA²): the components, the index, the tranche vault and each product's
    # token, feed and pair (`products.deploy`); None without.
    structured: StructuredMarket | None = None

    def __post_init__(self) -> None:
        if self.guard is None and self.nav_feed is None and self.twap_feed is None:
            if self.oracle_kind == "latency":
                self.nav_feed = self.spv_feed
            else:
                self.twap_feed = self.spv_feed

    def reserves(self, raw: tuple) -> tuple[int, int]:
        """(spv reserve, stable reserve) from `getReserves()`'s answer."""
        r0, r1 = raw[0], raw[1]
        return (r0, r1) if self.spv_is_token0 else (r1, r0)

    def contracts(self) -> list[Bound]:
        found = [self.stable, self.spv, self.pair, self.router, self.spv_feed, self.stable_feed, self.pool]
        found += [f for f in (self.nav_feed, self.twap_feed, self.por_feed, self.por_executor)
                  if f is not None and f is not self.spv_feed]
        extra = [c for c in self.venue.contracts() if c is not self.pool] if self.venue else []
        products = self.structured.contracts() if self.structured is not None else []
        return found + list(self.executors.values()) + extra + products
