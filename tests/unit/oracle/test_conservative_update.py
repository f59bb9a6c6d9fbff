"""ConservativeOracle.update(): min of the sides, the freeze on a move above max_change_bps and its end."""

import ape
import pytest

FIRST, CHANGE, FREEZE_ENDED = 0, 1, 2  # ConservativeOracle.Reason
PRICE = 100 * 10**8  # the sides' first answer, 8 decimals


def test_update__nav_side_lower__publishes_nav(create_conservative_oracle, nav_side, twap_side, keeper):
    nav_side.setAnswer(95 * 10**8, sender=keeper)
    oracle = create_conservative_oracle()

    tx = oracle.update(sender=keeper)

    assert oracle.latestAnswer() == 95 * 10**8
    assert tx.events.filter(oracle.PricePublished) == [oracle.PricePublished(1, 95 * 10**8, 95 * 10**8, PRICE, FIRST)]


def test_update__twap_side_lower__publishes_twap(create_conservative_oracle, twap_side, keeper):
    twap_side.setAnswer(90 * 10**8, sender=keeper)
    oracle = create_conservative_oracle()

    oracle.update(sender=keeper)

    assert oracle.latestAnswer() == 90 * 10**8
    assert oracle.candidate() == (90 * 10**8, PRICE, 90 * 10**8)


def test_update__one_side__publishes_that_side(create_conservative_oracle, keeper):
    oracle = create_conservative_oracle(twap=None)

    tx = oracle.update(sender=keeper)

    assert tx.events.filter(oracle.PricePublished) == [oracle.PricePublished(1, PRICE, PRICE, 0, FIRST)]


def test_update__side_without_answer__reverts_source_answer_invalid(create_conservative_oracle, create_side_feed,
                                                                  keeper):
    empty = create_side_feed(0)
    oracle = create_conservative_oracle(twap=empty)

    with ape.reverts(oracle.SourceAnswerInvalid, feed=empty.address, answer=0):
        oracle.update(sender=keeper)


def test_update__unchanged_sides__publishes_nothing(create_conservative_oracle, keeper):
    oracle = create_conservative_oracle()
    oracle.update(sender=keeper)

    tx = oracle.update(sender=keeper)

    assert tx.events.filter(oracle.PricePublished) == []
    assert oracle.latestRound() == 1


def test_update__side_republishes_same_answer__publishes_fresh_round(create_conservative_oracle, nav_side, keeper,
                                                                    next_timestamp):
    oracle = create_conservative_oracle()
    oracle.update(sender=keeper)
    nav_side.setAnswer(PRICE, sender=keeper)
    at = next_timestamp(60)

    oracle.update(sender=keeper)

    assert oracle.latestRoundData()[:4] == (2, PRICE, at, at)


def test_update__move_at_max_change__publishes(create_conservative_oracle, nav_side, keeper):
    oracle = create_conservative_oracle(max_change_bps=1_000, freeze_seconds=3_600)
    oracle.update(sender=keeper)
    nav_side.setAnswer(90 * 10**8, sender=keeper)  # exactly -10 %

    tx = oracle.update(sender=keeper)

    assert oracle.latestAnswer() == 90 * 10**8
    assert tx.events.filter(oracle.Frozen) == []
    assert oracle.frozenUntil() == 0


def test_update__move_above_max_change__freezes(create_conservative_oracle, nav_side, keeper, next_timestamp):
    oracle = create_conservative_oracle(max_change_bps=1_000, freeze_seconds=3_600)
    oracle.update(sender=keeper)
    nav_side.setAnswer(90 * 10**8 - 1, sender=keeper)  # one unit beyond -10 %
    at = next_timestamp(12)

    tx = oracle.update(sender=keeper)

    assert tx.events.filter(oracle.Frozen) == [oracle.Frozen(90 * 10**8 - 1, PRICE, 90 * 10**8 - 1, PRICE, at + 3_600)]
    assert tx.events.filter(oracle.PricePublished) == []
    assert oracle.latestAnswer() == PRICE
    assert oracle.frozenUntil() == at + 3_600
    assert oracle.frozen()


@pytest.mark.parametrize("move", [+1, -1])
def test_update__move_above_max_change_either_way__freezes(create_conservative_oracle, twap_side, nav_side, keeper,
                                                          move):
    oracle = create_conservative_oracle(max_change_bps=500, freeze_seconds=60)
    oracle.update(sender=keeper)
    new = PRICE + move * (5 * 10**8 + 1)
    nav_side.setAnswer(new, sender=keeper)
    twap_side.setAnswer(new, sender=keeper)

    oracle.update(sender=keeper)

    assert oracle.latestAnswer() == PRICE
    assert oracle.frozenUntil() != 0


def test_update__during_freeze__holds_last_price(create_conservative_oracle, nav_side, keeper, next_block_at):
    oracle = create_conservative_oracle(max_change_bps=1_000, freeze_seconds=3_600)
    oracle.update(sender=keeper)
    nav_side.setAnswer(50 * 10**8, sender=keeper)
    frozen_at = next_block_at(oracle.latestTimestamp() + 100)
    oracle.update(sender=keeper)
    nav_side.setAnswer(PRICE, sender=keeper)  # back within the limit: the freeze still holds
    next_block_at(frozen_at + 3_599)

    tx = oracle.update(sender=keeper)

    assert tx.events.filter(oracle.PricePublished) == []
    assert tx.events.filter(oracle.Frozen) == []
    assert oracle.latestRound() == 1
    assert oracle.frozenUntil() == frozen_at + 3_600


def test_update__at_freeze_end__publishes_price_of_the_day(create_conservative_oracle, nav_side, keeper,
                                                          next_block_at):
    oracle = create_conservative_oracle(max_change_bps=1_000, freeze_seconds=3_600)
    oracle.update(sender=keeper)
    nav_side.setAnswer(50 * 10**8, sender=keeper)
    frozen_at = next_block_at(oracle.latestTimestamp() + 100)
    oracle.update(sender=keeper)
    end = next_block_at(frozen_at + 3_600)

    tx = oracle.update(sender=keeper)

    assert tx.events.filter(oracle.PricePublished) == [
        oracle.PricePublished(2, 50 * 10**8, 50 * 10**8, PRICE, FREEZE_ENDED)]
    assert oracle.latestRoundData()[:4] == (2, 50 * 10**8, end, end)
    assert oracle.frozenUntil() == 0
    assert not oracle.frozen()


def test_update__after_freeze_end__limit_applies_to_new_price(create_conservative_oracle, nav_side, keeper,
                                                             next_block_at):
    oracle = create_conservative_oracle(max_change_bps=1_000, freeze_seconds=60)
    oracle.update(sender=keeper)
    nav_side.setAnswer(50 * 10**8, sender=keeper)
    frozen_at = next_block_at(oracle.latestTimestamp() + 1)
    oracle.update(sender=keeper)
    next_block_at(frozen_at + 60)
    oracle.update(sender=keeper)
    nav_side.setAnswer(55 * 10**8, sender=keeper)  # +10 % of 50: at the limit

    tx = oracle.update(sender=keeper)

    assert tx.events.filter(oracle.PricePublished) == [oracle.PricePublished(3, 55 * 10**8, 55 * 10**8, PRICE, CHANGE)]


def test_update__by_anyone__publishes(create_conservative_oracle, attacker):
    oracle = create_conservative_oracle()

    oracle.update(sender=attacker)

    assert oracle.latestAnswer() == PRICE
