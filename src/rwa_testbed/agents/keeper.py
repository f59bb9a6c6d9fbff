"""The custodian's reports and the oracle keeper that carries them on-chain.

On the scenario's schedule (`custodian.report_every_days`) the custodian attests the NAV on the
SPV (`reportNav`, as of `reporting_lag_days` ago: the true value then) and the reporter submits
the same value to the latency oracle (`submit`). The keeper mirrors the feed in a
`models.oracle.LatencyOracleModel` (the contract's publication rules, kept in that one place): it
feeds it the same submissions, rule changes and outages, wakes at `next_change_at` and `poke`s when
an evaluation would publish. With a TWAP oracle the keeper calls `update()` instead.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..models.oracle import LatencyOracleModel
from ..units import FEED_DECIMALS, SECONDS_PER_DAY, STABLE_DECIMALS, usd_to_feed
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
        # The SPV feed as the chain has it, in run time: setup published the first NAV before the
        # run (taken here as published at 0, the run's start).
        self.feed = LatencyOracleModel(cfg.oracle.delay_seconds, cfg.oracle.heartbeat_seconds, cfg.oracle.deviation_bps)
        self.feed.submit(usd_to_feed(cfg.asset.nav_per_token_usd), -cfg.oracle.delay_seconds, 0)
        self.twap_window = cfg.oracle.twap_window_seconds
        self.twap_every = max(1, cfg.oracle.twap_window_seconds // 4)
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
        self._stable_tx: list["TxRequest"] = []
        self.ctx = ctx

    # -- called by shocks ------------------------------------------------------------------

    def request_report(self, t: int, as_of: int | None = None) -> None:
        """An off-cycle report at `t` stating the NAV as of `as_of` (default: the usual reporting
        lag). A write-down announced at once is reported as of its own date, lag or not."""
        self.extra_reports.append((t, max(0, t - self.lag) if as_of is None else as_of))

    def set_latency(self, delay: int, heartbeat: int, deviation_bps: int) -> None:
        self.feed.set_rules(delay, heartbeat, deviation_bps)

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
        if self.kind == "latency":
            change = self.feed.next_change_at(now)
            if change is not None:
                times.append(change)
        if self.kind == "twap" and now < self.twap_catch_up_until:
            times.append(self.last_twap_update + self.twap_every)
        return [t for t in times if t > now]

    def act(self, view: View, ctx: "Context") -> list["TxRequest"]:
        t = ctx.world.t
        m, a = ctx.market, ctx.actors
        txs: list["TxRequest"] = []
        self.feed.set_outage(ctx.world.oracle_outage)
        due = [as_of for at, as_of in self.extra_reports if at <= t]
        if t >= self.next_report or due:
            self.extra_reports = [(at, as_of) for at, as_of in self.extra_reports if at > t]
            while self.next_report <= t:
                self.next_report += self.every
            txs += self._report(t, ctx, max([max(0, t - self.lag), *due]))
        if self.kind == "twap":
            self._track_amm(view, t)
        if self.kind == "latency":
            if self.feed.decide(t).publish:  # a poke now publishes (never during an outage)
                self.feed.poke(t)
                txs.append(m.spv_feed.tx(a.keeper, "poke", agent=self.name, action="oracle_poke", gas=POKE_GAS))
        elif not ctx.world.oracle_outage and t < self.twap_catch_up_until and t - self.last_twap_update >= self.twap_every:
            # Updates while the AMM price moved less than two windows ago (a constant price gives the
            # same TWAP whenever it is updated); the same rule whether the engine fast-forwards or not.
            self.last_twap_update = t
            txs.append(m.spv_feed.tx(a.keeper, "update", agent=self.name, action="twap_update", gas=POKE_GAS))
        return txs

    def _track_amm(self, view: View, t: int) -> None:
        """Notes an AMM price move: the TWAP then needs updates for two more windows."""
        if self.last_amm_price is None:  # the first step's price: the start's, whenever the engine steps
            self.last_amm_price = view.amm_price_usd
        elif view.amm_price_usd != self.last_amm_price:
            self.last_amm_price = view.amm_price_usd
            self.twap_catch_up_until = t + 2 * self.twap_window

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
        if self.kind == "latency":
            # A feed cannot publish 0 (Chainlink-style feeds and the pool treat answers <= 0 as invalid):
            # a total write-off publishes the smallest positive answer, 1e-8 USD, so the pool values
            # the collateral at ~0 and every position backed by it becomes liquidatable.
            answer = max(MIN_ANSWER, round(nav_usd * 10**FEED_DECIMALS))
            txs.append(m.spv_feed.tx(a.keeper, "submit", answer, ctx.chain_time(t), agent=self.name,
                                     action="oracle_submit", gas=POKE_GAS))
            self.feed.submit(answer, t, t)  # the submit evaluates too: publishes now if the rules say so
        return txs
