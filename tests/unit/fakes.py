"""Shared stand-ins for unit tests of agents, shocks, metrics and the engine (no chain).

- `Contract` records the transactions built on it (what `abi.Bound.tx` would encode) as `Call`s;
- `market()` is a `Market` of such contracts (the feeds' kinds as the scenario says);
- `context()` is a real `rwa_testbed.context.Context` (real `World`, `chain_time`, AMM drawdown,
  `feed_admin_txs`) around that market, stand-in accounts and a scenario namespace built from the
  real config models;
- `RecordingKeeper` implements `KeeperPort` and records what shocks ask of it;
- `market_view()` is a `View` of the AMM, feeds, NAV and watched balances.

Addresses are readable names (`0xstable`, `0xarbitrageur`), so assertions read as the rule.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from types import SimpleNamespace

from rwa_testbed import scenario as sc
from rwa_testbed.context import Context
from rwa_testbed.view import View
from rwa_testbed.world import World

USD = 10**8  # feeds, 8 decimals
UNIT = 10**6  # one stablecoin
WAD = 10**18  # one SPV token
DAY = 86_400
START_TIME = 1_700_000_000  # chain time of run time 0


@dataclass
class Call:
    """A transaction an agent asked for (what `Bound.tx` would encode)."""

    to: str
    fn: str
    args: tuple
    action: str
    meta: dict
    sender: object = None
    agent: str = ""
    gas: int = 0


@dataclass
class Contract:
    name: str
    calls: list = field(default_factory=list)

    @property
    def address(self) -> str:
        return f"0x{self.name}"

    def tx(self, sender, fn, *args, agent, action=None, gas=0, meta=None):
        call = Call(self.address, fn, args, action or fn, meta or {}, sender, agent, gas)
        self.calls.append(call)
        return call


def account(name: str) -> SimpleNamespace:
    return SimpleNamespace(address=f"0x{name}", name=name)


def market(*, oracle_kind: str = "latency", stable_feed_kind: str = "latency") -> SimpleNamespace:
    names = ("stable", "spv", "pair", "pool", "router", "spv_feed", "stable_feed")
    contracts = {n: Contract(n) for n in names}
    own = "nav_feed" if oracle_kind == "latency" else "twap_feed"
    feeds = {"nav_feed": None, "twap_feed": None, "guard": None, own: contracts["spv_feed"]}
    return SimpleNamespace(**contracts, **feeds, executors={}, venue=None, structured=None,
                           oracle_kind=oracle_kind, stable_feed_kind=stable_feed_kind)


def actors(n_borrowers: int = 0) -> SimpleNamespace:
    return SimpleNamespace(admin=account("admin"), custodian=account("custodian"), keeper=account("keeper"),
                           borrowers=[account(f"borrower{i}") for i in range(n_borrowers)])


def scenario(*, custodian: sc.CustodianConfig | None = None, oracle: sc.OracleConfig | None = None,
             arbitrageurs: sc.ArbitrageurConfig | None = None, panic_sellers: sc.PanicSellerConfig | None = None,
             liquidity_providers: sc.LiquidityProviderConfig | None = None, nav_usd: float = 1.0,
             fee_bps: int = 30, seed: int = 7, stablecoin: sc.StablecoinConfig | None = None) -> SimpleNamespace:
    """The parts of a `Scenario` the agents read, from the real config models (their defaults)."""
    return SimpleNamespace(
        market=SimpleNamespace(custodian=custodian or sc.CustodianConfig(), oracle=oracle or sc.OracleConfig(),
                               asset=SimpleNamespace(nav_per_token_usd=nav_usd), amm=SimpleNamespace(fee_bps=fee_bps),
                               stablecoin=stablecoin or sc.StablecoinConfig(), mitigations=sc.MitigationsConfig(),
                               structured=None),
        agents=SimpleNamespace(arbitrageurs=arbitrageurs or sc.ArbitrageurConfig(),
                               panic_sellers=panic_sellers or sc.PanicSellerConfig(),
                               liquidity_providers=liquidity_providers or sc.LiquidityProviderConfig()),
        run=SimpleNamespace(seed=seed),
    )


def context(scenario_ns: SimpleNamespace | None = None, *, nav0_usd: float = 1.0, yield_apr: float = 0.0,
            oracle_kind: str = "latency", stable_feed_kind: str = "latency", keeper=None,
            n_borrowers: int = 0) -> Context:
    """A real `Context` over a recording market; the world starts at `nav0_usd` and no yield."""
    return Context(scenario=scenario_ns or scenario(), world=World(nav0_usd=nav0_usd, yield_apr=yield_apr),
                   market=market(oracle_kind=oracle_kind, stable_feed_kind=stable_feed_kind),
                   actors=actors(n_borrowers), chain=None, rng=random.Random(0), start_time=START_TIME,
                   keeper=keeper)


class RecordingKeeper:
    """A `KeeperPort` that records what shocks ask of it."""

    def __init__(self):
        self.calls: list[tuple] = []

    def request_report(self, t: int, as_of: int | None = None) -> None:
        self.calls.append(("request_report", t, as_of))

    def set_latency(self, delay: int, heartbeat: int, deviation_bps: int) -> None:
        self.calls.append(("set_latency", delay, heartbeat, deviation_bps))

    def stable_price_tx(self, price_usd: float):
        self.calls.append(("stable_price_tx", price_usd))
        return ("stable_price_tx", price_usd)


def market_view(*, t: int = 0, amm_price_usd: float = 1.0, amm_spv_tokens: float = 1_000_000, nav_usd: float = 1.0,
                oracle_usd: float = 1.0, stable_usd: float = 1.0, impaired: bool = False,
                balances: dict[tuple[str, str], int] | None = None) -> View:
    """The AMM holding `amm_spv_tokens` against `amm_spv_tokens * amm_price_usd` stablecoins (price in
    stablecoin per token), the feeds at `oracle_usd` / `stable_usd`, the last NAV at `nav_usd`. Reserves
    are exact integers (not floats times 1e18), so round prices stay exact."""
    return View(t=t, oracle_answer=round(oracle_usd * USD), oracle_updated_at=0, stable_answer=round(stable_usd * USD),
                spv_reserve=round(amm_spv_tokens * 10**6) * 10**12, stable_reserve=round(amm_spv_tokens * amm_price_usd * UNIT),
                accounts=[], deficit=0, nav_per_token=round(nav_usd * UNIT), redemptions_frozen=False,
                impaired=impaired, balances=dict(balances or {}))
