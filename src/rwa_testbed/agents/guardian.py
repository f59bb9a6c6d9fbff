"""The pool's guardian: a risk steward holding the pool's admin role that runs the article's
reactive remedies (`market.mitigations`), each off by default:

- `circuit_breakers.divergence_pause_bps`: while the AMM price and the oracle price of the SPV token
  differ by more than that share of the oracle price (`diverged`), the stablecoin reserve's
  borrowing is disabled (the same parameters with `borrowingEnabled` false); re-enabled once back
  within.
- `collateral.liquidity_aware_ltv`: every `every_hours`, the SPV reserve's LTV (and threshold with
  `haircut_threshold`) is scaled by `liquidity_scale` (AMM depth against the pool's total debt) and
  sent when it moved at least `step_bps` (or returns to the configured values).
- `circuit_breakers.grace_period`: when the SPV feed's answer fell at least `after_jump_bps` since the
  guardian's previous step (`oracle_jumped`), liquidations against the SPV token are blocked for
  `seconds` (`setLiquidationGracePeriod`, Aave V3.1).
- `oracle.proof_of_reserve`: once the attested reserves are below the SPV token's supply
  (`unbacked`), the guardian calls the permissionless `ProofOfReserveExecutor.executeEmergencyAction()`
  (the SPV reserve frozen, its LTV 0); the liquidity-aware LTV steward then stands down (lifting the
  freeze is governance's call).
- `circuit_breakers.emergency_stop`: when the newest observation queued in the SPV's delayed NAV feed,
  not yet published, moves at least `pending_move_bps` from the feed's published answer
  (`suspect_pending`), the guardian stops the feed (Maker OSM's `stop`) for `hold_hours`, then restarts
  it; the observations queued until the restart count as reviewed and never stop it again.

The engine runs the guardian right after the keeper, before users and liquidators: its transactions
land first in their block (a guardian that reacts to the same block as the liquidators and wins).

All go through the venue (`LendingVenue.reconfigure_txs`, `grace_period_txs`). When the engine wakes
it: divergence and jumps are checked at every step the engine visits, which covers every price move
(both prices change only by transactions - swaps, liquidity, feed publications - after which the
engine steps block by block, or by a stablecoin market price off the feed, which moves at shock wake
times); the steward asks to be woken at its schedule and a grace period at its end (`wake_times`).
"""

from __future__ import annotations

import math
from dataclasses import replace
from typing import TYPE_CHECKING

from ..units import BPS, FEED_DECIMALS, SECONDS_PER_DAY, SECONDS_PER_HOUR, SPV_DECIMALS
from ..view import View
from .base import Agent

GUARDIAN_GAS = 300_000  # a feed's stop or start
EXECUTOR_GAS = 500_000  # the proof-of-reserve executor: a read and two reconfigurations of the pool

if TYPE_CHECKING:
    from ..chain import TxRequest, TxResult
    from ..context import Context
    from ..models.reserve import ReserveSpec


def diverged(amm_price_usd: float, oracle_price_usd: float, max_bps: int) -> bool:
    """|AMM price - oracle price| above `max_bps` of the oracle price (never without an oracle price)."""
    if oracle_price_usd <= 0:
        return False
    return abs(amm_price_usd - oracle_price_usd) * BPS > max_bps * oracle_price_usd


def oracle_jumped(previous_answer: int, answer: int, min_fall_bps: int) -> bool:
    """The feed's answer fell at least `min_fall_bps` of `previous_answer` (never from no price)."""
    return previous_answer > 0 and (previous_answer - answer) * BPS >= min_fall_bps * previous_answer


def collateral_usd(view: View) -> float:
    """The borrowers' collateral at the oracle, USD (the base the pool values it in)."""
    return sum(a.collateral_base for a in view.accounts) / 10**FEED_DECIMALS


def unbacked(reserves: int | None, supply: int) -> bool:
    """The attested reserves are below the supply (`ProofOfReserveExecutor`'s rule; no report: backed)."""
    return reserves is not None and reserves < supply


def suspect_pending(published: int, pending: int, min_move_bps: int) -> bool:
    """A queued answer moves at least `min_move_bps` of the published one, either way (never from no price)."""
    return published > 0 and abs(pending - published) * BPS >= min_move_bps * published


def liquidity_scale(depth_usd: float, debt_usd: float, full_at_depth_to_debt: float, min_scale_pct: float) -> float:
    """The steward's factor on the collateral's LTV (and threshold): min(1, depth / (full_at x debt)),
    never below `min_scale_pct` %; 1 without debt."""
    if debt_usd <= 0:
        return 1.0
    return max(min_scale_pct / 100, min(1.0, depth_usd / (full_at_depth_to_debt * debt_usd)))


def scaled_bps(configured_bps: int, scale: float) -> int:
    """A configured LTV or threshold times `scale`, rounded down (bps); scaling LTV and threshold by
    the same factor keeps LTV <= threshold, and a lower threshold keeps threshold x bonus <= 100 %."""
    return math.floor(configured_bps * scale)


