"""The guardian's rules (`agents.guardian`): divergence, the steward's LTV scale and haircut, and the
agent on hand-made views (no chain): what it sends and when it asks to be woken."""

from dataclasses import replace
from types import SimpleNamespace

import pytest

from rwa_testbed import scenario as sc
from rwa_testbed.agents.guardian import (
    Guardian,
    diverged,
    haircut,
    liquidity_scale,
    oracle_jumped,
    scaled_bps,
    suspect_pending,
    unbacked,
)
from rwa_testbed.models.aave import AccountData
from rwa_testbed.models.reserve import ReserveSpec, threshold_times_bonus_bps
from rwa_testbed.units import BPS

from rwa_testbed.view import NewestObservation

from fakes import START_TIME, USD, Contract, account, context, market_view, scenario

COLLATERAL = ReserveSpec(asset="0xspv", price_feed="0xspv_feed", ltv_bps=7_000, liquidation_threshold_bps=7_500,
                         liquidation_bonus_bps=10_750, usable_as_collateral=True, supply_cap_tokens=400_000_000)
STABLE = ReserveSpec(asset="0xstable", price_feed="0xstable_feed", borrowing_enabled=True, borrow_cap_tokens=5_000)


# -- the pure rules --------------------------------------------------------------------------

@pytest.mark.parametrize("amm, oracle, bps, expected", [
    (0.80, 1.00, 2_000, False),  # exactly 20 %: not above
    (0.7999, 1.00, 2_000, True),
    (1.21, 1.00, 2_000, True),  # above the oracle counts too
    (0.95, 1.00, 0, True),
    (0.50, 0.0, 100, False),  # no oracle price: no pause
])
def test_diverged__above_bps_of_oracle_price(amm, oracle, bps, expected):
    assert diverged(amm, oracle, bps) is expected


@pytest.mark.parametrize("depth, debt, full_at, min_pct, expected", [
    (50, 100, 0.5, 50, 1.0),  # depth = 0.5 x debt: configured values
    (80, 100, 0.5, 50, 1.0),  # deeper: never above 1
    (40, 100, 0.5, 50, 0.8),
    (10, 100, 0.5, 50, 0.5),  # floored at min_scale_pct
    (10, 100, 0.5, 0, 0.2),
    (0, 0, 0.5, 50, 1.0),  # no debt: nothing to absorb
])
def test_liquidity_scale__depth_over_full_at_times_debt_floored(depth, debt, full_at, min_pct, expected):
    assert liquidity_scale(depth, debt, full_at, min_pct) == pytest.approx(expected)


def test_scaled_bps__rounds_down():
    assert scaled_bps(7_000, 0.80001) == 5_600
    assert scaled_bps(7_499, 0.5) == 3_749


@pytest.mark.parametrize("scale", [1.0, 0.999, 0.8, 0.5, 0.123, 0.0001, 0.0])
@pytest.mark.parametrize("threshold_too", [False, True])
def test_haircut__keeps_the_pools_rules(scale, threshold_too):
    new = haircut(COLLATERAL, scale, threshold_too)  # ReserveSpec validates itself: the pool's own rules

    assert new.ltv_bps <= new.liquidation_threshold_bps
    assert new.liquidation_threshold_bps >= 1
    assert threshold_times_bonus_bps(new.liquidation_threshold_bps, new.liquidation_bonus_bps) <= BPS
    assert new.ltv_bps == scaled_bps(7_000, scale)
    assert new.liquidation_threshold_bps == (max(1, scaled_bps(7_500, scale)) if threshold_too else 7_500)
    assert (new.supply_cap_tokens, new.liquidation_bonus_bps) == (400_000_000, 10_750)  # the rest untouched


# -- the agent -------------------------------------------------------------------------------

class RecordingVenue:
    def __init__(self):
        self.sent = []

    def reconfigure_txs(self, sender, old, new, agent, action):
        self.sent.append((action, old, new))
        return [(action, new)]


def make(*, pause_bps=0, steward=None, grace=None, por=None, stop=None):
    mitigations = sc.MitigationsConfig(
        circuit_breakers=sc.CircuitBreakers(divergence_pause_bps=pause_bps, grace_period=grace, emergency_stop=stop),
        collateral=sc.CollateralMitigations(liquidity_aware_ltv=steward),
        oracle=sc.OracleMitigations(proof_of_reserve=por))
    s = scenario()
    s.market.mitigations = mitigations
    ctx = context(s)
    ctx.actors.guardian = account("guardian")
    ctx.market.listings = [SimpleNamespace(spec=lambda: STABLE), SimpleNamespace(spec=lambda: COLLATERAL)]
    ctx.market.venue = RecordingVenue()
    ctx.market.por_executor = Contract("por_executor")
    return Guardian(ctx), ctx


