"""setLiquidatorAllowlistEnabled / liquidationCall: a permissioned market (e.g. Aave Horizon) where only
LIQUIDATOR_ROLE holders may liquidate while the allowlist is on. (The executor contract holding the
role is in test_executor_liquidate.py.)"""

import ape
import pytest
from fixtures.constants import MAX_UINT

from rwa_testbed.venues.ours import LIQUIDATOR_ROLE


@pytest.fixture
def allowlist_on(pool, admin):
    return pool.setLiquidatorAllowlistEnabled(True, sender=admin)


def test_allowlist__default__off_anyone_liquidates(pool, underwater, borrower, liquidator, stablecoin, rwa_token):
    underwater(price=70)
    assert not pool.hasRole(pool.LIQUIDATOR_ROLE(), liquidator)
    tx = pool.liquidationCall(rwa_token, stablecoin, borrower, MAX_UINT, False, sender=liquidator)
    assert tx.events.filter(pool.LiquidationExecuted)


def test_set_allowlist__pool_admin__event(pool, admin):
    tx = pool.setLiquidatorAllowlistEnabled(True, sender=admin)
    assert tx.events == [pool.LiquidatorAllowlistToggled(enabled=True)]
    tx = pool.setLiquidatorAllowlistEnabled(False, sender=admin)
    assert tx.events == [pool.LiquidatorAllowlistToggled(enabled=False)]


@pytest.mark.parametrize("caller", ["attacker", "guardian"])
def test_set_allowlist__not_pool_admin__reverts_unauthorized(pool, request, caller):
    account = request.getfixturevalue(caller)
    with ape.reverts(pool.AccessControlUnauthorizedAccount, account=account.address, neededRole=pool.POOL_ADMIN_ROLE()):
        pool.setLiquidatorAllowlistEnabled(True, sender=account)


def test_liquidate__allowlist_on_without_role__reverts(pool, underwater, allowlist_on, borrower, liquidator, stablecoin, rwa_token):
    underwater(price=70)
    with ape.reverts(pool.LiquidatorNotAllowed, caller=liquidator.address):
        pool.liquidationCall(rwa_token, stablecoin, borrower, MAX_UINT, False, sender=liquidator)


def test_liquidate__allowlist_on_with_role__passes(pool, underwater, allowlist_on, admin, borrower, liquidator, stablecoin, rwa_token):
    underwater(price=70)
    pool.grantRole(pool.LIQUIDATOR_ROLE(), liquidator, sender=admin)
    tx = pool.liquidationCall(rwa_token, stablecoin, borrower, MAX_UINT, False, sender=liquidator)
    assert tx.events.filter(pool.LiquidationExecuted)[0].liquidator == liquidator.address


def test_liquidate__allowlist_switched_off__anyone_again(pool, underwater, allowlist_on, admin, borrower, liquidator, stablecoin, rwa_token):
    underwater(price=70)
    pool.setLiquidatorAllowlistEnabled(False, sender=admin)
    tx = pool.liquidationCall(rwa_token, stablecoin, borrower, MAX_UINT, False, sender=liquidator)
    assert tx.events.filter(pool.LiquidationExecuted)


def test_grant_liquidator_role__attacker__reverts_unauthorized(pool, attacker):
    role = pool.LIQUIDATOR_ROLE()
    with ape.reverts(pool.AccessControlUnauthorizedAccount, account=attacker.address, neededRole=b"\x00" * 32):
        pool.grantRole(role, attacker, sender=attacker)


def test_liquidator_role__the_simulations_constant(pool):
    assert pool.LIQUIDATOR_ROLE() == LIQUIDATOR_ROLE
