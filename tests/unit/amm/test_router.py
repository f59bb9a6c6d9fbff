"""AmmRouter: quotes on a live pair, exact-in swaps, adding and removing liquidity."""

from math import isqrt

import pytest
from ape.utils import ZERO_ADDRESS

from rwa_testbed.models.amm import get_amount_out
from rwa_testbed.testing import reverts

FAR = 2**64  # a deadline that never expires in these tests (seconds)
DEAD = "0x000000000000000000000000000000000000dEaD"


@pytest.fixture
def trader_funds(router, token0, token1, trader):
    """Mints 1000e18 of both tokens to the trader and approves the router for them."""
    for token in (token0, token1):
        token.mint(trader, 1_000 * 10**18, sender=trader)
        token.approve(router, 2**256 - 1, sender=trader)


@pytest.mark.parametrize("zero_for_one", [True, False], ids=["token0_in", "token1_in"])
def test_quote_exact_in__either_token__quotes_at_reserves_and_fee(
    router, seeded_pair, token0, token1, seed_reserves, zero_for_one
):
    reserve0, reserve1 = seed_reserves
    token_in, reserves = (token0, (reserve0, reserve1)) if zero_for_one else (token1, (reserve1, reserve0))

    assert router.quoteExactIn(seeded_pair, token_in, 12345 * 10**15) == get_amount_out(12345 * 10**15, *reserves)


def test_quote_exact_in__foreign_token__reverts_token_not_in_pair(router, seeded_pair, make_token):
    stranger = make_token("Stranger", "STR")
    with reverts(router.TokenNotInPair, pair=seeded_pair, token=stranger):
        router.quoteExactIn(seeded_pair, stranger, 10**18)


@pytest.mark.parametrize("zero_for_one", [True, False], ids=["token0_in", "token1_in"])
def test_swap_exact_tokens_for_tokens__within_deadline_and_min__pulls_input_and_pays_the_quote(
    router, seeded_pair, token0, token1, seed_reserves, trader, treasury, trader_funds, zero_for_one
):
    pair = seeded_pair
    reserve0, reserve1 = seed_reserves
    amount_in = 50 * 10**18
    if zero_for_one:
        token_in, token_out = token0, token1
        amount_out = get_amount_out(amount_in, reserve0, reserve1)
        in0, in1, out0, out1 = amount_in, 0, 0, amount_out
    else:
        token_in, token_out = token1, token0
        amount_out = get_amount_out(amount_in, reserve1, reserve0)
        in0, in1, out0, out1 = 0, amount_in, amount_out, 0

    tx = router.swapExactTokensForTokens(pair, token_in, amount_in, amount_out, treasury, FAR, sender=trader)

    assert tx.return_value == amount_out
    assert token_out.balanceOf(treasury) == amount_out
    assert token_in.balanceOf(trader) == 1_000 * 10**18 - amount_in
    assert token_in.balanceOf(router) == token_out.balanceOf(router) == 0
    new0, new1 = reserve0 + in0 - out0, reserve1 + in1 - out1
    assert tx.events == [
        token_in.Transfer(trader, pair, amount_in),
        token_out.Transfer(pair, treasury, amount_out),
        pair.Sync(new0, new1),
        pair.Swap(router, in0, in1, out0, out1, treasury),
    ]


def test_swap_exact_tokens_for_tokens__quote_below_min__reverts_insufficient_output(
    router, seeded_pair, token0, seed_reserves, trader, trader_funds
):
    amount_out = get_amount_out(10**18, *seed_reserves)
    with reverts(router.InsufficientOutput, amountOut=amount_out, amountOutMin=amount_out + 1):
        router.swapExactTokensForTokens(seeded_pair, token0, 10**18, amount_out + 1, trader, FAR, sender=trader)


def test_add_liquidity__first_deposit__mints_sqrt_k_minus_minimum(router, pair, token0, token1, trader, trader_funds):
    amount0, amount1 = 4 * 10**18, 9 * 10**18
    liquidity = isqrt(amount0 * amount1) - 1000

    tx = router.addLiquidity(pair, amount0, amount1, liquidity, trader, FAR, sender=trader)

    assert tx.return_value == liquidity
    assert pair.balanceOf(trader) == liquidity
    assert pair.getReserves()[:2] == (amount0, amount1)
    assert tx.events == [
        token0.Transfer(trader, pair, amount0),
        token1.Transfer(trader, pair, amount1),
        pair.Transfer(ZERO_ADDRESS, DEAD, 1000),
        pair.Transfer(ZERO_ADDRESS, trader, liquidity),
        pair.Sync(amount0, amount1),
        pair.Mint(router, amount0, amount1),
    ]


