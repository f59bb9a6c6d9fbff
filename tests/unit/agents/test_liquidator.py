"""`Liquidator.act` on hand-made views: what it sends, how much, and why it skips a borrower.

Scenario parameters of `credit_default_ripple`: liquidation threshold 85 %, bonus 5 %, protocol fee
10 % of the bonus, AMM fee 30 bps. A borrower with 1M tokens at an oracle of $0.80 and $700k of debt
has health factor 0.97 (close factor 50 %).
"""

from dataclasses import replace

from rwa_testbed import scenario as scenario_module
from rwa_testbed.agents.liquidator import MAX_PER_STEP, SKIP_REASONS
from rwa_testbed.liquidation_sizing import Pair, best_atomic_liquidation
from rwa_testbed.models.aave import LiquidationCapState

from .conftest import SCENARIO, UNIT, USD

UNDERWATER = (1_000_000, 700_000)  # (collateral tokens, debt USD): HF 0.97 at $0.80


def executor_calls(ctx):
    return ctx.market.executors["0xliquidator"].calls


def test_act__underwater_borrower__sends_the_best_sized_atomic_liquidation(make_liquidator, make_view):
    liquidator, ctx = make_liquidator(atomic=True, min_profit_usd=500, gas_cost_usd=30)
    view = make_view(borrowers=[UNDERWATER], oracle_usd=0.80, amm_price_usd=0.80, amm_depth_usd=20_000_000)
    best = best_atomic_liquidation(liquidator.position(0, view), Pair(view.spv_reserve, view.stable_reserve, 30))

    liquidator.act(view, ctx)

    (call,) = executor_calls(ctx)
    assert call.fn == "liquidate" and call.args[3] == "0xborrower0"
    assert call.args[4] == best.debt_to_cover <= 350_000 * UNIT
    assert call.args[6] == max(530 * UNIT, best.profit // 2)  # the executor's minimum profit
    assert liquidator.skipped == {}


def test_act__amm_below_the_price_the_bonus_allows__skips_unprofitable(make_liquidator, make_view):
    liquidator, ctx = make_liquidator(atomic=True)
    view = make_view(borrowers=[UNDERWATER], oracle_usd=0.80, amm_price_usd=0.75)

    liquidator.act(view, ctx)

    assert executor_calls(ctx) == [] and liquidator.skipped == {0: "unprofitable"}


def test_act__profit_short_of_gas__skips_unprofitable_but_liquidates_without_gas(make_liquidator, make_view):
    small = (10_000, 7_000)  # covering $3.5k at a 4.5 % net bonus: ~$150 before the AMM's fee
    view = make_view(borrowers=[small], oracle_usd=0.80, amm_price_usd=0.80)
    costly, ctx = make_liquidator(atomic=True, min_profit_usd=0, gas_cost_usd=200)
    free, free_ctx = make_liquidator(atomic=True, min_profit_usd=0, gas_cost_usd=0)

    costly.act(view, ctx)
    free.act(view, free_ctx)

    assert executor_calls(ctx) == [] and costly.skipped == {0: "unprofitable"}
    assert len(executor_calls(free_ctx)) == 1 and free.skipped == {}


def test_act__whale_against_thin_amm__covers_the_slice_the_depth_absorbs_step_after_step(make_liquidator, make_view):
    # $150M of collateral behind $130M of debt (HF 0.98) against an AMM holding $4M of stablecoin.
    whale = (187_500_000, 130_000_000)
    liquidator, ctx = make_liquidator(atomic=True, min_profit_usd=500)
    view = make_view(borrowers=[whale], oracle_usd=0.80, amm_price_usd=0.80, amm_depth_usd=4_000_000)

    liquidator.act(view, ctx)
    (first,) = executor_calls(ctx)
    assert first.args[4] < 4_000_000 * UNIT // 10  # a slice, not the $65M close factor
    # Arbitrage refills the AMM at the same price; the smaller position is liquidated again.
    repaid = first.args[4]
    seized_tokens = repaid / 0.80 * 1.05 / UNIT
    later = make_view(borrowers=[(whale[0] - seized_tokens, whale[1] - repaid / UNIT)], oracle_usd=0.80,
                      amm_price_usd=0.80, amm_depth_usd=4_000_000)
    liquidator.act(later, ctx)
    assert len(executor_calls(ctx)) == 2 and liquidator.skipped == {}


def test_act__two_borrowers_on_a_thin_amm__first_takes_the_depth_second_skipped_unprofitable(
    make_liquidator, make_view
):
    # Each alone would be liquidated; planned on the reserves the first moved, the second no longer pays.
    liquidator, ctx = make_liquidator(atomic=True, min_profit_usd=100, borrowers=2)
    view = make_view(borrowers=[UNDERWATER, UNDERWATER], oracle_usd=0.80, amm_price_usd=0.80, amm_depth_usd=2_000_000)
    alone, alone_ctx = make_liquidator(atomic=True, min_profit_usd=100)

    liquidator.act(view, ctx)
    alone.act(replace(view, accounts=view.accounts[1:]), alone_ctx)

    (first,) = executor_calls(ctx)
    assert list(liquidator.skipped.values()) == ["unprofitable"]
    assert first.args[3] == f"0xborrower{1 - next(iter(liquidator.skipped))}"
    assert len(executor_calls(alone_ctx)) == 1


def test_act__more_profitable_borrowers_than_the_step_limit__the_rest_skipped_step_limit(make_liquidator, make_view):
    n = MAX_PER_STEP + 2
    liquidator, ctx = make_liquidator(atomic=True, borrowers=n)
    view = make_view(borrowers=[UNDERWATER] * n, oracle_usd=0.80, amm_price_usd=0.80, amm_depth_usd=500_000_000)

    liquidator.act(view, ctx)

    assert len(executor_calls(ctx)) == MAX_PER_STEP
    assert sorted(liquidator.skipped.values()) == ["step_limit", "step_limit"]


def test_act__capital_desk_without_capital__skips_no_capital(make_liquidator, make_view):
    liquidator, ctx = make_liquidator(atomic=False, disposal="amm")
    view = make_view(borrowers=[UNDERWATER], oracle_usd=0.80, amm_price_usd=0.80, capital_usd=0)

    liquidator.act(view, ctx)

    assert ctx.market.pool.calls == [] and liquidator.skipped == {0: "no_capital"}


def test_act__capital_desk_short_of_capital__covers_what_its_capital_pays(make_liquidator, make_view):
    liquidator, ctx = make_liquidator(atomic=False, disposal="hold", min_profit_usd=100, gas_cost_usd=30)
    view = make_view(borrowers=[UNDERWATER], oracle_usd=0.80, amm_price_usd=0.80, capital_usd=50_000)
    poorer, poor_ctx = make_liquidator(atomic=False, disposal="hold", min_profit_usd=100, gas_cost_usd=30)

    liquidator.act(view, ctx)
    poorer.act(replace(view, balances={("0xstable", "0xliquidator"): 1_000 * UNIT}), poor_ctx)

    (call,) = ctx.market.pool.calls
    assert call.fn == "liquidationCall" and 49_000 * UNIT < call.args[3] < 50_000 * UNIT
    assert poor_ctx.market.pool.calls == [] and poorer.skipped == {0: "no_capital"}  # $1k earns < $130


def test_act__amm_desk__dumps_what_the_pool_hands_over(make_liquidator, make_view):
    liquidator, ctx = make_liquidator(atomic=False, disposal="amm", min_profit_usd=100)
    view = make_view(borrowers=[UNDERWATER], oracle_usd=0.80, amm_price_usd=0.80, amm_depth_usd=20_000_000,
                     capital_usd=10_000_000)

    liquidator.act(view, ctx)

    (liquidation,) = ctx.market.pool.calls
    (dump,) = ctx.market.router.calls
    covered = liquidation.args[3]
    position = liquidator.position(0, view)
    assert dump.fn == "swapExactTokensForTokens" and dump.args[2] == position.amounts(covered).collateral_to_liquidator


def test_act__redeem_desk_while_redemptions_frozen__skips_redemptions_frozen(make_liquidator, make_view):
    liquidator, ctx = make_liquidator(atomic=False, disposal="redeem")
    view = make_view(borrowers=[UNDERWATER], oracle_usd=0.80, capital_usd=10_000_000, frozen=True)

    liquidator.act(view, ctx)

    assert ctx.market.pool.calls == [] and liquidator.skipped == {0: "redemptions_frozen"}


def test_act__collateral_price_older_than_the_pools_max_age__skips_stale_price(make_liquidator, make_view):
    """The pool would revert `liquidationCall` with `StalePrice`: the liquidator does not send it."""
    liquidator, ctx = make_liquidator(atomic=True)
    max_age = liquidator.max_price_age
    assert max_age == SCENARIO.collateral_max_price_age_seconds() > 0
    view = make_view(borrowers=[UNDERWATER], oracle_usd=0.80)

    liquidator.act(replace(view, t=max_age), ctx)  # exactly max_age old: still accepted
    assert len(executor_calls(ctx)) == 1
    liquidator.act(replace(view, t=max_age + 1), ctx)

    assert len(executor_calls(ctx)) == 1 and liquidator.skipped == {0: "stale_price"}


def test_act__oracle_answers_zero__skips_oracle_zero(make_liquidator, make_view):
    liquidator, ctx = make_liquidator(atomic=True)
    view = replace(make_view(borrowers=[UNDERWATER], oracle_usd=0.80), oracle_answer=0)  # accounts from before

    liquidator.act(view, ctx)

    assert executor_calls(ctx) == [] and liquidator.skipped == {0: "oracle_zero"}


def test_act__healthy_and_liquidatable_borrowers__reasons_only_for_liquidatable_ones(make_liquidator, make_view):
    liquidator, ctx = make_liquidator(atomic=True, borrowers=2)
    view = make_view(borrowers=[(2_000_000, 700_000), UNDERWATER], oracle_usd=0.80, amm_price_usd=0.70)

    liquidator.act(view, ctx)

    assert liquidator.skipped == {1: "unprofitable"}
    assert set(liquidator.skipped.values()) <= set(SKIP_REASONS)


def test_act__capital_desk_and_collateral_short_of_debt__asks_for_everything(make_liquidator, make_view):
    # $800k of collateral behind $850k of debt: the bonus cannot be paid on all of it.
    liquidator, ctx = make_liquidator(atomic=False, disposal="hold")
    view = make_view(borrowers=[(1_000_000, 850_000)], oracle_usd=0.80, capital_usd=10_000_000)

    liquidator.act(view, ctx)

    (call,) = ctx.market.pool.calls
    assert call.args[3] == 2**256 - 1  # the pool repays what the whole (exact) collateral pays for


# -- the pool's circuit breakers (market.mitigations) ----------------------------------------------

CAP_WINDOW = 3_600


def capped(view, *, cap_usd, used_usd=0, window_start=0):
    """`view` with the SPV reserve's liquidation cap as `getLiquidationCapState` would report it."""
    return replace(view, liquidation_cap=LiquidationCapState(cap_usd * USD, CAP_WINDOW, window_start, used_usd * USD))


def test_act__grace_period_runs_past_the_block__skips_grace_period_and_wakes_at_its_end(make_liquidator, make_view):
    liquidator, ctx = make_liquidator(atomic=True)
    view = replace(make_view(borrowers=[UNDERWATER], oracle_usd=0.80), liquidation_grace_until=600)

    ctx.world.t = 599
    liquidator.act(view, ctx)
    assert executor_calls(ctx) == [] and liquidator.skipped == {0: "grace_period"}
    assert liquidator.wake_times(599) == [600]

    ctx.world.t = 600  # until == the block's time: open again
    liquidator.act(view, ctx)
    assert len(executor_calls(ctx)) == 1 and liquidator.skipped == {} and liquidator.wake_times(600) == []


def test_act__room_under_the_cap__atomic_liquidation_sized_to_the_room(make_liquidator, make_view):
    liquidator, ctx = make_liquidator(atomic=True, min_profit_usd=0, gas_cost_usd=0)
    view = capped(make_view(borrowers=[UNDERWATER], oracle_usd=0.80, amm_depth_usd=20_000_000),
                  cap_usd=50_000, used_usd=30_000)

    liquidator.act(view, ctx)

    (call,) = executor_calls(ctx)
    assert 0 < call.args[4] <= 20_000 * UNIT  # the room: $20k at $1
    assert liquidator.skipped == {}


def test_act__capital_desk_under_the_cap__sized_to_the_room(make_liquidator, make_view):
    liquidator, ctx = make_liquidator(atomic=False, disposal="hold", min_profit_usd=0, gas_cost_usd=0)
    view = capped(make_view(borrowers=[UNDERWATER], oracle_usd=0.80, capital_usd=10_000_000), cap_usd=20_000)

    liquidator.act(view, ctx)

    (call,) = ctx.market.pool.calls
    assert call.fn == "liquidationCall" and call.args[3] == 20_000 * UNIT  # linear value: the largest size


def test_act__cap_used_up__skips_liquidation_cap_and_wakes_at_the_next_window(make_liquidator, make_view):
    liquidator, ctx = make_liquidator(atomic=True)
    view = capped(make_view(borrowers=[UNDERWATER], oracle_usd=0.80), cap_usd=50_000, used_usd=50_000)

    ctx.world.t = 1_000
    liquidator.act(view, ctx)
    assert executor_calls(ctx) == [] and liquidator.skipped == {0: "liquidation_cap"}
    assert liquidator.wake_times(1_000) == [CAP_WINDOW]

    ctx.world.t = CAP_WINDOW  # the next window: the view's use belongs to the last one
    liquidator.act(view, ctx)
    assert len(executor_calls(ctx)) == 1 and liquidator.skipped == {}


def test_act__room_taken_by_the_first_borrower__second_skipped_liquidation_cap(make_liquidator, make_view):
    liquidator, ctx = make_liquidator(atomic=True, min_profit_usd=0, gas_cost_usd=0, borrowers=2)
    view = capped(make_view(borrowers=[UNDERWATER, UNDERWATER], oracle_usd=0.80, amm_depth_usd=20_000_000),
                  cap_usd=20_000)

    liquidator.act(view, ctx)

    (call,) = executor_calls(ctx)
    assert call.args[4] == 20_000 * UNIT
    assert list(liquidator.skipped.values()) == ["liquidation_cap"]
    assert liquidator.wake_times(0) == [CAP_WINDOW]


def test_act__not_on_the_pools_allowlist__skips_not_allowlisted(make_liquidator, make_view):
    scenario = scenario_module.load("credit_default_ripple", ["market.mitigations.collateral.liquidator_allowlist=1"])
    allowed, ctx = make_liquidator(atomic=True, index=0, scenario=scenario)
    left_out, other_ctx = make_liquidator(atomic=True, index=1, scenario=scenario)
    view = make_view(borrowers=[UNDERWATER], oracle_usd=0.80)

    allowed.act(view, ctx)
    left_out.act(view, other_ctx)

    assert len(executor_calls(ctx)) == 1 and allowed.skipped == {}
    assert executor_calls(other_ctx) == [] and left_out.skipped == {0: "not_allowlisted"}
