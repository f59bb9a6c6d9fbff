import pytest

from rwa_testbed.testing import reverts


@pytest.fixture(params=["custodian", "admin"])
def guardian(request):
    """Either account allowed to freeze and impair."""
    return request.getfixturevalue(request.param)


def test_freeze_redemptions__by_guardian__sets_flag_and_emits_event(spv, guardian):
    tx = spv.freezeRedemptions(True, sender=guardian)

    assert spv.redemptionsFrozen()
    assert tx.events == [spv.RedemptionsFrozenUpdated(True, guardian)]


def test_freeze_redemptions__false__unfreezes(spv, guardian):
    spv.freezeRedemptions(True, sender=guardian)

    tx = spv.freezeRedemptions(False, sender=guardian)

    assert not spv.redemptionsFrozen()
    assert tx.events == [spv.RedemptionsFrozenUpdated(False, guardian)]


def test_freeze_redemptions__by_attacker__reverts_with_missing_role(spv, attacker):
    with reverts(spv.AccessControlUnauthorizedAccount, account=attacker, neededRole=spv.CUSTODIAN_ROLE()):
        spv.freezeRedemptions(True, sender=attacker)


def test_set_impaired__by_guardian__sets_flag_reason_and_emits_event(spv, guardian):
    tx = spv.setImpaired(True, "custodian hack", sender=guardian)

    assert spv.impaired()
    assert spv.impairmentReason() == "custodian hack"
    assert tx.events == [spv.ImpairmentUpdated(True, "custodian hack", guardian)]


def test_set_impaired__false__clears_with_new_reason(spv, guardian):
    spv.setImpaired(True, "legal challenge", sender=guardian)

    tx = spv.setImpaired(False, "court ruled for the SPV", sender=guardian)

    assert not spv.impaired()
    assert spv.impairmentReason() == "court ruled for the SPV"
    assert tx.events == [spv.ImpairmentUpdated(False, "court ruled for the SPV", guardian)]


def test_set_impaired__by_attacker__reverts_with_missing_role(spv, attacker):
    with reverts(spv.AccessControlUnauthorizedAccount, account=attacker, neededRole=spv.CUSTODIAN_ROLE()):
        spv.setImpaired(True, "fud", sender=attacker)
