"""The SPV token's transfer policy hook (and the direct-transfer guard on its escrow)."""

import pytest
from ape.utils import ZERO_ADDRESS

from rwa_testbed.units import SHARE, USDC
from rwa_testbed.testing import reverts

from .spv_defaults import SEED_SHARES


@pytest.fixture
def restricted_spv(seeded_spv, create_policy, admin, lp, liquidator):
    """Seeded SPV under an allowlist policy listing `lp` and `liquidator` (the permitted liquidator set)."""
    policy = create_policy(allowlist=True)
    policy.setAllowlisted(lp, True, sender=admin)
    policy.setAllowlisted(liquidator, True, sender=admin)
    seeded_spv.setTransferPolicy(policy, sender=admin)
    return seeded_spv, policy


def test_transfer__default_deployment__is_open_to_anyone(seeded_spv, lp, attacker):
    tx = seeded_spv.transfer(attacker, SHARE, sender=lp)

    assert seeded_spv.transferPolicy() == ZERO_ADDRESS
    assert tx.events == [seeded_spv.Transfer(lp, attacker, SHARE)]


def test_set_transfer_policy__by_admin__stores_and_emits_event(spv, create_policy, admin):
    policy = create_policy()

    tx = spv.setTransferPolicy(policy, sender=admin)

    assert spv.transferPolicy() == policy.address
    assert tx.events == [spv.TransferPolicyUpdated(ZERO_ADDRESS, policy)]


def test_set_transfer_policy__by_attacker__reverts_with_missing_role(spv, attacker):
    with reverts(spv.AccessControlUnauthorizedAccount, account=attacker, neededRole=spv.DEFAULT_ADMIN_ROLE()):
        spv.setTransferPolicy(attacker, sender=attacker)


def test_set_transfer_policy__by_custodian__reverts_with_missing_role(spv, custodian):
    with reverts(spv.AccessControlUnauthorizedAccount, account=custodian, neededRole=spv.DEFAULT_ADMIN_ROLE()):
        spv.setTransferPolicy(ZERO_ADDRESS, sender=custodian)


def test_transfer__allowlist_to_unlisted__reverts_restricted(restricted_spv, lp, trader):
    spv, _ = restricted_spv

    with reverts(spv.TransferRestricted, **{"from": lp, "to": trader, "amount": SHARE}):
        spv.transfer(trader, SHARE, sender=lp)


def test_transfer__allowlist_to_listed_liquidator__succeeds(restricted_spv, lp, liquidator):
    spv, _ = restricted_spv

    tx = spv.transfer(liquidator, SHARE, sender=lp)

    assert tx.events == [spv.Transfer(lp, liquidator, SHARE)]


def test_transfer_from__allowlist_to_unlisted__reverts_restricted(restricted_spv, lp, liquidator, trader):
    spv, _ = restricted_spv
    spv.approve(liquidator, SHARE, sender=lp)

    with reverts(spv.TransferRestricted, **{"from": lp, "to": trader, "amount": SHARE}):
        spv.transferFrom(lp, trader, SHARE, sender=liquidator)


def test_subscribe__allowlist_unlisted_subscriber__reverts_restricted_mint(restricted_spv, trader, fund):
    spv, _ = restricted_spv
    fund(trader, 100 * USDC, spv)

    with reverts(spv.TransferRestricted, **{"from": ZERO_ADDRESS, "to": trader, "amount": SHARE}):
        spv.subscribe(100 * USDC, sender=trader)


def test_delisted_holder__can_still_sell_to_listed_and_redeem(restricted_spv, admin, lp, liquidator):
    spv, policy = restricted_spv
    policy.setAllowlisted(lp, False, sender=admin)

    spv.transfer(liquidator, SHARE, sender=lp)
    tx = spv.requestRedemption(SHARE, sender=lp)  # asked as a burn: the SPV needs no listing

    assert tx.events.filter(spv.RedemptionRequested)[0].holder == lp
    assert spv.balanceOf(lp) == SEED_SHARES - 2 * SHARE


def test_transfer__frozen_sender__reverts_restricted(restricted_spv, admin, lp, liquidator):
    spv, policy = restricted_spv
    policy.setFrozen(lp, True, sender=admin)

    with reverts(spv.TransferRestricted, **{"from": lp, "to": liquidator, "amount": SHARE}):
        spv.transfer(liquidator, SHARE, sender=lp)


def test_transfer__frozen_receiver__reverts_restricted(restricted_spv, admin, lp, liquidator):
    spv, policy = restricted_spv
    policy.setFrozen(liquidator, True, sender=admin)

    with reverts(spv.TransferRestricted, **{"from": lp, "to": liquidator, "amount": SHARE}):
        spv.transfer(liquidator, SHARE, sender=lp)


def test_request_redemption__frozen_holder__reverts_restricted(restricted_spv, admin, lp):
    spv, policy = restricted_spv
    policy.setFrozen(lp, True, sender=admin)

    with reverts(spv.TransferRestricted, **{"from": lp, "to": spv.address, "amount": SHARE}):
        spv.requestRedemption(SHARE, sender=lp)


def test_escrow_release__holder_frozen_after_request__cancel_and_settle_still_work(
    restricted_spv, admin, lp, request_redemption, chain
):
    spv, policy = restricted_spv
    cancelled_id, _ = request_redemption(spv, lp, SHARE)
    settled_id, claimable_at = request_redemption(spv, lp, SHARE)
    policy.setFrozen(lp, True, sender=admin)

    spv.cancelRedemption(cancelled_id, sender=lp)
    chain.pending_timestamp = claimable_at
    spv.settleRedemption(settled_id, sender=lp)

    assert spv.balanceOf(spv) == spv.pendingRedemptionShares() == 0
    assert spv.balanceOf(lp) == SEED_SHARES - SHARE


def test_set_transfer_policy__back_to_zero__reopens_transfers(restricted_spv, admin, lp, trader):
    spv, policy = restricted_spv

    tx = spv.setTransferPolicy(ZERO_ADDRESS, sender=admin)
    spv.transfer(trader, SHARE, sender=lp)

    assert tx.events == [spv.TransferPolicyUpdated(policy, ZERO_ADDRESS)]
    assert spv.balanceOf(trader) == SHARE


def test_transfer__to_the_spv_itself__reverts(seeded_spv, lp):
    with reverts(seeded_spv.DirectTransferToSpv, **{"from": lp, "amount": SHARE}):
        seeded_spv.transfer(seeded_spv, SHARE, sender=lp)


def test_transfer_from__to_the_spv_itself__reverts(seeded_spv, lp, trader):
    spv = seeded_spv
    spv.approve(trader, SHARE, sender=lp)

    with reverts(spv.DirectTransferToSpv, **{"from": lp, "amount": SHARE}):
        spv.transferFrom(lp, spv, SHARE, sender=trader)
