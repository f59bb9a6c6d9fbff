"""Liquidity providers (`agents.liquidity_provider.LiquidityProvider`) on hand-made views (no chain)."""

from rwa_testbed import scenario as sc
from rwa_testbed.agents.liquidity_provider import COOLDOWN_SECONDS, LiquidityProvider
from rwa_testbed.units import FAR_DEADLINE

from fakes import DAY, account, context, market_view, scenario

ME = "0xlp"
LIQUIDITY = 1_000_000


def make(**config):
    ctx = context(scenario(liquidity_providers=sc.LiquidityProviderConfig(**config)))
    return LiquidityProvider(0, account("lp"), ctx), ctx


def act_at(lp, ctx, t, liquidity=LIQUIDITY):
    ctx.world.t = t
    return lp.act(market_view(balances={("0xpair", ME): liquidity}), ctx)


def drawdown(ctx, t, fall):
    ctx.note_amm_price(0, 1.0)
    ctx.world.t = t
    ctx.note_amm_price(t, 1.0 - fall)


def test_liquidity_provider__calm_market__keeps_its_liquidity():
    lp, ctx = make()

    assert act_at(lp, ctx, 100) == []


def test_liquidity_provider__drawdown_over_threshold__withdraws_its_share():
    lp, ctx = make(withdraw_on_drawdown_bps=1_500, withdraw_share_bps=5_000)
    drawdown(ctx, 100, 0.15)

    (tx,) = act_at(lp, ctx, 100)

    assert (tx.to, tx.fn, tx.action) == ("0xrouter", "removeLiquidity", "lp_withdraw")
    assert tx.args == ("0xpair", 500_000, 0, 0, ME, FAR_DEADLINE)
    assert lp.last_withdrawal == 100


def test_liquidity_provider__drawdown_under_threshold__keeps_it():
    lp, ctx = make(withdraw_on_drawdown_bps=1_500)
    drawdown(ctx, 100, 0.14)

    assert act_at(lp, ctx, 100) == []


def test_liquidity_provider__rumor_running__withdraws():
    lp, ctx = make(withdraw_share_bps=2_000)
    ctx.world.panic_until = 200

    (tx,) = act_at(lp, ctx, 200)

    assert tx.args[1] == 200_000


def test_liquidity_provider__scared_within_the_cooldown__once_a_day():
    lp, ctx = make()
    ctx.world.panic_until = 10 * DAY
    act_at(lp, ctx, 100)

    assert act_at(lp, ctx, 100 + COOLDOWN_SECONDS - 1) == []
    assert len(act_at(lp, ctx, 100 + COOLDOWN_SECONDS)) == 1


def test_liquidity_provider__forced_withdrawal__that_share_even_in_the_cooldown():
    lp, ctx = make(withdraw_share_bps=5_000)
    ctx.world.panic_until = 10 * DAY
    act_at(lp, ctx, 100)
    ctx.world.forced_lp_withdrawal = 0.3

    (tx,) = act_at(lp, ctx, 200)

    assert tx.args[1] == 300_000
    assert lp.last_withdrawal == 200


def test_liquidity_provider__share_zero__never_withdraws_when_scared():
    lp, ctx = make(withdraw_share_bps=0)
    ctx.world.panic_until = 200

    assert act_at(lp, ctx, 100) == []


def test_liquidity_provider__no_liquidity_left__no_transaction_no_cooldown():
    lp, ctx = make()
    ctx.world.panic_until = 200

    assert act_at(lp, ctx, 100, liquidity=1) == []  # half of 1 rounds to nothing
    assert lp.last_withdrawal == -COOLDOWN_SECONDS


def test_liquidity_provider_wake_times__end_of_the_cooldown():
    lp, ctx = make()

    assert lp.wake_times(0) == []
    ctx.world.forced_lp_withdrawal = 0.5
    act_at(lp, ctx, 100)
    assert lp.wake_times(100) == [100 + DAY]
    assert lp.wake_times(100 + DAY) == []