def haircut(configured: "ReserveSpec", scale: float, threshold_too: bool) -> "ReserveSpec":
    """The collateral's parameters under the steward's `scale` (a threshold never below 1 bps: a
    collateral needs one)."""
    threshold = configured.liquidation_threshold_bps
    if threshold_too:
        threshold = max(1, scaled_bps(threshold, scale))
    return replace(configured, ltv_bps=min(threshold, scaled_bps(configured.ltv_bps, scale)),
                   liquidation_threshold_bps=threshold)


class Guardian(Agent):
    name = "guardian"

    def __init__(self, ctx: "Context"):
        m = ctx.scenario.market.mitigations
        self.ctx = ctx
        self.account = ctx.actors.guardian
        self.pause_bps = m.circuit_breakers.divergence_pause_bps
        self.steward = m.collateral.liquidity_aware_ltv
        self.stable_spec = ctx.market.listings[0].spec()
        self.spv_spec = ctx.market.listings[1].spec()
        self.spv_configured = self.spv_spec
        # divergence pause
        self.paused_since: int | None = None
        self.paused_seconds = 0
        self.pauses = 0
        self.frozen_out = 0  # most borrowers with room to borrow more when a pause began
        # liquidity-aware LTV
        self.every = round(self.steward.every_hours * SECONDS_PER_HOUR) if self.steward else 0
        self.next_check = self.every  # the first check one period into the run, then every period
        self.haircuts = 0
        self.lowest_ltv_bps = self.spv_configured.ltv_bps
        self.capacity_removed_usd = 0.0  # at the lowest LTV
        # grace period after an oracle jump
        self.grace = m.circuit_breakers.grace_period
        self.last_answer = 0  # the SPV feed's answer at the previous step
        self.grace_until = 0  # run time the last grace period ends
        self.grace_periods = 0
        self.grace_seconds = 0
        # proof of reserve
        self.por = m.oracle.proof_of_reserve
        self.reserve_frozen_at: int | None = None
        self.por_capacity_removed_usd = 0.0
        # emergency stop of the delayed NAV feed
        self.stop = m.circuit_breakers.emergency_stop
        self.hold = round(self.stop.hold_hours * SECONDS_PER_HOUR) if self.stop else 0
        self.stopped_since: int | None = None
        self.reviewed = -1  # queue index of the newest observation reviewed (stopped on or queued during a stop)
        self.stops = 0
        self.stopped_seconds = 0

    def wake_times(self, now: int) -> list[int]:
        """The steward's next check; the end of a grace period (liquidations open again); the end of a stop."""
        times = [self.next_check] if self.steward and self.reserve_frozen_at is None else []
        times.append(self.grace_until)
        if self.stopped_since is not None:
            times.append(self.stopped_since + self.hold)
        return [t for t in times if t > now]

    def act(self, view: View, ctx: "Context") -> list["TxRequest"]:
        return (self._emergency_stop(view, ctx) + self._proof_of_reserve(view, ctx) + self._grace(view, ctx)
                + self._divergence(view, ctx) + self._steward(view, ctx))

    def _emergency_stop(self, view: View, ctx: "Context") -> list["TxRequest"]:
        if not self.stop or view.newest_observation is None:
            return []
        t, feed, newest = ctx.world.t, ctx.market.nav_feed, view.newest_observation
        if self.stopped_since is not None:
            if t < self.stopped_since + self.hold:
                return []
            self.stopped_seconds += t - self.stopped_since
            self.stopped_since = None
            self.reviewed = newest.index
            ctx.world.oracle_stopped = False
            ctx.world.record("emergency_start", "guardian restarts the NAV feed after its review")
            return [feed.tx(self.account, "start", agent=self.name, action="oracle_start", gas=GUARDIAN_GAS)]
        published = view.nav_side.answer if view.nav_side is not None else view.oracle_answer
        if not newest.pending or newest.index <= self.reviewed or not suspect_pending(
                published, newest.answer, self.stop.pending_move_bps):
            return []
        self.stopped_since, self.reviewed = t, newest.index
        self.stops += 1
        ctx.world.oracle_stopped = True
        ctx.world.record("emergency_stop", f"guardian stops the NAV feed: ${newest.answer / 10**FEED_DECIMALS:,.4f} "
                         f"queued against ${published / 10**FEED_DECIMALS:,.4f} published")
        return [feed.tx(self.account, "stop", agent=self.name, action="oracle_stop", gas=GUARDIAN_GAS)]

    def _proof_of_reserve(self, view: View, ctx: "Context") -> list["TxRequest"]:
        if not self.por or self.reserve_frozen_at is not None or not unbacked(view.reserves_reported, view.spv_supply):
            return []
        t = self.reserve_frozen_at = ctx.world.t
        self.por_capacity_removed_usd = collateral_usd(view) * self.spv_spec.ltv_bps / BPS
        self.spv_spec = replace(self.spv_spec, ltv_bps=0)
        short = 1 - view.reserves_reported / view.spv_supply
        ctx.world.record("reserve_frozen", f"proof of reserve: reserves {short:.1%} short of supply at day "
                         f"{t / SECONDS_PER_DAY:.2f}, SPV reserve frozen and its LTV set to 0")
        return [ctx.market.por_executor.tx(self.account, "executeEmergencyAction", agent=self.name,
                                           action="reserve_freeze", gas=EXECUTOR_GAS)]

    def _grace(self, view: View, ctx: "Context") -> list["TxRequest"]:
        if not self.grace:
            return []
        previous, self.last_answer = self.last_answer, view.oracle_answer
        if not oracle_jumped(previous, view.oracle_answer, self.grace.after_jump_bps):
            return []
        t = ctx.world.t
        # A new jump during a grace period extends it (from now, as Aave V3.1's setter).
        self.grace_seconds += t + self.grace.seconds - max(t, self.grace_until)
        self.grace_until = t + self.grace.seconds
        self.grace_periods += 1
        m = ctx.market
        return m.venue.grace_period_txs(self.account, m.spv.address, ctx.chain_time(self.grace_until), agent=self.name)

    def _divergence(self, view: View, ctx: "Context") -> list["TxRequest"]:
        if not self.pause_bps:
            return []
        t = ctx.world.t
        pause = diverged(view.amm_price_usd, view.oracle_price_usd, self.pause_bps)
        if pause == (self.paused_since is not None):
            return []
        if pause:
            self.paused_since = t
            self.pauses += 1
            self.frozen_out = max(self.frozen_out, sum(1 for a in view.accounts if a.available_borrows_base > 0))
        else:
            self.paused_seconds += t - self.paused_since
            self.paused_since = None
        old, self.stable_spec = self.stable_spec, replace(self.stable_spec, borrowing_enabled=not pause)
        action = "pause_borrowing" if pause else "resume_borrowing"
        return ctx.market.venue.reconfigure_txs(self.account, old, self.stable_spec, agent=self.name, action=action)

    def _steward(self, view: View, ctx: "Context") -> list["TxRequest"]:
        t = ctx.world.t
        if not self.steward or t < self.next_check or self.reserve_frozen_at is not None:
            return []
        while self.next_check <= t:
            self.next_check += self.every
        cfg, configured = self.steward, self.spv_configured
        depth_usd = view.spv_reserve / 10**SPV_DECIMALS * view.amm_price_usd
        debt_usd = sum(a.debt_base for a in view.accounts) / 10**FEED_DECIMALS
        new = haircut(configured, liquidity_scale(depth_usd, debt_usd, cfg.full_at_depth_to_debt, cfg.min_scale_pct),
                      cfg.haircut_threshold)
        moved = abs(new.ltv_bps - self.spv_spec.ltv_bps)
        restores = new == configured and self.spv_spec != configured
        if new == self.spv_spec or (moved < cfg.step_bps and not restores):
            return []
        old, self.spv_spec = self.spv_spec, new
        self.haircuts += 1
        if new.ltv_bps < self.lowest_ltv_bps:  # the deepest cut: the borrowing capacity it took, at the oracle
            self.lowest_ltv_bps = new.ltv_bps
            self.capacity_removed_usd = collateral_usd(view) * (configured.ltv_bps - new.ltv_bps) / BPS
        return ctx.market.venue.reconfigure_txs(self.account, old, new, agent=self.name, action="haircut_ltv")

    def observe(self, results: list["TxResult"], ctx: "Context") -> None:
        for r in results:
            if r.reverted:  # the guardian's own error (role, parameters): visible in the summary's reverts
                ctx.world.record("guardian_revert", f"guardian {r.request.action} reverted")

    def summary(self, end_t: int) -> dict:
        """The summary's `mitigations` figures of the mechanisms the guardian ran."""
        out: dict = {}
        if self.pause_bps:
            open_pause = end_t - self.paused_since if self.paused_since is not None else 0
            # No agent borrows during a run: `borrowers_frozen_out` counts borrowers whose room to
            # borrow more a pause took away (the most at any pause's start), not refused transactions.
            out.update(borrow_pauses=self.pauses, borrow_paused_seconds=self.paused_seconds + open_pause,
                       borrowers_frozen_out=self.frozen_out)
        if self.grace:
            out.update(grace_periods=self.grace_periods,
                       grace_seconds=self.grace_seconds - max(0, self.grace_until - end_t))
        if self.steward:
            out.update(ltv_haircuts=self.haircuts, lowest_ltv_bps=self.lowest_ltv_bps,
                       borrow_capacity_removed_at_lowest_usd=self.capacity_removed_usd)
        if self.por:
            at = self.reserve_frozen_at
            out.update(reserve_freeze_at_days=None if at is None else at / SECONDS_PER_DAY,
                       reserve_freeze_capacity_removed_usd=self.por_capacity_removed_usd)
        if self.stop:
            open_stop = end_t - self.stopped_since if self.stopped_since is not None else 0
            out.update(emergency_stops=self.stops, stopped_seconds=self.stopped_seconds + open_stop)
        return out
