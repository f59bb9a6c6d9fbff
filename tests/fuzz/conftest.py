"""The protocol under fuzz: a two-reserve LendingPool priced by LatencyOracle feeds, an AMM pair for
its collateral, funded actors and three open positions; plus the step-count report.

Deployed once per module with ape; ape reverts each test's changes. Amounts in token decimals
(`USDC` = 1e6 for the SettlementStablecoin, `WAD` = 1e18 for the collateral), prices in USD with 8
decimals. After the session, the terminal summary prints how many state-machine steps ran.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from fixtures.constants import MAX_UINT, RAY, RWA_PRICE, STABLE_PRICE, USDC, VARIABLE, WAD
from protocol_driver import Driver, contract_from_ape
from protocol_machine import ProtocolMachine, STATS

STABLE_PARAMS = (
    0, 0, 0, 0,  # ltv, threshold, bonus, protocol fee (bps): not collateral
    1_000,  # reserve factor, bps
    0, 0,  # supply / borrow caps, whole tokens (none)
    True,  # borrowing enabled
    RAY * 80 // 100, 0, RAY * 10 // 100, RAY * 300 // 100,  # optimal usage, base, slope1, slope2 (RAY)
)
RWA_PARAMS = (
    7_000, 7_500, 10_750, 1_000,  # ltv, threshold, bonus (7.5 %), protocol fee (bps)
    1_000, 0, 0,
    False,  # collateral only
    RAY * 45 // 100, 0, RAY * 7 // 100, RAY * 300 // 100,
)
# Seeded positions: (RWA supplied, USDC borrowed) -> health factors 1.15, 1.08 and 1.50 at $100.
POSITIONS = {"borrower": (100 * WAD, 6_500 * USDC), "other_borrower": (60 * WAD, 4_150 * USDC),
             "trader": (20 * WAD, 1_000 * USDC)}
LP_STABLE_SUPPLY = 40_000 * USDC
AMM_RWA, AMM_STABLE = 1_000 * WAD, 100_000 * USDC  # the pair starts at the oracle's $100


@dataclass
class Market:
    """The deployed protocol: ape contracts, the fast driver over them, actors by role."""

    chain: object
    driver: Driver
    stablecoin: object
    rwa: object
    pool: object
    pair: object
    router: object
    stable_feed: object
    rwa_feed: object
    accounts: dict  # role -> ape account
    rwa_is_token0: bool
    seed_share_moves: int  # supplies and borrows the seed made (rounding allowance of the cash invariant)


@pytest.fixture(scope="module", autouse=True)
def _actors_before_deployments(admin, keeper, lp, borrower, other_borrower, trader, liquidator, treasury):
    """Creates the session-scoped actors before any module fixture, as ape's isolation needs."""


@pytest.fixture(scope="module")
def protocol_market(project, chain, deploy_pool, stablecoin, admin, keeper, lp, borrower, other_borrower, trader,
                    liquidator, treasury) -> Market:
    """The market every protocol fuzz example starts from (see the module docstring)."""
    accounts = {"admin": admin, "keeper": keeper, "lp": lp, "borrower": borrower, "other_borrower": other_borrower,
                "trader": trader, "liquidator": liquidator, "treasury": treasury}
    rwa = admin.deploy(project.TestERC20, "Tokenized Office Building", "BLDG")
    stable_feed = admin.deploy(project.LatencyOracle, 8, "USDC / USD", 0, 0, 0, admin)
    rwa_feed = admin.deploy(project.LatencyOracle, 8, "BLDG / USD", 0, 0, 0, admin)
    for feed, price in ((stable_feed, STABLE_PRICE), (rwa_feed, RWA_PRICE)):
        feed.grantRole(feed.REPORTER_ROLE(), keeper, sender=admin)
        feed.submit(price, chain.blocks.head.timestamp, sender=keeper)
    pool = deploy_pool((stablecoin, stable_feed, STABLE_PARAMS), (rwa, rwa_feed, RWA_PARAMS))
    pair = admin.deploy(project.ConstantProductPair, rwa, stablecoin, 30)
    router = admin.deploy(project.AmmRouter)

    wallets = {"admin": (1_000_000 * USDC, 0), "lp": (10_000_000 * USDC, 10_000 * WAD),
               "liquidator": (10_000_000 * USDC, 0), "borrower": (1_000_000 * USDC, 1_000 * WAD),
               "other_borrower": (1_000_000 * USDC, 1_000 * WAD), "trader": (1_000_000 * USDC, 1_000 * WAD)}
    for role, (stable_amount, rwa_amount) in wallets.items():
        account = accounts[role]
        stablecoin.mint(account, stable_amount, sender=admin)
        for spender in (pool, router):
            stablecoin.approve(spender, MAX_UINT, sender=account)
            rwa.approve(spender, MAX_UINT, sender=account)
        if rwa_amount:
            rwa.mint(account, rwa_amount, sender=account)
    pair.approve(router, MAX_UINT, sender=lp)
    router.addLiquidity(pair, *((AMM_RWA, AMM_STABLE) if pair.token0() == rwa.address else (AMM_STABLE, AMM_RWA)),
                        0, lp, 2**64, sender=lp)
    pool.supply(stablecoin, LP_STABLE_SUPPLY, lp, 0, sender=lp)
    for role, (collateral, debt) in POSITIONS.items():
        pool.supply(rwa, collateral, accounts[role], 0, sender=accounts[role])
        pool.borrow(stablecoin, debt, VARIABLE, 0, accounts[role], sender=accounts[role])

    driver = Driver(chain.provider.uri, [
        contract_from_ape("pool", pool), contract_from_ape("stable", stablecoin), contract_from_ape("rwa", rwa),
        contract_from_ape("pair", pair), contract_from_ape("router", router),
        contract_from_ape("stable_feed", stable_feed), contract_from_ape("rwa_feed", rwa_feed),
    ])
    return Market(chain, driver, stablecoin, rwa, pool, pair, router, stable_feed, rwa_feed, accounts,
                  pair.token0() == rwa.address, 1 + 2 * len(POSITIONS))


@pytest.fixture
def protocol_machine(protocol_market):
    """The state machine class bound to the deployed market (hypothesis instantiates it per example)."""
    ProtocolMachine.market = protocol_market
    return ProtocolMachine


def pytest_terminal_summary(terminalreporter):
    """Reports the protocol state machine's step counts (no -s needed)."""
    if not STATS["examples"]:
        return
    terminalreporter.section("protocol state machine")
    terminalreporter.write_line(
        f"{STATS['steps']} steps in {STATS['examples']} examples ({STATS['transactions']} transactions, "
        f"{STATS['reverted']} expected reverts, {STATS['liquidations']} liquidations, "
        f"{STATS['deficits']} deficits created) in {STATS['seconds']:.1f} s"
    )
