import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rwa_testbed.models.amm import get_amount_in, get_amount_out
from rwa_testbed.testing import isolated, reverts


def uniswap_get_amount_out(amount_in, reserve_in, reserve_out):
    """Uniswap V2 Library's getAmountOut, in its own 1000-based form."""
    return amount_in * 997 * reserve_out // (reserve_in * 1000 + amount_in * 997)


def uniswap_k_holds(reserve0, reserve1, balance0, balance1, amount0_in, amount1_in):
    """UniswapV2Pair's K check, in its own 1000-based form."""
    return (balance0 * 1000 - amount0_in * 3) * (balance1 * 1000 - amount1_in * 3) >= reserve0 * reserve1 * 1000**2


def k_invariant_args(reserves, balances, amounts_in, fee_bps=30):
    """Expected KInvariant(kBefore, kAfter) arguments (both scaled by 1e8)."""
    adjusted = [b * 10_000 - a * fee_bps for b, a in zip(balances, amounts_in)]
    return {"kBefore": reserves[0] * reserves[1] * 10**8, "kAfter": adjusted[0] * adjusted[1]}


@pytest.fixture(params=[True, False], ids=["token0_in", "token1_in"])
def zero_for_one(request):
    return request.param


def test_swap__exact_uniswap_quote__pays_out_and_updates_reserves(
    seeded_pair, token0, token1, seed_reserves, trader, zero_for_one
):
    pair = seeded_pair
    reserve0, reserve1 = seed_reserves
    token_in, token_out = (token0, token1) if zero_for_one else (token1, token0)
    reserve_in, reserve_out = (reserve0, reserve1) if zero_for_one else (reserve1, reserve0)
    amount_in = 10 * 10**18
    amount_out = get_amount_out(amount_in, reserve_in, reserve_out)
    assert amount_out == uniswap_get_amount_out(amount_in, reserve_in, reserve_out)
    token_in.mint(pair, amount_in, sender=trader)
    out0, out1 = (0, amount_out) if zero_for_one else (amount_out, 0)
    in0, in1 = (amount_in, 0) if zero_for_one else (0, amount_in)

    tx = pair.swap(out0, out1, trader, b"", sender=trader)

    new0, new1 = reserve0 + in0 - out0, reserve1 + in1 - out1
    assert token_out.balanceOf(trader) == amount_out
    assert pair.getReserves()[:2] == (new0, new1)
    assert tx.events == [
        token_out.Transfer(pair, trader, amount_out),
        pair.Sync(new0, new1),
        pair.Swap(trader, in0, in1, out0, out1, trader),
    ]


def test_swap__one_wei_above_quote__reverts_k_invariant(
    seeded_pair, token0, token1, seed_reserves, trader, zero_for_one
):
    pair = seeded_pair
    reserve0, reserve1 = seed_reserves
    token_in = token0 if zero_for_one else token1
    reserve_in, reserve_out = (reserve0, reserve1) if zero_for_one else (reserve1, reserve0)
    amount_in = 10 * 10**18
    too_much = get_amount_out(amount_in, reserve_in, reserve_out) + 1
    token_in.mint(pair, amount_in, sender=trader)
    out0, out1 = (0, too_much) if zero_for_one else (too_much, 0)
    in0, in1 = (amount_in, 0) if zero_for_one else (0, amount_in)
    balances = (reserve0 + in0 - out0, reserve1 + in1 - out1)
    assert not uniswap_k_holds(reserve0, reserve1, *balances, in0, in1)

    with reverts(pair.KInvariant, **k_invariant_args((reserve0, reserve1), balances, (in0, in1))):
        pair.swap(out0, out1, trader, b"", sender=trader)


@pytest.mark.parametrize("fee_bps", [0, 1, 100, 9_999])
def test_swap__any_fee__accepts_the_bps_quote_and_rejects_one_wei_more(create_pair, deposit, token0, trader, fee_bps):
    pair = create_pair(fee_bps=fee_bps)
    reserve0, reserve1 = 5 * 10**18, 3 * 10**18
    deposit(pair, reserve0, reserve1)
    amount_in = 2 * 10**18
    amount_out = get_amount_out(amount_in, reserve0, reserve1, fee_bps)
    token0.mint(pair, amount_in, sender=trader)
    balances = (reserve0 + amount_in, reserve1 - amount_out - 1)

    with reverts(pair.KInvariant, **k_invariant_args((reserve0, reserve1), balances, (amount_in, 0), fee_bps)):
        pair.swap(0, amount_out + 1, trader, b"", sender=trader)
    tx = pair.swap(0, amount_out, trader, b"", sender=trader)

    assert tx.events.filter(pair.Swap) == [pair.Swap(trader, amount_in, 0, 0, amount_out, trader)]


