"""TrancheMath (through its harness) against its Python mirror `rwa_testbed.models.tranche`, integer
for integer on the same inputs, and the waterfall's split: exact conservation, junior first loss."""

from hypothesis import assume, given

from rwa_testbed.models import tranche as model

from .structured_strategies import assets, coupons_bps, elapsed, prices, supplies, usd8


@given(amount=assets, price=prices, value=usd8, principal=usd8, coupon=coupons_bps, seconds=elapsed)
def test_tranche_math__values_claims_principals__equal_the_model(tranche_math, amount, price, value, principal,
                                                                  coupon, seconds):
    assert tranche_math.assetsValue(amount, price) == model.assets_value(amount, price)
    assert tranche_math.assetsForValue(value, price) == model.assets_for_value(value, price)
    assert tranche_math.seniorClaim(principal, coupon, seconds) == model.senior_claim(principal, coupon, seconds)
    assert tranche_math.principalForClaim(value, coupon, seconds) == model.principal_for_claim(value, coupon, seconds)
    # the principal set on a first deposit never claims more than the deposit's value
    assert model.senior_claim(model.principal_for_claim(value, coupon, seconds), coupon, seconds) <= value


@given(value=usd8, tranche_value=usd8, supply=supplies, moved=supplies)
def test_tranche_math__shares_values_navs_principals__equal_the_model(tranche_math, value, tranche_value, supply,
                                                                      moved):
    assume(supply == 0 or tranche_value > 0)
    assert tranche_math.sharesForValue(value, tranche_value, supply) == model.shares_for_value(
        value, tranche_value, supply)
    assert tranche_math.valueForShares(min(moved, supply), tranche_value, supply) == model.value_for_shares(
        min(moved, supply), tranche_value, supply)
    assert tranche_math.navPerToken(tranche_value, supply) == model.nav_per_token(tranche_value, supply)
    if supply:
        assert tranche_math.principalAfterMint(value, moved, supply) == model.principal_after_mint(value, moved, supply)
        burned = min(moved, supply)
        assert tranche_math.principalAfterBurn(value, burned, supply) == model.principal_after_burn(
            value, burned, supply)


@given(total=usd8, claim=usd8)
def test_split__any_value_and_claim__conserves_and_caps_the_senior(tranche_math, total, claim):
    senior, junior = tranche_math.split(total, claim)

    assert (senior, junior) == model.split(total, claim)
    assert senior + junior == total
    assert senior <= claim
    assert junior == 0 or senior == claim  # the senior is short only once the junior is wiped out


@given(total=usd8, loss=usd8, claim=usd8)
def test_split__a_loss__hits_the_junior_first(total, loss, claim):
    loss = min(loss, total)
    senior_before, junior_before = model.split(total, claim)
    senior_after, junior_after = model.split(total - loss, claim)

    assert junior_before - junior_after == min(loss, junior_before)
    assert senior_before - senior_after == loss - min(loss, junior_before)


def test_senior_claim__half_a_year_at_8_percent__is_104_percent():
    year = 365 * 86_400
    assert model.senior_claim(1_000 * 10**8, 800, year // 2) == 1_040 * 10**8
    assert model.principal_for_claim(1_040 * 10**8, 800, year // 2) == 1_000 * 10**8


def test_shares_for_value__empty_tranche__one_token_per_usd():
    assert model.shares_for_value(250 * 10**8, 0, 0) == 250 * 10**18
    assert model.nav_per_token(0, 0) == 10**8

