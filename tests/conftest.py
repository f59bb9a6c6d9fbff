"""Actors (named by role, defined once), hypothesis profiles and the block clock for the whole suite.

Deployments and factories used by more than one folder live in `tests/fixtures/` (loaded below,
the only place pytest accepts `pytest_plugins`); what only one folder uses stays in
`tests/<level>/<area>/conftest.py`.
"""

import os

import pytest
from hypothesis import HealthCheck, settings

pytest_plugins = [
    "fixtures.tokens",  # stablecoin, rwa_token, fund
    "fixtures.feeds",  # stable_feed, rwa_feed
    "fixtures.aave",  # stable_spec, rwa_spec, aave
    "fixtures.lending",  # deploy_pool
    "fixtures.isolation",  # run_isolated
]

# Quick profile for CI (`make test`); deep one on demand: HYPOTHESIS_PROFILE=deep make test
settings.register_profile(
    "ci",
    max_examples=25,
    stateful_step_count=20,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
settings.register_profile(
    "deep",
    max_examples=400,
    stateful_step_count=50,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

# Seconds between two blocks that no test timed itself. anvil's default is the wall clock, so
# interest accrued between two transactions (and every amount computed from it) depended on how
# busy the machine was; at a fixed interval each block's timestamp follows from the chain alone
# (also after a snapshot is restored). A test that needs another time sets it
# (`chain.pending_timestamp = ...`, which still wins).
BLOCK_INTERVAL_SECONDS = 1


@pytest.fixture(scope="session")
def block_interval_seconds():
    return BLOCK_INTERVAL_SECONDS


@pytest.fixture(autouse=True)
def _block_clock_pinned(chain):
    """Every test runs with block timestamps that do not follow the wall clock (one cheap RPC; set
    per test because a test may restart or switch the provider)."""
    provider = chain.provider
    if provider.is_connected and provider.name == "foundry" and provider.network.name == "local":
        provider.make_request("anvil_setBlockTimestampInterval", [BLOCK_INTERVAL_SECONDS])


@pytest.fixture(scope="session")
def admin(accounts):
    """Deploys everything and holds the admin roles."""
    return accounts[0]


@pytest.fixture(scope="session")
def custodian(accounts):
    return accounts[1]


@pytest.fixture(scope="session")
def keeper(accounts):
    return accounts[2]


@pytest.fixture(scope="session")
def borrower(accounts):
    return accounts[3]


@pytest.fixture(scope="session")
def other_borrower(accounts):
    return accounts[4]


@pytest.fixture(scope="session")
def liquidator(accounts):
    return accounts[5]


@pytest.fixture(scope="session")
def lp(accounts):
    return accounts[6]


@pytest.fixture(scope="session")
def trader(accounts):
    return accounts[7]


@pytest.fixture(scope="session")
def attacker(accounts):
    """Never granted any role; used to test every privileged function."""
    return accounts[8]


@pytest.fixture(scope="session")
def treasury(accounts):
    return accounts[9]

