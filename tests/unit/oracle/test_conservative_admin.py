"""ConservativeOracle: constructor checks, roles and limits."""

import ape

from rwa_testbed.testing import deploy, reverts

ZERO = "0x" + "00" * 20


def test_constructor__sets_sides_limits_and_admin(create_conservative_oracle, nav_side, twap_side, admin, chain):
    oracle = create_conservative_oracle(max_change_bps=1_500, freeze_seconds=86_400)

    assert (oracle.navFeed(), oracle.twapFeed()) == (nav_side.address, twap_side.address)
    assert (oracle.maxChangeBps(), oracle.freezeSeconds(), oracle.decimals()) == (1_500, 86_400, 8)
    assert oracle.hasRole(oracle.DEFAULT_ADMIN_ROLE(), admin)
    assert oracle.latestRoundData() == (0, 0, 0, 0, 0)
    receipt = chain.get_receipt(oracle.txn_hash)
    assert receipt.events.filter(oracle.LimitsChanged) == [oracle.LimitsChanged(1_500, 86_400)]


def test_constructor__no_side__reverts_no_source(project, admin):
    with reverts(project.ConservativeOracle.NoSource):
        deploy(admin, project.ConservativeOracle, ZERO, ZERO, 0, 0, 8, "x", admin)


def test_constructor__side_with_other_decimals__reverts_decimals_mismatch(project, admin, nav_side):
    with reverts(project.ConservativeOracle.DecimalsMismatch, feed=nav_side.address, decimals=8, expected=18):
        deploy(admin, project.ConservativeOracle, nav_side, ZERO, 0, 0, 18, "x", admin)


def test_constructor__limit_without_freeze__reverts_invalid_freeze(project, admin, nav_side):
    with reverts(project.ConservativeOracle.InvalidFreeze, maxChangeBps=100, freezeSeconds=0):
        deploy(admin, project.ConservativeOracle, nav_side, ZERO, 100, 0, 8, "x", admin)


def test_set_limits__by_admin__stores_and_emits(create_conservative_oracle, admin):
    oracle = create_conservative_oracle()

    tx = oracle.setLimits(2_000, 3_600, sender=admin)

    assert tx.events == [oracle.LimitsChanged(2_000, 3_600)]
    assert (oracle.maxChangeBps(), oracle.freezeSeconds()) == (2_000, 3_600)


def test_set_limits__by_attacker__reverts_missing_admin_role(create_conservative_oracle, attacker):
    oracle = create_conservative_oracle()

    with ape.reverts(
        oracle.AccessControlUnauthorizedAccount, account=attacker, neededRole=oracle.DEFAULT_ADMIN_ROLE()
    ):
        oracle.setLimits(2_000, 3_600, sender=attacker)


def test_set_limits__limit_without_freeze__reverts_invalid_freeze(create_conservative_oracle, admin):
    oracle = create_conservative_oracle()

    with ape.reverts(oracle.InvalidFreeze, maxChangeBps=100, freezeSeconds=0):
        oracle.setLimits(100, 0, sender=admin)


def test_set_limits__during_freeze__keeps_its_end(create_conservative_oracle, nav_side, admin, keeper):
    oracle = create_conservative_oracle(max_change_bps=1_000, freeze_seconds=3_600)
    oracle.update(sender=keeper)
    nav_side.setAnswer(50 * 10**8, sender=keeper)
    oracle.update(sender=keeper)
    until = oracle.frozenUntil()

    oracle.setLimits(0, 0, sender=admin)

    assert oracle.frozenUntil() == until
    oracle.update(sender=keeper)
    assert oracle.latestAnswer() == 100 * 10**8