def step(guardian, ctx, t, view):
    ctx.world.t = view.t = t
    return guardian.act(view, ctx)


def test_guardian__divergence__pauses_then_resumes_borrowing_and_counts_the_time():
    guardian, ctx = make(pause_bps=2_000)

    assert step(guardian, ctx, 0, market_view(amm_price_usd=0.9)) == []
    diverging = market_view(amm_price_usd=0.7)
    diverging.accounts = [AccountData(10 * USD, 5 * USD, room, 7_500, 7_000, 2 * 10**18) for room in (USD, 0, 1)]
    ((action, paused),) = step(guardian, ctx, 100, diverging)
    assert step(guardian, ctx, 200, market_view(amm_price_usd=0.6)) == []  # still paused: nothing to send
    ((action2, resumed),) = step(guardian, ctx, 700, market_view(amm_price_usd=0.85))

    assert (action, paused) == ("pause_borrowing", replace(STABLE, borrowing_enabled=False))
    assert (action2, resumed) == ("resume_borrowing", STABLE)
    step(guardian, ctx, 900, market_view(amm_price_usd=0.5))  # a second pause, open at the end
    assert guardian.summary(1_000) == {"borrow_pauses": 2, "borrow_paused_seconds": 600 + 100,
                                       "borrowers_frozen_out": 2}  # two had room to borrow more
    assert guardian.wake_times(0) == []  # checked at every step the engine visits


def with_debt(view, debt_usd, collateral_usd):
    view.accounts = [AccountData(round(collateral_usd * USD), round(debt_usd * USD), 0, 7_500, 7_000, 2 * 10**18)]
    return view


def test_guardian__steward__haircuts_on_schedule_in_steps_and_restores():
    guardian, ctx = make(steward=sc.LiquidityAwareLtv(full_at_depth_to_debt=0.5, min_scale_pct=50,
                                                      every_hours=1, step_bps=100, haircut_threshold=True))
    # The AMM's SPV side: 1M tokens at $1 = $1M of depth; against these debts depth/(0.5 x debt) = 1.0, 0.8.
    deep, thin = 2_000_000, 2_500_000
    assert guardian.wake_times(0) == [3_600]  # one period into the run, whatever the engine's steps

    assert step(guardian, ctx, 1_800, with_debt(market_view(), thin, 3_000_000)) == []  # not due
    ((_, cut),) = step(guardian, ctx, 3_600, with_debt(market_view(), thin, 3_000_000))
    assert guardian.wake_times(3_600) == [7_200]
    assert (cut.ltv_bps, cut.liquidation_threshold_bps) == (5_600, 6_000)
    # 0.8 -> 0.79: a 70 bps move, below step_bps: not sent.
    assert step(guardian, ctx, 7_200, with_debt(market_view(), 2_531_646, 3_000_000)) == []
    ((_, back),) = step(guardian, ctx, 10_800, with_debt(market_view(), deep, 3_000_000))
    assert back == COLLATERAL
    assert guardian.summary(10_800) == {"ltv_haircuts": 2, "lowest_ltv_bps": 5_600,
                                        "borrow_capacity_removed_at_lowest_usd": pytest.approx(3_000_000 * 0.14)}


@pytest.mark.parametrize("previous, answer, bps, expected", [
    (100, 90, 1_000, True),  # exactly 10 %
    (100, 91, 1_000, False),
    (100, 120, 1_000, False),  # a rise is no jump
    (0, 50, 1_000, False),  # no previous price
])
def test_oracle_jumped__fall_of_at_least_bps(previous, answer, bps, expected):
    assert oracle_jumped(previous, answer, bps) is expected


class GraceVenue(RecordingVenue):
    def grace_period_txs(self, sender, asset, until, agent):
        self.sent.append(("grace_period", asset, until))
        return [("grace_period", until)]