@given(
    out_share_ppm=st.integers(min_value=1, max_value=990_000),
    reserve0=st.integers(min_value=10**4, max_value=10**30),
    reserve1=st.integers(min_value=10**4, max_value=10**30),
)
@settings(max_examples=10)
def test_swap__minimum_input_for_an_output__is_uniswaps_1000_based_boundary(
    chain, create_pair, deposit, token0, trader, out_share_ppm, reserve0, reserve1
):
    """The bps K check (fee 30) accepts exactly the inputs Uniswap's 1000-based check accepts."""
    amount_out = max(1, reserve1 * out_share_ppm // 10**6)
    # Smallest input with (1000*(r0+in) - 3*in) * (r1-out) * 1000 >= r0*r1*1000^2:
    needed = -(-reserve0 * reserve1 * 1000 // (reserve1 - amount_out))  # ceil
    minimum_in = max(1, -(-(needed - 1000 * reserve0) // 997))
    balances = (reserve0 + minimum_in, reserve1 - amount_out)
    assert uniswap_k_holds(reserve0, reserve1, *balances, minimum_in, 0)
    assert not uniswap_k_holds(reserve0, reserve1, balances[0] - 1, balances[1], minimum_in - 1, 0)
    assert minimum_in <= get_amount_in(amount_out, reserve0, reserve1) <= minimum_in + 1

    with isolated(chain):
        pair = create_pair()
        deposit(pair, reserve0, reserve1)
        if minimum_in > 1:
            token0.mint(pair, minimum_in - 1, sender=trader)
            short = (balances[0] - 1, balances[1])
            with reverts(pair.KInvariant, **k_invariant_args((reserve0, reserve1), short, (minimum_in - 1, 0))):
                pair.swap(0, amount_out, trader, b"", sender=trader)
            token0.mint(pair, 1, sender=trader)
        else:
            token0.mint(pair, 1, sender=trader)
        pair.swap(0, amount_out, trader, b"", sender=trader)

        assert pair.getReserves()[:2] == balances


def test_swap__both_outputs_zero__reverts_insufficient_output_amount(seeded_pair, token0, trader):
    token0.mint(seeded_pair, 10**18, sender=trader)
    with reverts(seeded_pair.InsufficientOutputAmount):
        seeded_pair.swap(0, 0, trader, b"", sender=trader)


@pytest.mark.parametrize("side", [0, 1])
def test_swap__whole_reserve__reverts_insufficient_liquidity(seeded_pair, seed_reserves, trader, side):
    reserve0, reserve1 = seed_reserves
    out0, out1 = (reserve0, 0) if side == 0 else (0, reserve1)
    with reverts(
        seeded_pair.InsufficientLiquidity, amount0Out=out0, amount1Out=out1, reserve0=reserve0, reserve1=reserve1
    ):
        seeded_pair.swap(out0, out1, trader, b"", sender=trader)


def test_swap__empty_pair__reverts_insufficient_liquidity(pair, trader):
    with reverts(pair.InsufficientLiquidity, amount0Out=1, amount1Out=0, reserve0=0, reserve1=0):
        pair.swap(1, 0, trader, b"", sender=trader)


@pytest.mark.parametrize("which", ["token0", "token1"])
def test_swap__to_one_of_the_pair_tokens__reverts_invalid_to(seeded_pair, token0, token1, trader, which):
    to = token0 if which == "token0" else token1
    token0.mint(seeded_pair, 10**18, sender=trader)
    with reverts(seeded_pair.InvalidTo, to=to):
        seeded_pair.swap(0, 10**18, to, b"", sender=trader)


def test_swap__no_input_sent__reverts_insufficient_input_amount(seeded_pair, trader):
    with reverts(seeded_pair.InsufficientInputAmount):
        seeded_pair.swap(0, 10**18, trader, b"", sender=trader)
