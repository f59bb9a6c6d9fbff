"""Arbitrageurs (`agents.arbitrageur.Arbitrageur`) on hand-made views (no chain)."""

import math

import pytest

from rwa_testbed import scenario as sc
from rwa_testbed.agents.arbitrageur import Arbitrageur
from rwa_testbed.models.amm import get_amount_out
from rwa_testbed.units import FAR_DEADLINE

from fakes import DAY, UNIT, WAD, account, context, market_view, scenario

ME = "0xarbitrageur"


def make(**config):
    ctx = context(scenario(arbitrageurs=sc.ArbitrageurConfig(**config)))
    return Arbitrageur(0, account("arbitrageur"), ctx), ctx


def view(*, stable_usd=0.0, spv_tokens=0.0, **kw):
    return market_view(balances={("0xstable", ME): round(stable_usd * UNIT), ("0xspv", ME): round(spv_tokens * WAD)},
                       **kw)


def test_arbitrageur__amm_below_fair_value__buys_to_half_the_band():
    arb, ctx = make(threshold_bps=200)  # fair value: the last NAV report ($1)

    txs = arb.act(view(amm_price_usd=0.8, stable_usd=500_000), ctx)

    (swap,) = txs
    assert (swap.to, swap.fn, swap.action) == ("0xrouter", "swapExactTokensForTokens", "arbitrage_buy")
    pair, token_in, amount, min_out, to, deadline = swap.args
    assert (pair, token_in, to, deadline) == ("0xpair", "0xstable", ME, FAR_DEADLINE)
    # 800k stablecoins against 1M tokens brought to $0.99 (1 - band/2): sqrt(8e11 * 0.99) - 8e5.
    assert amount / UNIT == pytest.approx(math.sqrt(8e11 * 0.99) - 8e5, rel=1e-6)
    assert min_out == get_amount_out(amount, 800_000 * UNIT, 1_000_000 * WAD, 30) * 97 // 100  # 3 % slippage


def test_arbitrageur__buy_capital_bound__whole_balance():
    arb, ctx = make()

    (swap,) = arb.act(view(amm_price_usd=0.8, stable_usd=50_000), ctx)

    assert swap.args[2] == 50_000 * UNIT


def test_arbitrageur__buy_over_max_trade__capped():
    arb, ctx = make(max_trade_usd=20_000)

    (swap,) = arb.act(view(amm_price_usd=0.8, stable_usd=500_000), ctx)

    assert swap.args[2] == 20_000 * UNIT


def test_arbitrageur__within_the_band__no_trade():
    arb, ctx = make(threshold_bps=200)

    assert arb.act(view(amm_price_usd=0.981, stable_usd=500_000, spv_tokens=500_000), ctx) == []
    assert arb.act(view(amm_price_usd=1.019, stable_usd=500_000, spv_tokens=500_000), ctx) == []


def test_arbitrageur__amm_above_fair_value__sells_its_tokens():
    arb, ctx = make(threshold_bps=200)

    (swap,) = arb.act(view(amm_price_usd=1.2, spv_tokens=10_000), ctx)

    assert (swap.action, swap.args[1], swap.args[2]) == ("arbitrage_sell", "0xspv", 10_000 * WAD)


def test_arbitrageur__sell_with_plenty_of_tokens__to_half_the_band_above():
    arb, ctx = make(threshold_bps=200)

    (swap,) = arb.act(view(amm_price_usd=1.2, spv_tokens=500_000), ctx)

    # 1.2M stablecoins against 1M tokens brought to $1.01: sqrt(1.2e12 / 1.01) - 1e6 tokens.
    assert swap.args[2] / WAD == pytest.approx(math.sqrt(1.2e12 / 1.01) - 1e6, rel=1e-6)


def test_arbitrageur__trade_under_min_trade__none():
    arb, ctx = make(min_trade_usd=10_000)

    assert arb.act(view(amm_price_usd=0.8, stable_usd=9_999), ctx) == []
    assert arb.wake_at is None  # no inflow: nothing to wait for


@pytest.mark.parametrize("source, fair", [("oracle", 0.9), ("true_value", 1.1), ("nav_report", 1.0)])
def test_arbitrageur_fair_value__source__that_price(source, fair):
    arb, ctx = make(fair_value=source)
    ctx.world.nav0_usd = 1.1

    assert arb.fair_value(view(oracle_usd=0.9, nav_usd=1.0), ctx) == pytest.approx(fair)


def test_arbitrageur_fair_value__impaired_on_chain_or_off__haircut():
    arb, ctx = make(impaired_haircut_bps=5_000)

    assert arb.fair_value(view(impaired=True), ctx) == pytest.approx(0.5)
    ctx.world.impaired = True
    assert arb.fair_value(view(), ctx) == pytest.approx(0.5)


def test_arbitrageur__impaired_claim__amm_at_nav_is_sold():
    arb, ctx = make(impaired_haircut_bps=5_000)

    (swap,) = arb.act(view(amm_price_usd=1.0, spv_tokens=100_000, impaired=True), ctx)

    assert swap.action == "arbitrage_sell"


def test_arbitrageur_arrived__inflow_per_day__linear_in_time():
    arb, _ = make(capital_inflow_usd_per_day=86_400)  # $1 a second

    assert (arb.arrived(0), arb.arrived(1_000), arb.arrived(DAY)) == (0, 1_000 * UNIT, 86_400 * UNIT)


def test_arbitrageur__inflow_short_of_min_trade__waits_until_a_trade_worth_arrived():
    arb, ctx = make(capital_inflow_usd_per_day=86_400, min_trade_usd=10_000)  # $1 a second
    ctx.world.t = 1_000

    assert arb.act(view(amm_price_usd=0.8), ctx) == []
    assert arb.wake_at == 10_000
    assert arb.wake_times(1_000) == [10_000]
    assert arb.wake_times(10_000) == []


def test_arbitrageur__inflow_arrived__admin_mints_it_then_the_swap():
    arb, ctx = make(capital_inflow_usd_per_day=86_400, min_trade_usd=10_000)
    ctx.world.t = 10_000

    mint, swap = arb.act(view(amm_price_usd=0.8), ctx)

    assert (mint.to, mint.fn, mint.args, mint.action) == ("0xstable", "mint", (ME, 10_000 * UNIT), "capital_inflow")
    assert mint.sender is ctx.actors.admin
    assert swap.args[2] == 10_000 * UNIT
    assert arb.minted == 10_000 * UNIT and arb.wake_at is None


def test_arbitrageur_wake_times__nav_report_fair_value__nothing_without_a_capital_wait():
    arb, ctx = make()
    arb.act(view(amm_price_usd=1.0), ctx)

    assert arb.wake_times(0) == []


def test_arbitrageur_wake_times__true_value__when_the_value_leaves_the_band():
    arb, ctx = make(fair_value="true_value", threshold_bps=200)
    ctx.world.value_factors = [lambda t: 0.95 if t >= 5 * DAY + 123 else 1.0]
    arb.act(view(amm_price_usd=1.0), ctx)  # within the band at t = 0

    assert arb.wake_times(0) == [5 * DAY + 123]


def test_arbitrageur_wake_times__true_value_never_leaves_the_band__none():
    arb, ctx = make(fair_value="true_value", threshold_bps=200)
    arb.act(view(amm_price_usd=1.0), ctx)

    assert arb.wake_times(0) == []
