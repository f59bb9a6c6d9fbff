"""setLiquidationGracePeriod / liquidationCall: Aave V3.1's liquidation grace period on a reserve,
as collateral or as debt; who may set it, its 4-hour limit, and the edge at `until` itself (open).

Block timestamps are pinned (`chain.pending_timestamp`) wherever a test depends on time.
"""

import ape
from fixtures.constants import MAX_UINT

MAX_GRACE_PERIOD = 4 * 3_600


def test_grace_period__default__none_and_liquidation_passes(pool, underwater, borrower, liquidator, stablecoin, rwa_token):
    underwater(price=70)
    assert pool.getLiquidationGracePeriod(rwa_token) == pool.getLiquidationGracePeriod(stablecoin) == 0
    tx = pool.liquidationCall(rwa_token, stablecoin, borrower, MAX_UINT, False, sender=liquidator)
    assert tx.events.filter(pool.LiquidationExecuted)


def test_set_grace_period__pool_admin__stored_and_event(pool, admin, chain, rwa_token):
    until = chain.blocks.head.timestamp + 3_600
    tx = pool.setLiquidationGracePeriod(rwa_token, until, sender=admin)
    assert pool.getLiquidationGracePeriod(rwa_token) == until
    assert tx.events == [pool.LiquidationGracePeriodSet(asset=rwa_token, until=until)]


def test_set_grace_period__guardian__allowed(pool, guardian, chain, rwa_token):
    until = chain.blocks.head.timestamp + 60
    pool.setLiquidationGracePeriod(rwa_token, until, sender=guardian)
    assert pool.getLiquidationGracePeriod(rwa_token) == until


def test_set_grace_period__attacker__reverts_unauthorized(pool, attacker, chain, rwa_token):
    with ape.reverts(pool.AccessControlUnauthorizedAccount, account=attacker.address, neededRole=pool.GUARDIAN_ROLE()):
        pool.setLiquidationGracePeriod(rwa_token, chain.blocks.head.timestamp + 60, sender=attacker)


def test_set_grace_period__guardian_role_only__cannot_set_other_parameters(pool, guardian, stablecoin):
    with ape.reverts(pool.AccessControlUnauthorizedAccount, account=guardian.address, neededRole=pool.POOL_ADMIN_ROLE()):
        pool.setLiquidationCap(stablecoin, 1, 60, sender=guardian)


def test_set_grace_period__at_max__allowed_one_second_more__reverts(pool, admin, chain, rwa_token):
    now = chain.blocks.head.timestamp + 10
    chain.pending_timestamp = now
    pool.setLiquidationGracePeriod(rwa_token, now + MAX_GRACE_PERIOD, sender=admin)
    assert pool.getLiquidationGracePeriod(rwa_token) == now + MAX_GRACE_PERIOD

    chain.pending_timestamp = now + 1
    with ape.reverts(pool.GracePeriodTooLong, until=now + 2 + MAX_GRACE_PERIOD, maxUntil=now + 1 + MAX_GRACE_PERIOD):
        pool.setLiquidationGracePeriod(rwa_token, now + 2 + MAX_GRACE_PERIOD, sender=admin)


def test_liquidate__collateral_in_grace_period__reverts(pool, underwater, admin, chain, borrower, liquidator, stablecoin, rwa_token):
    underwater(price=70)
    now = chain.blocks.head.timestamp + 10
    chain.pending_timestamp = now
    pool.setLiquidationGracePeriod(rwa_token, now + 600, sender=admin)
    chain.pending_timestamp = now + 599
    with ape.reverts(pool.LiquidationGracePeriodActive, asset=rwa_token.address, until=now + 600):
        pool.liquidationCall(rwa_token, stablecoin, borrower, MAX_UINT, False, sender=liquidator)


def test_liquidate__debt_in_grace_period__reverts(pool, underwater, admin, chain, borrower, liquidator, stablecoin, rwa_token):
    underwater(price=70)
    now = chain.blocks.head.timestamp + 10
    chain.pending_timestamp = now
    pool.setLiquidationGracePeriod(stablecoin, now + 600, sender=admin)
    with ape.reverts(pool.LiquidationGracePeriodActive, asset=stablecoin.address, until=now + 600):
        pool.liquidationCall(rwa_token, stablecoin, borrower, MAX_UINT, False, sender=liquidator)


def test_liquidate__at_grace_period_end__passes(pool, underwater, admin, chain, borrower, liquidator, stablecoin, rwa_token):
    underwater(price=70)
    now = chain.blocks.head.timestamp + 10
    chain.pending_timestamp = now
    pool.setLiquidationGracePeriod(rwa_token, now + 600, sender=admin)
    chain.pending_timestamp = now + 600  # until == block.timestamp: no longer in grace
    tx = pool.liquidationCall(rwa_token, stablecoin, borrower, MAX_UINT, False, sender=liquidator)
    assert tx.events.filter(pool.LiquidationExecuted)


def test_liquidate__grace_period_lifted_with_zero__passes(pool, underwater, admin, guardian, chain, borrower, liquidator, stablecoin, rwa_token):
    underwater(price=70)
    pool.setLiquidationGracePeriod(rwa_token, chain.blocks.head.timestamp + 3_600, sender=admin)
    tx = pool.setLiquidationGracePeriod(rwa_token, 0, sender=guardian)
    assert tx.events == [pool.LiquidationGracePeriodSet(asset=rwa_token, until=0)]
    tx = pool.liquidationCall(rwa_token, stablecoin, borrower, MAX_UINT, False, sender=liquidator)
    assert tx.events.filter(pool.LiquidationExecuted)


def test_grace_period__other_actions_unaffected(pool, open_position, admin, chain, borrower, stablecoin, rwa_token):
    open_position()
    pool.setLiquidationGracePeriod(stablecoin, chain.blocks.head.timestamp + 3_600, sender=admin)
    pool.repay(stablecoin, 1_000 * 10**6, 2, borrower, sender=borrower)
