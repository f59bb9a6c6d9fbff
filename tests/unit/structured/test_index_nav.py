"""IndexToken's views (NAV per share, value weights, the slowest component's settlement delay) and
IndexNavFeed (answer = NAV, updatedAt = the oldest component's, roundId = sum of component rounds)."""

import pytest
from fixtures.constants import USD, WAD

from rwa_testbed.testing import reverts

from .conftest import LONG_DELAY, SHORT_DELAY


def test_nav_per_share__default_basket__is_sum_of_units_times_prices(index_token):
    # 2 x $100 + 0.5 x $250 + 30 x $1
    assert index_token.navPerShare() == 355 * USD


def test_nav_per_share__a_component_moves__follows_its_units(index_token, index_feeds, admin):
    index_feeds[1].setAnswer(200 * USD + 3, sender=admin)

    # 200 + floor(0.5e18 x (200e8 + 3) / 1e18) = 200 + 100e8 + 1 (the half unit rounds down) + 30
    assert index_token.navPerShare() == 330 * USD + 1


def test_nav_per_share__terms_below_one_unit__round_down_each(create_index):
    index = create_index(units=(3, WAD + 1, 10**10))

    # floor(3 x 100e8 / 1e18) = 0; floor((1e18 + 1) x 250e8 / 1e18) = 250e8; floor(1e10 x 1e8 / 1e18) = 1
    assert index.navPerShare() == 250 * USD + 1


@pytest.mark.parametrize("answer", [0, -5])
def test_nav_per_share__component_price_not_positive__reverts_invalid_price(index_token, index_feeds, admin, answer):
    index_feeds[2].setAnswer(answer, sender=admin)

    with reverts(index_token.InvalidPrice, index=2, answer=answer):
        index_token.navPerShare()
    with reverts(index_token.InvalidPrice, index=2, answer=answer):
        index_token.weightsBps()


def test_weights_bps__default_basket__value_shares_rounded_down(index_token):
    # 200/355, 125/355, 30/355 of 10_000, each rounded down
    assert list(index_token.weightsBps()) == [5_633, 3_521, 845]


def test_weights_bps__equal_values__split_evenly(create_index, index_feeds):
    index = create_index(units=(WAD, 4 * WAD // 10, 100 * WAD))  # $100, $100, $100

    assert list(index.weightsBps()) == [3_333, 3_333, 3_333]


def test_settlement_delay_seconds__spvs_and_a_plain_token__is_the_slowest_spv_delay(index_token, index_components):
    assert (index_components[0].settlementDelay(), index_components[1].settlementDelay()) == (SHORT_DELAY, LONG_DELAY)

    assert index_token.settlementDelaySeconds() == LONG_DELAY


def test_settlement_delay_seconds__plain_token_only__is_zero(create_index, index_components, index_feeds):
    index = create_index(components=index_components[2:], units=(WAD,), feeds=index_feeds[2:])

    assert index.settlementDelaySeconds() == 0


def test_settlement_delay_seconds__short_spv_and_plain_token__is_the_short_delay(create_index, index_components,
                                                                                 index_feeds):
    index = create_index(components=(index_components[2], index_components[0]), units=(WAD, WAD),
                         feeds=(index_feeds[2], index_feeds[0]))

    assert index.settlementDelaySeconds() == SHORT_DELAY


# ---------------------------------------------------------------- IndexNavFeed


def test_index_nav_feed__fresh__answers_nav_with_summed_rounds_and_oldest_time(index_nav_feed, index_feeds):
    updated = [f.latestTimestamp() for f in index_feeds]

    round_id, answer, started_at, updated_at, answered_in = index_nav_feed.latestRoundData()

    assert (round_id, answer, answered_in) == (3, 355 * USD, 3)  # each feed is at its round 1
    assert started_at == updated_at == min(updated)
    assert (index_nav_feed.decimals(), index_nav_feed.description(), index_nav_feed.version()) == (8, "RWAX / USD", 1)


def test_index_nav_feed__two_components_republish__updated_at_is_the_stalest(index_nav_feed, index_feeds, admin, chain):
    stale_time = index_feeds[1].latestTimestamp()
    chain.pending_timestamp = chain.blocks.head.timestamp + 3_600
    index_feeds[0].setAnswer(110 * USD, sender=admin)
    chain.pending_timestamp = chain.blocks.head.timestamp + 3_600
    index_feeds[2].setAnswer(2 * USD, sender=admin)

    round_id, answer, _, updated_at, _ = index_nav_feed.latestRoundData()

    assert round_id == 2 + 1 + 2
    assert answer == 220 * USD + 125 * USD + 60 * USD
    assert updated_at == stale_time < index_feeds[0].latestTimestamp() < index_feeds[2].latestTimestamp()


def test_index_nav_feed__round_ids__grow_with_every_component_round(index_nav_feed, index_feeds, admin):
    seen = [index_nav_feed.latestRoundData()[0]]
    for feed in (index_feeds[2], index_feeds[0], index_feeds[2], index_feeds[1]):
        feed.setAnswer(feed.latestAnswer(), sender=admin)  # same price, new round
        seen.append(index_nav_feed.latestRoundData()[0])

    assert seen == [3, 4, 5, 6, 7]


def test_index_nav_feed__get_round_data__latest_only(index_nav_feed, index_feeds, admin):
    index_feeds[0].setAnswer(120 * USD, sender=admin)
    latest = index_nav_feed.latestRoundData()

    assert index_nav_feed.getRoundData(4) == latest
    with reverts(index_nav_feed.RoundNotAvailable, roundId=3, latestRoundId=4):
        index_nav_feed.getRoundData(3)


def test_index_nav_feed__component_price_zero__reverts_with_the_index_error(index_nav_feed, index_token, index_feeds,
                                                                            admin):
    index_feeds[1].setAnswer(0, sender=admin)

    with reverts(index_token.InvalidPrice, index=1, answer=0):
        index_nav_feed.latestRoundData()
