"""The engine's default stepping gives the same liquidations as the every-block reference mode.

The default mode jumps over quiet periods; the reference mode (`--every-block`) mines and reads every
block. Each case runs both from the same chain snapshot and compares every liquidation: same block
time, user, liquidator and amounts. Tolerance: none was needed (the default mode reads the state
after the block before each step it visits, exactly as the reference mode does), so the test asks
for equality; the engine's doc explains why.
"""

import pytest

from rwa_testbed import scenario as sc
from rwa_testbed.agents import Agent
from rwa_testbed.engine import Engine

from .conftest import assert_no_agent_errors

# A calm market whose borrowers sit just above HF 1 while the stablecoin reserve runs at 97 %
# utilisation (~700 %/year): health factors cross 1 by interest alone, hours into the run.
INTEREST_ONLY = [
    "population.borrowers=8", "population.holders=4",
    "market.lending.collateral.ltv_bps=8490",
    "population.health_factor.min=1.0035", "population.health_factor.max=1.006",
    "population.health_factor.median=1.0045", "population.health_factor.sigma=0.1",
    "market.lending.stable_supply_usd=870000000", "market.lending.stablecoin.slope2_bps=100000",
    "run.duration_days=0.3",
]
# The borrowed stablecoin depegs to $0.88 (debts look smaller), an 8 % write-down lands meanwhile,
# and the repeg leaves positions liquidatable at once (the tokenized T-bill case of issue 10).
DEPEG_REPEG = [
    "population.borrowers=8", "population.holders=4",
    "market.lending.collateral.ltv_bps=8400",
    "population.health_factor.min=1.03", "population.health_factor.max=1.08",
    "population.health_factor.median=1.05", "population.health_factor.sigma=0.1",
    "run.duration_days=0.7", "run.block_time_seconds=24",
    "shocks=[{kind: stablecoin_depeg, at_days: 0.2, price_usd: 0.88, duration_days: 0.3},"
    " {kind: nav_writedown, at_days: 0.25, nav_drop_pct: 8}]",
]
# The stablecoin slides to $0.88 along a path (published at each 0.5 % move), holds, and recovers
# gradually while an 8 % write-down lands: publications fall between the engine's other wake times.
DEPEG_PATH = [*DEPEG_REPEG[:-1],
              "shocks=[{kind: stablecoin_depeg, at_days: 0.2, path: [[0.05, 0.88], [0.2, 0.88], [0.4, 1.0]],"
              " publish_deviation_bps: 50}, {kind: nav_writedown, at_days: 0.25, nav_drop_pct: 8}]"]
# credit_default_ripple --seed 11 on a short clock: daily reports, defaults over two days, the rumor
# on day 1; panic sales, arbitrage on slow inflows and dozens of partial liquidations.
RIPPLE_SHORT = [
    "population.borrowers=12", "population.holders=8", "run.seed=11",
    "run.block_time_seconds=60", "run.duration_days=3",
    "market.custodian.report_every_days=1", "market.custodian.reporting_lag_days=0.25",
    "shocks=[{kind: default_wave, at_days: 0.5, nav_drop_pct: 15, over_days: 2},"
    " {kind: rumor, at_days: 1, holder_share_bps: 6000, within_minutes: 30}]",
]

# Shocks drawn from processes (`stochastic`): the true value on a GBM with reported write-down jumps,
# LP withdrawals, depegs and rumors at random times, and a rumor at day 0 (the run's first step comes
# after t = 0: the shock must still start at the first block).
STOCHASTIC = [*DEPEG_REPEG[:-1], "run.seed=3",
              "shocks=[{kind: rumor, at_days: 0, holder_share_bps: 3000, within_minutes: 20}]",
              "stochastic={true_value: {volatility_pct_per_year: 80, step_days: 0.05,"
              " jumps: {per_year: 2000, drop_pct: [2, 6], shock: nav_writedown}},"
              " amm_depth: {withdrawals_per_year: 1000}, stablecoin: {depegs_per_year: 500,"
              " duration_days: [0.05, 0.2]}, rumors: {per_year: 1000}}"]

# The pool's circuit breakers (issue 15): DEPEG_REPEG with liquidations capped at $5M an hour on the
# SPV reserve (cut to the room, then held back until the next window: the liquidators must wake at
# each window's start), and with a liquidator allowlist that keeps two of the three liquidators out.
CAP_USD, CAP_WINDOW = 5_000_000, 3_600
LIQUIDATION_CAP = [*DEPEG_REPEG, "market.mitigations.circuit_breakers.liquidation_cap="
                   f"{{usd_per_window: {CAP_USD}, window_seconds: {CAP_WINDOW}}}"]
ALLOWLIST = [*DEPEG_REPEG, "market.mitigations.collateral.liquidator_allowlist=1"]


def _liquidations(result) -> list[tuple]:
    return [(x["t_seconds"], x["user"], x["liquidator"], x["debt_repaid_usd"], x["collateral_seized_tokens"],
             x["deficit_created_usd"]) for x in result.liquidations]


@pytest.fixture
def both_modes(chain):
    """Runs a scenario in the default mode and in the every-block reference mode from one snapshot
    (`extra_agents(ctx)`: test-only agents added after setup)."""

    def run(name: str, overrides: list[str], extra_agents=lambda ctx: []):
        scenario = sc.load(name, overrides)
        snapshot = chain.snapshot()
        results = []
        for every_block in (False, True):
            engine = Engine(scenario, chain.provider.uri, every_block=every_block)
            ctx = engine.setup()
            engine.agents += extra_agents(ctx)
            results.append(engine.run())
            assert_no_agent_errors(results[-1])
            if not every_block:
                chain.restore(snapshot)
        return tuple(results)

    return run


