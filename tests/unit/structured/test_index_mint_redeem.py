"""IndexToken mint and redeem in kind: exact amounts in and out (ceil in, floor out: the basket's
favour), events with every amount, a mint then a redeem never returns more than was put in."""

from hypothesis import given
from hypothesis import strategies as st

from rwa_testbed.testing import reverts
from fixtures.constants import WAD

from .conftest import UNITS
from .structured_strategies import index_shares, odd_units

ZERO = "0x" + "00" * 20


def _ceil(a: int, b: int) -> int:
    return -(-a // b)


def _balances(tokens, account):
    return [t.balanceOf(account) for t in tokens]


def test_mint__ten_shares__pulls_units_times_shares_and_mints_to_recipient(index_token, index_components, fund_basket,
                                                                         lp, trader):
    shares = 10 * WAD
    expected = [u * 10 for u in UNITS]  # 20 office, 5 loan, 300 plain tokens
    fund_basket(lp, expected, index_token)

    tx = index_token.mint(shares, trader, sender=lp)

    assert _balances(index_components, lp) == [0, 0, 0]
    assert _balances(index_components, index_token) == expected
    assert (index_token.balanceOf(trader), index_token.balanceOf(lp), index_token.totalSupply()) == (shares, 0, shares)
    assert tx.events.filter(index_token.Minted) == [
        index_token.Minted(caller=lp.address, to=trader.address, shares=shares, amountsIn=expected)]
    assert list(tx.return_value) == expected


def test_redeem__part_of_the_shares__pays_units_times_shares_and_burns(index_token, index_components, fund_basket,
                                                                      lp, borrower):
    fund_basket(lp, [u * 10 for u in UNITS], index_token)
    index_token.mint(10 * WAD, lp, sender=lp)
    shares = 4 * WAD
    expected = [u * 4 for u in UNITS]

    tx = index_token.redeem(shares, borrower, sender=lp)

    assert _balances(index_components, borrower) == expected
    assert _balances(index_components, index_token) == [u * 6 for u in UNITS]
    assert (index_token.balanceOf(lp), index_token.totalSupply()) == (6 * WAD, 6 * WAD)
    assert tx.events.filter(index_token.Redeemed) == [
        index_token.Redeemed(caller=lp.address, to=borrower.address, shares=shares, amountsOut=expected)]


def test_mint_then_redeem__one_wei_of_shares__pulls_one_unit_each_and_pays_nothing(
        create_index, index_components, fund_basket, lp):
    index = create_index(units=(3, WAD + 7, WAD // 2 + 1))
    fund_basket(lp, [1, 2, 1], index)

    tx_in = index.mint(1, lp, sender=lp)  # ceil(units / 1e18)
    tx_out = index.redeem(1, lp, sender=lp)  # floor(units / 1e18)

    assert list(tx_in.return_value) == [1, 2, 1]
    assert list(tx_out.return_value) == [0, 1, 0]
    assert _balances(index_components, index) == [1, 1, 1]  # the dust stays in the basket


def test_redeem__more_than_held__reverts_insufficient_balance(index_token, lp):
    with reverts(index_token.ERC20InsufficientBalance, sender=lp.address, balance=0, needed=1):
        index_token.redeem(1, lp, sender=lp)


def test_mint__zero_shares__reverts_zero_shares(index_token, lp):
    with reverts(index_token.ZeroShares):
        index_token.mint(0, lp, sender=lp)


def test_mint__zero_recipient__reverts_zero_recipient(index_token, lp):
    with reverts(index_token.ZeroRecipient):
        index_token.mint(WAD, ZERO, sender=lp)


def test_redeem__zero_shares__reverts_zero_shares(index_token, lp):
    with reverts(index_token.ZeroShares):
        index_token.redeem(0, lp, sender=lp)


def test_mint__without_approval__reverts_insufficient_allowance(index_token, index_components, lp):
    with reverts(index_token.ERC20InsufficientAllowance, spender=index_token.address, allowance=0, needed=UNITS[0]):
        index_token.mint(WAD, lp, sender=lp)


@given(units=odd_units, shares=index_shares)
def test_previews__any_units_and_shares__ceil_in_floor_out_never_more_out_than_in(create_index, units, shares):
    index = create_index(units=units)

    amounts_in = list(index.previewMint(shares))
    amounts_out = list(index.previewRedeem(shares))

    assert amounts_in == [_ceil(u * shares, WAD) for u in units]
    assert amounts_out == [u * shares // WAD for u in units]
    assert all(0 <= i - o <= 1 for i, o in zip(amounts_in, amounts_out))


@given(shares=st.integers(min_value=1, max_value=10**21))
def test_mint_then_redeem__any_shares__never_returns_more_than_was_put_in(index_token, index_components, fund_basket,
                                                                          run_isolated, lp, shares):
    def body():
        needed = [_ceil(u * shares, WAD) for u in UNITS]
        fund_basket(lp, needed, index_token)
        before = _balances(index_components, lp)

        paid_in = list(index_token.mint(shares, lp, sender=lp).return_value)
        paid_out = list(index_token.redeem(shares, lp, sender=lp).return_value)

        after = _balances(index_components, lp)
        assert paid_in == needed
        assert paid_out == [u * shares // WAD for u in UNITS]
        assert all(a <= b for a, b in zip(after, before))
        assert _balances(index_components, index_token) == [i - o for i, o in zip(paid_in, paid_out)]

    run_isolated(body)
