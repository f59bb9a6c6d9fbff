"""Panicking holders (`agents.panic_seller.PanicSeller`) on hand-made views (no chain)."""

import random

import pytest

from rwa_testbed import scenario as sc
from rwa_testbed.agents.panic_seller import PanicSeller
from rwa_testbed.units import FAR_DEADLINE

from fakes import WAD, account, context, market_view, scenario

ME = "0xholder"
SEED = 7


def make(**config):
    ctx = context(scenario(panic_sellers=sc.PanicSellerConfig(**config), seed=SEED))
    return PanicSeller(0, account("holder"), ctx), ctx


def view(tokens=100_000, **kw):
    return market_view(balances={("0xspv", ME): tokens * WAD}, **kw)


def rumor(ctx, until, share):
    ctx.world.panic_until, ctx.world.panic_share = until, share


def act_at(holder, ctx, t, v=None):
    ctx.world.t = t
    return holder.act(v or view(), ctx)


def test_panic_seller__calm_market__no_trade():
    holder, ctx = make()

    assert act_at(holder, ctx, 100) == []
    assert not holder.panicked


def test_panic_seller__rumor_picks_it__start_drawn_within_the_rumor_and_share_to_sell():
    holder, ctx = make(sell_share_bps=5_000)
    rumor(ctx, until=1_900, share=1.0)

    act_at(holder, ctx, 100)

    draw = random.Random(f"{SEED}:holder-0:rumor:1900")  # seeded by the run, the holder and the rumor
    draw.random()
    assert holder.panicked and holder.to_sell == 50_000 * WAD
    assert holder.start_at == 100 + int(draw.random() * 1_800)
    assert 100 <= holder.start_at <= 1_900


def test_panic_seller__rumor_passes_it_over__one_draw_per_rumor():
    holder, ctx = make()
    rumor(ctx, until=1_900, share=0.0)
    act_at(holder, ctx, 100)
    rumor(ctx, until=1_900, share=1.0)  # the same rumor: no second draw

    act_at(holder, ctx, 112)

    assert not holder.panicked and holder.drawn_for == 1_900
    rumor(ctx, until=5_000, share=1.0)  # a new rumor draws again
    act_at(holder, ctx, 4_000)
    assert holder.panicked


def test_panic_seller__rumor_over__no_draw():
    holder, ctx = make()
    rumor(ctx, until=1_900, share=1.0)

    act_at(holder, ctx, 1_901)

    assert not holder.panicked and holder.drawn_for == -1


def test_panic_seller__panicked__sells_from_its_start_in_chunks_of_max_trade():
    holder, ctx = make(sell_share_bps=5_000, max_trade_usd=25_000)
    holder._panic(view(), ctx, start_at=500)

    assert act_at(holder, ctx, 499, view(amm_price_usd=0.5)) == []
    (swap,) = act_at(holder, ctx, 500, view(amm_price_usd=0.5))

    assert (swap.to, swap.fn, swap.action) == ("0xrouter", "swapExactTokensForTokens", "panic_sell")
    pair, token_in, amount, min_out, to, deadline = swap.args
    assert (pair, token_in, min_out, to, deadline) == ("0xpair", "0xspv", 0, ME, FAR_DEADLINE)  # any price
    assert amount == pytest.approx(50_000 * WAD, rel=1e-12)  # $25k at $0.50 (float arithmetic)
    assert holder.to_sell == 50_000 * WAD - amount


@pytest.mark.xfail(strict=True, reason="chunk size computed in floats: int(25e9 / 0.5 * 1e12) is 4,194,304 wei "
                                       "short of 50,000 tokens, so the rest is sold as dust in a second swap")
def test_panic_seller__chunk_exactly_what_is_left__no_dust_swap_next_block():
    holder, ctx = make(sell_share_bps=5_000, max_trade_usd=25_000)
    holder._panic(view(), ctx, start_at=0)
    act_at(holder, ctx, 0, view(amm_price_usd=0.5))

    assert act_at(holder, ctx, 12, view(amm_price_usd=0.5)) == []


def test_panic_seller__chunk_larger_than_what_is_left__the_rest():
    holder, ctx = make(sell_share_bps=1_000, max_trade_usd=250_000)
    holder._panic(view(tokens=100_000), ctx, start_at=0)

    (swap,) = act_at(holder, ctx, 0)

    assert swap.args[2] == 10_000 * WAD


def test_panic_seller__amm_below_floor_of_nav__holds():
    holder, ctx = make(floor_pct_of_nav=20)
    holder._panic(view(), ctx, start_at=0)

    assert act_at(holder, ctx, 0, view(amm_price_usd=0.19, nav_usd=1.0)) == []
    assert len(act_at(holder, ctx, 12, view(amm_price_usd=0.21, nav_usd=1.0))) == 1


def test_panic_seller__amm_drawdown_over_threshold__panics_at_once():
    holder, ctx = make(drawdown_panic_bps=2_500)
    ctx.note_amm_price(0, 1.0)
    ctx.world.t = 100
    ctx.note_amm_price(100, 0.76)

    assert act_at(holder, ctx, 100) == []  # 24 % down
    ctx.note_amm_price(100, 0.75)
    (swap,) = act_at(holder, ctx, 100, view(amm_price_usd=0.75))

    assert holder.start_at == 100 and swap.action == "panic_sell"


def test_panic_seller__drawdown_threshold_zero__never_panics_on_price():
    holder, ctx = make(drawdown_panic_bps=0)
    ctx.note_amm_price(0, 1.0)
    ctx.note_amm_price(100, 0.1)

    assert act_at(holder, ctx, 100) == [] and not holder.panicked


def test_panic_seller_wake_times__panicked_with_a_later_start__that_start():
    holder, ctx = make()

    assert holder.wake_times(0) == []
    holder._panic(view(), ctx, start_at=700)
    assert holder.wake_times(0) == [700]
    assert holder.wake_times(700) == []
