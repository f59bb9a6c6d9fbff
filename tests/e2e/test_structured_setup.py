"""RWA² setup (`market.structured`, `products.py`): the components, the index over them and the scenario's
SPV token, its tranches, every product listed as collateral on the pool with its own feed and pair, and
borrowers on each product at their target health factors."""

from collections import Counter
from pathlib import Path

import numpy as np
import pytest

from rwa_testbed import scenario as sc
from rwa_testbed.engine import Engine
from rwa_testbed.models.tranche import split
from rwa_testbed.units import BPS, FEED_DECIMALS, SPV_DECIMALS, WAD

SMALL_RWA_SQUARED = str(Path(__file__).parent / "scenarios" / "rwa_squared_small.yaml")


def read(chain, contract, fn, *args):
    answer = contract.abi.decode(fn, chain.calls([contract.call(fn, *args)])[0])
    return answer[0] if len(answer) == 1 else answer


@pytest.fixture
def structured_setup(chain):
    """Sets the small RWA² market up on the test chain (with overrides); returns (scenario, engine, context)."""

    def setup(*overrides: str):
        scenario = sc.load(SMALL_RWA_SQUARED, list(overrides))
        engine = Engine(scenario, chain.provider.uri)
        return scenario, engine, engine.setup()

    return setup


def test_setup__every_product_listed_with_its_own_feed(structured_setup):
    scenario, engine, ctx = structured_setup()
    m, st, fast = ctx.market, ctx.market.structured, engine.chain
    listed = [a.lower() for a in read(fast, m.pool, "getReservesList")]
    expected = [m.stable.address, m.spv.address] + [st.products[p].token.address for p in ("index", "senior", "junior")]
    assert listed == [a.lower() for a in expected]
    for name, product in st.products.items():
        data = read(fast, m.pool, "getReserveData", product.token.address)
        assert product.feed.address.lower() in str(data).lower(), f"{name}'s reserve must read its own feed"
        price = read(fast, m.pool, "getAssetPrice", product.token.address)
        assert price == read(fast, product.feed, "latestRoundData")[1]


def test_setup__index_basket_and_nav_from_every_component_feed(structured_setup):
    scenario, engine, ctx = structured_setup()
    st, fast, cfg = ctx.market.structured, engine.chain, scenario.market.structured
    tokens, units, feeds = read(fast, st.index, "components")
    navs = [scenario.market.asset.nav_per_token_usd] + [c.nav_per_token_usd for c in cfg.components]
    assert [t.lower() for t in tokens] == [a.lower() for a in [ctx.market.spv.address] + [c.spv.address for c in st.components]]
    assert [f.lower() for f in feeds] == [a.lower() for a in [ctx.market.nav_feed.address] + [c.feed.address for c in st.components]]
    # Units per share: each weight's value of a share at the start NAVs, rounded down.
    for u, w, nav in zip(units, cfg.index.weights_bps, navs):
        assert u == int(cfg.index.nav_per_share_usd * w / BPS / nav * 10**SPV_DECIMALS)
    prices = [read(fast, feed, "latestRoundData")[1] for feed in [ctx.market.nav_feed] + [c.feed for c in st.components]]
    assert prices == [round(nav * 10**FEED_DECIMALS) for nav in navs], "every NAV feed has published its first NAV"
    nav = read(fast, st.index, "navPerShare")
    assert nav == sum(u * p // WAD for u, p in zip(units, prices))
    assert abs(nav - cfg.index.nav_per_share_usd * 10**FEED_DECIMALS) <= len(units)
    for weight, configured in zip(read(fast, st.index, "weightsBps"), cfg.index.weights_bps):
        assert configured - 1 <= weight <= configured  # units rounded down, weights rounded down
    minted = read(fast, st.index, "totalSupply")
    assert minted == int(cfg.index.size_usd / cfg.index.nav_per_share_usd * 10**SPV_DECIMALS)


def test_setup__tranches_split_the_vault_by_the_waterfall(structured_setup):
    scenario, engine, ctx = structured_setup()
    st, fast, tranches = ctx.market.structured, engine.chain, scenario.market.structured.tranches
    total, claim, senior, junior = read(fast, st.vault, "values")
    assert (senior, junior) == split(total, claim)
    assert senior + junior == total
    for side, value in (("senior", senior), ("junior", junior)):
        supply = read(fast, st.products[side].token, "totalSupply")
        # Deposited at one token per USD; the senior has accrued a few seconds of coupon since.
        assert supply == pytest.approx(getattr(tranches, side).size_usd * 10**SPV_DECIMALS, rel=1e-6)
        assert value == pytest.approx(getattr(tranches, side).size_usd * 10**FEED_DECIMALS, rel=1e-6)


def test_setup__product_pairs_start_at_nav(structured_setup):
    scenario, engine, ctx = structured_setup("population.leverage_loops=0")
    fast, st = engine.chain, ctx.market.structured
    for name, product in st.products.items():
        token_reserve, stable_reserve = product.reserves(read(fast, product.pair, "getReserves"))
        price = stable_reserve / 10**6 / (token_reserve / 10**SPV_DECIMALS)
        nav = read(fast, product.feed, "latestRoundData")[1] / 10**FEED_DECIMALS
        assert price == pytest.approx(nav, rel=1e-6), name
        assert stable_reserve == pytest.approx(scenario.market.structured.listing(name).amm_depth_usd / 2 * 10**6, rel=1e-9)


@pytest.mark.parametrize("loops", [0, 1])
def test_setup__each_borrower_supplies_its_product_at_its_target(structured_setup, loops):
    scenario, engine, ctx = structured_setup(f"population.leverage_loops={loops}")
    m, fast = ctx.market, engine.chain
    positions = engine.population.positions
    drawn, _ = sc.sample_positions(scenario, np.random.default_rng(scenario.run.seed))
    assert [p.product for p in positions] == [p.product for p in drawn]
    assert Counter(p.product for p in positions).keys() == {"spv", "index", "senior", "junior"}
    token = {"spv": m.spv} | {name: p.token for name, p in m.structured.products.items()}
    view = engine.read_view(0)
    for i, (who, p) in enumerate(zip(ctx.actors.borrowers, positions)):
        supplied = {name: read(fast, m.pool, "supplyBalanceOf", t.address, who.address) for name, t in token.items()}
        assert {name for name, amount in supplied.items() if amount > 0} == {p.product}
        assert supplied[p.product] == pytest.approx(p.collateral_tokens * 10**SPV_DECIMALS, rel=1e-9, abs=2)
        # The target holds at the NAV feeds' prices (setup borrowed against the start NAV).
        assert view.accounts[i].health_factor / WAD == pytest.approx(p.target_health_factor, rel=2e-3)
    assert positions[0].product == "junior" and positions[0].target_health_factor == 1.3


def test_setup__without_structured_products_nothing_more_is_deployed(chain):
    scenario = sc.load("credit_default_ripple", ["population.borrowers=4", "population.holders=2"])
    engine = Engine(scenario, chain.provider.uri)
    ctx = engine.setup()
    assert ctx.market.structured is None
    assert len(read(engine.chain, ctx.market.pool, "getReservesList")) == 2

