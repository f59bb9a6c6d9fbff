import pytest


@pytest.fixture(scope="session")
def admin(accounts):
    return accounts[0]


@pytest.fixture(scope="session")
def borrower(accounts):
    return accounts[1]


@pytest.fixture(scope="session")
def stablecoin(project, admin):
    return admin.deploy(project.SettlementStablecoin, "USD Coin", "USDC", admin)
