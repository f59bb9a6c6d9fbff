"""Shocks: off-chain events on a timeline, each its own actor (one class per `kind`).

A shock changes the off-chain world (true value, flags agents read) and, where the real world
would, sends the privileged transactions that follow from it (the custodian freezing
redemptions, the oracle going dark). Adding a kind: a config model in `scenario.py` and one class
here registered with `@shock(ConfigClass)`; the engine does not change.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Callable, Type

from . import scenario as sc
from .units import SECONDS_PER_DAY

if TYPE_CHECKING:
    from .chain import TxRequest
    from .context import Context

_REGISTRY: dict[type, Type["Shock"]] = {}


def shock(config_type: type) -> Callable[[Type["Shock"]], Type["Shock"]]:
    def register(cls: Type["Shock"]) -> Type["Shock"]:
        _REGISTRY[config_type] = cls
        return cls

    return register


def build(config) -> "Shock":
    return _REGISTRY[type(config)](config)


class Shock:
    """Base: starts at `at_days`; may end later; may change the true value over time."""

    def __init__(self, config):
        self.config = config
        self.start = round(config.at_days * SECONDS_PER_DAY)
        self.started = False
        self.ended = False

    @property
    def kind(self) -> str:
        return self.config.kind

    @property
    def end(self) -> int | None:
        """When the shock's own process is over (None: instantaneous)."""
        return None

    default_offchain_days: float = 0.0

    @property
    def offchain_end(self) -> int:
        """When the event is over in the off-chain world (legal fight, assessment, defaults)."""
        days = self.config.offchain_days
        if days is None:
            days = self.default_offchain_days
        own = self.end if self.end is not None else self.start
        return max(own, self.start + round(days * SECONDS_PER_DAY))

    def value_factor(self, t: int) -> float:
        """Multiplier on the asset's true value at time `t` (1.0: no effect)."""
        return 1.0

    def on_start(self, ctx: "Context") -> list["TxRequest"]:
        return []

    def on_end(self, ctx: "Context") -> list["TxRequest"]:
        return []

    def wake_times(self) -> list[int]:
        return [t for t in (self.start, self.end) if t is not None]


def _step_factor(start: int, drop_pct: float) -> Callable[[int], float]:
    return lambda t: 1.0 - drop_pct / 100.0 if t >= start else 1.0


@shock(sc.DefaultWave)
class DefaultWaveShock(Shock):
    """Loan defaults accrue: the true NAV falls linearly by `nav_drop_pct` over `over_days`."""

    @property
    def end(self) -> int:
        return self.start + round(self.config.over_days * SECONDS_PER_DAY)

    def value_factor(self, t: int) -> float:
        if t <= self.start:
            return 1.0
        progress = min(1.0, (t - self.start) / (self.end - self.start))
        return 1.0 - self.config.nav_drop_pct / 100.0 * progress

    def on_start(self, ctx):
        ctx.world.record(
            "default_wave",
            f"loan defaults start: true NAV -{self.config.nav_drop_pct:g}% over {self.config.over_days:g} days",
        )
        return []


@shock(sc.NavWritedown)
class NavWritedownShock(Shock):
    def value_factor(self, t: int) -> float:
        return _step_factor(self.start, self.config.nav_drop_pct)(t)

    def on_start(self, ctx):
        ctx.world.record("nav_writedown", f"NAV written down by {self.config.nav_drop_pct:g}%")
        if self.config.report_immediately:
            # Reported at once, as of today: the reporting lag delays routine reports, not this one.
            ctx.keeper.request_report(ctx.world.t, as_of=ctx.world.t)
        return []


@shock(sc.Rumor)
class RumorShock(Shock):
    """Holders try to sell within minutes, before any oracle move."""

    @property
    def end(self) -> int:
        return self.start + round(self.config.within_minutes * 60)

    def on_start(self, ctx):
        ctx.world.panic_until = self.end
        ctx.world.panic_share = self.config.holder_share_bps / 10_000
        ctx.world.record(
            "rumor",
            f"rumor: {self.config.holder_share_bps / 100:g}% of holders rush to sell within "
            f"{self.config.within_minutes:g} min",
        )
        return []


@shock(sc.CustodianHack)
class CustodianHackShock(Shock):
    """Redemptions frozen and the legal claim impaired, on-chain, by the custodian."""

    default_offchain_days = 180.0

    def value_factor(self, t: int) -> float:
        return _step_factor(self.start, self.config.value_haircut_pct)(t)

    def on_start(self, ctx):
        ctx.world.impaired = True
        ctx.world.redemptions_frozen = True
        ctx.world.record(
            "custodian_hack",
            f"custodian hacked: redemptions frozen, claim impaired, true value -{self.config.value_haircut_pct:g}%",
        )
        m, custodian = ctx.market, ctx.actors.custodian
        return [
            m.spv.tx(custodian, "freezeRedemptions", True, agent="shock", action="freeze_redemptions"),
            m.spv.tx(custodian, "setImpaired", True, "custodian hack", agent="shock", action="impair"),
        ]


@shock(sc.NaturalDisaster)
class NaturalDisasterShock(Shock):
    default_offchain_days = 90.0

    def value_factor(self, t: int) -> float:
        return _step_factor(self.start, self.config.value_drop_pct)(t)

    def on_start(self, ctx):
        ctx.world.record("natural_disaster", f"natural disaster: property value -{self.config.value_drop_pct:g}%")
        return []


@shock(sc.LiquidityWithdrawal)
class LiquidityWithdrawalShock(Shock):
    def on_start(self, ctx):
        ctx.world.forced_lp_withdrawal = self.config.share_pct / 100.0
        ctx.world.record("liquidity_withdrawal", f"LPs pull {self.config.share_pct:g}% of AMM depth")
        return []


@shock(sc.OracleOutage)
class OracleOutageShock(Shock):
    @property
    def end(self) -> int:
        return self.start + round(self.config.duration_days * SECONDS_PER_DAY)

    def on_start(self, ctx):
        ctx.world.oracle_outage = True
        ctx.world.record("oracle_outage", f"oracle outage for {self.config.duration_days:g} days")
        return ctx.feed_admin_txs("setOutage", True)

    def on_end(self, ctx):
        ctx.world.oracle_outage = False
        ctx.world.record("oracle_restored", "oracle publishes again")
        return ctx.feed_admin_txs("setOutage", False)


@shock(sc.OracleLatencyChange)
class OracleLatencyChangeShock(Shock):
    def on_start(self, ctx):
        c = self.config
        ctx.keeper.set_latency(c.delay_seconds, c.heartbeat_seconds, c.deviation_bps)
        ctx.world.record(
            "oracle_latency_change",
            f"oracle latency: delay {c.delay_seconds}s, heartbeat {c.heartbeat_seconds}s, deviation {c.deviation_bps} bps",
        )
        return ctx.feed_admin_txs("setLatencyRules", c.delay_seconds, c.heartbeat_seconds, c.deviation_bps)


@shock(sc.StablecoinDepeg)
class StablecoinDepegShock(Shock):
    @property
    def end(self) -> int:
        return self.start + round(self.config.duration_days * SECONDS_PER_DAY)

    def on_start(self, ctx):
        ctx.world.stable_price_usd = self.config.price_usd
        ctx.world.record("stablecoin_depeg", f"stablecoin depegs to ${self.config.price_usd:g}")
        return [ctx.keeper.stable_price_tx(self.config.price_usd)]

    def on_end(self, ctx):
        ctx.world.stable_price_usd = 1.0
        ctx.world.record("stablecoin_repeg", "stablecoin back at $1")
        return [ctx.keeper.stable_price_tx(1.0)]
