import pytest
from ape.utils import ZERO_ADDRESS

from rwa_testbed.testing import reverts


@pytest.mark.parametrize("reverse", [False, True], ids=["a_b", "b_a"])
def test_constructor__tokens_in_either_order__sorts_token0_below_token1(create_pair, token_a, token_b, reverse):
    pair = create_pair(first=token_b, second=token_a) if reverse else create_pair()

    low, high = sorted([token_a.address, token_b.address], key=lambda a: int(a, 16))
    assert (pair.token0(), pair.token1()) == (low, high)


def test_constructor__default__has_uniswap_constants_and_empty_reserves(pair):
    assert pair.feeBps() == 30
    assert pair.MINIMUM_LIQUIDITY() == 1000
    assert pair.decimals() == 18
    assert pair.totalSupply() == 0
    assert pair.getReserves() == (0, 0, 0)
    assert pair.price0CumulativeLast() == pair.price1CumulativeLast() == 0


@pytest.mark.parametrize("fee_bps", [0, 5, 100, 9_999])
def test_constructor__fee_below_10000_bps__is_stored(create_pair, fee_bps):
    assert create_pair(fee_bps=fee_bps).feeBps() == fee_bps


@pytest.mark.parametrize("fee_bps", [10_000, 65_535])
def test_constructor__fee_of_10000_bps_or_more__reverts_fee_too_high(project, create_pair, fee_bps):
    with reverts(project.ConstantProductPair.FeeTooHigh, feeBps=fee_bps):
        create_pair(fee_bps=fee_bps)


def test_constructor__same_token_twice__reverts_identical_tokens(project, create_pair, token_a):
    with reverts(project.ConstantProductPair.IdenticalTokens, token=token_a):
        create_pair(first=token_a, second=token_a)


def test_constructor__zero_address_token__reverts_zero_address_token(project, create_pair, token_a):
    with reverts(project.ConstantProductPair.ZeroAddressToken):
        create_pair(first=token_a, second=ZERO_ADDRESS)
