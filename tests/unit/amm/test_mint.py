from math import isqrt

from ape.utils import ZERO_ADDRESS

from rwa_testbed.models.amm import initial_liquidity
from rwa_testbed.testing import reverts

DEAD = "0x000000000000000000000000000000000000dEaD"


def test_mint__first_deposit__mints_sqrt_k_minus_minimum_and_locks_minimum_at_dead(pair, token0, token1, lp):
    amount0, amount1 = 10**18, 9 * 10**18
    token0.mint(pair, amount0, sender=lp)
    token1.mint(pair, amount1, sender=lp)

    tx = pair.mint(lp, sender=lp)

    expected = isqrt(amount0 * amount1) - 1000
    assert expected == initial_liquidity(amount0, amount1) == 3 * 10**18 - 1000
    assert pair.MINIMUM_LIQUIDITY_HOLDER() == DEAD
    assert pair.balanceOf(lp) == expected
    assert pair.balanceOf(DEAD) == pair.MINIMUM_LIQUIDITY() == 1000
    assert pair.totalSupply() == expected + 1000
    assert pair.getReserves() == (amount0, amount1, tx.timestamp % 2**32)
    assert tx.events == [
        pair.Transfer(ZERO_ADDRESS, DEAD, 1000),
        pair.Transfer(ZERO_ADDRESS, lp, expected),
        pair.Sync(amount0, amount1),
        pair.Mint(lp, amount0, amount1),
    ]


def test_mint__second_deposit_at_ratio__mints_pro_rata(seeded_pair, token0, token1, deposit, seed_reserves, trader):
    pair = seeded_pair
    reserve0, reserve1 = seed_reserves
    supply = pair.totalSupply()
    amount0, amount1 = reserve0 // 10, reserve1 // 10

    tx = deposit(pair, amount0, amount1, to=trader, sender=trader)

    minted = amount0 * supply // reserve0
    assert minted == amount1 * supply // reserve1
    assert pair.balanceOf(trader) == minted
    assert pair.totalSupply() == supply + minted
    assert pair.getReserves()[:2] == (reserve0 + amount0, reserve1 + amount1)
    assert tx.events.filter(pair.Transfer) == [pair.Transfer(ZERO_ADDRESS, trader, minted)]
    assert tx.events.filter(pair.Sync) == [pair.Sync(reserve0 + amount0, reserve1 + amount1)]
    assert tx.events.filter(pair.Mint) == [pair.Mint(trader, amount0, amount1)]


def test_mint__off_ratio_deposit__mints_on_the_smaller_side_and_donates_the_excess(
    seeded_pair, deposit, seed_reserves, lp, trader
):
    pair = seeded_pair
    reserve0, reserve1 = seed_reserves
    supply = pair.totalSupply()
    lp_claim_before = pair.balanceOf(lp) * reserve1 // supply

    deposit(pair, reserve0 // 10, reserve1 // 5, to=trader, sender=trader)

    minted = (reserve0 // 10) * supply // reserve0
    assert pair.balanceOf(trader) == minted
    assert pair.balanceOf(lp) * (reserve1 + reserve1 // 5) // pair.totalSupply() > lp_claim_before


def test_mint__first_deposit_with_sqrt_k_at_minimum__reverts_insufficient_liquidity_minted(pair, deposit):
    with reverts(pair.InsufficientLiquidityMinted, amount0=1000, amount1=1000):
        deposit(pair, 1000, 1000)


def test_mint__nothing_sent__reverts_insufficient_liquidity_minted(seeded_pair, lp):
    with reverts(seeded_pair.InsufficientLiquidityMinted, amount0=0, amount1=0):
        seeded_pair.mint(lp, sender=lp)


def test_mint__one_side_only__reverts_insufficient_liquidity_minted(seeded_pair, token0, lp):
    token0.mint(seeded_pair, 10**18, sender=lp)
    with reverts(seeded_pair.InsufficientLiquidityMinted, amount0=10**18, amount1=0):
        seeded_pair.mint(lp, sender=lp)


def test_mint__to_zero_address__reverts_erc20_invalid_receiver(pair, token0, token1, lp):
    """Uniswap V2 allows minting LP tokens to address(0); OpenZeppelin's ERC20 does not."""
    token0.mint(pair, 10**18, sender=lp)
    token1.mint(pair, 10**18, sender=lp)
    with reverts(pair.ERC20InvalidReceiver, receiver=ZERO_ADDRESS):
        pair.mint(ZERO_ADDRESS, sender=lp)
