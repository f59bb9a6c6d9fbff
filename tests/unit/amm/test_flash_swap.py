"""`swap` with non-empty data: outputs first, then `uniswapV2Call` on `to`, then the K check."""

import pytest
from eth_abi import encode

from rwa_testbed.models.amm import get_amount_in
from rwa_testbed.testing import reverts

BORROWED = 100 * 10**18  # token1 borrowed from the seeded pair (reserve1 = 4000e18)


def flash_data(repay0=0, repay1=0, reenter=False):
    return encode(["uint256", "uint256", "bool"], [repay0, repay1, reenter])


def same_token_repayment(amount_out, fee_bps=30):
    """Smallest same-token repayment passing K: repay * (1e4 - fee) >= amount_out * 1e4."""
    return -(-amount_out * 10_000 // (10_000 - fee_bps))


@pytest.fixture
def funded_callee(callee, token0, token1, trader):
    """The flash callee holding enough of both tokens to repay any fee."""
    token0.mint(callee, 10_000 * 10**18, sender=trader)
    token1.mint(callee, 10_000 * 10**18, sender=trader)
    return callee


def test_flash_swap__repaid_in_the_same_token_with_fee__settles_and_calls_back_before_the_k_check(
    seeded_pair, funded_callee, token1, seed_reserves, trader
):
    pair, callee = seeded_pair, funded_callee
    reserve0, reserve1 = seed_reserves
    repay = same_token_repayment(BORROWED)

    tx = pair.swap(0, BORROWED, callee, flash_data(repay1=repay), sender=trader)

    assert pair.getReserves()[:2] == (reserve0, reserve1 - BORROWED + repay)
    assert tx.events == [
        token1.Transfer(pair, callee, BORROWED),
        callee.FlashSwapReceived(pair, trader, 0, BORROWED, reserve0, reserve1),  # pre-swap reserves
        token1.Transfer(callee, pair, repay),
        pair.Sync(reserve0, reserve1 - BORROWED + repay),
        pair.Swap(trader, 0, repay, 0, BORROWED, callee),
    ]


def test_flash_swap__repaid_in_the_other_token__settles_like_a_swap(
    seeded_pair, funded_callee, token0, token1, seed_reserves, trader
):
    pair, callee = seeded_pair, funded_callee
    reserve0, reserve1 = seed_reserves
    repay0 = get_amount_in(BORROWED, reserve0, reserve1)

    tx = pair.swap(0, BORROWED, callee, flash_data(repay0=repay0), sender=trader)

    assert pair.getReserves()[:2] == (reserve0 + repay0, reserve1 - BORROWED)
    assert tx.events.filter(pair.Swap) == [pair.Swap(trader, repay0, 0, 0, BORROWED, callee)]


def test_flash_swap__repaid_without_the_fee__reverts_k_invariant(seeded_pair, funded_callee, seed_reserves, trader):
    pair = seeded_pair
    reserve0, reserve1 = seed_reserves
    # Returning exactly what was borrowed: balance1 is back to reserve1, but amount1In = BORROWED pays the fee.
    k_after = (reserve0 * 10_000) * (reserve1 * 10_000 - BORROWED * 30)

    with reverts(pair.KInvariant, kBefore=reserve0 * reserve1 * 10**8, kAfter=k_after):
        pair.swap(0, BORROWED, funded_callee, flash_data(repay1=BORROWED), sender=trader)


def test_flash_swap__repaid_one_wei_short__reverts_k_invariant(seeded_pair, funded_callee, seed_reserves, trader):
    pair = seeded_pair
    reserve0, reserve1 = seed_reserves
    repay = same_token_repayment(BORROWED) - 1
    k_after = (reserve0 * 10_000) * ((reserve1 - BORROWED + repay) * 10_000 - repay * 30)

    with reverts(pair.KInvariant, kBefore=reserve0 * reserve1 * 10**8, kAfter=k_after):
        pair.swap(0, BORROWED, funded_callee, flash_data(repay1=repay), sender=trader)


def test_flash_swap__not_repaid__reverts_insufficient_input_amount(seeded_pair, funded_callee, trader):
    with reverts(seeded_pair.InsufficientInputAmount):
        seeded_pair.swap(0, BORROWED, funded_callee, flash_data(), sender=trader)


def test_flash_swap__callee_reenters_the_pair__reverts_reentrant_call(seeded_pair, funded_callee, trader):
    repay = same_token_repayment(BORROWED)
    with reverts(seeded_pair.ReentrancyGuardReentrantCall):
        seeded_pair.swap(0, BORROWED, funded_callee, flash_data(repay1=repay, reenter=True), sender=trader)


def test_swap__empty_data_to_a_callee__does_not_call_back(seeded_pair, funded_callee, token0, seed_reserves, trader):
    pair = seeded_pair
    reserve0, reserve1 = seed_reserves
    amount_in = get_amount_in(BORROWED, reserve0, reserve1)
    token0.mint(pair, amount_in, sender=trader)

    tx = pair.swap(0, BORROWED, funded_callee, b"", sender=trader)

    assert tx.events.filter(funded_callee.FlashSwapReceived) == []
    assert tx.events.filter(pair.Swap) == [pair.Swap(trader, amount_in, 0, 0, BORROWED, funded_callee)]
