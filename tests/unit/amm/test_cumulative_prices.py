"""price{0,1}CumulativeLast: UQ112x112 prices times seconds, accumulated on the first update after time passes."""

U256 = 2**256
U32 = 2**32


def uq112x112(numerator, denominator):
    return (numerator << 112) // denominator


def test_cumulative_prices__first_mint__start_at_zero(pair, deposit):
    deposit(pair, 10**18, 4 * 10**18)

    assert pair.price0CumulativeLast() == pair.price1CumulativeLast() == 0


def test_cumulative_prices__after_time_passes__accumulate_the_old_prices(chain, seeded_pair, seed_reserves, trader):
    pair = seeded_pair
    reserve0, reserve1 = seed_reserves
    start = pair.getReserves()[2]
    chain.pending_timestamp = start + 3_600

    tx = pair.sync(sender=trader)

    assert tx.timestamp == start + 3_600
    assert pair.price0CumulativeLast() == uq112x112(reserve1, reserve0) * 3_600
    assert pair.price1CumulativeLast() == uq112x112(reserve0, reserve1) * 3_600
    assert pair.getReserves()[2] == start + 3_600


def test_cumulative_prices__across_a_swap__weight_each_price_by_its_duration(
    chain, seeded_pair, token0, seed_reserves, trader
):
    pair = seeded_pair
    reserve0, reserve1 = seed_reserves
    start = pair.getReserves()[2]
    token0.mint(pair, 250 * 10**18, sender=trader)
    chain.pending_timestamp = start + 100
    pair.swap(0, 10**18, trader, b"", sender=trader)  # settles at old prices for 100 s
    new0, new1 = reserve0 + 250 * 10**18, reserve1 - 10**18
    chain.pending_timestamp = start + 100 + 900

    pair.sync(sender=trader)  # settles at new prices for 900 s

    assert pair.price0CumulativeLast() == uq112x112(reserve1, reserve0) * 100 + uq112x112(new1, new0) * 900
    assert pair.price1CumulativeLast() == uq112x112(reserve0, reserve1) * 100 + uq112x112(new0, new1) * 900


def test_cumulative_prices__twap_over_a_window__is_the_time_weighted_price(chain, seeded_pair, seed_reserves, trader):
    pair = seeded_pair
    reserve0, reserve1 = seed_reserves
    pair.sync(sender=trader)
    c0, t0 = pair.price0CumulativeLast(), pair.getReserves()[2]
    chain.pending_timestamp = t0 + 600

    pair.sync(sender=trader)

    twap = ((pair.price0CumulativeLast() - c0) % U256) // ((pair.getReserves()[2] - t0) % U32)
    assert twap == uq112x112(reserve1, reserve0)  # 4.0 as UQ112x112
    assert twap >> 112 == 4


def test_cumulative_prices__extreme_price_over_long_gaps__wrap_mod_2_256_and_timestamps_mod_2_32(
    chain, pair, deposit, trader
):
    # price0 ~ 2^224 (max UQ112x112); three gaps of 2^31 - 1 s overflow the uint256 accumulator
    # and carry block.timestamp past 2^32 (uint32 blockTimestampLast wraps).
    reserve0, reserve1 = 1, 2**112 - 1
    deposit(pair, reserve0, reserve1)
    start = chain.blocks.head.timestamp
    gap = 2**31 - 1
    expected0 = expected1 = 0
    for i in (1, 2, 3):
        chain.pending_timestamp = start + i * gap
        pair.sync(sender=trader)
        expected0 = (expected0 + uq112x112(reserve1, reserve0) * gap) % U256
        expected1 = (expected1 + uq112x112(reserve0, reserve1) * gap) % U256

    assert start + 3 * gap > U32
    assert uq112x112(reserve1, reserve0) * gap * 3 >= U256  # really wrapped
    assert pair.price0CumulativeLast() == expected0
    assert pair.price1CumulativeLast() == expected1
    assert pair.getReserves() == (reserve0, reserve1, (start + 3 * gap) % U32)
