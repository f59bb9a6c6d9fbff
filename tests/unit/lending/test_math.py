"""The pool's math libraries (via LendingMathHarness) agree with `rwa_testbed.models.aave` exactly.

Half-up rounding of wad/ray/bps products and quotients, the two interest growth laws and the
two-slope rate curve, on hypothesis-drawn inputs over realistic ranges plus the rounding edges.
"""

import ape
import pytest
from hypothesis import given
from hypothesis import strategies as st

from rwa_testbed.models import aave as m

RAY = m.RAY
YEAR = m.SECONDS_PER_YEAR

amounts = st.integers(min_value=0, max_value=10**40)
indexes = st.integers(min_value=RAY, max_value=100 * RAY)
bps = st.integers(min_value=1, max_value=65_535)
rates = st.integers(min_value=0, max_value=10 * RAY)
elapsed = st.integers(min_value=0, max_value=5 * YEAR)


@pytest.fixture(scope="module")
def harness(project, admin):
    return admin.deploy(project.LendingMathHarness)


@given(a=amounts, b=indexes)
def test_ray_mul_and_div__random__match_python(harness, a, b):
    assert harness.rayMul(a, b) == m.ray_mul(a, b)
    assert harness.rayDiv(a, b) == m.ray_div(a, b)
    assert harness.wadMul(a, b) == m.wad_mul(a, b)
    assert harness.wadDiv(a, b) == m.wad_div(a, b)


@given(value=amounts, percentage=bps)
def test_percent_mul_and_div__random__match_python(harness, value, percentage):
    assert harness.percentMul(value, percentage) == m.percent_mul(value, percentage)
    assert harness.percentDiv(value, percentage) == m.percent_div(value, percentage)


def test_rounding__exact_half__rounds_up(harness):
    assert harness.rayMul(1, RAY // 2) == 1  # 0.5 -> 1
    assert harness.rayMul(1, RAY // 2 - 1) == 0  # 0.4999.. -> 0
    assert harness.rayDiv(1, 2 * RAY) == 1  # 0.5 -> 1
    assert harness.rayDiv(1, 2 * RAY + 2) == 0
    assert harness.percentMul(1, 5_000) == 1  # 0.5 -> 1
    assert harness.percentMul(1, 4_999) == 0
    assert harness.percentDiv(1, 20_000) == 1  # 0.5 -> 1
    assert harness.percentDiv(1, 20_002) == 0
    assert harness.wadToRay(3) == 3 * 10**9


def test_ray_div__by_zero__reverts(harness):
    with ape.reverts():
        harness.rayDiv(1, 0)


@given(rate=rates, seconds=elapsed)
def test_interest_growth__random__matches_python(harness, rate, seconds):
    assert harness.linearInterest(rate, seconds) == m.linear_interest(rate, seconds)
    assert harness.compoundedInterest(rate, seconds) == m.compounded_interest(rate, seconds)


def test_compounded_interest__one_year_at_10_percent__binomial_approximation(harness):
    # 1 + 0.1 + 0.1^2/2 + 0.1^3/6 (minus the per-second discretisation), i.e. just under e^0.1
    growth = harness.compoundedInterest(RAY // 10, YEAR)
    assert growth == m.compounded_interest(RAY // 10, YEAR)
    assert 1.1051 * RAY < growth < 1.10517 * RAY
    assert harness.compoundedInterest(RAY // 10, 0) == RAY
    assert harness.linearInterest(RAY // 10, YEAR) == RAY + RAY // 10


@given(
    optimal=st.integers(min_value=1, max_value=RAY),
    base=st.integers(min_value=0, max_value=RAY // 10),
    slope1=st.integers(min_value=0, max_value=RAY // 2),
    slope2=st.integers(min_value=0, max_value=5 * RAY),
    debt=st.integers(min_value=0, max_value=10**30),
    available=st.integers(min_value=0, max_value=10**30),
    deficit=st.one_of(st.just(0), st.integers(min_value=0, max_value=10**30)),
    reserve_factor=st.integers(min_value=0, max_value=10_000),
)
def test_rate_curve__random__matches_python(harness, optimal, base, slope1, slope2, debt, available, deficit, reserve_factor):
    curve = m.RateCurve(optimal, base, slope1, slope2)
    expected = m.interest_rates(curve, debt, available, reserve_factor, deficit)
    params = (optimal, base, slope1, slope2)
    assert tuple(harness.calculateRates(params, debt, available, deficit, reserve_factor)) == expected


def test_rate_curve__kink__slope1_below_slope2_above(harness):
    params = (RAY * 8 // 10, RAY // 100, RAY * 4 // 100, RAY * 60 // 100)
    # usage 80 %: base + slope1, suppliers get that x 0.8 x (1 - 10 %)
    liquidity, variable = harness.calculateRates(params, 800, 200, 0, 1_000)
    assert variable == RAY // 100 + RAY * 4 // 100
    assert liquidity == m.percent_mul(m.ray_mul(variable, RAY * 8 // 10), 9_000)
    # usage 90 %: half the excess, so + slope2 / 2
    _, variable = harness.calculateRates(params, 900, 100, 0, 1_000)
    assert variable == RAY // 100 + RAY * 4 // 100 + RAY * 30 // 100
    # no debt: base rate, suppliers earn nothing
    assert tuple(harness.calculateRates(params, 0, 10**12, 0, 1_000)) == (0, RAY // 100)


def test_rate_curve__deficit__lowers_only_the_supply_rate(harness):
    params = (RAY * 8 // 10, RAY // 100, RAY * 4 // 100, RAY * 60 // 100)
    liquidity, variable = harness.calculateRates(params, 800, 200, 0, 1_000)
    liquidity_with_deficit, variable_with_deficit = harness.calculateRates(params, 800, 200, 1_000, 1_000)
    assert variable_with_deficit == variable
    # supply usage 800 / 2000 instead of 800 / 1000: half the supply rate
    assert liquidity_with_deficit == m.percent_mul(m.ray_mul(variable, RAY * 4 // 10), 9_000)
    assert abs(liquidity_with_deficit * 2 - liquidity) <= 2
