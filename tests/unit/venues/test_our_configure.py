"""`OurPool.configure` without a chain: the pool-only mitigations' setup transactions (the liquidator
allowlist and the SPV reserve's liquidation cap), none by default."""

from fakes import Contract, actors

from rwa_testbed import scenario as sc
from rwa_testbed.venues.base import ReserveListing
from rwa_testbed.venues.ours import LIQUIDATOR_ROLE, OurPool

CALLERS = ["0xexecutor0", "0xliquidator1", "0xliquidator2"]  # what each liquidator calls the pool from


def configured(*overrides: str) -> list:
    s = sc.load("calm_market", list(overrides))
    ours = OurPool(s.market.mitigations)
    ours.pool = Contract("pool")
    reserves = [
        ReserveListing(Contract("stable"), Contract("stable_feed"), s.market.lending.stablecoin, "USD", 6),
        ReserveListing(Contract("spv"), Contract("spv_feed"), s.market.lending.collateral, "SPV", 18, collateral=True),
    ]
    batch: list = []
    ours.configure(None, actors(), reserves, batch, CALLERS)
    return [(call.fn, call.args) for call in batch if call.fn != "initReserve"]


def test_configure__no_mitigations__only_the_listings():
    assert configured() == []


def test_configure__allowlist_and_cap__grants_the_first_n_enables_then_caps_the_collateral():
    calls = configured("market.mitigations.collateral.liquidator_allowlist=2",
                       "market.mitigations.circuit_breakers.liquidation_cap={usd_per_window: 1500000, window_seconds: 1800}")

    assert calls == [
        ("grantRole", (LIQUIDATOR_ROLE, "0xexecutor0")),
        ("grantRole", (LIQUIDATOR_ROLE, "0xliquidator1")),
        ("setLiquidatorAllowlistEnabled", (True,)),
        ("setLiquidationCap", ("0xspv", 1_500_000 * 10**8, 1_800)),
    ]


def test_configure__allowlist_of_zero__nobody_granted_but_enabled():
    assert configured("market.mitigations.collateral.liquidator_allowlist=0") == [("setLiquidatorAllowlistEnabled", (True,))]
