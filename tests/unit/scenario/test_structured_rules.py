"""`market.structured` (RWA²) at load: weights, issuance budgets of every component and product, the
products borrowers supply, the venue and oracle it needs, the tail's product draw from its own stream."""

from collections import Counter
from pathlib import Path

import numpy as np
import pytest

from rwa_testbed import scenario as sc

SMALL = str(Path(__file__).parents[2] / "e2e" / "scenarios" / "rwa_squared_small.yaml")


def _message(overrides, name=SMALL):
    with pytest.raises(sc.ScenarioError) as err:
        sc.load(name, overrides)
    return str(err.value)


def test_weights__one_per_basket_token_summing_to_10000():
    msg = _message(["market.structured.index.weights_bps=[5000, 5000]"])
    assert "market.structured.index.weights_bps, market.structured.components: one weight for market.asset and " \
           "each of the 2 components (3), summing to 10,000 (got 2 weights summing to 10,000)" in msg
    msg = _message(["market.structured.index.weights_bps=[4000, 3500, 2000]"])
    assert "(got 3 weights summing to 9,500)" in msg


def test_component__issued_less_than_the_basket_holds__names_it():
    msg = _message(["market.structured.components.1.size_usd=10000000"])
    assert "market.structured.components.1.size_usd, market.structured.index: the index's basket holds " \
           "15,000,000 USD of TBILL but only 10,000,000 USD is issued" in msg


def test_spv_token__budget_counts_the_index_basket():
    msg = _message(["market.structured.index.size_usd=300000000", "market.structured.components.0.size_usd=200000000",
                    "market.structured.components.1.size_usd=200000000"])
    assert "+ the index's basket (120,000,000)" in msg


def test_index__issued_less_than_pairs_deposits_and_collateral__names_every_term():
    msg = _message(["market.structured.index.size_usd=50000000"])
    assert msg.split(": ", 1)[1].startswith("market.structured.index.size_usd, population: the 50,000,000 USD of index")
    for term in ("AMM side (1,500,000)", "senior deposit (30,000,000)", "junior deposit (15,000,000)", "collateral ("):
        assert term in msg


def test_tranche__issued_less_than_its_collateral__names_it():
    msg = _message(["market.structured.tranches.junior.size_usd=5000000"])
    assert "market.structured.tranches.junior.size_usd, population: the 5,000,000 USD of junior issued" in msg


def test_product_supplied_but_not_listed__names_the_listed_ones():
    msg = _message(["market.structured.tranches=null"])
    assert "borrowers supply 'senior', which the market does not list (listed: spv, index)" in msg
    msg = _message(["population.positions.0.collateral=index"], name="concentrated_whale")
    assert "borrowers supply 'index', which the market does not list (listed: spv)" in msg


def test_product_without_ltv__is_rejected():
    msg = _message(["market.structured.tranches.senior.reserve.ltv_bps=0"])
    assert "market.structured.tranches.senior.reserve.ltv_bps, population.borrowers: borrowers supply senior, which needs LTV > 0" in msg


def test_needs_our_pool_and_a_latency_nav_feed():
    assert "structured products are listed on our pool only" in _message(["venue.kind=aave-v3"])
    assert "needs market.oracle.kind 'latency'" in _message(["market.oracle.kind=twap"])
    assert "without the conservative oracle" in _message(["market.mitigations.oracle.max_change_bps=1000"])


def test_collateral_mix__must_sum_to_one():
    msg = _message(["population.collateral_mix={spv: 0.5, index: 0.4}"])
    assert "population.collateral_mix" in msg and "sum to 1 (got 0.9)" in msg


def test_tail_products__drawn_from_their_own_stream__other_draws_unchanged():
    mixed = sc.load(SMALL)
    plain = sc.load(SMALL, ["population.collateral_mix=null", "population.positions=[]"])
    rng = lambda s: np.random.default_rng(s.run.seed)  # noqa: E731
    tail_mixed = sc.sample_positions(mixed, rng(mixed))[0][1:]
    tail_plain = sc.sample_positions(plain, rng(plain))[0]
    assert {p.product for p in tail_plain} == {"spv"}
    # The same sizes and health factors; each borrower's value now in its product at that product's NAV.
    for a, b in zip(tail_mixed, tail_plain):
        assert a.collateral_tokens * sc.product_nav0(mixed, a.product) == pytest.approx(b.collateral_tokens * 50.0)
    counts = Counter(sc.tail_products(mixed, 4_000))
    assert set(counts) == {"spv", "index", "senior", "junior"}
    assert all(abs(n / 4_000 - 0.25) < 0.03 for n in counts.values())
    assert sc.tail_products(mixed, 24) == sc.tail_products(mixed, 24), "seeded"


def test_shock_asset__names_a_component_or_is_unset():
    sc.load(SMALL, ["shocks.+={kind: natural_disaster, at_days: 5, value_drop_pct: 20, asset: SGSME}"])
    msg = _message(["shocks.+={kind: default_wave, at_days: 5, nav_drop_pct: 20, over_days: 5, asset: NOPE}"])
    assert "shocks.0.asset, market.structured.components: 'NOPE' names no component (components: SGSME, TBILL)" in msg
    msg = _message(["shocks.0={kind: natural_disaster, at_days: 5, value_drop_pct: 20, asset: X}"],
                   name="real_estate_flash_crash")
    assert "names no component (components: none, market.structured is not set)" in msg


def test_components__symbols_distinct_from_each_other_and_the_spv_token():
    msg = _message(["market.structured.components.1.symbol=NJOT"])
    assert "every SPV token needs its own symbol (got NJOT, SGSME, NJOT)" in msg


def test_remedies_and_redeem_desks__not_with_structured_products_yet():
    msg = _message(["market.mitigations.circuit_breakers.divergence_pause_bps=500"])
    assert "market.structured, market.mitigations.circuit_breakers.divergence_pause_bps: the remedies" in msg
    msg = _message(["agents.liquidators.+={atomic: false, disposal: redeem}"])
    assert "agents.liquidators.1.disposal: a 'redeem' desk redeems SPV tokens" in msg


def test_component_true_value__bounded_points():
    msg = _message(["market.structured.components.0.true_value={volatility_pct_per_year: 20, step_days: 0.001}"])
    assert "market.structured.components.0.true_value.step_days, run.duration_days" in msg
