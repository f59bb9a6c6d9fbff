"""Two venues with the same reserves, feeds and actors: the real Aave V3.0 market and our LendingPool.

Both are deployed once per module on the same chain and read the same MockAggregator feeds
(tokens, feeds, `aave`, `deploy_pool` and `run_isolated` come from `tests/fixtures/`).
Each differential example replays its actions on one venue inside a chain snapshot, restores,
then replays them on the other from the same state and block times (`run_isolated`).
Here the stablecoin is borrow-only (not collateral), so `stable_spec` and `rwa_spec` override the
shared ones.
"""

from __future__ import annotations

from dataclasses import replace

import pytest
from lending_replay import Venue, World


@pytest.fixture(scope="module", autouse=True)
def _actors_before_deployments(admin, lp, borrower, liquidator, treasury):
    """Creates the session-scoped actors before any module fixture, as ape's isolation needs."""


@pytest.fixture(scope="module")
def stable_spec(stable_spec):
    """The borrowed asset: the shared spec (10 % reserve factor, Aave-like USDC rate curve), not collateral."""
    return replace(
        stable_spec, ltv_bps=0, liquidation_threshold_bps=0, liquidation_bonus_bps=0, liquidation_protocol_fee_bps=0,
        usable_as_collateral=False,
    )


@pytest.fixture(scope="module")
def rwa_spec(rwa_spec):
    """The collateral: the shared spec (LTV 60 %, threshold 70 %, bonus 10 %, 20 % of the bonus to
    the treasury) without a supply cap."""
    return replace(rwa_spec, supply_cap_tokens=0)


FUNDING = {"stable": 10**16 * 10**6, "rwa": 10**12 * 10**18}
"""Each actor's balances (token decimals): far above any position the strategies draw."""


@pytest.fixture(scope="module")
def world(admin, lp, borrower, liquidator, treasury, stablecoin, rwa_token, stable_feed, rwa_feed):
    world = World(
        actors={"lp": lp, "borrower": borrower, "liquidator": liquidator},
        tokens={"stable": stablecoin, "rwa": rwa_token},
        feeds={"stable": stable_feed, "rwa": rwa_feed},
        minter=admin,
        treasury=treasury,
    )
    world.fund(FUNDING)
    return world


@pytest.fixture(scope="module")
def aave_venue(world, aave):
    venue = Venue(
        name="aave-v3.0",
        pool=aave.pool,
        supply_balance=aave.user_supply,
        debt_balance=aave.user_debt,
        deficit=lambda asset: 0,
    )
    world.approve(venue)
    return venue


def our_pool_venue(pool) -> Venue:
    """Our deployed LendingPool as a replay venue."""
    return Venue(
        name="our-pool",
        pool=pool,
        supply_balance=lambda asset, user: pool.supplyBalanceOf(asset, user),
        debt_balance=lambda asset, user: pool.debtBalanceOf(asset, user),
        deficit=lambda asset: pool.deficit(asset),
    )


@pytest.fixture(scope="module")
def our_venue(deploy_pool, world, stable_spec, rwa_spec):
    venue = our_pool_venue(deploy_pool(stable_spec, rwa_spec))
    world.approve(venue)
    return venue
