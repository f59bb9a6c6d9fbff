"""The guardian's mechanisms and the caps on the chain (`market.mitigations`): what they do to a
crash, and the engine's default stepping agreeing with the every-block reference while they act
(the guardian is woken at the steward's schedule; divergence is checked at every step, which every
price move brings)."""

import pytest

from rwa_testbed import compare
from rwa_testbed import scenario as sc
from rwa_testbed.engine import Engine

from .conftest import assert_no_agent_errors

# real_estate_flash_crash on a short clock: the hack, the hurricane, the rumor and the LPs' flight
# at day 0.1, half a day in all; the scenario's AMM TWAP (`CRASH_TWAP`) or the custodian's latency feed.
CRASH_TWAP = [
    "population.borrowers=8", "population.holders=6", "run.duration_days=0.5", "run.block_time_seconds=24",
    "shocks=[{kind: custodian_hack, at_days: 0.1, value_haircut_pct: 30},"
    " {kind: natural_disaster, at_days: 0.1, value_drop_pct: 35},"
    " {kind: rumor, at_days: 0.1, holder_share_bps: 8000, within_minutes: 60},"
    " {kind: liquidity_withdrawal, at_days: 0.11, share_pct: 70}]",
]
CRASH = [*CRASH_TWAP, "market.oracle.kind=latency"]
CAPS = ["market.mitigations.collateral.supply_cap_usd=300000000",
        "market.mitigations.collateral.debt_ceiling_usd=200000000"]
PAUSE = ["market.mitigations.circuit_breakers.divergence_pause_bps=1500"]
GRACE = ["market.mitigations.circuit_breakers.grace_period={after_jump_bps: 1000, seconds: 3600}"]
# Reports every 0.2 days (lag 0.05): the feed catches up with the crash at day 0.2, liquidations follow.
REPORTS = ["market.custodian.report_every_days=0.2", "market.custodian.reporting_lag_days=0.05"]
STEWARD = ["market.mitigations.collateral.liquidity_aware_ltv={every_hours: 2, full_at_depth_to_debt: 0.5,"
           " min_scale_pct: 60, haircut_threshold: true}"]
# An hourly attestation: the hack at day 0.1 takes 30 % of the custody, seen at the next report.
POR = ["market.mitigations.oracle.proof_of_reserve={report_every_hours: 1}"]
# The custodian's feed an hour late (OSM): the crash report queued at day 0.2 is stopped for 2 h.
STOP = ["market.oracle.delay_seconds=3600",
        "market.mitigations.circuit_breakers.emergency_stop={pending_move_bps: 1000, hold_hours: 2}"]


def _liquidations(result) -> list[tuple]:
    return [(x["t_seconds"], x["user"], x["liquidator"], x["debt_repaid_usd"], x["collateral_seized_tokens"],
             x["deficit_created_usd"]) for x in result.liquidations]


@pytest.fixture
def both_modes(chain):
    def run(overrides: list[str]):
        scenario = sc.load("real_estate_flash_crash", overrides)
        snapshot = chain.snapshot()
        default = Engine(scenario, chain.provider.uri).run()
        assert_no_agent_errors(default)
        chain.restore(snapshot)
        reference = Engine(scenario, chain.provider.uri, every_block=True).run()
        assert_no_agent_errors(reference)
        return default, reference

    return run


@pytest.mark.parametrize("overrides", [
    pytest.param([*CRASH, *CAPS, *PAUSE, *STEWARD], id="all"),
    pytest.param([*CRASH_TWAP, *CAPS, *PAUSE, *STEWARD, *GRACE], id="all_twap"),
    pytest.param([*CRASH, *PAUSE, *REPORTS], id="divergence_pause"),
    pytest.param([*CRASH, *STEWARD], id="liquidity_aware_ltv"),
    pytest.param([*CRASH, *GRACE, *REPORTS], id="grace_period"),
    pytest.param([*CRASH, *POR, *STEWARD, *REPORTS], id="proof_of_reserve"),
    pytest.param([*CRASH, *STOP, *REPORTS], id="emergency_stop"),
])
def test_guardian__default_stepping_agrees_with_every_block(both_modes, overrides):
    default, reference = both_modes(overrides)

    assert reference.liquidations, "the case must liquidate something to compare"
    assert reference.summary["mitigations"].get("borrow_pauses", 1) >= 1
    assert reference.summary["mitigations"].get("ltv_haircuts", 1) >= 1
    assert reference.summary["mitigations"].get("grace_periods", 1) >= 1
    assert reference.summary["mitigations"].get("emergency_stops", 1) >= 1
    assert reference.summary["mitigations"].get("reserve_freeze_at_days", 1) is not None
    assert _liquidations(default) == _liquidations(reference)
    assert default.summary["mitigations"] == reference.summary["mitigations"]
    assert default.summary["population"] == reference.summary["population"]
    assert len(default.timeseries) < len(reference.timeseries)
    assert default.summary["chain"]["reverted_by_action"] == reference.summary["chain"]["reverted_by_action"]
    for action in ("pause_borrowing", "resume_borrowing", "haircut_ltv", "grace_period", "reserve_freeze",
                   "oracle_stop", "oracle_start"):
        assert action not in default.summary["chain"]["reverted_by_action"]


