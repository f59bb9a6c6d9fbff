"""Shocks: off-chain events on a timeline, each its own actor (one class per `kind`).

A shock changes the off-chain world (true value, flags agents read) and, where the real world
would, sends the privileged transactions that follow from it (the custodian freezing
redemptions, the oracle going dark). Adding a kind: a config model in `scenario.py` and one class
here registered with `@shock(ConfigClass)`; the engine does not change.
"""

from __future__ import annotations

import math
from bisect import bisect_right
from fractions import Fraction
from typing import TYPE_CHECKING, Callable, Sequence, Type

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

    def on_step(self, ctx: "Context") -> list["TxRequest"]:
        """Every step from its start (after `on_start`) until it ends (before `on_end`): what is due
        now along the shock's own schedule (its `wake_times` name every such moment)."""
        return []

    def fire(self, ctx: "Context") -> list["TxRequest"]:
        """What the shock does at the engine's step at `ctx.world.t`: starts once its time has come,
        acts while it runs (`on_step`), ends once its end has passed. The engine calls this for every
        shock at every step; it is the one place the order of the three is written."""
        t, txs = ctx.world.t, []
        if not self.started and self.start <= t:
            self.started = True
            txs += self.on_start(ctx)
        if self.started and not self.ended:
            txs += self.on_step(ctx)
        if self.started and not self.ended and self.end is not None and self.end <= t:
            self.ended = True
            txs += self.on_end(ctx)
        return txs

    def wake_times(self) -> list[int]:
        return [t for t in (self.start, self.end) if t is not None]


def _step_factor(start: int, drop_pct: float) -> Callable[[int], float]:
    return lambda t: 1.0 - drop_pct / 100.0 if t >= start else 1.0


def path_points(path: Sequence[tuple[float, float]], origin: float) -> list[tuple[int, float]]:
    """A scenario path as (seconds after the shock's start, value) points, starting from `origin` at
    0 unless its first point is at day 0."""
    points = [(round(d * SECONDS_PER_DAY), v) for d, v in path]
    return points if points[0][0] == 0 else [(0, origin), *points]


def interpolate(points: Sequence[tuple[int, float]], s: float) -> float:
    """The value of a points path `s` seconds after its start: linear in between, the last value after
    (the first value before the first point). Bisects: a drawn path has thousands of points."""
    if s >= points[-1][0]:
        return points[-1][1]
    i = bisect_right(points, s, key=lambda point: point[0])  # points at or before s
    if i == 0:
        return points[0][1]
    (s0, v0), (s1, v1) = points[i - 1], points[i]
    return v0 + (v1 - v0) * (s - s0) / (s1 - s0)


def publications(points: Sequence[tuple[int, float]], deviation_bps: int) -> list[tuple[int, float]]:
    """When a feed with a deviation threshold publishes a price moving along `points` (seconds after
    the start, price): at each point whose price differs from the last publication, and at the first
    whole second the price has moved `deviation_bps` from the last publication (the price there).
    The first point is published at 0 only if the path names it (it starts at day 0)."""
    d = deviation_bps / 10_000
    pubs: list[tuple[int, float]] = []
    last = points[0][1]
    for (s0, p0), (s1, p1) in zip(points, points[1:]):
        if p1 != p0:
            up = p1 > p0
            while True:
                target = last * (1 + d) if up else last * (1 - d)
                if (target >= p1) if up else (target <= p1):
                    break
                s = math.ceil(s0 + (target - p0) / (p1 - p0) * (s1 - s0))
                if s >= s1:
                    break
                last = interpolate(points, s)
                if not pubs or s > pubs[-1][0]:
                    pubs.append((s, last))
                else:
                    pubs[-1] = (s, last)
        if p1 != last:
            last = p1
            pubs.append((s1, p1))
    return pubs


class PathShock(Shock):
    """A true-value shock given by one jump (`single` field, percent) or a `path` of (days, percent)
    points, linear in between; `sign` -1 for a drop, +1 for a rise."""

    single: str = ""
    sign: int = -1

    def __init__(self, config):
        super().__init__(config)
        self.points = path_points(config.path, 0.0) if config.path is not None else None

    @property
    def end(self) -> int | None:
        return None if self.points is None else self.start + self.points[-1][0]

    def pct_at(self, t: int) -> float:
        if t < self.start:
            return 0.0
        return getattr(self.config, self.single) if self.points is None else interpolate(self.points, t - self.start)

    def value_factor(self, t: int) -> float:
        if self.points is None:  # the single jump, exactly as before paths existed
            return _step_factor(self.start, -self.sign * getattr(self.config, self.single))(t)
        return 1.0 + self.sign * self.pct_at(t) / 100.0

    def describe(self) -> str:
        if self.points is None:
            return f"{getattr(self.config, self.single):g}%"
        return "along a path to " + f"{self.points[-1][1]:g}% by day {self.points[-1][0] / SECONDS_PER_DAY:g}"

    def request_reports(self, ctx) -> None:
        """Off-cycle reports as of their own dates: at once, or at each of the path's own points."""
        if not getattr(self.config, "report_immediately", False):
            return
        if self.config.path is None:
            ctx.keeper.request_report(ctx.world.t, as_of=ctx.world.t)
            return
        for d, _ in self.config.path:
            at = self.start + round(d * SECONDS_PER_DAY)
            ctx.keeper.request_report(max(at, ctx.world.t), as_of=max(at, ctx.world.t))


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
class NavWritedownShock(PathShock):
    single = "nav_drop_pct"

    def on_start(self, ctx):
        ctx.world.record("nav_writedown", f"NAV written down by {self.describe()}")
        # Reported at once, as of today: the reporting lag delays routine reports, not this one.
        self.request_reports(ctx)
        return []


