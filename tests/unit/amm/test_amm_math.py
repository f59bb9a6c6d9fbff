"""AmmMath through the router's pure views: Uniswap V2 Library's quotes, fee in bps."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from rwa_testbed.models.amm import get_amount_in, get_amount_out
from rwa_testbed.testing import reverts

reserves = st.integers(min_value=1, max_value=2**112 - 1)
amounts = st.integers(min_value=1, max_value=2**128)
fees = st.integers(min_value=0, max_value=9_999)


@given(amount_in=amounts, reserve_in=reserves, reserve_out=reserves)
def test_get_amount_out__fee_30__equals_uniswap_997_over_1000(router, amount_in, reserve_in, reserve_out):
    uniswap = amount_in * 997 * reserve_out // (reserve_in * 1000 + amount_in * 997)
    assert router.getAmountOut(amount_in, reserve_in, reserve_out, 30) == uniswap


@given(amount_in=amounts, reserve_in=reserves, reserve_out=reserves, fee_bps=fees)
def test_get_amount_out__any_fee__equals_the_bps_formula(router, amount_in, reserve_in, reserve_out, fee_bps):
    expected = get_amount_out(amount_in, reserve_in, reserve_out, fee_bps)
    assert router.getAmountOut(amount_in, reserve_in, reserve_out, fee_bps) == expected


@given(data=st.data(), reserve_in=reserves, reserve_out=st.integers(min_value=2, max_value=2**112 - 1))
def test_get_amount_in__fee_30__equals_uniswap_1000_over_997_plus_one(router, data, reserve_in, reserve_out):
    amount_out = data.draw(st.integers(min_value=1, max_value=reserve_out - 1))
    uniswap = reserve_in * amount_out * 1000 // ((reserve_out - amount_out) * 997) + 1
    assert router.getAmountIn(amount_out, reserve_in, reserve_out, 30) == uniswap


@given(data=st.data(), reserve_in=reserves, reserve_out=st.integers(min_value=2, max_value=2**112 - 1), fee_bps=fees)
def test_get_amount_in__any_fee__equals_the_bps_formula_and_buys_at_least_amount_out(
    router, data, reserve_in, reserve_out, fee_bps
):
    amount_out = data.draw(st.integers(min_value=1, max_value=reserve_out - 1))
    amount_in = router.getAmountIn(amount_out, reserve_in, reserve_out, fee_bps)
    assert amount_in == get_amount_in(amount_out, reserve_in, reserve_out, fee_bps)
    assert get_amount_out(amount_in, reserve_in, reserve_out, fee_bps) >= amount_out


@pytest.mark.parametrize("function", ["getAmountOut", "getAmountIn"])
def test_quote__zero_amount__reverts_zero_amount(router, function):
    with reverts(router.ZeroAmount):
        getattr(router, function)(0, 10**18, 10**18, 30)


@pytest.mark.parametrize("function", ["getAmountOut", "getAmountIn"])
@pytest.mark.parametrize("reserve_in, reserve_out", [(0, 10**18), (10**18, 0)])
def test_quote__empty_reserve__reverts_empty_reserves(router, function, reserve_in, reserve_out):
    with reverts(router.EmptyReserves, reserveIn=reserve_in, reserveOut=reserve_out):
        getattr(router, function)(1, reserve_in, reserve_out, 30)


@pytest.mark.parametrize("function", ["getAmountOut", "getAmountIn"])
def test_quote__fee_of_10000_bps__reverts_fee_too_high(router, function):
    with reverts(router.FeeTooHigh, feeBps=10_000):
        getattr(router, function)(1, 10**18, 10**18, 10_000)


@pytest.mark.parametrize("amount_out", [10**18, 10**18 + 1])
def test_get_amount_in__whole_output_reserve_or_more__reverts_output_exceeds_reserve(router, amount_out):
    with reverts(router.OutputExceedsReserve, amountOut=amount_out, reserveOut=10**18):
        router.getAmountIn(amount_out, 10**18, 10**18, 30)