def test_guardian__every_mechanism_on__each_leaves_its_mark(run_scenario):
    s = run_scenario("real_estate_flash_crash", *CRASH, *CAPS, *PAUSE, *STEWARD, small=False).summary

    # Caps: the $300M supply cap and $200M debt ceiling turn away part of the $500M population.
    assert s["population"]["turned_away"] > 0 and s["population"]["turned_away_debt_usd"] > 0
    assert s["population"]["borrowed_usd"] <= 200_000_000
    assert s["population"]["collateral_tokens"] <= 300_000_000
    m = s["mitigations"]
    # The crash opens the AMM/oracle gap at day 0.1: borrowing paused from then on.
    assert m["borrow_pauses"] == 1 and 0 < m["borrow_paused_seconds"] <= 0.4 * 86_400
    # A $50M AMM side against ~$166M of debt: the steward cuts to its floor (60 % of 70 %) at its first check.
    assert m["ltv_haircuts"] >= 1 and m["lowest_ltv_bps"] == pytest.approx(4_200, abs=50)
    assert m["borrow_capacity_removed_at_lowest_usd"] > 0


def test_guardian__no_mitigation__no_guardian_no_mitigations_section(run_scenario):
    s = run_scenario("real_estate_flash_crash", *CRASH, small=False).summary

    assert "mitigations" not in s
    assert (s["population"]["turned_away"], s["population"]["turned_away_debt_usd"]) == (0, 0)
    assert not any(action.startswith(("pause", "resume", "haircut")) for action in s["chain"]["reverted_by_action"])


def test_guardian__grace_period__liquidations_wait_for_its_end(run_scenario):
    result = run_scenario("real_estate_flash_crash", *CRASH, *GRACE, *REPORTS, small=False)
    s = result.summary

    # The report at day 0.2 publishes the crash: the guardian sees the jump in the block where the
    # liquidators first see liquidatable positions, and goes first.
    assert s["mitigations"]["grace_periods"] >= 1
    assert s["timing"]["first_liquidation_seconds"] >= s["timing"]["first_liquidatable_seconds"] + 3_600
    assert s["reverts"]["market_race"]["by_reason"].get("LiquidationGracePeriodActive", 0) > 0


def test_guardian__aave_v3__same_pauses_haircuts_and_liquidations_as_our_pool(chain, tmp_path):
    """On the real Aave V3.0 the guardian works as RISK_ADMIN through the PoolConfigurator and the caps
    are listed with the reserves: the same decisions and liquidations as on our pool."""
    scenario = sc.load("real_estate_flash_crash", [*CRASH, *CAPS, *PAUSE, *STEWARD])
    runs, _ = compare.run_venues(scenario, chain.provider.uri, ["ours", "aave-v3"], tmp_path, figure=False)
    ours, aave = (runs[venue][0] for venue in ("ours", "aave-v3"))
    for result in (ours, aave):
        assert_no_agent_errors(result)

    assert aave.summary["mitigations"] == ours.summary["mitigations"]
    assert aave.summary["mitigations"]["borrow_pauses"] >= 1 and aave.summary["mitigations"]["ltv_haircuts"] >= 1
    assert aave.summary["population"]["turned_away"] > 0
    assert aave.summary["chain"]["reverted"] == ours.summary["chain"]["reverted"]
    assert aave.summary["population"] == ours.summary["population"]
    assert ours.liquidations
    drop = ("block", "hf_before")
    assert ([{k: v for k, v in x.items() if k not in drop} for x in aave.liquidations]
            == [{k: v for k, v in x.items() if k not in drop} for x in ours.liquidations])


def test_guardian__proof_of_reserve__freezes_after_the_hack_and_liquidations_go_on_as_without_it(run_scenario):
    base = run_scenario("real_estate_flash_crash", *CRASH, *REPORTS, small=False)
    por = run_scenario("real_estate_flash_crash", *CRASH, *REPORTS, *POR, small=False)
    assert_no_agent_errors(por)

    m = por.summary["mitigations"]
    # The hack at day 0.1 (2.4 h); the attestor reports hourly: the freeze follows the 3 h report by a block.
    assert 3 * 3_600 < m["reserve_freeze_at_days"] * 86_400 <= 3 * 3_600 + 24
    assert m["reserve_freeze_capacity_removed_usd"] > 0 and m["capacity_given_up_usd"] >= m["reserve_freeze_capacity_removed_usd"]
    assert "reserve_freeze" not in por.summary["chain"]["reverted_by_action"]
    assert [e["kind"] for e in por.events if e["kind"] == "reserve_frozen"] == ["reserve_frozen"]
    # A frozen reserve with LTV 0 neither liquidates nor releases anyone: the same liquidations.
    assert por.liquidations and _liquidations(por) == _liquidations(base)


def test_guardian__emergency_stop__holds_the_crash_price_for_the_review_then_publishes(run_scenario):
    delayed = run_scenario("real_estate_flash_crash", *CRASH, *REPORTS, STOP[0], small=False)
    stopped = run_scenario("real_estate_flash_crash", *CRASH, *REPORTS, *STOP, small=False)
    assert_no_agent_errors(stopped)

    m = stopped.summary["mitigations"]
    assert m["emergency_stops"] == 1 and m["stopped_seconds"] == 2 * 3_600
    stop_t = next(e["t_seconds"] for e in stopped.events if e["kind"] == "emergency_stop")
    start_t = next(e["t_seconds"] for e in stopped.events if e["kind"] == "emergency_start")
    assert start_t - stop_t == 2 * 3_600
    # Without the stop the crash publishes an hour after its report; with it, only after the restart.
    first = lambda r: r.summary["timing"]["first_liquidation_seconds"]  # noqa: E731
    assert first(delayed) < start_t <= first(stopped)
    assert {"oracle_stop", "oracle_start"}.isdisjoint(stopped.summary["chain"]["reverted_by_action"])