def test_add_liquidity__fewer_lp_tokens_than_min__reverts_insufficient_liquidity_out(
    router, seeded_pair, seed_reserves, trader, trader_funds
):
    reserve0, reserve1 = seed_reserves
    supply = seeded_pair.totalSupply()
    liquidity = 10**18 * supply // reserve0  # the token1 side (4e18) is exactly at the ratio
    assert liquidity == 4 * 10**18 * supply // reserve1

    with reverts(router.InsufficientLiquidityOut, liquidity=liquidity, minLiquidity=liquidity + 1):
        router.addLiquidity(seeded_pair, 10**18, 4 * 10**18, liquidity + 1, trader, FAR, sender=trader)


def test_remove_liquidity__within_mins__burns_and_pays_pro_rata(
    router, seeded_pair, token0, token1, seed_reserves, lp, treasury
):
    pair = seeded_pair
    reserve0, reserve1 = seed_reserves
    liquidity = pair.balanceOf(lp) // 4
    supply = pair.totalSupply()
    amount0, amount1 = liquidity * reserve0 // supply, liquidity * reserve1 // supply
    pair.approve(router, liquidity, sender=lp)

    tx = router.removeLiquidity(pair, liquidity, amount0, amount1, treasury, FAR, sender=lp)

    assert tx.return_value == [amount0, amount1]
    assert (token0.balanceOf(treasury), token1.balanceOf(treasury)) == (amount0, amount1)
    assert tx.events == [
        pair.Transfer(lp, pair, liquidity),
        pair.Transfer(pair, ZERO_ADDRESS, liquidity),
        token0.Transfer(pair, treasury, amount0),
        token1.Transfer(pair, treasury, amount1),
        pair.Sync(reserve0 - amount0, reserve1 - amount1),
        pair.Burn(router, amount0, amount1, treasury),
    ]


@pytest.mark.parametrize("short_side", [0, 1])
def test_remove_liquidity__an_amount_below_its_min__reverts_insufficient_amounts_out(
    router, seeded_pair, seed_reserves, lp, short_side
):
    reserve0, reserve1 = seed_reserves
    liquidity = seeded_pair.balanceOf(lp) // 4
    supply = seeded_pair.totalSupply()
    amount0, amount1 = liquidity * reserve0 // supply, liquidity * reserve1 // supply
    min0, min1 = (amount0 + 1, amount1) if short_side == 0 else (amount0, amount1 + 1)
    seeded_pair.approve(router, liquidity, sender=lp)

    with reverts(
        router.InsufficientAmountsOut, amount0=amount0, amount1=amount1, amount0Min=min0, amount1Min=min1
    ):
        router.removeLiquidity(seeded_pair, liquidity, min0, min1, lp, FAR, sender=lp)


@pytest.mark.parametrize("action", ["swap", "add", "remove"])
def test_router__past_deadline__reverts_expired(chain, router, seeded_pair, token0, lp, action):
    now = chain.pending_timestamp + 100
    chain.pending_timestamp = now
    deadline = now - 1
    calls = {
        "swap": lambda: router.swapExactTokensForTokens(seeded_pair, token0, 1, 0, lp, deadline, sender=lp),
        "add": lambda: router.addLiquidity(seeded_pair, 1, 1, 0, lp, deadline, sender=lp),
        "remove": lambda: router.removeLiquidity(seeded_pair, 1, 0, 0, lp, deadline, sender=lp),
    }
    with reverts(router.Expired, deadline=deadline, timestamp=now):
        calls[action]()


def test_router__at_deadline__is_not_expired(chain, router, seeded_pair, token0, token1, seed_reserves, lp):
    token0.mint(lp, 10**18, sender=lp)
    token0.approve(router, 10**18, sender=lp)
    now = chain.pending_timestamp + 100
    chain.pending_timestamp = now

    tx = router.swapExactTokensForTokens(seeded_pair, token0, 10**18, 0, lp, now, sender=lp)

    assert tx.timestamp == now
    assert token1.balanceOf(lp) == get_amount_out(10**18, *seed_reserves)
