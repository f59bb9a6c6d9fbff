"""supply: shares at the liquidity index, first supply enables collateral (LTV != 0), caps, reverts."""

import ape
from fixtures.constants import USDC, WAD
from .lending_defaults import STABLE_PARAMS

from rwa_testbed.models.aave import RAY, linear_interest, ray_div, ray_mul


def test_supply__first_deposit_of_collateral__mints_shares_and_enables_collateral(pool, fund, borrower, rwa_token):
    fund(borrower, rwa=10 * WAD)

    tx = pool.supply(rwa_token, 10 * WAD, borrower, 0, sender=borrower)

    assert pool.scaledSupplyOf(rwa_token, borrower) == 10 * WAD  # index 1.0
    assert pool.supplyBalanceOf(rwa_token, borrower) == 10 * WAD
    assert pool.totalSupplied(rwa_token) == 10 * WAD
    assert rwa_token.balanceOf(pool) == 10 * WAD
    assert pool.getUserConfiguration(borrower) == 1 << (2 * 1 + 1)  # collateral bit of reserve 1
    assert [e.event_name for e in tx.events if e.contract_address == pool.address] == [
        "ReserveDataUpdated",
        "CollateralToggled",
        "Supplied",
    ]
    assert pool.CollateralToggled(asset=rwa_token, user=borrower, enabled=True) in tx.events
    assert pool.Supplied(
        asset=rwa_token, caller=borrower, onBehalfOf=borrower, amount=10 * WAD, scaledAmount=10 * WAD, liquidityIndex=RAY
    ) in tx.events


def test_supply__asset_with_zero_ltv__not_enabled_as_collateral(pool, deposit, lp, stablecoin):
    deposit(lp, stablecoin, 1_000 * USDC)
    assert pool.getUserConfiguration(lp) == 0
    assert pool.supplyBalanceOf(stablecoin, lp) == 1_000 * USDC


def test_supply__second_deposit_after_disabling__keeps_collateral_off(pool, deposit, borrower, rwa_token):
    deposit(borrower, rwa_token, WAD)
    pool.setUserUseReserveAsCollateral(rwa_token, False, sender=borrower)
    tx = deposit(borrower, rwa_token, WAD)
    assert pool.getUserConfiguration(borrower) == 0
    assert not [e for e in tx.events if e.event_name == "CollateralToggled"]


def test_supply__on_behalf_of_other__credits_other(pool, fund, lp, borrower, rwa_token):
    fund(lp, rwa=3 * WAD)
    tx = pool.supply(rwa_token, 3 * WAD, borrower, 7, sender=lp)
    assert pool.supplyBalanceOf(rwa_token, borrower) == 3 * WAD
    assert pool.supplyBalanceOf(rwa_token, lp) == 0
    assert pool.CollateralToggled(asset=rwa_token, user=borrower, enabled=True) in tx.events


def test_supply__after_interest__shares_are_amount_over_index(pool, open_position, deposit, other_borrower, stablecoin, chain):
    open_position()
    chain.pending_timestamp += 30 * 86400
    tx = deposit(other_borrower, stablecoin, 1_000 * USDC)

    index = pool.getReserveData(stablecoin).liquidityIndex
    assert index > RAY
    shares = ray_div(1_000 * USDC, index)
    assert pool.scaledSupplyOf(stablecoin, other_borrower) == shares
    assert pool.supplyBalanceOf(stablecoin, other_borrower) == ray_mul(shares, index)
    assert tx.events.filter(pool.Supplied)[0].scaledAmount == shares
    assert tx.events.filter(pool.Supplied)[0].liquidityIndex == index


def test_supply__zero__reverts(pool, lp, stablecoin):
    with ape.reverts(pool.InvalidAmount):
        pool.supply(stablecoin, 0, lp, 0, sender=lp)


def test_supply__unlisted_asset__reverts(pool, project, admin, lp):
    token = admin.deploy(project.TestToken, "X", "X", 18)
    with ape.reverts(pool.ReserveNotActive, asset=token.address):
        pool.supply(token, 1, lp, 0, sender=lp)


