import ape
from ape.utils import ZERO_ADDRESS


def test_mint__by_minter__credits_balance_and_emits_transfer(stablecoin, admin, borrower):
    tx = stablecoin.mint(borrower, 1_000_000, sender=admin)

    assert stablecoin.balanceOf(borrower) == 1_000_000
    assert stablecoin.totalSupply() == 1_000_000
    assert tx.events == [stablecoin.Transfer(ZERO_ADDRESS, borrower, 1_000_000)]


def test_decimals__is_six_like_usdc(stablecoin):
    assert stablecoin.decimals() == 6


def test_mint__by_attacker__reverts_with_missing_role(stablecoin, attacker):
    with ape.reverts(
        stablecoin.AccessControlUnauthorizedAccount,
        account=attacker,
        neededRole=stablecoin.MINTER_ROLE(),
    ):
        stablecoin.mint(attacker, 1, sender=attacker)


def test_burn__by_minter__debits_balance(stablecoin, admin, borrower):
    stablecoin.mint(borrower, 5, sender=admin)

    tx = stablecoin.burn(borrower, 2, sender=admin)

    assert stablecoin.balanceOf(borrower) == 3
    assert tx.events == [stablecoin.Transfer(borrower, ZERO_ADDRESS, 2)]


def test_burn__by_attacker__reverts_with_missing_role(stablecoin, admin, attacker, borrower):
    stablecoin.mint(borrower, 5, sender=admin)
    with ape.reverts(
        stablecoin.AccessControlUnauthorizedAccount,
        account=attacker,
        neededRole=stablecoin.MINTER_ROLE(),
    ):
        stablecoin.burn(borrower, 1, sender=attacker)
