from ape.utils import ZERO_ADDRESS

from rwa_testbed.testing import reverts


def test_burn__all_lp_tokens__pays_pro_rata_and_leaves_the_locked_minimum(
    seeded_pair, token0, token1, seed_reserves, lp, treasury
):
    pair = seeded_pair
    reserve0, reserve1 = seed_reserves
    liquidity = pair.balanceOf(lp)
    supply = pair.totalSupply()
    pair.transfer(pair, liquidity, sender=lp)

    tx = pair.burn(treasury, sender=lp)

    amount0 = liquidity * reserve0 // supply
    amount1 = liquidity * reserve1 // supply
    assert token0.balanceOf(treasury) == amount0
    assert token1.balanceOf(treasury) == amount1
    assert pair.totalSupply() == supply - liquidity == pair.MINIMUM_LIQUIDITY()
    assert pair.getReserves()[:2] == (reserve0 - amount0, reserve1 - amount1)
    assert tx.events == [
        pair.Transfer(pair, ZERO_ADDRESS, liquidity),
        token0.Transfer(pair, treasury, amount0),
        token1.Transfer(pair, treasury, amount1),
        pair.Sync(reserve0 - amount0, reserve1 - amount1),
        pair.Burn(lp, amount0, amount1, treasury),
    ]


def test_burn__after_donation__pays_out_of_balances_not_reserves(seeded_pair, token0, token1, seed_reserves, lp):
    pair = seeded_pair
    reserve0, reserve1 = seed_reserves
    donation = 7 * 10**18
    token0.mint(pair, donation, sender=lp)
    liquidity = pair.balanceOf(lp) // 2
    supply = pair.totalSupply()
    pair.transfer(pair, liquidity, sender=lp)

    tx = pair.burn(lp, sender=lp)

    amount0 = liquidity * (reserve0 + donation) // supply
    amount1 = liquidity * reserve1 // supply
    assert tx.events.filter(pair.Burn) == [pair.Burn(lp, amount0, amount1, lp)]
    assert pair.getReserves()[:2] == (reserve0 + donation - amount0, reserve1 - amount1)


def test_burn__no_lp_tokens_sent__reverts_insufficient_liquidity_burned(seeded_pair, lp):
    with reverts(seeded_pair.InsufficientLiquidityBurned, amount0=0, amount1=0):
        seeded_pair.burn(lp, sender=lp)


def test_burn__dust_of_lp_tokens__reverts_with_the_zero_side(pair, deposit, lp):
    # reserves 1e18 : 1e6 -> 1 LP wei is worth ~1e9 token0 wei but 0 token1 wei
    deposit(pair, 10**18, 10**6)
    supply = pair.totalSupply()
    pair.transfer(pair, 1, sender=lp)

    with reverts(pair.InsufficientLiquidityBurned, amount0=10**18 // supply, amount1=0):
        pair.burn(lp, sender=lp)
