"""setUserUseReserveAsCollateral: toggling, no-op when unchanged, health-factor and LTV rules."""

import ape
from fixtures.constants import USDC, WAD
from .lending_defaults import STABLE_PARAMS

from rwa_testbed.models.aave import PositionLine, account_data


def test_toggle__disable_then_enable__flags_events_and_account_data(pool, deposit, borrower, rwa_token):
    deposit(borrower, rwa_token, 10 * WAD)

    tx = pool.setUserUseReserveAsCollateral(rwa_token, False, sender=borrower)
    assert tx.events == [pool.CollateralToggled(asset=rwa_token, user=borrower, enabled=False)]
    assert pool.getUserConfiguration(borrower) == 0
    assert tuple(pool.getUserAccountData(borrower)) == (0, 0, 0, 0, 0, 2**256 - 1)

    tx = pool.setUserUseReserveAsCollateral(rwa_token, True, sender=borrower)
    assert tx.events == [pool.CollateralToggled(asset=rwa_token, user=borrower, enabled=True)]
    expected = account_data([PositionLine(price=100 * 10**8, decimals=18, ltv_bps=6_000, liquidation_threshold_bps=7_000, collateral=10 * WAD)])
    assert tuple(pool.getUserAccountData(borrower)) == expected.as_tuple()


def test_toggle__unchanged__no_event(pool, deposit, borrower, rwa_token):
    deposit(borrower, rwa_token, WAD)
    tx = pool.setUserUseReserveAsCollateral(rwa_token, True, sender=borrower)
    assert tx.events == []


def test_toggle__disable_leaving_health_factor_below_one__reverts(pool, open_position, borrower, rwa_token):
    open_position(debt=1_000 * USDC)
    with ape.reverts(pool.HealthFactorBelowThreshold, user=borrower.address, healthFactor=0):
        pool.setUserUseReserveAsCollateral(rwa_token, False, sender=borrower)


def test_toggle__disable_second_collateral_keeping_health__passes(pool, admin, open_position, deposit, borrower, stablecoin, rwa_token):
    pool.configureReserve(stablecoin, dict(_stable_as_collateral()), sender=admin)
    open_position(debt=1_000 * USDC)
    deposit(borrower, stablecoin, 500 * USDC)  # first supply, LTV != 0: enabled
    assert pool.getUserConfiguration(borrower) == 0b1011  # stable: borrowing + collateral; rwa: collateral
    pool.setUserUseReserveAsCollateral(stablecoin, False, sender=borrower)
    assert pool.getUserConfiguration(borrower) == 0b1001


def test_toggle__nothing_supplied__reverts(pool, borrower, rwa_token):
    with ape.reverts(pool.UnderlyingBalanceZero, user=borrower.address, asset=rwa_token.address):
        pool.setUserUseReserveAsCollateral(rwa_token, True, sender=borrower)


def test_toggle__enable_zero_ltv_asset__reverts(pool, deposit, lp, stablecoin):
    deposit(lp, stablecoin, USDC)
    with ape.reverts(pool.CollateralLtvZero, asset=stablecoin.address):
        pool.setUserUseReserveAsCollateral(stablecoin, True, sender=lp)


def test_toggle__paused__reverts(pool, admin, deposit, borrower, rwa_token):
    deposit(borrower, rwa_token, WAD)
    pool.setReservePaused(rwa_token, True, sender=admin)
    with ape.reverts(pool.ReservePaused, asset=rwa_token.address):
        pool.setUserUseReserveAsCollateral(rwa_token, False, sender=borrower)


def _stable_as_collateral():
    return dict(STABLE_PARAMS, ltvBps=7_500, liquidationThresholdBps=8_000, liquidationBonusBps=10_500)
