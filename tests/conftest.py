"""Actors (named by role, defined once) and hypothesis profiles for the whole suite.

Area fixtures (deployments, factories) live in `tests/<level>/<area>/conftest.py`.
"""

import os

import pytest
from hypothesis import HealthCheck, settings

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


@pytest.fixture(scope="session")
def stablecoin(project, admin):
    return admin.deploy(project.SettlementStablecoin, "USD Coin", "USDC", admin)
