"""TrancheVault on hand-computed examples: deposits at the tranche's value per token, the junior
absorbing losses first, the senior's claim (simple interest, capped), the principal's pro-rata
bookkeeping, in-kind redemptions, events with every amount, and every error with its arguments."""

import pytest
from fixtures.constants import USD, WAD

from rwa_testbed.models.tranche import Tranche
from rwa_testbed.testing import deploy, reverts
from rwa_testbed.units import SECONDS_PER_YEAR

ZERO = "0x" + "00" * 20
SENIOR, JUNIOR = int(Tranche.SENIOR), int(Tranche.JUNIOR)


@pytest.fixture
def zero_coupon_vault(create_tranche_vault, fund_tranche_investors):
    """A vault without coupon (the claim is the principal), its investors funded."""
    return fund_tranche_investors(create_tranche_vault(coupon_bps=0))


def _set_price(feed, price, admin):
    feed.setAnswer(price, sender=admin)


def _values(vault):
    return tuple(vault.values())


def test_waterfall__price_falls_then_recovers__junior_takes_losses_first_and_all_upside(
        zero_coupon_vault, vault_feed, admin, lp, trader):
    vault = zero_coupon_vault
    assert vault.depositJunior(2 * WAD, trader, sender=trader).return_value == 200 * WAD  # $200, 1 token per USD
    assert vault.depositSenior(8 * WAD, lp, sender=lp).return_value == 800 * WAD  # $800
    assert vault.seniorPrincipal() == 800 * USD
    assert _values(vault) == (1_000 * USD, 800 * USD, 800 * USD, 200 * USD)

    _set_price(vault_feed, 85 * USD, admin)  # -$150: all of it on the junior
    assert _values(vault) == (850 * USD, 800 * USD, 800 * USD, 50 * USD)
    assert (vault.seniorNavPerToken(), vault.juniorNavPerToken()) == (USD, USD // 4)

    _set_price(vault_feed, 70 * USD, admin)  # -$300: the junior is wiped out, the senior short by $100
    assert _values(vault) == (700 * USD, 800 * USD, 700 * USD, 0)
    assert (vault.seniorNavPerToken(), vault.juniorNavPerToken()) == (USD * 7 // 8, 0)

    _set_price(vault_feed, 120 * USD, admin)  # +$500 from $700: the senior back to its claim, the rest junior
    assert _values(vault) == (1_200 * USD, 800 * USD, 800 * USD, 400 * USD)
    assert vault.juniorNavPerToken() == 2 * USD


def test_deposit_senior__while_impaired__prices_at_the_impaired_nav_and_keeps_claims_per_token_equal(
        zero_coupon_vault, vault_feed, admin, lp, trader, borrower, vault_underlying):
    vault = zero_coupon_vault
    vault.depositJunior(2 * WAD, trader, sender=trader)
    vault.depositSenior(8 * WAD, lp, sender=lp)
    _set_price(vault_feed, 70 * USD, admin)  # senior worth $700 for 800 tokens

    minted = vault.depositSenior(WAD, lp, sender=lp).return_value  # $70

    assert minted == 80 * WAD  # 70 x 800 / 700
    assert vault.seniorPrincipal() == 880 * USD  # pro rata: 800 x (800 + 80) / 800, i.e. $1.10 per token as before
    assert _values(vault) == (770 * USD, 880 * USD, 770 * USD, 0)  # the new tokens are worth their $70
    _set_price(vault_feed, 120 * USD, admin)  # 11 tokens x $120
    assert _values(vault) == (1_320 * USD, 880 * USD, 880 * USD, 440 * USD)
    assert vault.seniorNavPerToken() == USD


def test_redeem_junior__after_a_rise__pays_its_value_in_kind_rounded_down(
        zero_coupon_vault, vault_feed, vault_underlying, admin, lp, trader, borrower):
    vault = zero_coupon_vault
    vault.depositJunior(2 * WAD, trader, sender=trader)
    vault.depositSenior(8 * WAD, lp, sender=lp)
    _set_price(vault_feed, 120 * USD, admin)  # junior worth $400

    tx = vault.redeemJunior(200 * WAD, borrower, sender=trader)

    paid = 400 * USD * WAD // (120 * USD)  # 3.333... tokens, rounded down
    assert tx.return_value == paid == 3_333_333_333_333_333_333
    assert vault_underlying.balanceOf(borrower) == paid
    assert tx.events.filter(vault.Redeemed) == [vault.Redeemed(
        tranche=JUNIOR, caller=trader.address, to=borrower.address, shares=200 * WAD, value=400 * USD, assets=paid,
        price=120 * USD, seniorPrincipal=800 * USD)]
    assert _values(vault)[0] == (10 * WAD - paid) * 120 * USD // WAD  # the dust stays in the vault


def test_redeem_senior__half__pays_half_its_value_and_halves_the_principal(zero_coupon_vault, vault_underlying,
                                                                           lp, trader):
    vault = zero_coupon_vault
    vault.depositJunior(WAD, trader, sender=trader)
    vault.depositSenior(4 * WAD, lp, sender=lp)
    before = vault_underlying.balanceOf(lp)

    tx = vault.redeemSenior(200 * WAD, lp, sender=lp)

    assert tx.return_value == 2 * WAD
    assert vault_underlying.balanceOf(lp) - before == 2 * WAD
    assert vault.seniorPrincipal() == 200 * USD
    assert _values(vault) == (300 * USD, 200 * USD, 200 * USD, 100 * USD)


def test_deposit_senior__to_another_account__mints_to_it_and_emits_every_amount(zero_coupon_vault, tranche_tokens,
                                                                                project, lp, borrower):
    vault = zero_coupon_vault
    senior = project.TrancheToken.at(vault.seniorToken())

    tx = vault.depositSenior(3 * WAD + 1, borrower, sender=lp)

    value = (3 * WAD + 1) * 100 * USD // WAD  # 300e8: the extra wei is worth less than a unit
    assert senior.balanceOf(borrower) == 300 * WAD and senior.balanceOf(lp) == 0
    assert tx.events.filter(vault.Deposited) == [vault.Deposited(
        tranche=SENIOR, caller=lp.address, to=borrower.address, assets=3 * WAD + 1, value=value, shares=300 * WAD,
        price=100 * USD, seniorPrincipal=300 * USD)]


def test_senior_claim__a_quarter_then_half_a_year_at_8_percent__senior_accrues_and_junior_pays(
        create_tranche_vault, fund_tranche_investors, lp, trader, chain):
    vault = fund_tranche_investors(create_tranche_vault(coupon_bps=800))
    quarter = vault.inceptionTime() + SECONDS_PER_YEAR // 4
    chain.pending_timestamp = quarter
    vault.depositJunior(5 * WAD, trader, sender=trader)  # $500
    chain.pending_timestamp = quarter
    vault.depositSenior(102 * WAD // 10, lp, sender=lp)  # $1,020, a quarter in: 1,020 / 1.02 as of inception

    assert vault.seniorPrincipal() == 1_000 * USD
    chain.mine(timestamp=quarter + SECONDS_PER_YEAR // 4)

    assert _values(vault) == (1_520 * USD, 1_040 * USD, 1_040 * USD, 480 * USD)
    assert vault.seniorNavPerToken() == 1_040 * USD // 1_020  # $1.0196... for 1,020 tokens
    assert vault.juniorNavPerToken() == 96 * USD // 100


def test_senior_claim__first_deposit_after_a_year__claims_its_value_then_accrues_from_there(
        create_tranche_vault, fund_tranche_investors, lp, chain):
    vault = fund_tranche_investors(create_tranche_vault(coupon_bps=1_000))
    inception = vault.inceptionTime()
    chain.pending_timestamp = inception + SECONDS_PER_YEAR

    vault.depositSenior(11 * WAD, lp, sender=lp)  # $1,100 a year in: principal as of inception $1,000

    assert vault.seniorPrincipal() == 1_000 * USD
    assert vault.seniorClaim() == 1_100 * USD
    assert vault.seniorNavPerToken() == USD  # 1,100 tokens for $1,100
    chain.mine(timestamp=inception + 2 * SECONDS_PER_YEAR)
    assert vault.seniorClaim() == 1_200 * USD  # simple interest on the principal, not on the claim


# ---------------------------------------------------------------- errors


def test_constructor__zero_underlying__reverts_zero_address(project, admin, vault_feed):
    with reverts(project.TrancheVault.ZeroAddress, parameter="underlying"):
        deploy(admin, project.TrancheVault, ZERO, vault_feed, 0, "S", "S", "J", "J")


def test_constructor__zero_feed__reverts_zero_address(project, admin, vault_underlying):
    with reverts(project.TrancheVault.ZeroAddress, parameter="priceFeed"):
        deploy(admin, project.TrancheVault, vault_underlying, ZERO, 0, "S", "S", "J", "J")


def test_constructor__feed_with_18_decimals__reverts_unsupported_feed_decimals(project, admin, create_tranche_vault):
    feed_18 = admin.deploy(project.LatencyOracle, 18, "18-decimal feed", 0, 0, 0, admin)
    with reverts(project.TrancheVault.UnsupportedFeedDecimals, decimals=18):
        create_tranche_vault(feed=feed_18)


def test_constructor__underlying_with_6_decimals__reverts_unsupported_underlying_decimals(
        project, create_tranche_vault, stablecoin):
    with reverts(project.TrancheVault.UnsupportedUnderlyingDecimals, decimals=6):
        create_tranche_vault(underlying=stablecoin)


def test_constructor__coupon_above_100_percent__reverts_coupon_too_high(project, create_tranche_vault):
    with reverts(project.TrancheVault.CouponTooHigh, couponBps=10_001, maxCouponBps=10_000):
        create_tranche_vault(coupon_bps=10_001)


def test_constructor__deploys_both_tranche_tokens__owned_by_the_vault(tranche_vault, tranche_tokens):
    senior, junior = tranche_tokens
    assert (senior.vault(), junior.vault()) == (tranche_vault.address, tranche_vault.address)
    assert (senior.symbol(), junior.symbol(), senior.decimals(), junior.decimals()) == ("SNR", "JNR", 18, 18)


def test_deposit__zero_assets__reverts_zero_amount(tranche_vault, lp):
    with reverts(tranche_vault.ZeroAmount):
        tranche_vault.depositSenior(0, lp, sender=lp)


def test_deposit__zero_recipient__reverts_zero_address(tranche_vault, lp):
    with reverts(tranche_vault.ZeroAddress, parameter="to"):
        tranche_vault.depositJunior(WAD, ZERO, sender=lp)


def test_deposit__worth_less_than_a_value_unit__reverts_deposit_too_small(tranche_vault, lp):
    # 99,999,999 wei x $100 = 0.99... of a USD8 unit, rounded down to 0
    with reverts(tranche_vault.DepositTooSmall, tranche=SENIOR, assets=99_999_999, value=0):
        tranche_vault.depositSenior(99_999_999, lp, sender=lp)


def test_deposit_junior__junior_wiped_out__reverts_tranche_wiped_out(zero_coupon_vault, vault_feed, admin, lp,
                                                                     trader):
    zero_coupon_vault.depositJunior(2 * WAD, trader, sender=trader)
    zero_coupon_vault.depositSenior(8 * WAD, lp, sender=lp)
    _set_price(vault_feed, 80 * USD, admin)  # exactly the senior's claim: the junior is worth 0

    with reverts(zero_coupon_vault.TrancheWipedOut, tranche=JUNIOR, supply=200 * WAD, totalValue=800 * USD,
                 seniorClaim=800 * USD):
        zero_coupon_vault.depositJunior(WAD, trader, sender=trader)


def test_deposit_junior__no_junior_and_senior_impaired__reverts_tranche_wiped_out(zero_coupon_vault, vault_feed,
                                                                                 admin, lp, trader):
    zero_coupon_vault.depositSenior(WAD, lp, sender=lp)
    _set_price(vault_feed, 50 * USD, admin)

    with reverts(zero_coupon_vault.TrancheWipedOut, tranche=JUNIOR, supply=0, totalValue=50 * USD,
                 seniorClaim=100 * USD):
        zero_coupon_vault.depositJunior(WAD, trader, sender=trader)


def test_deposit_senior__senior_worth_nothing__reverts_tranche_wiped_out(zero_coupon_vault, vault_feed, admin, lp):
    zero_coupon_vault.depositSenior(10**10, lp, sender=lp)  # 100 USD8 units, 1e12 tokens
    _set_price(vault_feed, 1, admin)  # 1e10 wei x 1e-8 USD rounds to 0

    with reverts(zero_coupon_vault.TrancheWipedOut, tranche=SENIOR, supply=10**12, totalValue=0, seniorClaim=100):
        zero_coupon_vault.depositSenior(WAD, lp, sender=lp)


@pytest.mark.parametrize("answer", [0, -1])
def test_values__price_not_positive__reverts_invalid_price(tranche_vault, vault_feed, admin, lp, answer):
    _set_price(vault_feed, answer, admin)

    with reverts(tranche_vault.InvalidPrice, answer=answer):
        tranche_vault.seniorValue()
    with reverts(tranche_vault.InvalidPrice, answer=answer):
        tranche_vault.depositSenior(WAD, lp, sender=lp)


def test_redeem__more_than_held__reverts_insufficient_balance(project, tranche_vault, lp):
    with reverts(project.TrancheToken.ERC20InsufficientBalance, sender=lp.address, balance=0, needed=1):
        tranche_vault.redeemSenior(1, lp, sender=lp)


def test_redeem__zero_shares__reverts_zero_amount(tranche_vault, lp):
    with reverts(tranche_vault.ZeroAmount):
        tranche_vault.redeemJunior(0, lp, sender=lp)


def test_tranche_token__mint_or_burn_by_anyone_else__reverts_only_vault(tranche_tokens, tranche_vault, attacker):
    senior, junior = tranche_tokens
    with reverts(senior.OnlyVault, caller=attacker.address, vault=tranche_vault.address):
        senior.mint(attacker, WAD, sender=attacker)
    with reverts(junior.OnlyVault, caller=attacker.address, vault=tranche_vault.address):
        junior.burn(attacker, 0, sender=attacker)


def test_deposit_senior__first_one_a_value_unit_after_inception__reverts_deposit_too_small(tranche_vault, lp, chain):
    chain.pending_timestamp = tranche_vault.inceptionTime() + 86_400
    # 1e8 wei x $100 = 1 USD8 unit; as of inception that is floor(1 / (1 + 8 % x 1 day)) = 0 principal
    with reverts(tranche_vault.DepositTooSmall, tranche=SENIOR, assets=10**8, value=1):
        tranche_vault.depositSenior(10**8, lp, sender=lp)
