"""TrancheNavFeed: answer = the tranche's NAV per token as the vault computes it, round and times =
the underlying feed's latest; only the latest round is served. And the whole stack: a vault over an
IndexToken priced by its IndexNavFeed."""

import pytest
from fixtures.constants import MAX_UINT, USD, WAD

from rwa_testbed.models.tranche import Tranche
from rwa_testbed.testing import reverts

from .conftest import UNITS

SENIOR, JUNIOR = int(Tranche.SENIOR), int(Tranche.JUNIOR)


@pytest.fixture(scope="module")
def tranche_nav_feeds(project, admin, tranche_vault):
    """(senior feed, junior feed) of the default vault."""
    return tuple(admin.deploy(project.TrancheNavFeed, tranche_vault, tranche, f"{name} / USD")
                 for tranche, name in ((SENIOR, "SNR"), (JUNIOR, "JNR")))


def test_tranche_nav_feed__no_supply__answers_one_usd_at_the_underlying_round(tranche_nav_feeds, vault_feed):
    round_id, _, started_at, updated_at, answered_in = vault_feed.latestRoundData()

    for feed in tranche_nav_feeds:
        assert feed.latestRoundData() == (round_id, USD, started_at, updated_at, answered_in)
        assert (feed.decimals(), feed.version()) == (8, 1)
    assert [f.description() for f in tranche_nav_feeds] == ["SNR / USD", "JNR / USD"]
    assert [f.tranche() for f in tranche_nav_feeds] == [SENIOR, JUNIOR]


def test_tranche_nav_feed__after_a_loss__answers_each_tranche_nav_with_the_underlying_times(
        tranche_nav_feeds, tranche_vault, vault_feed, admin, lp, trader, chain):
    senior_feed, junior_feed = tranche_nav_feeds
    tranche_vault.depositJunior(2 * WAD, trader, sender=trader)
    tranche_vault.depositSenior(8 * WAD, lp, sender=lp)
    chain.pending_timestamp = chain.blocks.head.timestamp + 600
    vault_feed.setAnswer(90 * USD, sender=admin)
    chain.mine(timestamp=chain.blocks.head.timestamp + 3_600)  # the NAVs move on (accrual), the round does not

    senior, junior = senior_feed.latestRoundData(), junior_feed.latestRoundData()

    assert senior[1] == tranche_vault.seniorNavPerToken() > USD  # whole, plus the coupon accrued
    assert 0 < junior[1] == tranche_vault.juniorNavPerToken() < USD // 2
    underlying = vault_feed.latestRoundData()
    for answer in (senior, junior):
        assert (answer[0], answer[2], answer[3], answer[4]) == (2, underlying[2], underlying[3], 2)
    assert underlying[3] < chain.blocks.head.timestamp


def test_tranche_nav_feed__get_round_data__latest_only(tranche_nav_feeds, vault_feed, admin):
    vault_feed.setAnswer(101 * USD, sender=admin)
    senior_feed = tranche_nav_feeds[0]

    assert senior_feed.getRoundData(2) == senior_feed.latestRoundData()
    with reverts(senior_feed.RoundNotAvailable, roundId=1, latestRoundId=2):
        senior_feed.getRoundData(1)


def test_tranche_nav_feed__underlying_price_zero__reverts_with_the_vault_error(tranche_nav_feeds, tranche_vault,
                                                                              vault_feed, admin):
    vault_feed.setAnswer(0, sender=admin)

    with reverts(tranche_vault.InvalidPrice, answer=0):
        tranche_nav_feeds[1].latestRoundData()


def test_vault_over_index__priced_by_its_nav_feed__tranches_split_the_basket_value(
        project, admin, index_token, index_nav_feed, index_feeds, fund_basket, lp, trader, chain):
    vault = admin.deploy(project.TrancheVault, index_token, index_nav_feed, 0, "Index Senior", "XSNR",
                         "Index Junior", "XJNR")
    junior_feed = admin.deploy(project.TrancheNavFeed, vault, JUNIOR, "XJNR / USD")
    for investor, shares in ((trader, 2 * WAD), (lp, 8 * WAD)):
        fund_basket(investor, [u * shares // WAD for u in UNITS], index_token)
        index_token.mint(shares, investor, sender=investor)
        index_token.approve(vault, MAX_UINT, sender=investor)
    vault.depositJunior(2 * WAD, trader, sender=trader)  # 2 x $355
    vault.depositSenior(8 * WAD, lp, sender=lp)  # 8 x $355
    assert tuple(vault.values()) == (3_550 * USD, 2_840 * USD, 2_840 * USD, 710 * USD)

    chain.pending_timestamp = chain.blocks.head.timestamp + 60
    index_feeds[1].setAnswer(50 * USD, sender=admin)  # the loan SPV written down from $250 to $50: NAV $255

    assert tuple(vault.values()) == (2_550 * USD, 2_840 * USD, 2_550 * USD, 0)  # the junior is wiped out first
    round_id, answer, _, updated_at, _ = junior_feed.latestRoundData()
    assert (round_id, answer) == (4, 0)  # the index's round: 1 + 2 + 1
    assert updated_at == min(f.latestTimestamp() for f in index_feeds) < index_feeds[1].latestTimestamp()
