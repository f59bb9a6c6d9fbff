from ape.utils import ZERO_ADDRESS

from rwa_testbed.models.spv import RequestStatus
from rwa_testbed.units import SHARE, USDC
from rwa_testbed.testing import reverts

from .spv_defaults import NAV, SEED_SHARES, SEED_STABLE


def test_settle_redemption__after_delay__pays_holder_at_nav_of_settlement_and_burns(
    seeded_spv, stablecoin, lp, keeper, custodian, request_redemption, chain
):
    spv = seeded_spv
    request_id, claimable_at = request_redemption(spv, lp, 400 * SHARE)
    spv.reportNav(80 * USDC, chain.blocks.head.timestamp, sender=custodian)  # NAV falls after the request
    chain.pending_timestamp = claimable_at

    tx = spv.settleRedemption(request_id, sender=keeper)  # anyone may settle; the holder is paid

    paid = 400 * 80 * USDC
    assert tx.return_value == paid
    assert tx.events == [
        spv.Transfer(spv, ZERO_ADDRESS, 400 * SHARE),
        stablecoin.Transfer(spv, lp, paid),
        spv.RedemptionSettled(request_id, lp, 400 * SHARE, 80 * USDC, paid),
    ]
    assert stablecoin.balanceOf(lp) == paid
    assert stablecoin.balanceOf(keeper) == 0
    assert spv.cashReserve() == SEED_STABLE - paid
    assert spv.totalSupply() == SEED_SHARES - 400 * SHARE
    assert spv.balanceOf(spv) == spv.pendingRedemptionShares() == 0
    assert spv.redemptionRequest(request_id).status == RequestStatus.SETTLED


def test_settle_redemption__one_second_before_claimable__reverts(seeded_spv, lp, request_redemption, chain):
    spv = seeded_spv
    request_id, claimable_at = request_redemption(spv, lp, SHARE)
    chain.pending_timestamp = claimable_at - 1

    with reverts(
        spv.RedemptionNotClaimable, requestId=request_id, claimableAt=claimable_at, currentTime=claimable_at - 1
    ):
        spv.settleRedemption(request_id, sender=lp)


def test_settle_redemption__twice__reverts_not_pending_settled(seeded_spv, lp, request_redemption, chain):
    spv = seeded_spv
    request_id, claimable_at = request_redemption(spv, lp, SHARE)
    chain.pending_timestamp = claimable_at
    spv.settleRedemption(request_id, sender=lp)

    with reverts(spv.RedemptionNotPending, requestId=request_id, status=RequestStatus.SETTLED):
        spv.settleRedemption(request_id, sender=lp)


def test_settle_redemption__cancelled_request__reverts_not_pending_cancelled(
    seeded_spv, lp, request_redemption, chain
):
    spv = seeded_spv
    request_id, claimable_at = request_redemption(spv, lp, SHARE)
    spv.cancelRedemption(request_id, sender=lp)
    chain.pending_timestamp = claimable_at

    with reverts(spv.RedemptionNotPending, requestId=request_id, status=RequestStatus.CANCELLED):
        spv.settleRedemption(request_id, sender=lp)


def test_settle_redemption__unknown_id__reverts(seeded_spv, keeper, lp, request_redemption):
    request_redemption(seeded_spv, lp, SHARE)

    with reverts(seeded_spv.UnknownRedemptionRequest, requestId=1, count=1):
        seeded_spv.settleRedemption(1, sender=keeper)


def test_settle_redemption__while_frozen__reverts(seeded_spv, lp, custodian, request_redemption, chain):
    spv = seeded_spv
    request_id, claimable_at = request_redemption(spv, lp, SHARE)
    spv.freezeRedemptions(True, sender=custodian)
    chain.pending_timestamp = claimable_at

    with reverts(spv.RedemptionsFrozen):
        spv.settleRedemption(request_id, sender=lp)


def test_settle_redemption__cash_short__reverts_and_request_stays_queued_until_refilled(
    seeded_spv, stablecoin, lp, admin, treasury, sponsor_deposit, request_redemption, chain
):
    spv = seeded_spv
    request_id, claimable_at = request_redemption(spv, lp, 1_000 * SHARE)  # worth $100,000
    spv.withdrawCash(treasury, SEED_STABLE - 30_000 * USDC, sender=admin)  # cash deployed into the building
    chain.pending_timestamp = claimable_at

    with reverts(spv.InsufficientCash, needed=100_000 * USDC, available=30_000 * USDC):
        spv.settleRedemption(request_id, sender=lp)

    assert spv.redemptionRequest(request_id).status == RequestStatus.PENDING
    assert spv.balanceOf(spv) == spv.pendingRedemptionShares() == 1_000 * SHARE
    sponsor_deposit(spv, 70_000 * USDC)
    tx = spv.settleRedemption(request_id, sender=lp)
    assert tx.return_value == 100_000 * USDC
    assert spv.cashReserve() == 0


def test_settle_redemption__at_nav_zero__burns_shares_for_nothing(
    seeded_spv, stablecoin, lp, custodian, request_redemption, chain
):
    spv = seeded_spv
    request_id, claimable_at = request_redemption(spv, lp, SHARE)
    spv.reportNav(0, chain.blocks.head.timestamp, sender=custodian)
    chain.pending_timestamp = claimable_at

    tx = spv.settleRedemption(request_id, sender=lp)

    assert tx.events == [spv.Transfer(spv, ZERO_ADDRESS, SHARE), spv.RedemptionSettled(request_id, lp, SHARE, 0, 0)]
    assert stablecoin.balanceOf(lp) == 0
    assert spv.cashReserve() == SEED_STABLE


def test_settle_redemption__while_impaired__still_settles(seeded_spv, lp, custodian, request_redemption, chain):
    spv = seeded_spv
    request_id, claimable_at = request_redemption(spv, lp, SHARE)
    spv.setImpaired(True, "legal challenge", sender=custodian)
    chain.pending_timestamp = claimable_at

    tx = spv.settleRedemption(request_id, sender=lp)

    assert tx.events.filter(spv.RedemptionSettled) == [spv.RedemptionSettled(request_id, lp, SHARE, NAV, NAV)]


def test_settle_redemption__in_later_window__burn_opens_window_at_supply_before_burn(
    seeded_spv, lp, request_redemption, next_window
):
    spv = seeded_spv
    request_id, _ = request_redemption(spv, lp, 1_000 * SHARE)
    window_start = next_window(spv)

    tx = spv.settleRedemption(request_id, sender=lp)

    assert tx.events.filter(spv.GateWindowOpened) == [
        spv.GateWindowOpened(2, window_start, SEED_SHARES, 1_000 * SHARE)
    ]
    assert spv.gateStatus().supplyAtStart == SEED_SHARES