@pytest.mark.parametrize(
    "name, overrides",
    [
        pytest.param("calm_market", INTEREST_ONLY, id="interest_only"),
        pytest.param("calm_market", DEPEG_REPEG, id="depeg_repeg"),
        pytest.param("calm_market", DEPEG_PATH, id="depeg_path"),
        pytest.param("credit_default_ripple", RIPPLE_SHORT, id="credit_default_ripple_short_seed_11"),
        pytest.param("calm_market", STOCHASTIC, id="stochastic"),
        pytest.param("calm_market", LIQUIDATION_CAP, id="liquidation_cap"),
        pytest.param("calm_market", ALLOWLIST, id="liquidator_allowlist"),
    ],
)
def test_default_stepping__same_liquidations_as_every_block(both_modes, name, overrides):
    default, reference = both_modes(name, overrides)

    assert reference.liquidations, "the case must liquidate something to compare"
    assert _liquidations(default) == _liquidations(reference)
    for key in ("first_liquidatable_seconds", "first_liquidation_seconds", "last_liquidation_seconds"):
        assert default.summary["timing"][key] == reference.summary["timing"][key]
    # The default mode visits far fewer blocks: that is its point.
    assert len(default.timeseries) < len(reference.timeseries)


def test_interest_only__liquidated_one_block_after_first_liquidatable_block(run_scenario):
    result = run_scenario("calm_market", *INTEREST_ONLY, small=False)
    timing = result.summary["timing"]
    block = result.scenario.run.block_time_seconds

    # No transaction moves any price here: only interest makes positions liquidatable.
    assert timing["first_liquidatable_seconds"] > 0
    assert timing["first_liquidation_seconds"] == timing["first_liquidatable_seconds"] + block


def test_credit_default_ripple_seed_11__every_episode_liquidated_within_a_block(run_scenario):
    # Found by a new user: after the day-90 cascade, interest made $31.7M liquidatable between wakes
    # and nothing was liquidated until the run's end, 20 days later.
    result = run_scenario("credit_default_ripple", "run.seed=11")
    rows, liqs = result.timeseries, result.liquidations
    block = result.scenario.run.block_time_seconds
    episodes = [b["t_seconds"] for a, b in zip(rows, rows[1:])
                if a["liquidatable_debt_usd"] == 0 and b["liquidatable_debt_usd"] > 0]

    assert len(episodes) >= 2, "the run must have the crash and a later interest-driven episode"
    for start in episodes:
        assert any(start < x["t_seconds"] <= start + 2 * block for x in liqs), f"episode at t={start} s"


def test_liquidation_cap__each_window_within_the_cap_and_the_rest_waits(run_scenario):
    result = run_scenario("calm_market", *LIQUIDATION_CAP, small=False)
    start = result.population.start_time
    per_window: dict[int, float] = {}
    for x in result.liquidations:
        window = (start + x["t_seconds"]) // CAP_WINDOW
        per_window[window] = per_window.get(window, 0.0) + x["debt_repaid_usd"]

    assert len(per_window) >= 2, "the cap must spread the liquidations over windows"
    assert max(per_window.values()) <= CAP_USD * (1 + 1e-9)
    assert result.summary["unliquidated"]["by_reason"]["liquidation_cap"]["position_steps"] > 0


def test_liquidator_allowlist__only_the_allowlisted_liquidator_liquidates(run_scenario):
    result = run_scenario("calm_market", *ALLOWLIST, small=False)
    liquidators = {x["liquidator"] for x in result.liquidations}

    assert len(liquidators) == 1
    assert result.summary["reverts"]["agent_error"]["count"] == 0


# A grace period on the SPV reserve from 0.45 days for two hours, across the repeg at day 0.5 that
# makes positions liquidatable: liquidations wait for its end. No guardian agent starts it here (the
# jump rule is set out of reach); `GraceAt`, a test-only agent holding the pool's admin key, does.
GRACE_AT, GRACE_SECONDS = 38_880, 7_200
GRACE = [*DEPEG_REPEG, "market.mitigations.circuit_breakers.grace_period="
         f"{{after_jump_bps: 10000, seconds: {GRACE_SECONDS}}}"]


class GraceAt(Agent):
    """Starts one grace period on the SPV reserve at run time `at`, lasting `seconds` (test only)."""

    name = "test-grace"

    def __init__(self, at: int, seconds: int):
        self.at, self.seconds, self.sent = at, seconds, False

    def wake_times(self, now):
        return [] if self.sent else [self.at]

    def act(self, view, ctx):
        if self.sent or ctx.world.t < self.at:
            return []
        self.sent = True
        m = ctx.market
        return [m.pool.tx(ctx.actors.admin, "setLiquidationGracePeriod", m.spv.address,
                          ctx.chain_time(ctx.world.t) + self.seconds, agent=self.name, action="grace_period")]


def test_grace_period__same_liquidations_as_every_block_and_none_before_its_end(both_modes):
    default, reference = both_modes("calm_market", GRACE, lambda ctx: [GraceAt(GRACE_AT, GRACE_SECONDS)])

    assert reference.liquidations, "the case must liquidate something to compare"
    assert _liquidations(default) == _liquidations(reference)
    grace_end = GRACE_AT + GRACE_SECONDS
    assert default.liquidations[0]["t_seconds"] >= grace_end
    assert default.summary["unliquidated"]["by_reason"]["grace_period"]["position_steps"] > 0
