"""The custodian's reports and the oracle keeper that carries them on-chain.

On the scenario's schedule (`custodian.report_every_days`) the custodian attests the NAV on the
SPV (`reportNav`, as of `reporting_lag_days` ago: the true value then) and the reporter submits
the same value to the latency oracle (`submit`). The keeper mirrors the feed in a
`models.oracle.LatencyOracleModel` (the contract's publication rules, kept in that one place): it
feeds it the same submissions, rule changes and outages, wakes at `next_change_at` and `poke`s when
an evaluation would publish. With a TWAP oracle the keeper calls `update()` instead.

With the conservative oracle (`market.mitigations.oracle`) the keeper serves both of its sides (the
reports reach the NAV feed, added or the scenario's own; the TWAP, added or own, is updated on the
same rule as a TWAP feed) and calls the ConservativeOracle's `update()` in every step where it sent a
side a transaction, and at a freeze's end. It mirrors the oracle in a
`models.oracle.ConservativeOracleModel`, fed one block late: the view after the block of an
`update()` shows the sides that `update()` read (only the keeper moves them, and its transactions
come first in a block), so the model knows each freeze's end exactly and the keeper asks to be woken
then (`wake_times`), whether the engine fast-forwards or not.

The guardian's emergency stop (`market.mitigations.circuit_breakers.emergency_stop`) reaches the model
as the world's `oracle_stopped`, like the outage shock's `oracle_outage`: the stop's transaction comes
after the keeper's in its block, so the keeper sees it from the next step, as the chain does.

With a proof of reserve (`market.mitigations.oracle.proof_of_reserve`) the keeper is also the
attestor: every `report_every_hours` of the run (setup sent the first report) it submits the
custodian's reserves to the reserves feed, the supply in the step's view times the share of the custody
left (`World.custody_share`), rounded down.

With structured products (`market.structured`) the custodian also attests each component SPV token at every
routine report (the same schedule and lag; off-cycle reports are the scenario's own SPV token's), and the
keeper submits each to the component's NAV feed and pokes it by the same rules, mirrored in one
`LatencyOracleModel` per component. Outages and latency changes reach every NAV feed: one oracle design.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from ..models.oracle import ConservativeOracleModel, LatencyOracleModel
from ..units import FEED_DECIMALS, SECONDS_PER_DAY, SECONDS_PER_HOUR, STABLE_DECIMALS, usd_to_feed
from ..view import View
from .base import Agent

if TYPE_CHECKING:
    from ..chain import TxRequest
    from ..context import Context

POKE_GAS = 400_000
MIN_ANSWER = 1  # the smallest positive feed answer (8 decimals): what a written-off asset publishes


class Keeper(Agent):
    name = "keeper"

    def __init__(self, ctx: "Context"):
        cfg = ctx.scenario.market
        self.every = round(cfg.custodian.report_every_days * SECONDS_PER_DAY)
        self.lag = round(cfg.custodian.reporting_lag_days * SECONDS_PER_DAY)
        self.kind = cfg.oracle.kind
        guard = cfg.mitigations.oracle
        m = ctx.market
        self.has_nav, self.has_twap = m.nav_feed is not None, m.twap_feed is not None
        # The NAV feed as the chain has it, in run time: setup published the first NAV before the
        # run (taken here as published at 0, the run's start). A NAV feed added beside a TWAP has no delay.
        own = self.kind == "latency"
        self.feed = (LatencyOracleModel(cfg.oracle.delay_seconds, cfg.oracle.heartbeat_seconds, cfg.oracle.deviation_bps)
                     if own else LatencyOracleModel())
        self.feed.submit(usd_to_feed(cfg.asset.nav_per_token_usd), -self.feed.delay, 0)
        # The structured components' NAV feeds, one model each (setup published their first NAVs with the SPV's).
        components = m.structured.components if m.structured is not None else []
        self.components = [LatencyOracleModel(cfg.oracle.delay_seconds, cfg.oracle.heartbeat_seconds, cfg.oracle.deviation_bps)
                           for _ in components]
        for model, c in zip(self.components, components):
            model.submit(usd_to_feed(c.config.nav_per_token_usd), -model.delay, 0)
        self.components_as_of = 0
        self.twap_window = cfg.oracle.twap_window_seconds if self.kind == "twap" else guard.twap_window_seconds
        self.twap_every = max(1, self.twap_window // 4)
        # The conservative oracle: its model, and the time of the keeper's last `update()` not yet fed to
        # it (setup's, before the run: the first view shows the sides it read).
        self.guard = (ConservativeOracleModel(guard.max_change_bps, guard.freeze_seconds)
                      if m.guard is not None else None)
        self.guard_pending: int | None = -1 if self.guard is not None else None
        # While the AMM price moved less than two windows ago the TWAP is still catching up: the
        # keeper asks to be woken for its updates even when nobody else acts (fast-forward).
        self.last_amm_price = None
        self.twap_catch_up_until = 2 * self.twap_window  # setup's trades moved the AMM just before the start
        self.next_report = self.every
        self.extra_reports: list[tuple[int, int]] = []  # (when, as of) of off-cycle reports
        self.last_as_of = 0
        self.last_twap_update = 0
        self.reports = 0
        self.last_reported_nav_usd = cfg.asset.nav_per_token_usd
        # The proof-of-reserve attestor (setup sent the first report): every period of the run.
        por = guard.proof_of_reserve
        self.por_every = round(por.report_every_hours * SECONDS_PER_HOUR) if por else 0
        self.next_por = self.por_every
        self._stable_tx: list["TxRequest"] = []
        self.ctx = ctx

    # -- called by shocks ------------------------------------------------------------------

    def request_report(self, t: int, as_of: int | None = None) -> None:
        """An off-cycle report at `t` stating the NAV as of `as_of` (default: the usual reporting
        lag). A write-down announced at once is reported as of its own date, lag or not."""
        self.extra_reports.append((t, max(0, t - self.lag) if as_of is None else as_of))

    def set_latency(self, delay: int, heartbeat: int, deviation_bps: int) -> None:
        if self.kind == "latency":  # the shock changes the scenario's own latency feed only, never an added one
            self.feed.set_rules(delay, heartbeat, deviation_bps)
            for model in self.components:
                model.set_rules(delay, heartbeat, deviation_bps)

    def stable_price_tx(self, price_usd: float) -> "TxRequest":
        m, a = self.ctx.market, self.ctx.actors
        answer = round(price_usd * 10**FEED_DECIMALS)
        if m.stable_feed_kind == "pinned":  # an existing feed taken over on a fork: a settable mock
            return m.stable_feed.tx(a.keeper, "setAnswer", answer, agent=self.name, action="stable_price", gas=POKE_GAS)
        return m.stable_feed.tx(a.keeper, "submit", answer, self.ctx.chain_time(self.ctx.world.t),
                                agent=self.name, action="stable_price", gas=POKE_GAS)

    # -- agent protocol --------------------------------------------------------------------

    def wake_times(self, now: int) -> list[int]:
        times = [self.next_report, *(at for at, _ in self.extra_reports)]
        if self.por_every:
            times.append(self.next_por)
        if self.kind == "latency":
            for model in [self.feed, *self.components]:
                change = model.next_change_at(now)
                if change is not None:
                    times.append(change)
        if self.has_twap and now < self.twap_catch_up_until:
            times.append(self.last_twap_update + self.twap_every)
        if self.guard is not None and self.guard.next_change_at(now) is not None:
            times.append(self.guard.frozen_until)
        return [t for t in times if t > now]

    def act(self, view: View, ctx: "Context") -> list["TxRequest"]:
        t = ctx.world.t
        m, a = ctx.market, ctx.actors
        txs: list["TxRequest"] = []
        if self.guard is not None and self.guard_pending is not None:
            self.guard.update(self.guard_pending, view.nav_side, view.twap_side)
            self.guard_pending = None
        if self.kind == "latency":  # the outage shock and the guardian's stop switch the scenario's own feed only
            self.feed.set_outage(ctx.world.oracle_outage)
            self.feed.set_stopped(ctx.world.oracle_stopped)
            for model in self.components:
                model.set_outage(ctx.world.oracle_outage)
        due = [as_of for at, as_of in self.extra_reports if at <= t]
        if t >= self.next_report or due:
            routine = t >= self.next_report
            self.extra_reports = [(at, as_of) for at, as_of in self.extra_reports if at > t]
            while self.next_report <= t:
                self.next_report += self.every
            txs += self._report(t, ctx, max([max(0, t - self.lag), *due]))
            if routine and self.components:
                txs += self._component_reports(t, ctx, max(0, t - self.lag))
        if self.por_every and t >= self.next_por:
            while self.next_por <= t:
                self.next_por += self.por_every
            txs.append(self._reserves_report(view, t, ctx))
        if self.has_twap:
            self._track_amm(view, t)
        if self.kind == "latency":
            if self.feed.decide(t).publish:  # a poke now publishes (never during an outage)
                self.feed.poke(t)
                txs.append(m.nav_feed.tx(a.keeper, "poke", agent=self.name, action="oracle_poke", gas=POKE_GAS))
            for model, component in zip(self.components, m.structured.components if self.components else []):
                if model.decide(t).publish:
                    model.poke(t)
                    txs.append(component.feed.tx(a.keeper, "poke", agent=self.name, action="oracle_poke", gas=POKE_GAS))
        outage = ctx.world.oracle_outage and self.kind == "twap"  # an outage of a TWAP feed: its keeper stops
        if self.has_twap and not outage and t < self.twap_catch_up_until and t - self.last_twap_update >= self.twap_every:
            # Updates while the AMM price moved less than two windows ago (a constant price gives the
            # same TWAP whenever it is updated); the same rule whether the engine fast-forwards or not.
            self.last_twap_update = t
            txs.append(m.twap_feed.tx(a.keeper, "update", agent=self.name, action="twap_update", gas=POKE_GAS))
        if self.guard is not None:
            freeze_over = self.guard.frozen_until and t >= self.guard.frozen_until
            if txs or freeze_over:  # every transaction so far is a report or went to a side
                self.guard_pending = t
                txs.append(m.guard.tx(a.keeper, "update", agent=self.name, action="conservative_update", gas=POKE_GAS))
        return txs

    def _track_amm(self, view: View, t: int) -> None:
        """Notes an AMM price move: the TWAP then needs updates for two more windows."""
        if self.last_amm_price is None:
            # The first step's price: the start's, whenever the engine steps (the catch-up already runs
            # from the start, `twap_catch_up_until`, as setup's trades may have moved the AMM).
            self.last_amm_price = view.amm_price_usd
        elif view.amm_price_usd != self.last_amm_price:
            self.last_amm_price = view.amm_price_usd
            self.twap_catch_up_until = t + 2 * self.twap_window

    def _reserves_report(self, view: View, t: int, ctx: "Context") -> "TxRequest":
        """The attestor's proof-of-reserve report: the supply at the step's view times the share of the
        custody left (`scenario.ProofOfReserve`), rounded down; 1 for none (a feed answer is positive)."""
        share = ctx.world.custody_share
        reserves = math.floor(view.spv_supply * share)
        return ctx.market.por_feed.tx(ctx.actors.keeper, "submit", max(1, reserves), ctx.chain_time(t),
                                      agent=self.name, action="reserves_report", gas=POKE_GAS)

    def _component_reports(self, t: int, ctx: "Context", as_of: int) -> list["TxRequest"]:
        """The custodian's routine report of every structured component (its true value as of `as_of`) and
        the keeper's submission of each to the component's NAV feed."""
        m, a = ctx.market, ctx.actors
        as_of = max(as_of, self.components_as_of)
        self.components_as_of = as_of
        txs = []
        for model, component, value in zip(self.components, m.structured.components, ctx.world.components):
            nav_usd = value.true_nav_at(as_of)
            ctx.world.record("nav_report", f"custodian reports {value.symbol} NAV ${nav_usd:.4f} as of day "
                             f"{as_of / SECONDS_PER_DAY:.1f}")
            txs.append(component.spv.tx(a.custodian, "reportNav", round(nav_usd * 10**STABLE_DECIMALS),
                                        ctx.chain_time(as_of), agent=self.name, action="nav_report"))
            answer = max(MIN_ANSWER, round(nav_usd * 10**FEED_DECIMALS))
            txs.append(component.feed.tx(a.keeper, "submit", answer, ctx.chain_time(t), agent=self.name,
                                         action="oracle_submit", gas=POKE_GAS))
            model.submit(answer, t, t)
        return txs

    def _report(self, t: int, ctx: "Context", as_of: int) -> list["TxRequest"]:
        m, a = ctx.market, ctx.actors
        as_of = max(as_of, self.last_as_of)  # the SPV rejects a report older than the previous one
        self.last_as_of = as_of
        nav_usd = ctx.world.true_nav_at(as_of)
        self.reports += 1
        self.last_reported_nav_usd = nav_usd
        ctx.world.record("nav_report", f"custodian reports NAV ${nav_usd:.4f} as of day {as_of / SECONDS_PER_DAY:.1f}")
        nav_raw = round(nav_usd * 10**STABLE_DECIMALS)
        txs = [m.spv.tx(a.custodian, "reportNav", nav_raw, ctx.chain_time(as_of), agent=self.name, action="nav_report")]
        if self.has_nav:
            # A feed cannot publish 0 (Chainlink-style feeds and the pool treat answers <= 0 as invalid):
            # a total write-off publishes the smallest positive answer, 1e-8 USD, so the pool values
            # the collateral at ~0 and every position backed by it becomes liquidatable.
            answer = max(MIN_ANSWER, round(nav_usd * 10**FEED_DECIMALS))
            txs.append(m.nav_feed.tx(a.keeper, "submit", answer, ctx.chain_time(t), agent=self.name,
                                     action="oracle_submit", gas=POKE_GAS))
            self.feed.submit(answer, t, t)  # the submit evaluates too: publishes now if the rules say so
        return txs