@shock(sc.NavWriteup)
class NavWriteupShock(PathShock):
    """A recovery (frozen reserves released, a claim settled): the true value rises."""

    single = "nav_rise_pct"
    sign = 1

    def on_start(self, ctx):
        ctx.world.record("nav_writeup", f"NAV written up by {self.describe()}")
        self.request_reports(ctx)
        return []


@shock(sc.TrueValuePath)
class TrueValuePathShock(Shock):
    """The true value follows a path of (seconds, change %) points, up and down, silently (e.g. a
    GBM drawn by `stochastic.realise`): no report, no transaction; the routine reports see it."""

    def __init__(self, config):
        super().__init__(config)
        self.points = path_points(config.path, 0.0)

    @property
    def end(self) -> int:
        return self.start + self.points[-1][0]

    def value_factor(self, t: int) -> float:
        return 1.0 if t < self.start else 1.0 + interpolate(self.points, t - self.start) / 100.0

    def on_start(self, ctx):
        s, pct = self.points[-1]
        ctx.world.record("true_value_path", f"true value follows a path of {len(self.points)} points, "
                         f"{pct:+.2f}% by day {(self.start + s) / SECONDS_PER_DAY:g}")
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
        ctx.world.custody_share *= 1 - Fraction(str(self.config.reserves_lost)) / 100  # the percent as written
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
class NaturalDisasterShock(PathShock):
    default_offchain_days = 90.0
    single = "value_drop_pct"

    def on_start(self, ctx):
        if self.points is None:
            ctx.world.record("natural_disaster", f"natural disaster: property value -{self.config.value_drop_pct:g}%")
        else:
            ctx.world.record("natural_disaster", f"natural disaster: property value falls {self.describe()}")
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
    """The stablecoin's market price (`world.stable_price_usd`) drops for a while, or follows a
    path; the feed publishes it, unless the pool prices the stablecoin at a fixed price
    (`market.stablecoin.pricing: fixed`: the feed never moves)."""

    def __init__(self, config):
        super().__init__(config)
        self.pubs: list[tuple[int, float]] = []
        if config.path is not None:
            points = path_points(config.path, 1.0)
            self.pubs = [(self.start + s, p) for s, p in publications(points, config.publish_deviation_bps)]
            self.path_end = self.start + points[-1][0]
        self.next_pub = 0  # index of the next publication along the path

    @property
    def end(self) -> int:
        if self.config.path is not None:
            return self.path_end
        return self.start + round(self.config.duration_days * SECONDS_PER_DAY)

    def _publish(self, ctx, price: float) -> list["TxRequest"]:
        ctx.world.stable_price_usd = price
        if ctx.scenario.market.stablecoin.pricing == "fixed":
            return []
        return [ctx.keeper.stable_price_tx(price)]

    def on_start(self, ctx):
        if self.config.path is not None:
            last = self.config.path[-1]
            ctx.world.record("stablecoin_depeg", f"stablecoin price follows a path to ${last[1]:g} by day "
                             f"{last[0]:g} of the shock")
            return []
        ctx.world.record("stablecoin_depeg", f"stablecoin depegs to ${self.config.price_usd:g}")
        return self._publish(ctx, self.config.price_usd)

    def on_step(self, ctx):
        due = [p for at, p in self.pubs[self.next_pub:] if at <= ctx.world.t]
        if not due:
            return []
        self.next_pub += len(due)
        return self._publish(ctx, due[-1])  # several due in one block: the latest

    def on_end(self, ctx):
        if self.config.path is not None:
            ctx.world.record("stablecoin_path_end", f"stablecoin price path over at ${ctx.world.stable_price_usd:g}")
            return []
        ctx.world.record("stablecoin_repeg", "stablecoin back at $1")
        return self._publish(ctx, 1.0)

    def wake_times(self) -> list[int]:
        times = [self.start, self.end]
        if self.next_pub < len(self.pubs):
            times.append(self.pubs[self.next_pub][0])
        return times