def test_supply__paused__reverts(pool, admin, fund, lp, stablecoin):
    fund(lp, stable=USDC)
    pool.setReservePaused(stablecoin, True, sender=admin)
    with ape.reverts(pool.ReservePaused, asset=stablecoin.address):
        pool.supply(stablecoin, USDC, lp, 0, sender=lp)


def test_supply__frozen__reverts(pool, admin, fund, lp, stablecoin):
    fund(lp, stable=USDC)
    pool.setReserveFrozen(stablecoin, True, sender=admin)
    with ape.reverts(pool.ReserveFrozen, asset=stablecoin.address):
        pool.supply(stablecoin, USDC, lp, 0, sender=lp)


def test_supply__above_cap__reverts_and_exact_cap_passes(pool, admin, fund, lp, stablecoin):
    pool.configureReserve(stablecoin, dict(STABLE_PARAMS, supplyCap=1_000), sender=admin)
    fund(lp, stable=2_000 * USDC)
    pool.supply(stablecoin, 600 * USDC, lp, 0, sender=lp)
    with ape.reverts(pool.SupplyCapExceeded, asset=stablecoin.address, cap=1_000, totalAfter=1_000 * USDC + 1):
        pool.supply(stablecoin, 400 * USDC + 1, lp, 0, sender=lp)
    pool.supply(stablecoin, 400 * USDC, lp, 0, sender=lp)
    assert pool.totalSupplied(stablecoin) == 1_000 * USDC


def test_supply__cap_counts_treasury_accrual(pool, admin, open_position, fund, lp, stablecoin, chain):
    open_position(collateral=200 * WAD, liquidity=10_000 * USDC, debt=9_000 * USDC)
    chain.pending_timestamp += 365 * 86400
    chain.mine()
    # accrue the reserve (a 1-unit supply) so accruedToTreasury is recorded
    fund(lp, stable=10**9 * USDC)
    accrued_at = chain.blocks[pool.supply(stablecoin, USDC, lp, 0, sender=lp).block_number].timestamp
    data = pool.getReserveData(stablecoin)
    assert data.accruedToTreasury > 0
    total = ray_mul(data.scaledTotalSupply + data.accruedToTreasury, data.liquidityIndex)
    cap = total // USDC + 1  # room for less than one more token
    # Every later block at the accrual's timestamp: no interest accrues after the read, so `total`
    # is exactly what the cap check sees (it used to drift with the wall clock between blocks).
    chain.pending_timestamp = accrued_at
    pool.configureReserve(stablecoin, dict(STABLE_PARAMS, supplyCap=cap), sender=admin)
    room = cap * USDC - total
    chain.pending_timestamp = accrued_at
    with ape.reverts(pool.SupplyCapExceeded, asset=stablecoin.address, cap=cap, totalAfter=total + room + 1):
        pool.supply(stablecoin, room + 1, lp, 0, sender=lp)
    chain.pending_timestamp = accrued_at
    receipt = pool.supply(stablecoin, room, lp, 0, sender=lp)
    assert chain.blocks[receipt.block_number].timestamp == accrued_at


def test_supply__amount_rounding_to_zero_shares__reverts(pool, open_position, fund, other_borrower, stablecoin, chain):
    open_position(collateral=200 * WAD, liquidity=10_000 * USDC, debt=9_900 * USDC)
    start = chain.pending_timestamp + 3 * 365 * 86400  # index well above 2 at ~ 99 % usage
    fund(other_borrower, stable=2 * USDC)
    chain.pending_timestamp = start
    pool.supply(stablecoin, USDC, other_borrower, 0, sender=other_borrower)
    data = pool.getReserveData(stablecoin)
    index = ray_mul(linear_interest(data.currentLiquidityRate, 1), data.liquidityIndex)
    assert index > 2 * RAY
    chain.pending_timestamp = start + 1
    with ape.reverts(pool.InvalidMintAmount, asset=stablecoin.address, amount=1, index=index):
        pool.supply(stablecoin, 1, other_borrower, 0, sender=other_borrower)


def test_supply__without_allowance__reverts(pool, admin, lp, stablecoin):
    stablecoin.mint(lp, USDC, sender=admin)
    with ape.reverts(stablecoin.ERC20InsufficientAllowance, spender=pool.address, allowance=0, needed=USDC):
        pool.supply(stablecoin, USDC, lp, 0, sender=lp)
