from ape.utils import ZERO_ADDRESS

from rwa_testbed.units import SHARE, USDC
from rwa_testbed.testing import reverts

from .spv_defaults import NAV


def test_subscribe__at_nav__mints_shares_and_pulls_stablecoin(spv, stablecoin, lp, fund):
    fund(lp, 1_000 * USDC, spv)

    tx = spv.subscribe(1_000 * USDC, sender=lp)

    assert tx.return_value == 10 * SHARE
    assert spv.balanceOf(lp) == 10 * SHARE
    assert spv.totalSupply() == 10 * SHARE
    assert spv.cashReserve() == 1_000 * USDC
    assert stablecoin.balanceOf(lp) == 0
    assert tx.events == [
        stablecoin.Transfer(lp, spv, 1_000 * USDC),
        spv.Transfer(ZERO_ADDRESS, lp, 10 * SHARE),
        spv.Subscribed(lp, 1_000 * USDC, 10 * SHARE, NAV),
    ]


def test_subscribe__uses_latest_nav__and_rounds_shares_down(spv, lp, custodian, fund, chain):
    spv.reportNav(3 * USDC, chain.blocks.head.timestamp, sender=custodian)
    fund(lp, 10 * USDC, spv)

    tx = spv.subscribe(10 * USDC, sender=lp)

    # 10 / 3 tokens = 3.333... tokens, floor at 18 decimals
    assert tx.return_value == 10 * USDC * SHARE // (3 * USDC) == 3_333_333_333_333_333_333
    assert spv.previewSubscribe(10 * USDC) == tx.return_value


def test_subscribe__in_new_gate_window__opens_window_at_supply_before_mint(seeded_spv, trader, subscribe, chain):
    spv = seeded_spv
    window_start = chain.blocks.head.timestamp

    tx = subscribe(spv, trader, 100 * USDC)

    assert tx.events.filter(spv.GateWindowOpened) == [
        spv.GateWindowOpened(1, window_start, 10_000 * SHARE, 1_000 * SHARE)
    ]
    assert spv.gateStatus().supplyAtStart == 10_000 * SHARE


def test_subscribe__amount_buying_no_share__reverts_too_small(spv, lp, custodian, fund, chain):
    spv.reportNav(10**19, chain.blocks.head.timestamp, sender=custodian)  # $10^13 per token
    fund(lp, 1, spv)

    with reverts(spv.SubscriptionTooSmall, stableAmount=1, navPerToken=10**19):
        spv.subscribe(1, sender=lp)


def test_subscribe__zero_amount__reverts_too_small(spv, lp):
    with reverts(spv.SubscriptionTooSmall, stableAmount=0, navPerToken=NAV):
        spv.subscribe(0, sender=lp)


def test_subscribe__while_frozen__reverts(spv, lp, custodian, fund):
    spv.freezeRedemptions(True, sender=custodian)
    fund(lp, 100 * USDC, spv)

    with reverts(spv.RedemptionsFrozen):
        spv.subscribe(100 * USDC, sender=lp)


def test_subscribe__while_impaired__reverts_with_reason(spv, lp, custodian, fund):
    spv.setImpaired(True, "custodian hack", sender=custodian)
    fund(lp, 100 * USDC, spv)

    with reverts(spv.SpvImpaired, reason="custodian hack"):
        spv.subscribe(100 * USDC, sender=lp)


def test_subscribe__at_nav_zero__reverts(spv, lp, custodian, fund, chain):
    spv.reportNav(0, chain.blocks.head.timestamp, sender=custodian)
    fund(lp, 100 * USDC, spv)

    with reverts(spv.NavIsZero, reportIndex=1):
        spv.subscribe(100 * USDC, sender=lp)


def test_subscribe__without_allowance__reverts_in_stablecoin(spv, stablecoin, lp, admin):
    stablecoin.mint(lp, 100 * USDC, sender=admin)

    # Raised by the stablecoin's transferFrom, bubbled up and decoded with the SPV's (identical) ABI.
    with reverts(spv.ERC20InsufficientAllowance, spender=spv, allowance=0, needed=100 * USDC):
        spv.subscribe(100 * USDC, sender=lp)
