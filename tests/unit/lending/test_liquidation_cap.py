"""setLiquidationCap / liquidationCall: a Maker `Dog.Hole`-style cap on the debt (USD, 8 decimals, at
the debt asset's price) repaid per fixed window by liquidations seizing one collateral. A liquidation
is cut to the room left, exactly as if the liquidator had asked for less (checked against
`rwa_testbed.models.aave`); with no room it reverts; the next window starts afresh.

Every test pins its block timestamps to a known place in a window (`at`).
"""

import ape
import pytest
from fixtures.constants import MAX_UINT, USD, USDC

from rwa_testbed.models.aave import LiquidationCapState, liquidation_amounts

WINDOW = 3_600
CAP = 1_000 * USD


@pytest.fixture
def at(chain):
    """Pins the next block to `offset` seconds into the window `windows` after the current one."""

    def at(offset, windows=1):
        head = chain.blocks.head.timestamp
        t = head - head % WINDOW + windows * WINDOW + offset
        chain.pending_timestamp = t
        return t

    return at


@pytest.fixture
def capped(pool, admin, rwa_token):
    """The RWA reserve's liquidations capped at `cap` USD per hour."""

    def capped(cap=CAP, window=WINDOW):
        return pool.setLiquidationCap(rwa_token, cap, window, sender=admin)

    return capped


def expected(pool, user, collateral_asset, debt_asset, debt_to_cover):
    """Aave V3.0's amounts at the current block for `debt_to_cover`, from the pool's views."""
    collateral = pool.getReserveData(collateral_asset).config
    debt = pool.getReserveData(debt_asset).config
    return liquidation_amounts(
        debt_to_cover=debt_to_cover,
        user_debt=pool.debtBalanceOf(debt_asset, user),
        health_factor=pool.getUserAccountData(user).healthFactor,
        user_collateral=pool.supplyBalanceOf(collateral_asset, user),
        collateral_price=pool.getAssetPrice(collateral_asset),
        debt_price=pool.getAssetPrice(debt_asset),
        collateral_decimals=collateral.decimals,
        debt_decimals=debt.decimals,
        liquidation_bonus_bps=collateral.liquidationBonusBps,
        protocol_fee_bps=collateral.liquidationProtocolFeeBps,
    )


def cap_state(pool, asset):
    cap, window, start, used = pool.getLiquidationCapState(asset)
    return LiquidationCapState(cap, window, start, used)


def test_cap__default__off_and_liquidation_uncut(pool, underwater, borrower, liquidator, stablecoin, rwa_token):
    underwater(price=60)  # HF 0.84: the whole debt may go
    assert tuple(pool.getLiquidationCapState(rwa_token)) == (0, 0, 0, 0)
    debt = pool.debtBalanceOf(stablecoin, borrower)
    tx = pool.liquidationCall(rwa_token, stablecoin, borrower, MAX_UINT, False, sender=liquidator)
    assert tx.events.filter(pool.LiquidationExecuted)[0].debtRepaid == debt
    assert tuple(pool.getLiquidationCapState(rwa_token)) == (0, 0, 0, 0)


def test_set_cap__pool_admin__stored_and_event(pool, capped, at, rwa_token):
    t = at(10)
    tx = capped()
    assert tx.events == [pool.LiquidationCapSet(collateralAsset=rwa_token, capBase=CAP, windowSeconds=WINDOW)]
    assert tuple(pool.getLiquidationCapState(rwa_token)) == (CAP, WINDOW, t - 10, 0)


def test_set_cap__zero_window__reverts(pool, admin, rwa_token):
    with ape.reverts(pool.InvalidLiquidationWindow, windowSeconds=0):
        pool.setLiquidationCap(rwa_token, CAP, 0, sender=admin)


@pytest.mark.parametrize("caller", ["attacker", "guardian"])
def test_set_cap__not_pool_admin__reverts_unauthorized(pool, request, caller, rwa_token):
    account = request.getfixturevalue(caller)
    with ape.reverts(pool.AccessControlUnauthorizedAccount, account=account.address, neededRole=pool.POOL_ADMIN_ROLE()):
        pool.setLiquidationCap(rwa_token, CAP, WINDOW, sender=account)


def test_liquidate__above_room__cut_to_room_as_if_asked_for_less(pool, underwater, capped, at, borrower, liquidator, stablecoin, rwa_token):
    underwater(price=60)
    capped()
    t = at(100)
    amounts = expected(pool, borrower, rwa_token, stablecoin, 1_000 * USDC)  # room: 1,000 USD at 1 USD
    tx = pool.liquidationCall(rwa_token, stablecoin, borrower, MAX_UINT, False, sender=liquidator)
    event = tx.events.filter(pool.LiquidationExecuted)[0]
    assert (event.debtRepaid, event.collateralSeized, event.protocolFee) == (
        amounts.debt_repaid, amounts.collateral_to_liquidator, amounts.protocol_fee)
    assert event.debtRepaid == 1_000 * USDC
    assert tuple(pool.getLiquidationCapState(rwa_token)) == (CAP, WINDOW, t - 100, CAP)


