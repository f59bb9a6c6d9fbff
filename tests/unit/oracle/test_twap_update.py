import ape
from fixtures.constants import USDC, WAD

from rwa_testbed.models.oracle import TwapOracleModel

WINDOW = 600  # seconds


def rwa_model(window=WINDOW, decimals=8):
    """Model of an oracle pricing the 18-decimal RWA token in 6-decimal USDC."""
    return TwapOracleModel(window=window, base_decimals=18, quote_decimals=6, answer_decimals=decimals)


def test_update__first__records_counterfactual_checkpoint_without_round(
    create_twap_oracle, pool_driver, keeper, next_timestamp
):
    oracle = create_twap_oracle()
    t = next_timestamp(100)

    tx = oracle.update(sender=keeper)

    expected = pool_driver.cumulative(t, pool_driver.rwa_is_token0)
    assert expected != 0  # 100 s of price accrued since the pair's last update...
    assert pool_driver.pair.price0CumulativeLast() == pool_driver.pair.price1CumulativeLast() == 0  # ...not in the pair
    assert tx.return_value is False
    assert tx.events == [oracle.CheckpointRecorded(0, t, expected)]
    assert oracle.getCheckpoint(0) == (t, expected)
    assert oracle.latestRoundData() == (0, 0, 0, 0, 0)


def test_update__before_a_checkpoint_is_window_old__publishes_nothing(
    create_twap_oracle, pool_driver, keeper, next_timestamp
):
    oracle = create_twap_oracle()
    oracle.update(sender=keeper)
    next_timestamp(WINDOW - 1)

    tx = oracle.update(sender=keeper)

    assert [log.event_name for log in tx.events] == ["CheckpointRecorded"]
    assert oracle.latestRound() == 0
    assert oracle.checkpointCount() == 2


def test_update__constant_price_over_window__publishes_exact_price_in_answer_decimals(
    create_twap_oracle, pool_driver, keeper, next_timestamp
):
    oracle = create_twap_oracle()
    start = next_timestamp()
    oracle.update(sender=keeper)
    t = next_timestamp(WINDOW)

    tx = oracle.update(sender=keeper)

    # 100,000 USDC / 1,000 RWA = 100 USD per RWA, 8 decimals.
    assert tx.return_value is True
    assert tx.events == [
        oracle.CheckpointRecorded(1, t, pool_driver.cumulative(t, pool_driver.rwa_is_token0)),
        oracle.NewRound(1, keeper, t),
        oracle.AnswerUpdated(100_00000000, 1, t),
        oracle.TwapPublished(1, start, t),
    ]
    assert oracle.latestRoundData() == (1, 100_00000000, t, t, 1)
    assert (oracle.latestAnswer(), oracle.latestTimestamp(), oracle.latestRound()) == (100_00000000, t, 1)


def test_update__price_moves_mid_window__publishes_time_weighted_average(
    create_twap_oracle, pool_driver, keeper, next_timestamp
):
    oracle = create_twap_oracle()
    start = next_timestamp()
    oracle.update(sender=keeper)
    # 300 s at 100 USD, then 21,000 USDC more in the pool: 121 USD for 300 s.
    pool_driver.donate_and_sync(start + 300, usdc=21_000 * USDC)
    next_timestamp(300)

    tx = oracle.update(sender=keeper)

    assert tx.events.filter(oracle.AnswerUpdated) == [oracle.AnswerUpdated(110_50000000, 1, start + WINDOW)]
    model = rwa_model()
    model.update(start, pool_driver.cumulative(start, pool_driver.rwa_is_token0))
    end = start + WINDOW
    assert model.update(end, pool_driver.cumulative(end, pool_driver.rwa_is_token0)) == (1, 110_50000000, start, end)


