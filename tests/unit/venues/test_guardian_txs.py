"""What the guardian sends through each venue (`LendingVenue.reconfigure_txs`, `grace_period_txs`), as
encoded calldata (no chain); the e2e tests run them."""

from dataclasses import replace

import pytest
from eth_utils import to_checksum_address

from rwa_testbed.abi import Bound
from rwa_testbed.deployment import artifact
from rwa_testbed.models.reserve import ReserveSpec
from rwa_testbed.venues.aave import AaveV3Venue, abi_of
from rwa_testbed.venues.ours import OurPool

POOL = to_checksum_address("0x" + "aa" * 20)
CONFIGURATOR = to_checksum_address("0x" + "cc" * 20)
SPV = to_checksum_address("0x" + "51" * 20)
FEED = to_checksum_address("0x" + "f1" * 20)
GUARDIAN = object()  # a sender: only carried along
COLLATERAL = ReserveSpec(asset=SPV, price_feed=FEED, ltv_bps=7_000, liquidation_threshold_bps=7_500,
                         liquidation_bonus_bps=10_750, usable_as_collateral=True, supply_cap_tokens=1_000)


@pytest.fixture
def ours():
    venue = OurPool()
    venue.pool = Bound("LendingPool", POOL, artifact("LendingPool")[0])
    return venue


@pytest.fixture
def aave_adapter():
    venue = AaveV3Venue()
    venue.configurator = Bound("PoolConfigurator", CONFIGURATOR, abi_of("PoolConfigurator"))
    venue.thresholds = {SPV.lower(): 7_500}
    return venue


def test_ours__reconfigure__one_configure_reserve_with_every_parameter(ours):
    new = replace(COLLATERAL, ltv_bps=5_600, liquidation_threshold_bps=6_000)

    (tx,) = ours.reconfigure_txs(GUARDIAN, COLLATERAL, new, agent="guardian", action="haircut_ltv")

    assert (tx.to, tx.action, tx.sender) == (POOL, "haircut_ltv", GUARDIAN)
    assert tx.data == ours.pool.abi.encode("configureReserve", SPV, new.to_pool_params())


def test_ours__grace_period__set_liquidation_grace_period(ours):
    (tx,) = ours.grace_period_txs(GUARDIAN, SPV, 1_700_003_600, agent="guardian")

    assert (tx.to, tx.action) == (POOL, "grace_period")
    assert tx.data == ours.pool.abi.encode("setLiquidationGracePeriod", SPV, 1_700_003_600)


def test_aave__borrowing_toggled__set_reserve_borrowing_only(aave_adapter):
    stable = ReserveSpec(asset=SPV, price_feed=FEED, borrowing_enabled=True)

    (tx,) = aave_adapter.reconfigure_txs(GUARDIAN, stable, replace(stable, borrowing_enabled=False), agent="guardian",
                                 action="pause_borrowing")

    assert tx.to == CONFIGURATOR
    assert tx.data == aave_adapter.configurator.abi.encode("setReserveBorrowing", SPV, False)


def test_aave__haircut__configure_reserve_as_collateral_and_the_threshold_kept_for_health_factors(aave_adapter):
    new = replace(COLLATERAL, ltv_bps=5_600, liquidation_threshold_bps=6_000)

    (tx,) = aave_adapter.reconfigure_txs(GUARDIAN, COLLATERAL, new, agent="guardian", action="haircut_ltv")

    assert tx.data == aave_adapter.configurator.abi.encode("configureReserveAsCollateral", SPV, 5_600, 6_000, 10_750)
    assert aave_adapter.thresholds[SPV.lower()] == 6_000


def test_aave__other_parameters__refused(aave_adapter):
    with pytest.raises(ValueError, match="supply_cap_tokens"):
        aave_adapter.reconfigure_txs(GUARDIAN, COLLATERAL, replace(COLLATERAL, supply_cap_tokens=5), agent="guardian",
                             action="x")
