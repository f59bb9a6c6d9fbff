import ape
from fixtures.constants import USDC

from rwa_testbed.models.oracle import TwapOracleModel

WINDOW = 600  # seconds


def test_consult__no_checkpoint_old_enough__reverts_with_cutoff(create_twap_oracle, pool_driver, keeper, chain):
    oracle = create_twap_oracle()
    oracle.update(sender=keeper)
    chain.mine(timestamp=chain.blocks.head.timestamp + WINDOW - 1)

    with ape.reverts(oracle.NoCheckpointOldEnough, cutoff=chain.blocks.head.timestamp - WINDOW):
        oracle.consult()


def test_consult__live__equals_model_and_records_nothing(create_twap_oracle, pool_driver, keeper, chain, next_timestamp):
    oracle = create_twap_oracle()
    start = next_timestamp()
    oracle.update(sender=keeper)
    pool_driver.donate_and_sync(start + 100, usdc=30_000 * USDC)
    now = start + WINDOW + 50
    chain.mine(timestamp=now)

    answer, window_start = oracle.consult()

    model = TwapOracleModel(window=WINDOW, base_decimals=18, quote_decimals=6, answer_decimals=8)
    model.update(start, pool_driver.cumulative(start, pool_driver.rwa_is_token0))
    assert (answer, window_start) == model.consult(now, pool_driver.cumulative(now, pool_driver.rwa_is_token0))
    # (100 USD x 100 s + 130 USD x 550 s) / 650 s = 125.38461538...
    assert answer == 125_38461538
    assert oracle.checkpointCount() == 1
    assert oracle.latestRound() == 0
