"""Debt-asset pricing matters: the borrowed stablecoin's market price rises along a path (a run on a
scarce stablecoin: debts are worth more). With `market.stablecoin.pricing: market` the pool's feed
follows it and borrowers near HF 1 are liquidated; with `fixed` the pool keeps pricing it at $1 and
nobody is, while the market price (and the insolvency valued at it) moves the same in both."""

import pytest

# Borrowers at HF 1.03-1.08; the stablecoin rises to $1.10 over two hours, holds, comes back.
UP_PATH = [
    "market.lending.collateral.ltv_bps=8400",
    "population.health_factor.min=1.03", "population.health_factor.max=1.08",
    "population.health_factor.median=1.05", "population.health_factor.sigma=0.1",
    "run.duration_days=0.5", "run.block_time_seconds=24",
    "shocks=[{kind: stablecoin_depeg, at_days: 0.1, path: [[0.08, 1.10], [0.2, 1.10], [0.3, 1.0]],"
    " publish_deviation_bps: 50}]",
]


@pytest.mark.parametrize("pricing", ["market", "fixed"])
def test_stablecoin_path__pricing_mode__decides_the_liquidations(run_scenario, pricing):
    result = run_scenario("calm_market", *UP_PATH, f"market.stablecoin.pricing={pricing}")
    rows = result.timeseries
    peak = max(r["stable_price_usd"] for r in rows)

    if pricing == "market":
        assert result.liquidations, "the feed follows the rise: positions under HF 1.10 are liquidated"
        assert peak == pytest.approx(1.10)
    else:
        assert not result.liquidations
        assert peak == 1.0  # the pool's feed never moved
    # The market price moved in both: the AMM's USD price dips while the stablecoin is dear.
    assert min(r["amm_price_usd"] for r in rows) < rows[0]["amm_price_usd"]
