"""Guard: block timestamps in tests follow the chain, not the wall clock (tests/conftest.py).

Amounts computed across blocks (interest, accrual, TWAPs) are exact only if the seconds between
two blocks do not depend on how busy the machine is.
"""

import time


def test_block_clock__blocks_a_fixed_interval_apart_whatever_the_wall_clock(chain, block_interval_seconds):
    first = chain.blocks.head.timestamp
    chain.mine()
    time.sleep(2.2)  # the wall clock moves on; the chain's clock must not
    chain.mine()
    assert chain.blocks.head.timestamp - first == 2 * block_interval_seconds


def test_block_clock__a_timestamp_set_by_a_test_still_wins(chain, block_interval_seconds):
    target = chain.pending_timestamp + 3_600
    chain.pending_timestamp = target
    chain.mine()
    chain.mine()
    assert chain.blocks.head.timestamp == target + block_interval_seconds