def test_guardian__oracle_jump__grace_period_from_now_and_woken_at_its_end():
    guardian, ctx = make(grace=sc.GracePeriod(after_jump_bps=1_000, seconds=3_600))
    ctx.market.venue = GraceVenue()

    assert step(guardian, ctx, 0, market_view(oracle_usd=1.0)) == []  # the first observation
    assert step(guardian, ctx, 100, market_view(oracle_usd=0.95)) == []  # -5 %
    assert step(guardian, ctx, 200, market_view(oracle_usd=0.80)) == [("grace_period", START_TIME + 3_800)]
    assert guardian.wake_times(200) == [3_800]
    assert step(guardian, ctx, 1_000, market_view(oracle_usd=0.70)) == [("grace_period", START_TIME + 4_600)]
    assert guardian.summary(10_000) == {"grace_periods": 2, "grace_seconds": 4_400}
    assert guardian.summary(4_000) == {"grace_periods": 2, "grace_seconds": 3_800}  # cut at the run's end


# -- proof of reserve and the emergency stop -------------------------------------------------

@pytest.mark.parametrize("reserves, supply, expected", [
    (None, 10, False),  # never reported: backed (the executor's rule)
    (10, 10, False),
    (9, 10, True),
    (0, 10, True),
    (11, 10, False),
])
def test_unbacked__reserves_below_supply(reserves, supply, expected):
    assert unbacked(reserves, supply) is expected


@pytest.mark.parametrize("published, pending, bps, expected", [
    (100, 90, 1_000, True),  # exactly 10 %
    (100, 91, 1_000, False),
    (100, 110, 1_000, True),  # a rise counts too
    (0, 50, 1_000, False),  # no published price
])
def test_suspect_pending__move_of_at_least_bps_either_way(published, pending, bps, expected):
    assert suspect_pending(published, pending, bps) is expected


def test_guardian__proof_of_reserve__acts_once_when_unbacked_and_the_steward_stands_down():
    guardian, ctx = make(por=sc.ProofOfReserve(),
                         steward=sc.LiquidityAwareLtv(full_at_depth_to_debt=0.5, min_scale_pct=50, every_hours=1))
    backed = with_debt(market_view(), 1_000_000, 3_000_000)
    backed.reserves_reported, backed.spv_supply = 10**24, 10**24
    assert step(guardian, ctx, 100, backed) == []
    short = with_debt(market_view(), 1_000_000, 3_000_000)
    short.reserves_reported, short.spv_supply = 7 * 10**23, 10**24

    (call,) = step(guardian, ctx, 200, short)
    assert (call.to, call.fn, call.args) == ("0xpor_executor", "executeEmergencyAction", ())
    assert step(guardian, ctx, 300, short) == []  # once
    assert step(guardian, ctx, 3_600, with_debt(market_view(), 1_000_000, 3_000_000)) == []  # steward stood down
    assert guardian.wake_times(300) == []
    assert guardian.summary(1_000) == {"ltv_haircuts": 0, "lowest_ltv_bps": 7_000,
                                       "borrow_capacity_removed_at_lowest_usd": 0.0,
                                       "reserve_freeze_at_days": 200 / 86_400,
                                       "reserve_freeze_capacity_removed_usd": pytest.approx(3_000_000 * 0.7)}
    assert [e["kind"] for e in ctx.world.events] == ["reserve_frozen"]


def queued(answer_usd, index, pending=True, oracle_usd=1.0):
    view = market_view(oracle_usd=oracle_usd)
    view.newest_observation = NewestObservation(round(answer_usd * USD), index, pending)
    return view


def test_guardian__emergency_stop__stops_on_a_suspect_queued_price_holds_then_restarts():
    guardian, ctx = make(stop=sc.EmergencyStop(pending_move_bps=1_000, hold_hours=1))
    ctx.market.nav_feed = Contract("nav_feed")

    assert step(guardian, ctx, 100, queued(1.0, 0, pending=False)) == []  # published already
    assert step(guardian, ctx, 200, queued(0.91, 1)) == []  # -9 %: not suspect
    (stop,) = step(guardian, ctx, 300, queued(0.90, 2))  # -10 %
    assert (stop.to, stop.fn) == ("0xnav_feed", "stop")
    assert ctx.world.oracle_stopped is True
    assert guardian.wake_times(300) == [3_900]
    assert step(guardian, ctx, 3_000, queued(0.50, 3)) == []  # held: the review goes on
    (start,) = step(guardian, ctx, 3_900, queued(0.50, 3))
    assert start.fn == "start" and ctx.world.oracle_stopped is False
    assert step(guardian, ctx, 4_000, queued(0.50, 3)) == []  # queued during the stop: reviewed
    (again,) = step(guardian, ctx, 5_000, queued(0.40, 4))  # a new suspect price
    assert again.fn == "stop"
    assert guardian.summary(6_000) == {"emergency_stops": 2, "stopped_seconds": 3_600 + 1_000}