def test_liquidate__exactly_filling_cap__passes_then_next_reverts(pool, underwater, capped, at, borrower, liquidator, stablecoin, rwa_token):
    underwater(price=60)
    capped()
    t = at(100)
    start = t - 100
    tx = pool.liquidationCall(rwa_token, stablecoin, borrower, 600 * USDC, False, sender=liquidator)
    assert tx.events.filter(pool.LiquidationExecuted)[0].debtRepaid == 600 * USDC
    assert pool.getLiquidationCapState(rwa_token).usedBase == 600 * USD

    assert at(200, windows=0) == start + 200
    tx = pool.liquidationCall(rwa_token, stablecoin, borrower, 400 * USDC, False, sender=liquidator)  # fills it
    assert tx.events.filter(pool.LiquidationExecuted)[0].debtRepaid == 400 * USDC
    assert pool.getLiquidationCapState(rwa_token).usedBase == CAP

    at(300, windows=0)
    with ape.reverts(pool.LiquidationCapReached, collateralAsset=rwa_token.address, windowStart=start, usedBase=CAP, capBase=CAP):
        pool.liquidationCall(rwa_token, stablecoin, borrower, 1, False, sender=liquidator)


def test_liquidate__next_window__room_resets(pool, underwater, capped, at, borrower, liquidator, stablecoin, rwa_token):
    underwater(price=60)
    capped()
    t = at(WINDOW - 1)  # the window's last second
    pool.liquidationCall(rwa_token, stablecoin, borrower, MAX_UINT, False, sender=liquidator)
    state = cap_state(pool, rwa_token)
    assert state.used_base == CAP and state.room_debt(t, USD, 6) == 0
    assert state.next_window_start(t) == t + 1

    at(0)  # the next window's first second
    tx = pool.liquidationCall(rwa_token, stablecoin, borrower, MAX_UINT, False, sender=liquidator)
    assert tx.events.filter(pool.LiquidationExecuted)[0].debtRepaid == 1_000 * USDC
    assert tuple(pool.getLiquidationCapState(rwa_token)) == (CAP, WINDOW, t + 1, CAP)


def test_liquidate__debt_price_not_one__room_floored_and_never_exceeded(pool, underwater, capped, at, admin, stable_feed, borrower, liquidator, stablecoin, rwa_token):
    underwater(price=60)
    stable_feed.setAnswer(USD - 1, sender=admin)  # 0.99999999 USD
    capped()
    t = at(100)
    room = cap_state(pool, rwa_token).room_debt(t, USD - 1, 6)
    assert room == CAP * USDC // (USD - 1) == 1_000_000_010
    tx = pool.liquidationCall(rwa_token, stablecoin, borrower, MAX_UINT, False, sender=liquidator)
    assert tx.events.filter(pool.LiquidationExecuted)[0].debtRepaid == room
    used = pool.getLiquidationCapState(rwa_token).usedBase
    assert used == room * (USD - 1) // USDC <= CAP


def test_liquidate__cap_lowered_below_use__reverts_with_use_above_cap(pool, underwater, capped, at, borrower, liquidator, stablecoin, rwa_token):
    underwater(price=60)
    capped()
    t = at(100)
    pool.liquidationCall(rwa_token, stablecoin, borrower, 800 * USDC, False, sender=liquidator)
    capped(cap=500 * USD)  # same window length: the use is kept
    with ape.reverts(pool.LiquidationCapReached, collateralAsset=rwa_token.address, windowStart=t - 100, usedBase=800 * USD, capBase=500 * USD):
        pool.liquidationCall(rwa_token, stablecoin, borrower, MAX_UINT, False, sender=liquidator)


def test_cap__other_collateral__not_counted(pool, underwater, admin, at, borrower, liquidator, stablecoin, rwa_token):
    underwater(price=60)
    pool.setLiquidationCap(stablecoin, 1, WINDOW, sender=admin)  # capping the stablecoin as collateral
    at(100)
    tx = pool.liquidationCall(rwa_token, stablecoin, borrower, MAX_UINT, False, sender=liquidator)
    assert pool.debtBalanceOf(stablecoin, borrower) == 0  # HF 0.84: the whole debt, uncut
    assert tx.events.filter(pool.LiquidationExecuted)[0].debtRepaid > 5_000 * USDC
    assert pool.getLiquidationCapState(stablecoin).usedBase == 0
