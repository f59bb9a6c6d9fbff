"""SPV token fixtures: factories with keyword defaults, funded investors, a seeded SPV.

Units: shares 18 decimals, stablecoin 6 decimals, NAV = stablecoin units per 1e18 shares.
"""

import pytest

from rwa_testbed.models.spv import AssetKind
from rwa_testbed.testing import deploy

from .spv_defaults import DELAY, GATE_BPS, GATE_WINDOW, NAV, SEED_STABLE


@pytest.fixture
def create_spv(project, admin, custodian, stablecoin):
    def create(
        *,
        name="Harbour Office SPV",
        symbol="HOSPV",
        settlement=None,
        admin_account=None,
        custodian_account=None,
        asset_kind=AssetKind.REAL_ESTATE,
        delay=DELAY,
        gate_bps=GATE_BPS,
        gate_window=GATE_WINDOW,
        nav=NAV,
        sender=None,
    ):
        return deploy(
            sender or admin,
            project.SPVToken,
            name,
            symbol,
            stablecoin if settlement is None else settlement,
            admin if admin_account is None else admin_account,
            custodian if custodian_account is None else custodian_account,
            asset_kind,
            delay,
            gate_bps,
            gate_window,
            nav,
        )

    return create


@pytest.fixture
def spv(create_spv):
    return create_spv()


@pytest.fixture
def fund(stablecoin, admin):
    """Mints `amount` stablecoin to `account` and approves `spender` for it."""

    def fund_(account, amount, spender):
        stablecoin.mint(account, amount, sender=admin)
        stablecoin.approve(spender, amount, sender=account)

    return fund_


@pytest.fixture
def subscribe(fund):
    """Funds `account` and subscribes `amount` stablecoin into `spv`; returns the receipt."""

    def subscribe_(spv, account, amount):
        fund(account, amount, spv)
        return spv.subscribe(amount, sender=account)

    return subscribe_


@pytest.fixture
def next_window(chain):
    """Mines a block at the start of the next gate window of `spv`; returns its timestamp."""

    def next_window_(spv):
        window_index = (chain.blocks.head.timestamp - spv.gateEpoch()) // spv.gateWindow()
        start = spv.gateEpoch() + (window_index + 1) * spv.gateWindow()
        chain.mine(timestamp=start)
        return start

    return next_window_


@pytest.fixture
def seeded_spv(spv, lp, subscribe, next_window):
    """`lp` holds 10,000 tokens bought for $1,000,000 at $100; the next gate window is open,
    so its cap is 1,000 tokens."""
    subscribe(spv, lp, SEED_STABLE)
    next_window(spv)
    return spv


@pytest.fixture
def create_policy(project, admin):
    def create(*, allowlist=False, sender=None):
        return (sender or admin).deploy(project.AllowlistTransferPolicy, admin, allowlist)

    return create


@pytest.fixture
def request_redemption(chain):
    """`holder` requests `shares` of `spv`; returns (request_id, claimable_at)."""

    def request_(spv, holder, shares):
        tx = spv.requestRedemption(shares, sender=holder)
        return tx.return_value, tx.timestamp + spv.settlementDelay()

    return request_


@pytest.fixture
def sponsor_deposit(fund, treasury):
    """The sponsor (`treasury`) refills `spv`'s cash reserve with `amount` stablecoin."""

    def deposit(spv, amount):
        fund(treasury, amount, spv)
        return spv.depositCash(amount, sender=treasury)

    return deposit
