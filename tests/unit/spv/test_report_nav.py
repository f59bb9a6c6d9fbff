from rwa_testbed.units import SHARE, USDC
from rwa_testbed.testing import reverts

from .spv_defaults import DAY, NAV


def test_report_nav__by_custodian__appends_history_and_emits_event(spv, custodian, chain):
    as_of = chain.blocks.head.timestamp
    chain.pending_timestamp = as_of + DAY

    tx = spv.reportNav(95 * USDC, as_of, sender=custodian)

    assert tx.events == [spv.NavReported(95 * USDC, as_of, 1)]
    assert spv.navReportCount() == 2
    assert spv.latestNav() == (95 * USDC, as_of, tx.timestamp)
    assert spv.navReport(1) == (95 * USDC, as_of, tx.timestamp)
    assert spv.navReport(0)[0] == NAV
    assert spv.previewRedeem(2 * SHARE) == 190 * USDC
    assert spv.previewSubscribe(190 * USDC) == 2 * SHARE


def test_report_nav__same_as_of_as_latest__is_accepted_as_correction(spv, custodian, chain):
    as_of = chain.blocks.head.timestamp
    spv.reportNav(95 * USDC, as_of, sender=custodian)

    tx = spv.reportNav(94 * USDC, as_of, sender=custodian)

    assert tx.events == [spv.NavReported(94 * USDC, as_of, 2)]
    assert spv.latestNav()[:2] == (94 * USDC, as_of)


def test_report_nav__zero__is_accepted_as_total_write_off(spv, custodian, chain):
    as_of = chain.blocks.head.timestamp

    tx = spv.reportNav(0, as_of, sender=custodian)

    assert tx.events == [spv.NavReported(0, as_of, 1)]
    assert spv.latestNav()[0] == 0
    assert spv.previewRedeem(10**18) == 0
    assert spv.previewSubscribe(100 * USDC) == 0


def test_report_nav__as_of_older_than_latest__reverts_stale(spv, custodian, chain):
    latest_as_of = chain.blocks.head.timestamp
    chain.pending_timestamp = latest_as_of + DAY
    spv.reportNav(95 * USDC, latest_as_of + 10, sender=custodian)

    with reverts(spv.StaleNav, asOf=latest_as_of + 9, latestAsOf=latest_as_of + 10):
        spv.reportNav(90 * USDC, latest_as_of + 9, sender=custodian)


def test_report_nav__as_of_in_the_future__reverts(spv, custodian, chain):
    now = chain.blocks.head.timestamp + 100
    chain.pending_timestamp = now

    with reverts(spv.NavFromFuture, asOf=now + 1, blockTimestamp=now):
        spv.reportNav(95 * USDC, now + 1, sender=custodian)


def test_report_nav__by_attacker__reverts_with_missing_role(spv, attacker, chain):
    with reverts(spv.AccessControlUnauthorizedAccount, account=attacker, neededRole=spv.CUSTODIAN_ROLE()):
        spv.reportNav(1, chain.blocks.head.timestamp, sender=attacker)


def test_report_nav__by_admin_without_custodian_role__reverts(spv, admin, chain):
    with reverts(spv.AccessControlUnauthorizedAccount, account=admin, neededRole=spv.CUSTODIAN_ROLE()):
        spv.reportNav(1, chain.blocks.head.timestamp, sender=admin)


def test_nav_report__index_out_of_range__reverts(spv):
    with reverts(spv.UnknownNavReport, index=1, count=1):
        spv.navReport(1)
