from rwa_testbed.models.spv import RequestStatus
from rwa_testbed.units import SHARE
from rwa_testbed.testing import reverts

from .spv_defaults import SEED_CAP, SEED_SHARES


def test_cancel_redemption__same_window__returns_shares_and_releases_gate(seeded_spv, lp, request_redemption):
    spv = seeded_spv
    request_id, _ = request_redemption(spv, lp, 400 * SHARE)

    tx = spv.cancelRedemption(request_id, sender=lp)

    assert tx.events == [
        spv.Transfer(spv, lp, 400 * SHARE),
        spv.RedemptionCancelled(request_id, lp, 400 * SHARE, 400 * SHARE),
    ]
    assert spv.balanceOf(lp) == SEED_SHARES
    assert spv.balanceOf(spv) == spv.pendingRedemptionShares() == 0
    assert spv.redemptionRequest(request_id).status == RequestStatus.CANCELLED
    assert spv.gateStatus().remainingShares == SEED_CAP


def test_cancel_redemption__later_window__releases_nothing_from_new_window(
    seeded_spv, lp, request_redemption, next_window
):
    spv = seeded_spv
    request_id, _ = request_redemption(spv, lp, 400 * SHARE)
    next_window(spv)
    request_redemption(spv, lp, 300 * SHARE)  # opens window 2

    tx = spv.cancelRedemption(request_id, sender=lp)

    assert tx.events.filter(spv.RedemptionCancelled) == [spv.RedemptionCancelled(request_id, lp, 400 * SHARE, 0)]
    assert spv.gateStatus().requestedShares == 300 * SHARE
    assert spv.pendingRedemptionShares() == 300 * SHARE


def test_cancel_redemption__by_other_account__reverts(seeded_spv, lp, attacker, request_redemption):
    spv = seeded_spv
    request_id, _ = request_redemption(spv, lp, SHARE)

    with reverts(spv.NotRequester, requestId=request_id, caller=attacker, holder=lp):
        spv.cancelRedemption(request_id, sender=attacker)


def test_cancel_redemption__twice__reverts_not_pending(seeded_spv, lp, request_redemption):
    spv = seeded_spv
    request_id, _ = request_redemption(spv, lp, SHARE)
    spv.cancelRedemption(request_id, sender=lp)

    with reverts(spv.RedemptionNotPending, requestId=request_id, status=RequestStatus.CANCELLED):
        spv.cancelRedemption(request_id, sender=lp)


def test_cancel_redemption__settled_request__reverts_not_pending(seeded_spv, lp, request_redemption, chain):
    spv = seeded_spv
    request_id, claimable_at = request_redemption(spv, lp, SHARE)
    chain.pending_timestamp = claimable_at
    spv.settleRedemption(request_id, sender=lp)

    with reverts(spv.RedemptionNotPending, requestId=request_id, status=RequestStatus.SETTLED):
        spv.cancelRedemption(request_id, sender=lp)


def test_cancel_redemption__unknown_id__reverts(seeded_spv, lp):
    with reverts(seeded_spv.UnknownRedemptionRequest, requestId=0, count=0):
        seeded_spv.cancelRedemption(0, sender=lp)


def test_cancel_redemption__while_frozen__returns_shares(seeded_spv, lp, custodian, request_redemption):
    spv = seeded_spv
    request_id, _ = request_redemption(spv, lp, SHARE)
    spv.freezeRedemptions(True, sender=custodian)

    tx = spv.cancelRedemption(request_id, sender=lp)

    assert tx.events.filter(spv.RedemptionCancelled) == [spv.RedemptionCancelled(request_id, lp, SHARE, SHARE)]
    assert spv.balanceOf(lp) == SEED_SHARES