def test_update__several_checkpoints__averages_from_newest_at_least_window_old(
    create_twap_oracle, pool_driver, keeper, next_timestamp, next_block_at
):
    oracle = create_twap_oracle()
    model = rwa_model()
    times = []
    for step, usdc in [(1, 0), (200, 5_000), (200, 0), (250, 7_000), (100, 0), (150, 0)]:
        t = next_timestamp(step)
        if usdc:
            pool_driver.donate_and_sync(t, usdc=usdc * USDC)
            next_block_at(t)
        times.append(t)
        tx = oracle.update(sender=keeper)
        expected = model.update(t, pool_driver.cumulative(t, pool_driver.rwa_is_token0))
        published = tx.events.filter(oracle.TwapPublished)
        assert published == ([] if expected is None else [oracle.TwapPublished(expected[0], expected[2], t)])
        assert oracle.latestRoundData() == model.latest_round_data()

    # Checkpoints at +0, +200, +400, +650, +750, +900: the last update (at +900) averages from
    # +200 (newest <= +300), the one before (at +750) from +0 (newest <= +150).
    assert [r[2] for r in model.rounds] == [times[0], times[0], times[1]]
    assert oracle.latestRound() == 3


def test_update__unchanged_answer__records_checkpoint_but_no_round(
    create_twap_oracle, pool_driver, keeper, next_timestamp
):
    oracle = create_twap_oracle()
    oracle.update(sender=keeper)
    next_timestamp(WINDOW)
    oracle.update(sender=keeper)
    t = next_timestamp(60)

    tx = oracle.update(sender=keeper)

    assert tx.return_value is False
    assert tx.events == [oracle.CheckpointRecorded(2, t, pool_driver.cumulative(t, pool_driver.rwa_is_token0))]
    assert oracle.latestRound() == 1


def test_update__same_timestamp_as_last_checkpoint__changes_nothing(
    create_twap_oracle, pool_driver, keeper, next_timestamp, next_block_at
):
    oracle = create_twap_oracle()
    t = next_timestamp()
    oracle.update(sender=keeper)
    next_block_at(t)

    tx = oracle.update(sender=keeper)

    assert tx.return_value is False
    assert tx.events == []
    assert oracle.checkpointCount() == 1


def test_update__stablecoin_priced_in_rwa__corrects_for_both_decimals(
    create_twap_oracle, pool_driver, keeper, next_timestamp, stablecoin
):
    oracle = create_twap_oracle(base_token=stablecoin)
    oracle.update(sender=keeper)
    next_timestamp(WINDOW)

    oracle.update(sender=keeper)

    # 1 USDC = 0.01 RWA, 8 decimals.
    assert oracle.latestAnswer() == 1_000_000


def test_update__eighteen_answer_decimals__scales_answer(create_twap_oracle, pool_driver, keeper, next_timestamp):
    oracle = create_twap_oracle(decimals=18)
    oracle.update(sender=keeper)
    next_timestamp(WINDOW)

    oracle.update(sender=keeper)

    assert oracle.latestAnswer() == 100 * 10**18


def test_update__by_anyone__is_permissionless(create_twap_oracle, pool_driver, attacker, next_timestamp):
    oracle = create_twap_oracle()
    oracle.update(sender=attacker)
    next_timestamp(WINDOW)

    tx = oracle.update(sender=attacker)

    assert tx.events.filter(oracle.NewRound) == [oracle.NewRound(1, attacker, tx.timestamp)]


def test_update__pool_empty_at_first_checkpoint__empty_seconds_dilute_average(
    create_twap_oracle, rwa_usdc_pair, deposit, lp, keeper, next_timestamp, next_block_at
):
    oracle = create_twap_oracle()
    start = next_timestamp()
    oracle.update(sender=keeper)
    seeded = start + WINDOW // 2
    deposit(rwa_usdc_pair, 1_000 * WAD, 100_000 * USDC, timestamp=seeded)
    next_block_at(seeded)
    rwa_usdc_pair.mint(lp, sender=lp)
    next_block_at(start + WINDOW)

    oracle.update(sender=keeper)

    assert oracle.getCheckpoint(0) == (start, 0)
    # 300 s empty (adds nothing) + 300 s at 100 USD, over 600 s: half the price.
    assert oracle.latestAnswer() == 50_00000000


def test_get_checkpoint__past_the_end__reverts_checkpoint_not_found(create_twap_oracle, pool_driver, keeper):
    oracle = create_twap_oracle()
    oracle.update(sender=keeper)
    with ape.reverts(oracle.CheckpointNotFound, index=1):
        oracle.getCheckpoint(1)


def test_get_round_data__unknown_round__reverts_round_not_found(create_twap_oracle, pool_driver):
    oracle = create_twap_oracle()
    with ape.reverts(oracle.RoundNotFound, roundId=1):
        oracle.getRoundData(1)
