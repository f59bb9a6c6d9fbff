"""RWA² metrics without a chain: each product's true value (the index's basket, the tranches' waterfall),
grid sampling and return correlations, and the per-product summary against direct sums."""

from types import SimpleNamespace

import numpy as np
import pytest

from rwa_testbed import metrics
from rwa_testbed.models.tranche import split
from rwa_testbed.view import ProductView, VaultView, View
from rwa_testbed.world import ComponentValue, World

USD, UNIT, WAD = 10**8, 10**6, 10**18


def _row(t, **values):
    return {"t_seconds": t, **values}


def test_sample_rows__the_row_in_force_at_each_grid_time():
    rows = [_row(0, x=1), _row(5, x=2), _row(20, x=3)]
    assert [r["x"] for r in metrics.sample_rows(rows, 0, 20, 10)] == [1, 2, 3]
    assert [r["x"] for r in metrics.sample_rows(rows, 0, 4, 1)] == [1] * 5
    # Extra rows between grid times (a finer stepping) give the same samples.
    finer = sorted(rows + [_row(3, x=1), _row(19, x=2)], key=lambda r: r["t_seconds"])
    assert metrics.sample_rows(finer, 0, 20, 10) == metrics.sample_rows(rows, 0, 20, 10)


def test_mean_return_correlation__matches_numpy_over_moving_columns():
    rng = np.random.default_rng(1)
    a = np.exp(np.cumsum(rng.normal(size=50)))
    b = np.exp(np.cumsum(rng.normal(size=50)))
    c = np.exp(np.cumsum(rng.normal(size=50)))
    series = np.column_stack([a, b, np.full(50, 3.0), c])  # the constant column has no correlation
    changes = np.diff(np.log(np.column_stack([a, b, c])), axis=0)
    corr = np.corrcoef(changes, rowvar=False)
    assert metrics.mean_return_correlation(series) == pytest.approx((corr[0, 1] + corr[0, 2] + corr[1, 2]) / 3)
    assert metrics.mean_return_correlation(np.column_stack([a, 2 * a])) == pytest.approx(1.0)
    assert metrics.mean_return_correlation(np.column_stack([a, 1 / a])) == pytest.approx(-1.0)
    assert metrics.mean_return_correlation(np.column_stack([a, np.ones(50)])) is None  # one column moves
    assert metrics.mean_return_correlation(series[:3]) is None  # too few changes


def test_product_prices__index_is_its_basket_and_tranches_the_waterfall():
    world = World(nav0_usd=50.0, yield_apr=0.0)
    world.value_factors.append(lambda t: 0.8)  # the SPV token at $40
    world.components = [ComponentValue("SME", 1.0, 0.0, [lambda t: 0.5]), ComponentValue("TB", 100.0, 0.0)]
    units = [2 * WAD // 5 // 50 * 100, 35 * WAD // 100, 25 * WAD // 100 // 100 * 1]  # per share: 0.8 NJ, 35 SME, 0.25 TB
    vault = VaultView(index_balance=1_000 * WAD, senior_claim=60_000 * USD, senior_supply=60_000 * WAD,
                      junior_supply=40_000 * WAD)
    line = ProductView(90 * USD, 0, 1_000 * WAD, 85_000 * UNIT)
    view = View(t=0, oracle_answer=45 * USD, oracle_updated_at=0, stable_answer=USD, spv_reserve=1_000 * WAD,
                stable_reserve=41_000 * UNIT, accounts=[], deficit=0, nav_per_token=50 * UNIT, redemptions_frozen=False,
                impaired=False, products={"index": line, "senior": line, "junior": line}, component_answers=(USD, 100 * USD),
                vault=vault)
    ctx = SimpleNamespace(world=world)

    prices = metrics.product_prices(view, ctx, 0, units)

    index_true = 0.8 * 40 + 0.35 * 0.5 + 0.0025 * 100  # $32.425 a share
    assert prices["index"]["true"] == pytest.approx(index_true)
    senior, junior = split(round(1_000 * index_true * USD), 60_000 * USD)
    assert prices["senior"]["true"] == pytest.approx(senior / USD / 60_000)
    assert prices["junior"]["true"] == pytest.approx(junior / USD / 40_000)
    assert junior == 0 and prices["senior"]["true"] < 1  # the loss went through the junior first, then the senior
    assert prices["index"]["oracle"] == 90 and prices["index"]["amm"] == pytest.approx(85)
    assert prices["SME"] == {"true": 0.5, "oracle": 1.0} and prices["spv"]["true"] == 40


def test_structured_summary__per_product_sums_match_the_liquidations():
    rows = []
    for t in range(0, 5 * 86_400 + 1, 86_400):
        row = _row(t, true_nav_usd=50.0, oracle_price_usd=50.0, amm_price_usd=50.0 - t / 86_400,
                   index_true_usd=100.0, index_oracle_usd=100.0, index_amm_usd=100.0 - 2 * t / 86_400)
        row.update(spv_insolvent_debt_at_true_value_usd=1.0, index_insolvent_debt_at_true_value_usd=2.0)
        rows.append(row)
    liqs = [{"user": "0xA", "debt_repaid_usd": 10.0, "deficit_created_usd": 0.0},
            {"user": "0xb", "debt_repaid_usd": 5.0, "deficit_created_usd": 3.0},
            {"user": "0xB", "debt_repaid_usd": 7.0, "deficit_created_usd": 4.0}]

    out = metrics.structured_summary(rows, liqs, ["0xa", "0xB", "0xc"], ["spv", "index", "index"],
                                     lambda t: [1.1, 1.0] if (t // 86_400) % 2 else [1.0, 1.1], None, 12)

    spv, index = out["products"]["spv"], out["products"]["index"]
    assert (spv["borrowers"], spv["liquidations"], spv["debt_repaid_usd"], spv["bad_debt_usd"]) == (1, 1, 10.0, 0.0)
    assert (index["borrowers"], index["liquidations"], index["debt_repaid_usd"], index["bad_debt_usd"]) == (2, 2, 12.0, 7.0)
    assert index["min_amm_usd"] == 90.0 and index["max_amm_drop_from_true_start_pct"] == pytest.approx(10.0)
    assert out["correlation"]["market_prices_daily"] == pytest.approx(1.0)  # both fall every day
    assert out["correlation"]["basket_true_values_daily"] == pytest.approx(-1.0)  # one up when the other is down
    assert out["correlation"]["market_prices_in_cascade"] is None  # no cascade
    assert "senior_vs_underlying" not in out
