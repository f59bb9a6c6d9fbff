"""Fixtures for the constant-product AMM: tokens, pair factory, a seeded pair, router, flash callee.

Reserves are in 18-decimal token units (TestERC20); the pair's default fee is Uniswap V2's 30 bps.
"""

import pytest
from rwa_testbed.testing import deploy

RESERVE0 = 1_000 * 10**18  # seeded pair, token0 units
RESERVE1 = 4_000 * 10**18  # seeded pair, token1 units


@pytest.fixture
def seed_reserves():
    """(reserve0, reserve1) of `seeded_pair` and the default amounts of `deposit`."""
    return RESERVE0, RESERVE1


@pytest.fixture(scope="module", autouse=True)
def _actors_before_deployments(admin, lp, trader, treasury, attacker):
    """Brings in the session-scoped actors before any module-scoped deployment: a session
    fixture first requested after a module snapshot makes ape rebase (and warn)."""


@pytest.fixture(scope="module")
def make_token(project, admin):
    def make(name="Token", symbol="TKN"):
        return admin.deploy(project.TestERC20, name, symbol)

    return make


@pytest.fixture(scope="module")
def token_a(make_token):
    return make_token("Token A", "TKA")


@pytest.fixture(scope="module")
def token_b(make_token):
    return make_token("Token B", "TKB")


@pytest.fixture
def create_pair(project, admin, token_a, token_b):
    def create(fee_bps=30, first=None, second=None):
        return deploy(admin, project.ConstantProductPair, first or token_a, second or token_b, fee_bps)

    return create


@pytest.fixture
def pair(create_pair):
    return create_pair()


@pytest.fixture
def token0(project, pair):
    return project.TestERC20.at(pair.token0())


@pytest.fixture
def token1(project, pair):
    return project.TestERC20.at(pair.token1())


@pytest.fixture
def deposit(project, lp):
    """Sends `amount0`/`amount1` to `pair` and mints its LP tokens to `to` (one transaction each)."""

    def deposit(pair, amount0=RESERVE0, amount1=RESERVE1, to=lp, sender=lp):
        project.TestERC20.at(pair.token0()).mint(pair, amount0, sender=sender)
        project.TestERC20.at(pair.token1()).mint(pair, amount1, sender=sender)
        return pair.mint(to, sender=sender)

    return deposit


@pytest.fixture
def seeded_pair(create_pair, deposit):
    """A 30 bps pair of token_a/token_b holding RESERVE0 / RESERVE1, LP tokens with `lp`."""
    pair = create_pair()
    deposit(pair)
    return pair


@pytest.fixture(scope="module")
def router(project, admin):
    return admin.deploy(project.AmmRouter)


@pytest.fixture(scope="module")
def callee(project, admin):
    return admin.deploy(project.FlashSwapCallee)
