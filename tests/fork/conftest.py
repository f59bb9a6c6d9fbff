"""A local upstream chain standing in for mainnet, with state a fork must read: an Aave V3.0
market listing a WETH-like token, that token's feed, and a USDC / USD latency feed."""

from __future__ import annotations

from dataclasses import dataclass
from types import SimpleNamespace

import pytest

from rwa_testbed import fork
from rwa_testbed.abi import Bound
from rwa_testbed.chain import FastChain, derive_account
from rwa_testbed.deployment import Setup
from rwa_testbed.scenario import ReserveConfig
from rwa_testbed.venues.aave import AaveV3Venue
from rwa_testbed.venues.base import ReserveListing

from .upstream import local_upstream

fork.guard_fork_provider()  # before ape starts a fork: the upstream URL stays off anvil's command line

UPSTREAM_SEED = 1
WETH_PRICE = 3_000 * 10**8  # 8 decimals
USDC_PRICE = 99_980_000  # 0.9998 USD, 8 decimals
BLOCK_TIME = 12


@dataclass
class Upstream:
    url: str
    chain: FastChain
    admin: object
    pool: Bound
    weth: Bound
    weth_feed: Bound
    usdc_feed: Bound


@pytest.fixture(scope="module")
def upstream():
    """The upstream anvil (chain id 1) with its contracts; stopped after the module."""
    with local_upstream() as url:
        chain = FastChain(url)
        admin = derive_account(UPSTREAM_SEED, "upstream-admin", 0)
        actors = SimpleNamespace(admin=admin, treasury=derive_account(UPSTREAM_SEED, "upstream-treasury", 0))
        chain.take_control()
        chain.fund([admin.address], 10**22)
        setup = Setup(chain, chain.timestamp(), BLOCK_TIME)
        batch = []
        weth = setup.deploy(admin, "TestToken", "Wrapped Ether", "WETH", 18, batch=batch)
        weth_feed = setup.deploy(admin, "MockAggregator", WETH_PRICE, batch=batch)
        usdc_feed = setup.deploy(admin, "LatencyOracle", 8, "USDC / USD", 0, 0, 0, admin.address, batch=batch)
        setup.mine(batch)
        reporter = usdc_feed.abi.decode("REPORTER_ROLE", chain.calls([usdc_feed.call("REPORTER_ROLE")])[0])[0]
        setup.mine([usdc_feed.tx(admin, "grantRole", reporter, admin.address, agent="setup"),
                    weth.tx(admin, "mint", admin.address, 1_000 * 10**18, agent="setup")])
        setup.mine([usdc_feed.tx(admin, "submit", USDC_PRICE, setup.time, agent="setup")])
        aave = AaveV3Venue(market_id="upstream market")
        weth_reserve = ReserveConfig(ltv_bps=8_000, liquidation_threshold_bps=8_250, liquidation_bonus_bps=10_500,
                                     borrowing_enabled=True)
        aave.finish(setup, actors, [ReserveListing(weth, weth_feed, weth_reserve, "WETH", 18)])
        chain.release_control()
        yield Upstream(url, chain, admin, aave.pool, weth, weth_feed, usdc_feed)
