from rwa_testbed.units import SHARE, USDC
from rwa_testbed.testing import reverts

from .spv_defaults import SEED_STABLE


def test_cash_reserve__is_the_spvs_stablecoin_balance(seeded_spv, stablecoin):
    assert seeded_spv.cashReserve() == stablecoin.balanceOf(seeded_spv) == SEED_STABLE


def test_withdraw_cash__by_manager__moves_cash_and_emits_event(seeded_spv, stablecoin, admin, treasury):
    spv = seeded_spv

    tx = spv.withdrawCash(treasury, 600_000 * USDC, sender=admin)

    assert tx.events == [
        stablecoin.Transfer(spv, treasury, 600_000 * USDC),
        spv.CashWithdrawn(admin, treasury, 600_000 * USDC, 400_000 * USDC),
    ]
    assert spv.cashReserve() == 400_000 * USDC
    assert stablecoin.balanceOf(treasury) == 600_000 * USDC


def test_withdraw_cash__by_granted_manager__succeeds(seeded_spv, admin, keeper, treasury):
    spv = seeded_spv
    spv.grantRole(spv.MANAGER_ROLE(), keeper, sender=admin)

    tx = spv.withdrawCash(treasury, USDC, sender=keeper)

    assert tx.events.filter(spv.CashWithdrawn) == [spv.CashWithdrawn(keeper, treasury, USDC, SEED_STABLE - USDC)]


def test_withdraw_cash__by_attacker__reverts_with_missing_role(seeded_spv, attacker):
    spv = seeded_spv

    with reverts(spv.AccessControlUnauthorizedAccount, account=attacker, neededRole=spv.MANAGER_ROLE()):
        spv.withdrawCash(attacker, USDC, sender=attacker)


def test_withdraw_cash__by_custodian__reverts_with_missing_role(seeded_spv, custodian):
    spv = seeded_spv

    with reverts(spv.AccessControlUnauthorizedAccount, account=custodian, neededRole=spv.MANAGER_ROLE()):
        spv.withdrawCash(custodian, USDC, sender=custodian)


def test_withdraw_cash__more_than_reserve__reverts(seeded_spv, admin, treasury):
    with reverts(seeded_spv.InsufficientCash, needed=SEED_STABLE + 1, available=SEED_STABLE):
        seeded_spv.withdrawCash(treasury, SEED_STABLE + 1, sender=admin)


def test_withdraw_cash__zero__reverts(seeded_spv, admin, treasury):
    with reverts(seeded_spv.ZeroAmount):
        seeded_spv.withdrawCash(treasury, 0, sender=admin)


def test_withdraw_cash__all_cash__leaves_escrowed_shares_untouched(
    seeded_spv, admin, lp, treasury, request_redemption, chain
):
    spv = seeded_spv
    request_id, claimable_at = request_redemption(spv, lp, 10 * SHARE)

    spv.withdrawCash(treasury, SEED_STABLE, sender=admin)

    assert spv.cashReserve() == 0
    assert spv.balanceOf(spv) == spv.pendingRedemptionShares() == 10 * SHARE
    chain.pending_timestamp = claimable_at
    with reverts(spv.InsufficientCash, needed=1_000 * USDC, available=0):
        spv.settleRedemption(request_id, sender=lp)


def test_deposit_cash__by_anyone__adds_to_reserve_and_emits_event(seeded_spv, stablecoin, borrower, fund):
    spv = seeded_spv
    fund(borrower, 25_000 * USDC, spv)  # an SME repays its loan

    tx = spv.depositCash(25_000 * USDC, sender=borrower)

    assert tx.events == [
        stablecoin.Transfer(borrower, spv, 25_000 * USDC),
        spv.CashDeposited(borrower, 25_000 * USDC, SEED_STABLE + 25_000 * USDC),
    ]
    assert spv.cashReserve() == SEED_STABLE + 25_000 * USDC
    assert spv.totalSupply() == 10_000 * SHARE  # cash in, no shares minted


def test_deposit_cash__zero__reverts(seeded_spv, borrower):
    with reverts(seeded_spv.ZeroAmount):
        seeded_spv.depositCash(0, sender=borrower)


def test_deposit_cash__without_allowance__reverts_in_stablecoin(seeded_spv, stablecoin, borrower, admin):
    spv = seeded_spv
    stablecoin.mint(borrower, USDC, sender=admin)

    # Raised by the stablecoin's transferFrom, decoded with the SPV's (identical) ERC-20 error ABI.
    with reverts(spv.ERC20InsufficientAllowance, spender=spv, allowance=0, needed=USDC):
        spv.depositCash(USDC, sender=borrower)
