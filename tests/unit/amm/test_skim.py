def test_skim__after_donations__sends_the_excess_and_keeps_reserves(
    seeded_pair, token0, token1, seed_reserves, trader, treasury
):
    pair = seeded_pair
    reserve0, reserve1 = seed_reserves
    token0.mint(pair, 3, sender=trader)
    token1.mint(pair, 5 * 10**18, sender=trader)

    tx = pair.skim(treasury, sender=trader)

    assert (token0.balanceOf(treasury), token1.balanceOf(treasury)) == (3, 5 * 10**18)
    assert pair.getReserves()[:2] == (reserve0, reserve1)
    assert (token0.balanceOf(pair), token1.balanceOf(pair)) == (reserve0, reserve1)
    assert tx.events == [token0.Transfer(pair, treasury, 3), token1.Transfer(pair, treasury, 5 * 10**18)]


def test_skim__nothing_in_excess__moves_zero_amounts(seeded_pair, token0, token1, seed_reserves, trader, treasury):
    tx = seeded_pair.skim(treasury, sender=trader)

    assert seeded_pair.getReserves()[:2] == seed_reserves
    assert tx.events == [token0.Transfer(seeded_pair, treasury, 0), token1.Transfer(seeded_pair, treasury, 0)]
