"""What shocks and agents may use at a step: the scenario, the off-chain world, the deployed market,
the accounts, the chain, the step's seeded rng, and the keeper through a small protocol (shocks
ask it for off-cycle reports and stablecoin prices without depending on the agents package)."""

from __future__ import annotations

import random
from collections import deque
from dataclasses import dataclass, field
from typing import Protocol

from .chain import FastChain, TxRequest
from .deployment import Actors
from .market import Market
from .scenario import Scenario
from .units import SECONDS_PER_DAY
from .world import World


class KeeperPort(Protocol):
    """What shocks ask of the oracle keeper (`agents.keeper.Keeper` implements it)."""

    def request_report(self, t: int, as_of: int | None = None) -> None:
        """An off-cycle custodian report at run time `t`, stating the NAV as of `as_of`."""

    def set_latency(self, delay: int, heartbeat: int, deviation_bps: int) -> None:
        """The latency oracle's new rules, as the keeper must follow them."""

    def stable_price_tx(self, price_usd: float) -> TxRequest:
        """The transaction that publishes the stablecoin's price."""


DRAWDOWN_WINDOW_SECONDS = SECONDS_PER_DAY


@dataclass
class Context:
    """What shocks and agents may use: the scenario, the world, the market and the chain."""

    scenario: Scenario
    world: World
    market: Market
    actors: Actors
    chain: FastChain
    rng: random.Random
    start_time: int
    keeper: KeeperPort = None  # type: ignore[assignment]  # set by the engine once the market exists
    amm_prices: deque = field(default_factory=deque)  # (t, price) where the AMM price changed, last day
    # The collateral product each borrower supplies (`scenario.PRODUCTS`), in population order; empty: all 'spv'.
    borrower_products: list[str] = field(default_factory=list)

    def product_of(self, borrower: int) -> str:
        """The collateral product borrower `borrower` supplies."""
        return self.borrower_products[borrower] if self.borrower_products else "spv"

    def chain_time(self, t: int) -> int:
        """Chain timestamp of run time `t` (seconds since the start)."""
        return self.start_time + t

    def note_amm_price(self, t: int, price: float) -> None:
        """Records the AMM price read at `t` if it changed (a price path, not samples: the drawdown
        does not depend on how often the engine reads)."""
        prices = self.amm_prices
        if not prices or prices[-1][1] != price:
            prices.append((t, price))
        while len(prices) >= 2 and prices[1][0] <= t - DRAWDOWN_WINDOW_SECONDS:
            prices.popleft()

    def amm_drawdown(self) -> float:
        """How far the AMM price is below its high of the last day (0.25 = 25 % below)."""
        if not self.amm_prices:
            return 0.0
        since = self.world.t - DRAWDOWN_WINDOW_SECONDS
        points = list(self.amm_prices)
        first = max([i for i, (t, _) in enumerate(points) if t <= since], default=0)  # in force a day ago
        high = max(p for _, p in points[first:])
        last = points[-1][1]
        return 0.0 if high <= 0 else max(0.0, 1 - last / high)

    def feed_admin_txs(self, fn: str, *args) -> list[TxRequest]:
        """An admin call on the SPV's latency oracle and, with structured products, on every component's NAV
        feed: they share the one oracle design (nothing for a TWAP: its keeper just stops)."""
        if self.market.oracle_kind != "latency":
            return []
        structured = self.market.structured
        feeds = [self.market.nav_feed] + ([c.feed for c in structured.components] if structured is not None else [])
        return [feed.tx(self.actors.admin, fn, *args, agent="shock", action=fn) for feed in feeds]
