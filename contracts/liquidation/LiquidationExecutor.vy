# pragma version ~=0.4.3
"""
@title LiquidationExecutor
@notice Capital-free liquidations in one transaction, as liquidation bots do them:
        flash-swap the debt asset out of a Uniswap-V2-style pair, call the pool's
        `liquidationCall`, pay the pair back with part of the seized collateral, sell
        the rest of the collateral on the same pair, keep the profit (in the debt
        asset), and revert when the profit is below the caller's minimum.
@dev Works with any pair that has Uniswap V2's `swap`/`getReserves`/`token0` and the
     `uniswapV2Call` flash-swap callback, and any pool with Aave V3's `liquidationCall`.
     `fee_bps` is the pair's swap fee (30 for Uniswap V2).
"""

from ethereum.ercs import IERC20

interface IPair:
    def swap(amount0Out: uint256, amount1Out: uint256, to: address, data: Bytes[256]): nonpayable
    def getReserves() -> (uint112, uint112, uint32): view
    def token0() -> address: view

interface IPool:
    def liquidationCall(collateralAsset: address, debtAsset: address, user: address, debtToCover: uint256, receiveAToken: bool): nonpayable

event Liquidated:
    user: indexed(address)
    pair: indexed(address)
    debtRepaid: uint256
    collateralSeized: uint256
    collateralToPair: uint256
    collateralSold: uint256
    profit: uint256

BPS: constant(uint256) = 10_000

owner: public(immutable(address))
pool: public(immutable(address))

# The pair whose flash swap is in progress; only it may call `uniswapV2Call`.
_active_pair: transient(address)
_seized: transient(uint256)
_to_pair: transient(uint256)


@deploy
def __init__(pool_: address):
    owner = msg.sender
    pool = pool_


@pure
@internal
def _amount_in(amount_out: uint256, reserve_in: uint256, reserve_out: uint256, fee_bps: uint256) -> uint256:
    # Uniswap V2's getAmountIn, fee in bps: smallest input that buys `amount_out`.
    assert amount_out < reserve_out, "executor: insufficient liquidity"
    return reserve_in * amount_out * BPS // ((reserve_out - amount_out) * (BPS - fee_bps)) + 1


@pure
@internal
def _amount_out(amount_in: uint256, reserve_in: uint256, reserve_out: uint256, fee_bps: uint256) -> uint256:
    # Uniswap V2's getAmountOut, fee in bps.
    with_fee: uint256 = amount_in * (BPS - fee_bps)
    return with_fee * reserve_out // (reserve_in * BPS + with_fee)


@view
@internal
def _reserves(pair: address, token_in: address) -> (uint256, uint256):
    r0: uint112 = 0
    r1: uint112 = 0
    ts: uint32 = 0
    r0, r1, ts = staticcall IPair(pair).getReserves()
    if staticcall IPair(pair).token0() == token_in:
        return convert(r0, uint256), convert(r1, uint256)
    return convert(r1, uint256), convert(r0, uint256)


@external
def liquidate(
    pair: address,
    collateral: address,
    debt: address,
    user: address,
    debt_to_cover: uint256,
    fee_bps: uint256,
    min_profit: uint256,
) -> uint256:
    """
    @notice Liquidates `user` for `debt_to_cover` of `debt` without capital.
    @param min_profit Minimum profit in `debt` units; below it the whole call reverts.
    @return The profit in `debt` units, sent to the owner.
    """
    assert msg.sender == owner, "executor: not owner"
    debt_before: uint256 = staticcall IERC20(debt).balanceOf(self)

    self._active_pair = pair
    out0: uint256 = 0
    out1: uint256 = 0
    if staticcall IPair(pair).token0() == debt:
        out0 = debt_to_cover
    else:
        out1 = debt_to_cover
    extcall IPair(pair).swap(out0, out1, self, abi_encode(collateral, debt, user, debt_to_cover, fee_bps))
    self._active_pair = empty(address)

    # Sell what is left of the seized collateral on the same pair.
    left: uint256 = staticcall IERC20(collateral).balanceOf(self)
    if left > 0:
        r_in: uint256 = 0
        r_out: uint256 = 0
        r_in, r_out = self._reserves(pair, collateral)
        proceeds: uint256 = self._amount_out(left, r_in, r_out, fee_bps)
        if proceeds > 0:
            assert extcall IERC20(collateral).transfer(pair, left, default_return_value=True)
            if staticcall IPair(pair).token0() == debt:
                extcall IPair(pair).swap(proceeds, 0, self, b"")
            else:
                extcall IPair(pair).swap(0, proceeds, self, b"")

    gained: uint256 = staticcall IERC20(debt).balanceOf(self) - debt_before
    assert gained >= min_profit, "executor: unprofitable"
    if gained > 0:
        assert extcall IERC20(debt).transfer(owner, gained, default_return_value=True)
    log Liquidated(user=user, pair=pair, debtRepaid=debt_to_cover, collateralSeized=self._seized, collateralToPair=self._to_pair, collateralSold=left, profit=gained)
    return gained


@external
def uniswapV2Call(sender: address, amount0: uint256, amount1: uint256, data: Bytes[256]):
    """
    @notice Flash-swap callback: liquidate with the borrowed debt asset, repay the pair in collateral.
    """
    assert msg.sender == self._active_pair and msg.sender != empty(address), "executor: unknown pair"
    assert sender == self, "executor: not initiated here"
    collateral: address = empty(address)
    debt: address = empty(address)
    user: address = empty(address)
    debt_to_cover: uint256 = 0
    fee_bps: uint256 = 0
    collateral, debt, user, debt_to_cover, fee_bps = abi_decode(data, (address, address, address, uint256, uint256))

    collateral_before: uint256 = staticcall IERC20(collateral).balanceOf(self)
    assert extcall IERC20(debt).approve(pool, debt_to_cover, default_return_value=True)
    extcall IPool(pool).liquidationCall(collateral, debt, user, debt_to_cover, False)
    assert extcall IERC20(debt).approve(pool, 0, default_return_value=True)
    seized: uint256 = staticcall IERC20(collateral).balanceOf(self) - collateral_before

    # Reserves are still the pre-swap ones: the pair updates them after this callback.
    r_in: uint256 = 0
    r_out: uint256 = 0
    r_in, r_out = self._reserves(msg.sender, collateral)
    owed: uint256 = self._amount_in(debt_to_cover, r_in, r_out, fee_bps)
    assert seized >= owed, "executor: seized collateral cannot repay the flash swap"
    assert extcall IERC20(collateral).transfer(msg.sender, owed, default_return_value=True)
    self._seized = seized
    self._to_pair = owed
