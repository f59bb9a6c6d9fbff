import ape


def test_mint__by_minter__credits_balance(stablecoin, admin, borrower):
    tx = stablecoin.mint(borrower, 1_000_000, sender=admin)
    assert stablecoin.balanceOf(borrower) == 1_000_000
    assert stablecoin.decimals() == 6
    assert tx.events == [stablecoin.Transfer(ape.utils.ZERO_ADDRESS, borrower, 1_000_000)]
