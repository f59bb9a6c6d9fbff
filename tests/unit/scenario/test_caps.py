"""Supply cap and debt ceiling (`market.mitigations.collateral`): their whole-token form, the rules
across fields, and who setup admits under them (`population.admit`, first come first served)."""

import numpy as np
import pytest

from rwa_testbed import scenario as sc
from rwa_testbed.models.reserve import within_cap
from rwa_testbed.population import CAP_INTEREST_HEADROOM, admit
from rwa_testbed.scenario import Position

SMALL = ["population.borrowers=8", "population.holders=6"]


def _with(*overrides):
    return sc.load("real_estate_flash_crash", [*SMALL, *overrides])


def _message(*overrides):
    with pytest.raises(sc.ScenarioError) as err:
        _with(*overrides)
    return str(err.value)


def test_within_cap__the_pools_check_in_token_units():
    assert within_cap(5 * 10**6, 5, 6)
    assert not within_cap(5 * 10**6 + 1, 5, 6)
    assert within_cap(10**40, 0, 18)  # 0: no cap


def test_cap_tokens__usd_at_start_nav_and_one_dollar_rounded_down():
    c = sc.CollateralMitigations(supply_cap_usd=1_000_000, debt_ceiling_usd=2_500_000.9)
    assert c.cap_tokens(nav0_usd=3.0) == (333_333, 2_500_000)
    assert sc.CollateralMitigations().cap_tokens(1.0) == (0, 0)


def test_caps__below_one_token__rejected_not_silently_uncapped():
    msg = _message("market.asset.nav_per_token_usd=100", "market.mitigations.collateral.supply_cap_usd=50")
    assert "market.mitigations.collateral.supply_cap_usd: 50.00 USD at 100 USD a token is 0 whole tokens" in msg


def test_caps__with_leverage_loops__rejected():
    msg = _message("market.mitigations.collateral.debt_ceiling_usd=1000000", "population.leverage_loops=1")
    assert "population.leverage_loops" in msg


def _positions(*pairs):
    return [Position(collateral, debt, 1.5) for collateral, debt in pairs]


def test_admit__without_caps__everyone():
    s = _with()
    assert admit(s, _positions((1e9, 1e9), (1, 1))) == [True, True]


def test_admit__supply_cap__first_come_first_served_and_smaller_later_ones_fit():
    s = _with("market.mitigations.collateral.supply_cap_usd=100")  # NAV $1: 100 tokens

    assert admit(s, _positions((60, 1), (50, 1), (40, 1), (1, 1))) == [True, False, True, False]


def test_admit__debt_ceiling__keeps_the_interest_headroom():
    s = _with("market.mitigations.collateral.debt_ceiling_usd=1000")
    fits_exactly = 1000 / (1 + CAP_INTEREST_HEADROOM)

    assert admit(s, _positions((1, fits_exactly - 0.01), (1, 0.02))) == [True, False]
    assert admit(s, _positions((1, 1000))) == [False]


def test_admit__the_sampled_population__turns_away_the_overflow():
    s = _with("market.mitigations.collateral.supply_cap_usd=250000000")  # half the $500M collateral
    positions, _ = sc.sample_positions(s, np.random.default_rng(s.run.seed))
    fits = admit(s, positions)

    admitted = sum(p.collateral_tokens for p, ok in zip(positions, fits) if ok)
    assert 0 < sum(fits) < len(positions)
    assert admitted <= 250_000_000
    # Every one turned away would have passed the cap on top of those admitted before it.
    for i, (p, ok) in enumerate(zip(positions, fits)):
        before = sum(q.collateral_tokens for q, k in zip(positions[:i], fits[:i]) if k)
        assert ok == (before + p.collateral_tokens <= 250_000_000 + 1e-6)
