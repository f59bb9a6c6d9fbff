"""RWA² runs (`market.structured`): each borrower is liquidated in its own product on that product's pair,
the engine's numbers do not depend on how it steps (default vs every block, kept accounts vs full reads),
and the shared oracle design is shared on-chain (an outage stalls every NAV feed, and the index's feed
with them)."""

import pytest
from eth_utils import keccak

from rwa_testbed import report
from rwa_testbed import scenario as sc
from rwa_testbed.engine import Engine

from .conftest import assert_no_agent_errors
from .test_structured_setup import SMALL_RWA_SQUARED, read

# The small RWA² market on a short clock (reports every 6 hours, 10-minute publication delay), pairs at NAV
# (no leverage loop), then two component shocks six hours in: the office tower (the scenario's own SPV
# token, 40 % of the index) loses 30 % at once, the SME loans (35 %) 25 % over half a day. The index loses
# ~21 %, which the junior tranche (a third of the vault) absorbs while the senior stays whole.
SHORT = [
    "population.leverage_loops=0", "run.duration_days=1.5", "run.block_time_seconds=60",
    "market.custodian.report_every_days=0.25", "market.oracle.delay_seconds=600",
    "shocks=[{kind: natural_disaster, at_days: 0.25, value_drop_pct: 30},"
    " {kind: default_wave, at_days: 0.25, nav_drop_pct: 25, over_days: 0.5, asset: SGSME}]",
]


@pytest.fixture
def run_structured(chain):
    def run(*overrides: str, **engine_options):
        scenario = sc.load(SMALL_RWA_SQUARED, [*SHORT, *overrides])
        result = Engine(scenario, chain.provider.uri, **engine_options).run()
        assert_no_agent_errors(result)
        return result

    return run


def test_run__each_product_liquidated_in_its_own_product__senior_whole_while_junior_absorbs(run_structured):
    result = run_structured()
    st = result.summary["structured"]
    products = st["products"]

    for name in ("spv", "index", "junior"):
        assert products[name]["liquidations"] > 0, name
    assert products["senior"]["liquidations"] == 0
    assert products["index"]["true_change_pct"] < -15
    assert products["junior"]["true_change_pct"] < -45
    assert products["senior"]["true_change_pct"] > 0  # its coupon accrues: the junior took the whole loss
    assert st["senior_vs_underlying"]["senior_true_change_pct"] == products["senior"]["true_change_pct"]
    # Bad debt by product adds up to the pool's, and liquidations by product to the run's.
    assert sum(p["bad_debt_usd"] for p in products.values()) == pytest.approx(result.summary["bad_debt"]["usd"], abs=1e-6)
    assert sum(p["liquidations"] for p in products.values()) == result.summary["liquidations"]["count"]
    rows = result.timeseries
    for name in ("index", "senior", "junior"):
        assert {f"{name}_true_usd", f"{name}_oracle_usd", f"{name}_amm_usd"} <= rows[-1].keys()
    assert {"SGSME_true_usd", "TBILL_oracle_usd"} <= rows[-1].keys()
    assert rows[-1]["SGSME_true_usd"] == pytest.approx(0.75)


def test_run__liquidations_reach_each_products_own_reserve(run_structured, chain):
    scenario = sc.load(SMALL_RWA_SQUARED, SHORT)
    engine = Engine(scenario, chain.provider.uri)
    ctx = engine.setup()
    result = engine.run()
    assert_no_agent_errors(result)
    m = ctx.market
    tokens = {"spv": m.spv} | {name: p.token for name, p in m.structured.products.items()}
    for i, who in enumerate(ctx.actors.borrowers):
        product = ctx.product_of(i)
        liquidated = [x for x in result.liquidations if x["user"].lower() == who.address.lower()]
        others = [t for name, t in tokens.items() if name != product]
        for token in others:  # nobody ever held a position in another product
            assert read(engine.chain, m.pool, "supplyBalanceOf", token.address, who.address) == 0
        if liquidated:
            start = engine.population.positions[i].collateral_tokens
            left = read(engine.chain, m.pool, "supplyBalanceOf", tokens[product].address, who.address) / 10**18
            seized = sum(x["collateral_seized_tokens"] for x in liquidated)
            assert left < start and seized > 0, (i, product)


def test_run__default_stepping_and_kept_accounts__same_run_as_the_reference(chain):
    scenario = sc.load(SMALL_RWA_SQUARED, SHORT)
    runs = {}
    for name, options in {"default": {}, "every_block": {"every_block": True},
                          "full_reads": {"full_account_reads": True}}.items():
        snapshot = chain.snapshot()
        runs[name] = Engine(scenario, chain.provider.uri, **options).run()
        chain.restore(snapshot)
        assert_no_agent_errors(runs[name])
    key = lambda r: [(x["t_seconds"], x["user"], x["liquidator"], x["debt_repaid_usd"], x["collateral_seized_tokens"],  # noqa: E731
                      x["deficit_created_usd"]) for x in r.liquidations]
    assert runs["default"].liquidations, "the case must liquidate"
    assert key(runs["default"]) == key(runs["every_block"])
    assert runs["default"].summary["structured"] == runs["every_block"].summary["structured"]
    assert report.summary_json(runs["default"].summary) == report.summary_json(runs["full_reads"].summary)
    assert len(runs["default"].timeseries) < len(runs["every_block"].timeseries)


