from rwa_testbed.models.spv import RequestStatus
from rwa_testbed.units import SHARE, USDC
from rwa_testbed.testing import reverts

from .spv_defaults import DELAY, SEED_CAP, SEED_SHARES


def test_request_redemption__within_gate__escrows_shares_and_emits_events(seeded_spv, lp, chain):
    spv = seeded_spv
    window_start = chain.blocks.head.timestamp
    chain.pending_timestamp = window_start + 60

    tx = spv.requestRedemption(400 * SHARE, sender=lp)

    claimable_at = window_start + 60 + DELAY
    assert tx.return_value == 0
    assert tx.events == [
        spv.GateWindowOpened(1, window_start, SEED_SHARES, SEED_CAP),
        spv.Transfer(lp, spv, 400 * SHARE),
        spv.RedemptionRequested(0, lp, 400 * SHARE, claimable_at),
    ]
    assert spv.balanceOf(lp) == SEED_SHARES - 400 * SHARE
    assert spv.balanceOf(spv) == 400 * SHARE
    assert spv.pendingRedemptionShares() == 400 * SHARE
    assert spv.totalSupply() == SEED_SHARES  # escrowed shares are still supply
    assert spv.redemptionRequestCount() == 1
    request = spv.redemptionRequest(0)
    assert (request.holder, request.shares, request.status) == (lp, 400 * SHARE, RequestStatus.PENDING)
    assert (request.requestedAt, request.claimableAt, request.gateWindowIndex) == (window_start + 60, claimable_at, 1)
    status = spv.gateStatus()
    assert (status.windowIndex, status.requestedShares, status.remainingShares) == (1, 400 * SHARE, 600 * SHARE)


def test_request_redemption__second_request__gets_next_id_and_shares_the_window_cap(seeded_spv, lp, trader):
    spv = seeded_spv
    spv.transfer(trader, 1_000 * SHARE, sender=lp)
    spv.requestRedemption(400 * SHARE, sender=lp)

    tx = spv.requestRedemption(600 * SHARE, sender=trader)

    assert tx.return_value == 1
    assert spv.gateStatus().remainingShares == 0
    assert spv.pendingRedemptionShares() == 1_000 * SHARE


def test_request_redemption__above_remaining_gate__reverts(seeded_spv, lp):
    spv = seeded_spv
    spv.requestRedemption(400 * SHARE, sender=lp)

    with reverts(spv.GateExceeded, requested=700 * SHARE, remainingInWindow=600 * SHARE):
        spv.requestRedemption(700 * SHARE, sender=lp)


def test_request_redemption__one_unit_above_cap__reverts(seeded_spv, lp):
    spv = seeded_spv

    with reverts(spv.GateExceeded, requested=SEED_CAP + 1, remainingInWindow=SEED_CAP):
        spv.requestRedemption(SEED_CAP + 1, sender=lp)


def test_request_redemption__in_deployment_window__reverts_as_supply_at_start_was_zero(spv, lp, subscribe):
    subscribe(spv, lp, 1_000 * USDC)

    with reverts(spv.GateExceeded, requested=1, remainingInWindow=0):
        spv.requestRedemption(1, sender=lp)


def test_request_redemption__next_window__gate_resets(seeded_spv, lp, next_window):
    spv = seeded_spv
    spv.requestRedemption(SEED_CAP, sender=lp)
    window_start = next_window(spv)

    tx = spv.requestRedemption(SEED_CAP, sender=lp)

    # Supply at the new window's start still counts the escrowed (unburned) shares.
    assert tx.events.filter(spv.GateWindowOpened) == [spv.GateWindowOpened(2, window_start, SEED_SHARES, SEED_CAP)]
    assert spv.pendingRedemptionShares() == 2 * SEED_CAP


def test_request_redemption__after_subscription_in_same_window__cap_stays_at_window_start_supply(
    seeded_spv, lp, trader, subscribe
):
    spv = seeded_spv
    subscribe(spv, trader, 10_000_000 * USDC)  # +100,000 tokens after the window opened

    with reverts(spv.GateExceeded, requested=SEED_CAP + 1, remainingInWindow=SEED_CAP):
        spv.requestRedemption(SEED_CAP + 1, sender=lp)


def test_request_redemption__zero_shares__reverts(seeded_spv, lp):
    with reverts(seeded_spv.ZeroAmount):
        seeded_spv.requestRedemption(0, sender=lp)


def test_request_redemption__while_frozen__reverts(seeded_spv, lp, custodian):
    seeded_spv.freezeRedemptions(True, sender=custodian)

    with reverts(seeded_spv.RedemptionsFrozen):
        seeded_spv.requestRedemption(SHARE, sender=lp)


def test_request_redemption__more_than_balance__reverts_in_erc20(seeded_spv, trader, lp):
    spv = seeded_spv
    spv.transfer(trader, SHARE, sender=lp)

    with reverts(spv.ERC20InsufficientBalance, sender=trader, balance=SHARE, needed=2 * SHARE):
        spv.requestRedemption(2 * SHARE, sender=trader)


def test_redemption_request__unknown_id__reverts(spv):
    with reverts(spv.UnknownRedemptionRequest, requestId=5, count=0):
        spv.redemptionRequest(5)


def test_gate_status__window_not_yet_touched__reports_current_supply(seeded_spv, chain):
    status = seeded_spv.gateStatus()

    assert status.windowIndex == 1
    assert status.windowStart == chain.blocks.head.timestamp
    assert (status.supplyAtStart, status.capShares) == (SEED_SHARES, SEED_CAP)
    assert (status.requestedShares, status.remainingShares) == (0, SEED_CAP)
