"""AllowlistTransferPolicy on its own: admin setters and the checkTransfer answers."""

import pytest
from ape.utils import ZERO_ADDRESS

from rwa_testbed.testing import reverts


def test_deploy__emits_initial_mode(create_policy, chain, admin):
    policy = create_policy(allowlist=True)

    assert policy.allowlistEnabled()
    assert policy.hasRole(policy.DEFAULT_ADMIN_ROLE(), admin)
    events = chain.get_receipt(policy.txn_hash).events
    assert events.filter(policy.AllowlistModeUpdated) == [policy.AllowlistModeUpdated(True)]


def test_check_transfer__open_mode__allows_anyone(create_policy, lp, trader):
    policy = create_policy()

    assert policy.checkTransfer(lp, trader, 1)
    assert policy.checkTransfer(ZERO_ADDRESS, trader, 1)


def test_check_transfer__allowlist_mode__requires_listed_receiver_except_burns(create_policy, admin, lp, trader):
    policy = create_policy(allowlist=True)
    policy.setAllowlisted(lp, True, sender=admin)

    assert policy.checkTransfer(trader, lp, 1)  # the sender need not be listed
    assert not policy.checkTransfer(lp, trader, 1)
    assert not policy.checkTransfer(ZERO_ADDRESS, trader, 1)  # mint to an unlisted account
    assert policy.checkTransfer(trader, ZERO_ADDRESS, 1)  # burn / redemption request


def test_check_transfer__frozen_account__can_neither_send_nor_receive(create_policy, admin, lp, trader):
    policy = create_policy()
    policy.setFrozen(lp, True, sender=admin)

    assert not policy.checkTransfer(lp, trader, 1)
    assert not policy.checkTransfer(trader, lp, 1)
    assert not policy.checkTransfer(lp, ZERO_ADDRESS, 1)


def test_set_allowlist_enabled__by_admin__emits_event(create_policy, admin, lp, trader):
    policy = create_policy()

    tx = policy.setAllowlistEnabled(True, sender=admin)

    assert tx.events == [policy.AllowlistModeUpdated(True)]
    assert not policy.checkTransfer(lp, trader, 1)


def test_set_allowlisted__by_admin__emits_event(create_policy, admin, lp):
    policy = create_policy(allowlist=True)

    tx = policy.setAllowlisted(lp, True, sender=admin)

    assert policy.isAllowlisted(lp)
    assert tx.events == [policy.AllowlistUpdated(lp, True)]


def test_set_frozen__by_admin__emits_event_and_unfreezes(create_policy, admin, lp, trader):
    policy = create_policy()
    freeze_tx = policy.setFrozen(lp, True, sender=admin)

    unfreeze_tx = policy.setFrozen(lp, False, sender=admin)

    assert freeze_tx.events == [policy.FrozenUpdated(lp, True)]
    assert unfreeze_tx.events == [policy.FrozenUpdated(lp, False)]
    assert policy.checkTransfer(lp, trader, 1)


@pytest.mark.parametrize(
    "call",
    [
        lambda policy, attacker: policy.setAllowlistEnabled(True, sender=attacker),
        lambda policy, attacker: policy.setAllowlisted(attacker, True, sender=attacker),
        lambda policy, attacker: policy.setFrozen(attacker, False, sender=attacker),
    ],
    ids=["setAllowlistEnabled", "setAllowlisted", "setFrozen"],
)
def test_policy_setters__by_attacker__revert_with_missing_role(create_policy, attacker, call):
    policy = create_policy()

    with reverts(policy.AccessControlUnauthorizedAccount, account=attacker, neededRole=policy.DEFAULT_ADMIN_ROLE()):
        call(policy, attacker)
