"""Structured products over SPV tokens: an IndexToken basket of two SPV tokens and a plain token, its
IndexNavFeed, and TrancheVaults (senior/junior) over a mintable 18-decimal underlying.

Deployed once per module; ape reverts each test's changes. Units: tokens 18 decimals (`WAD`),
stablecoin 6 (`USDC`), feed answers and values USD with 8 decimals (`USD`).
"""

import pytest
from fixtures.constants import MAX_UINT, USD, USDC, WAD

from rwa_testbed.models.spv import AssetKind
from rwa_testbed.units import SECONDS_PER_DAY
from rwa_testbed.testing import deploy

SPV_NAV = 100 * USDC  # both SPVs subscribe at $100 per token
SHORT_DELAY = 3 * SECONDS_PER_DAY  # the office SPV's redemption delay
LONG_DELAY = 30 * SECONDS_PER_DAY  # the SME-loan SPV's redemption delay
PRICES = (100 * USD, 250 * USD, 1 * USD)  # component feeds: office SPV, loan SPV, plain token
UNITS = (2 * WAD, WAD // 2, 30 * WAD)  # per whole index token: NAV = 200 + 125 + 30 = $355
COUPON_BPS = 800  # the default vault's senior coupon: 8 % a year, simple
UNDERLYING_PRICE = 100 * USD
INVESTOR_FUNDS = 10**30  # underlying minted to each tranche investor (18 decimals)


@pytest.fixture(scope="module", autouse=True)
def _actors_before_deployments(admin, custodian, lp, trader, borrower, attacker, stablecoin):
    """Creates the session-scoped actors (and the stablecoin) before any module fixture, as ape's isolation needs."""


# ---------------------------------------------------------------- index


@pytest.fixture(scope="module")
def index_components(project, admin, custodian, stablecoin):
    """(office SPV: 3-day delay, SME-loan SPV: 30-day delay, plain 18-decimal token without a queue)."""

    def spv(name, symbol, kind, delay):
        return admin.deploy(project.SPVToken, name, symbol, stablecoin, admin, custodian, kind, delay, 1_000,
                            7 * SECONDS_PER_DAY, SPV_NAV)

    return (
        spv("Harbour Office SPV", "HOSPV", AssetKind.REAL_ESTATE, SHORT_DELAY),
        spv("SME Loans SPV", "SMESPV", AssetKind.PRIVATE_CREDIT, LONG_DELAY),
        admin.deploy(project.TestToken, "Plain Token", "PLN", 18),
    )


@pytest.fixture(scope="module")
def index_feeds(project, admin):
    """One MockAggregator per component at `PRICES` (8 decimals)."""
    return tuple(admin.deploy(project.MockAggregator, price) for price in PRICES)


@pytest.fixture(scope="module")
def create_index(project, admin, index_components, index_feeds):
    """Factory: `create_index(components=..., units=..., feeds=...)` -> an IndexToken (defaults: the
    three components at `UNITS`)."""

    def create(*, components=index_components, units=UNITS, feeds=index_feeds, name="RWA Index", symbol="RWAX"):
        return deploy(admin, project.IndexToken, name, symbol, list(components), list(units), list(feeds))

    return create


@pytest.fixture(scope="module")
def index_token(create_index):
    return create_index()


@pytest.fixture(scope="module")
def index_nav_feed(project, admin, index_token):
    return admin.deploy(project.IndexNavFeed, index_token, "RWAX / USD")


@pytest.fixture
def fund_basket(admin, stablecoin, index_components):
    """`fund_basket(account, amounts, spender)`: gives `account` `amounts` (token units, component
    order) of each component, SPV tokens bought by subscription at $100, and approves `spender`."""

    def fund(account, amounts, spender):
        for token, amount in zip(index_components, amounts):
            if not amount:
                continue
            if hasattr(token, "subscribe"):
                stable = -(-amount * SPV_NAV // WAD)  # enough stablecoin, rounded up
                stablecoin.mint(account, stable, sender=admin)
                stablecoin.approve(token, stable, sender=account)
                token.subscribe(stable, sender=account)
            else:
                token.mint(account, amount, sender=account)
            token.approve(spender, MAX_UINT, sender=account)

    return fund


# ---------------------------------------------------------------- tranches


@pytest.fixture(scope="module")
def vault_underlying(project, admin):
    """The tranche vault's underlying: an 18-decimal token anyone may mint (stands for an SPV token)."""
    return admin.deploy(project.TestToken, "Office SPV (test)", "OSPV", 18)


@pytest.fixture(scope="module")
def vault_feed(project, admin):
    """The underlying's USD feed (8 decimals), at `UNDERLYING_PRICE`."""
    return admin.deploy(project.MockAggregator, UNDERLYING_PRICE)


@pytest.fixture(scope="module")
def create_tranche_vault(project, admin, vault_underlying, vault_feed):
    """Factory: `create_tranche_vault(coupon_bps=..., underlying=..., feed=...)` -> a TrancheVault."""

    def create(*, coupon_bps=COUPON_BPS, underlying=vault_underlying, feed=vault_feed):
        return deploy(admin, project.TrancheVault, underlying, feed, coupon_bps, "Senior", "SNR", "Junior", "JNR")

    return create


@pytest.fixture(scope="module")
def tranche_vault(create_tranche_vault, vault_underlying, lp, trader):
    """The default vault (8 % coupon); `lp` (the senior investor) and `trader` (the junior one) hold
    `INVESTOR_FUNDS` of the underlying each and have approved the vault."""
    vault = create_tranche_vault()
    for investor in (lp, trader):
        vault_underlying.mint(investor, INVESTOR_FUNDS, sender=investor)
        vault_underlying.approve(vault, MAX_UINT, sender=investor)
    return vault


@pytest.fixture(scope="module")
def tranche_tokens(project, tranche_vault):
    """(senior token, junior token) of the default vault."""
    return project.TrancheToken.at(tranche_vault.seniorToken()), project.TrancheToken.at(tranche_vault.juniorToken())


@pytest.fixture(scope="module")
def tranche_math(project, admin):
    """TrancheMathHarness: TrancheMath's functions as external calls."""
    return admin.deploy(project.TrancheMathHarness)


@pytest.fixture
def fund_tranche_investors(vault_underlying, lp, trader):
    """`fund_tranche_investors(vault)`: `lp` and `trader` get `INVESTOR_FUNDS` of the underlying each
    and approve `vault` (for vaults a test deploys itself)."""

    def fund(vault):
        for investor in (lp, trader):
            vault_underlying.mint(investor, INVESTOR_FUNDS, sender=investor)
            vault_underlying.approve(vault, MAX_UINT, sender=investor)
        return vault

    return fund
