"""Two venues with the same reserves, feeds and actors: the real Aave V3.0 market and our LendingPool.

Both are deployed once per module on the same chain and read the same MockAggregator feeds.
Each differential example replays its actions on one venue inside a chain snapshot, restores,
then replays them on the other from the same state and block times (`run_isolated`).
Everything our pool's deployment needs is in `deploy_our_pool`, the one adapter to change when
LendingPool's admin ABI changes.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import pytest
from lending_replay import Venue, World

from rwa_testbed.venues.aave_v3 import deploy_aave_v3
from rwa_testbed.models.reserve import RAY, ReserveSpec

T = TypeVar("T")


@pytest.fixture(scope="module", autouse=True)
def _actors_before_deployments(admin, lp, borrower, liquidator, treasury):
    """Creates the session-scoped actors before any module fixture, as ape's isolation needs."""


@pytest.fixture(scope="module")
def rwa_token(project, admin):
    """18-decimals collateral (a tokenized building share); anyone may mint."""
    return admin.deploy(project.TestToken, "RWA Building", "RWA", 18)


@pytest.fixture(scope="module")
def stable_feed(project, admin):
    return admin.deploy(project.MockAggregator, 10**8)


@pytest.fixture(scope="module")
def rwa_feed(project, admin):
    return admin.deploy(project.MockAggregator, 100 * 10**8)


@pytest.fixture(scope="module")
def stable_spec(stablecoin, stable_feed):
    """The borrowed asset: not collateral, 10 % reserve factor, Aave-like USDC rate curve."""
    return ReserveSpec(
        asset=stablecoin.address,
        price_feed=stable_feed.address,
        reserve_factor_bps=1_000,
        borrowing_enabled=True,
        usable_as_collateral=False,
        optimal_usage_ray=RAY * 90 // 100,
        base_rate_ray=0,
        slope1_ray=RAY * 4 // 100,
        slope2_ray=RAY * 60 // 100,
    )


@pytest.fixture(scope="module")
def rwa_spec(rwa_token, rwa_feed):
    """The collateral: LTV 60 %, threshold 70 %, bonus 10 %, 20 % of the bonus to the treasury."""
    return ReserveSpec(
        asset=rwa_token.address,
        price_feed=rwa_feed.address,
        ltv_bps=6_000,
        liquidation_threshold_bps=7_000,
        liquidation_bonus_bps=11_000,
        liquidation_protocol_fee_bps=2_000,
        reserve_factor_bps=2_000,
        borrowing_enabled=False,
        usable_as_collateral=True,
    )


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
def aave_market(admin, treasury, stable_spec, rwa_spec):
    return deploy_aave_v3(admin, [stable_spec, rwa_spec], treasury)


@pytest.fixture(scope="module")
def aave_venue(world, aave_market):
    venue = Venue(
        name="aave-v3.0",
        pool=aave_market.pool,
        supply_balance=aave_market.user_supply,
        debt_balance=aave_market.user_debt,
        deficit=lambda asset: 0,
    )
    world.approve(venue)
    return venue


def deploy_our_pool(project, admin, treasury, specs: list[ReserveSpec]) -> Venue:
    """Deploy our LendingPool with `specs`: the only code that knows its constructor and
    `initReserve(asset, priceSource, params)` struct (defined on branch `pool`)."""
    pool = admin.deploy(project.LendingPool, admin, treasury)
    for spec in specs:
        pool.initReserve(spec.asset, spec.price_feed, _reserve_params(pool, spec), sender=admin)
    return Venue(
        name="our-pool",
        pool=pool,
        supply_balance=lambda asset, user: pool.supplyBalanceOf(asset, user),
        debt_balance=lambda asset, user: pool.debtBalanceOf(asset, user),
        deficit=lambda asset: pool.deficit(asset),
    )


def _reserve_params(pool, spec: ReserveSpec) -> dict[str, Any]:
    """`spec` as `LendingPool.ReserveParams`, matched by component name (an unknown name fails
    loudly). A reserve that is not collateral has threshold, LTV and bonus 0, as on Aave."""
    collateral = spec.usable_as_collateral
    by_name = {
        "ltvBps": spec.ltv_bps if collateral else 0,
        "liquidationThresholdBps": spec.liquidation_threshold_bps if collateral else 0,
        "liquidationBonusBps": spec.liquidation_bonus_bps if collateral else 0,
        "liquidationProtocolFeeBps": spec.liquidation_protocol_fee_bps,
        "reserveFactorBps": spec.reserve_factor_bps,
        "supplyCap": spec.supply_cap_tokens,
        "borrowCap": spec.borrow_cap_tokens,
        "borrowingEnabled": spec.borrowing_enabled,
        "optimalUsageRay": spec.optimal_usage_ray,
        "baseRateRay": spec.base_rate_ray,
        "slope1Ray": spec.slope1_ray,
        "slope2Ray": spec.slope2_ray,
    }
    (abi,) = [m for m in pool.contract_type.mutable_methods if m.name == "initReserve"]
    names = [c.name for c in abi.inputs[2].components]
    unknown = [n for n in names if n not in by_name]
    if unknown:
        raise KeyError(f"LendingPool.initReserve params {unknown} not mapped in tests/diff/lending/conftest.py")
    return {n: by_name[n] for n in names}


@pytest.fixture(scope="module")
def our_venue(project, admin, treasury, world, stable_spec, rwa_spec):
    if "LendingPool" not in project.contracts:
        pytest.skip("contracts/lending/LendingPool.sol is not in this project yet (branch pool)")
    venue = deploy_our_pool(project, admin, treasury, [stable_spec, rwa_spec])
    world.approve(venue)
    return venue


@pytest.fixture
def run_isolated(chain) -> Callable[[Callable[[], T]], T]:
    """Run a function inside a chain snapshot and restore it afterwards, even on failure.

    (ape's `chain.isolate()` swallows exceptions raised inside it, assertion errors included.)
    """

    def run(body: Callable[[], T]) -> T:
        snapshot = chain.snapshot()
        try:
            return body()
        finally:
            chain.restore(snapshot)

    return run
