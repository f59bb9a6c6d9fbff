from rwa_testbed.testing import reverts

def test_sync__after_donation__sets_reserves_to_balances(seeded_pair, token0, seed_reserves, trader):
    pair = seeded_pair
    reserve0, reserve1 = seed_reserves
    token0.mint(pair, 42, sender=trader)

    tx = pair.sync(sender=trader)

    assert pair.getReserves() == (reserve0 + 42, reserve1, tx.timestamp % 2**32)
    assert tx.events == [pair.Sync(reserve0 + 42, reserve1)]


def test_sync__balance_above_uint112__reverts_overflow(seeded_pair, token1, seed_reserves, trader):
    reserve0, reserve1 = seed_reserves
    token1.mint(seeded_pair, 2**112 - reserve1, sender=trader)

    with reverts(seeded_pair.Overflow, balance0=reserve0, balance1=2**112):
        seeded_pair.sync(sender=trader)


def test_sync__balance_at_uint112_max__is_accepted(seeded_pair, token1, seed_reserves, trader):
    reserve0, reserve1 = seed_reserves
    token1.mint(seeded_pair, 2**112 - 1 - reserve1, sender=trader)

    tx = seeded_pair.sync(sender=trader)

    assert tx.events == [seeded_pair.Sync(reserve0, 2**112 - 1)]


def test_swap__input_pushing_a_balance_above_uint112__reverts_overflow(seeded_pair, token0, seed_reserves, trader):
    reserve0, reserve1 = seed_reserves
    token0.mint(seeded_pair, 2**112, sender=trader)

    with reverts(seeded_pair.Overflow, balance0=reserve0 + 2**112, balance1=reserve1 - 1):
        seeded_pair.swap(0, 1, trader, b"", sender=trader)
