"""Agents without a chain: hand-made `View`s and a small stand-in for the engine's context.

`make_liquidator(**config)` builds a real `Liquidator` from the `credit_default_ripple` scenario
(its lending and AMM parameters) with a `LiquidatorConfig` of keyword overrides; the context's
contracts (`tests/unit/fakes.Contract`) record the calls agents build instead of encoding them.
`make_view(borrowers=...)` turns
(collateral tokens, debt units) positions into the pool's account data with `models.aave.account_data`.
"""

import random
from types import SimpleNamespace

import pytest

from rwa_testbed import scenario as scenario_module
from rwa_testbed.models.aave import PositionLine, account_data
from rwa_testbed.view import AccountData, View
from rwa_testbed.agents.liquidator import Liquidator
from rwa_testbed.scenario import LiquidatorConfig

from fakes import Contract

USD = 10**8  # feeds, 8 decimals
UNIT = 10**6  # one stablecoin
WAD = 10**18  # one SPV token
SCENARIO = scenario_module.load("credit_default_ripple")
COLLATERAL = SCENARIO.market.lending.collateral


def _fake_context(n_borrowers: int, liquidator_address: str, scenario=SCENARIO) -> SimpleNamespace:
    market = SimpleNamespace(
        stable=Contract("stable"), spv=Contract("spv"), pair=Contract("pair"), pool=Contract("pool"),
        router=Contract("router"), executors={liquidator_address: Contract("executor")},
    )
    actors = SimpleNamespace(borrowers=[SimpleNamespace(address=f"0xborrower{i}") for i in range(n_borrowers)])
    return SimpleNamespace(scenario=scenario, market=market, actors=actors, rng=random.Random(0),
                           world=SimpleNamespace(t=0), chain_time=lambda t: t, start_time=0,
                           product_of=lambda borrower: "spv")


@pytest.fixture
def make_liquidator():
    """Factory: a Liquidator (group config from keyword overrides; `index`: its place among the
    scenario's liquidators, `scenario`: another than `credit_default_ripple`) and its fake context."""

    def make(*, borrowers: int = 1, index: int = 0, scenario=SCENARIO, **config) -> tuple[Liquidator, SimpleNamespace]:
        account = SimpleNamespace(address="0xliquidator")
        ctx = _fake_context(borrowers, account.address, scenario)
        return Liquidator(index, account, LiquidatorConfig(**config), ctx), ctx

    return make


def account(collateral_tokens: float, debt_usd: float, *, oracle: int) -> AccountData:
    """The pool's account data for `collateral_tokens` SPV and `debt_usd` stablecoin at `oracle`."""
    data = account_data([
        PositionLine(price=oracle, decimals=18, ltv_bps=COLLATERAL.ltv_bps,
                     liquidation_threshold_bps=COLLATERAL.liquidation_threshold_bps,
                     collateral=int(collateral_tokens * WAD)),
        PositionLine(price=USD, decimals=6, debt=int(debt_usd * UNIT)),
    ])
    return AccountData(*data.as_tuple())


@pytest.fixture
def make_view():
    """Factory: a View with `borrowers` [(collateral tokens, debt USD)], the oracle at `oracle_usd`,
    the AMM holding `amm_depth_usd` of stablecoin at `amm_price_usd`, `capital_usd` for the liquidator."""

    def make(*, borrowers, oracle_usd=1.0, amm_price_usd=1.0, amm_depth_usd=10_000_000, capital_usd=0,
             nav_usd=1.0, frozen=False) -> View:
        oracle = round(oracle_usd * USD)
        return View(
            t=0, oracle_answer=oracle, oracle_updated_at=0, stable_answer=USD,
            spv_reserve=int(amm_depth_usd / amm_price_usd) * WAD, stable_reserve=int(amm_depth_usd * UNIT),
            accounts=[account(c, d, oracle=oracle) for c, d in borrowers], deficit=0,
            nav_per_token=round(nav_usd * UNIT), redemptions_frozen=frozen, impaired=False,
            balances={("0xstable", "0xliquidator"): int(capital_usd * UNIT), ("0xspv", "0xliquidator"): 0},
        )

    return make