def test_run__oracle_outage__stalls_every_nav_feed_and_the_products_priced_from_them(chain):
    """One oracle design: an outage reaches the SPV token's and every component's NAV feed (each switched on
    and off, `OutageSet`), so the index's and the tranches' feeds hold their old answers while the true
    values fall, and no product is liquidated before the outage ends; without it they are at once."""
    outage = "shocks.+={kind: oracle_outage, at_days: 0.2, duration_days: 0.6}"
    runs = {}
    for name, extra in {"outage": [outage], "no_outage": []}.items():
        snapshot = chain.snapshot()
        engine = Engine(sc.load(SMALL_RWA_SQUARED, [*SHORT, *extra]), chain.provider.uri)
        ctx = engine.setup()
        runs[name] = engine.run()
        assert_no_agent_errors(runs[name])
        if name == "outage":
            m = ctx.market
            topic = "0x" + keccak(text="OutageSet(bool)").hex()
            for feed in [m.nav_feed] + [c.feed for c in m.structured.components]:
                logs = engine.chain.rpc.batch([("eth_getLogs", [{"address": feed.address, "fromBlock": "0x0",
                                                                  "toBlock": "latest", "topics": [topic]}])])[0]
                assert [int(log["data"], 16) for log in logs] == [1, 0], feed.address
        chain.restore(snapshot)

    dark = [r for r in runs["outage"].timeseries if 0.3 * 86_400 <= r["t_seconds"] < 0.8 * 86_400]
    assert dark and all(r["index_oracle_usd"] == dark[0]["index_oracle_usd"] for r in dark)
    assert dark[-1]["index_true_usd"] < 0.85 * dark[-1]["index_oracle_usd"]
    assert runs["outage"].summary["timing"]["first_liquidation_seconds"] >= 0.8 * 86_400
    assert 0 < runs["no_outage"].summary["timing"]["first_liquidation_seconds"] < 0.3 * 86_400


# The built-in scenario's shared-dependency variants, as its description and the README give them.
VARIANTS = {
    "baseline": [],
    "oracle_stall": ["shocks.+={kind: oracle_outage, at_days: 100, duration_days: 50}"],
    "stablecoin_depeg": ["shocks.+={kind: stablecoin_depeg, at_days: 115, path: [[2, 0.9], [10, 0.9], [12, 1.0]]}"],
    "liquidity_drought": ["shocks.+={kind: liquidity_withdrawal, at_days: 119, share_pct: 85}"],
}


def test_rwa_squared__variants_run__the_oracle_stall_collapses_the_products_together(chain):
    """The built-in `rwa_squared` at its own seed (42): three unrelated assets (their true values' daily
    changes nearly uncorrelated) in products that share one oracle design. With every NAV feed dark from
    day 100 to 150 the day-120 report reaches every product at once when the feeds come back: no product
    is liquidated before, and in that cascade their market prices move together far more than in the
    baseline's (this seed's story; over 10 seeds the README's table shows the spread)."""
    runs = {}
    for name, extra in VARIANTS.items():
        snapshot = chain.snapshot()
        runs[name] = Engine(sc.load("rwa_squared", extra), chain.provider.uri).run()
        chain.restore(snapshot)
        assert_no_agent_errors(runs[name])
        assert runs[name].summary["liquidations"]["count"] > 0, name

    corr = {name: r.summary["structured"]["correlation"] for name, r in runs.items()}
    assert abs(corr["baseline"]["basket_true_values_daily"]) < 0.2
    assert runs["oracle_stall"].summary["timing"]["first_liquidation_seconds"] >= 150 * 86_400
    assert runs["baseline"].summary["timing"]["first_liquidation_seconds"] < 150 * 86_400
    assert corr["oracle_stall"]["market_prices_in_cascade"] > 0.5 > corr["baseline"]["market_prices_in_cascade"]
    # The repeg raises every debt by 11 % at once: more liquidations than without; the drought thins every pair.
    count = {name: r.summary["liquidations"]["count"] for name, r in runs.items()}
    assert count["stablecoin_depeg"] > count["baseline"]
    drought = runs["liquidity_drought"].summary["structured"]["products"]["spv"]
    assert drought["max_amm_drop_from_true_start_pct"] > runs["baseline"].summary["structured"]["products"]["spv"][
        "max_amm_drop_from_true_start_pct"]
