"""`Liquidator.act` with structured products (`market.structured`): each borrower is sized with the feed,
bonus and protocol fee of the product it supplies and liquidated on that product's pair; a product whose
feed is stale holds back its own borrowers only."""

import random
from pathlib import Path
from types import SimpleNamespace

from rwa_testbed import scenario as scenario_module
from rwa_testbed.agents.liquidator import Liquidator
from rwa_testbed.liquidation_sizing import Pair, best_atomic_liquidation
from rwa_testbed.scenario import LiquidatorConfig
from rwa_testbed.view import ProductView, View

from fakes import Contract

from .conftest import UNIT, USD, WAD, account

SMALL = scenario_module.load(str(Path(__file__).parents[2] / "e2e" / "scenarios" / "rwa_squared_small.yaml"))
PRODUCTS = ["spv", "index"]  # borrower 0 supplies the SPV token, borrower 1 the index
INDEX_USD = 80  # the index's feed; its pair at the same price, $20M deep


def _context(max_age_ok: bool = True):
    products = {name: SimpleNamespace(token=Contract(name), pair=Contract(f"{name}_pair"))
                for name in ("index", "senior", "junior")}
    market = SimpleNamespace(stable=Contract("stable"), spv=Contract("spv"), pair=Contract("pair"), pool=Contract("pool"),
                             router=Contract("router"), executors={"0xliquidator": Contract("executor")},
                             structured=SimpleNamespace(products=products))
    return SimpleNamespace(scenario=SMALL, market=market, rng=random.Random(0), world=SimpleNamespace(t=0),
                           actors=SimpleNamespace(borrowers=[SimpleNamespace(address=f"0xborrower{i}") for i in range(2)]),
                           chain_time=lambda t: t, start_time=0, product_of=lambda i: PRODUCTS[i])


def _view(*, index_updated_at: int = 0, t: int = 0, spv_debt_usd: int = 700_000) -> View:
    spv_answer, index_answer = 40 * USD, INDEX_USD * USD
    line = lambda answer, depth: ProductView(answer, 0, int(depth / (answer / USD)) * WAD, int(depth * UNIT))  # noqa: E731
    products = {"index": ProductView(index_answer, index_updated_at, int(20_000_000 / INDEX_USD) * WAD, 20_000_000 * UNIT),
                "senior": line(USD, 5_000_000), "junior": line(USD, 5_000_000)}
    return View(t=t, oracle_answer=spv_answer, oracle_updated_at=t, stable_answer=USD,
                spv_reserve=int(10_000_000 / 40) * WAD, stable_reserve=10_000_000 * UNIT,
                accounts=[account(25_000, spv_debt_usd, oracle=spv_answer),  # $1.0M of SPV tokens: healthy at $40 by default
                          account(12_500, 930_000, oracle=index_answer)],  # $1.0M of index: underwater
                deficit=0, nav_per_token=40 * UNIT, redemptions_frozen=False, impaired=False,
                balances={("0xstable", "0xliquidator"): 0}, products=products)


def test_act__index_borrower__sized_with_the_index_feed_and_bonus_on_the_index_pair():
    ctx = _context()
    liquidator = Liquidator(0, SimpleNamespace(address="0xliquidator"), LiquidatorConfig(atomic=True, min_profit_usd=0), ctx)
    view = _view()
    position = liquidator.position(1, view)
    line = view.products["index"]
    best = best_atomic_liquidation(position, Pair(line.token_reserve, line.stable_reserve, SMALL.market.amm.fee_bps))

    liquidator.act(view, ctx)

    assert position.collateral_price == INDEX_USD * USD
    assert (position.liquidation_bonus_bps, position.protocol_fee_bps) == (
        SMALL.market.structured.index.reserve.liquidation_bonus_bps,
        SMALL.market.structured.index.reserve.liquidation_protocol_fee_bps)
    (call,) = ctx.market.executors["0xliquidator"].calls
    assert call.args[:4] == ("0xindex_pair", "0xindex", "0xstable", "0xborrower1")
    assert call.args[4] == best.debt_to_cover > 0
    assert liquidator.skipped == {}


def test_act__index_feed_stale__index_borrower_skipped_stale_the_spv_one_unaffected():
    ctx = _context()
    liquidator = Liquidator(0, SimpleNamespace(address="0xliquidator"), LiquidatorConfig(atomic=True, min_profit_usd=0), ctx)
    age = SMALL.collateral_max_price_age_seconds()
    view = _view(index_updated_at=0, t=age + 1, spv_debt_usd=900_000)  # the SPV borrower underwater too

    liquidator.act(view, ctx)

    assert liquidator.skipped == {1: "stale_price"}
    (call,) = ctx.market.executors["0xliquidator"].calls
    assert call.args[:4] == ("0xpair", "0xspv", "0xstable", "0xborrower0")
