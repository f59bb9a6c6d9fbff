// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";

import {AmmMath} from "./AmmMath.sol";
import {IConstantProductPair} from "./IConstantProductPair.sol";

/// @title AmmRouter
/// @notice Stateless convenience layer over one ConstantProductPair at a time: quotes, exact-in
///         swaps, adding and removing liquidity, each with a deadline and slippage bound. It holds
///         no tokens between calls; callers approve it for what it moves.
/// @dev Quotes assume the tokens move exactly the amounts asked (no fee-on-transfer tokens).
contract AmmRouter {
    using SafeERC20 for IERC20;

    /// @notice `block.timestamp` (seconds) is past the caller's `deadline` (seconds).
    error Expired(uint256 deadline, uint256 timestamp);
    /// @notice The swap would pay less than the caller's minimum (tokenOut decimals).
    error InsufficientOutput(uint256 amountOut, uint256 amountOutMin);
    /// @notice Adding liquidity would mint fewer LP tokens (18 decimals) than the caller's minimum.
    error InsufficientLiquidityOut(uint256 liquidity, uint256 minLiquidity);
    /// @notice Removing liquidity would pay less than a minimum (token decimals).
    error InsufficientAmountsOut(uint256 amount0, uint256 amount1, uint256 amount0Min, uint256 amount1Min);
    /// @notice `token` is neither token0 nor token1 of `pair`.
    error TokenNotInPair(address pair, address token);

    modifier ensure(uint256 deadline) {
        if (block.timestamp > deadline) revert Expired(deadline, block.timestamp);
        _;
    }

    /// @notice AmmMath.getAmountOut: output (reserveOut decimals) for `amountIn` with a `feeBps` fee.
    function getAmountOut(uint256 amountIn, uint256 reserveIn, uint256 reserveOut, uint256 feeBps)
        external
        pure
        returns (uint256)
    {
        return AmmMath.getAmountOut(amountIn, reserveIn, reserveOut, feeBps);
    }

    /// @notice AmmMath.getAmountIn: input (reserveIn decimals) that buys `amountOut` with a `feeBps` fee.
    function getAmountIn(uint256 amountOut, uint256 reserveIn, uint256 reserveOut, uint256 feeBps)
        external
        pure
        returns (uint256)
    {
        return AmmMath.getAmountIn(amountOut, reserveIn, reserveOut, feeBps);
    }

    /// @notice Output of selling `amountIn` of `tokenIn` on `pair` now, at its reserves and fee.
    function quoteExactIn(IConstantProductPair pair, address tokenIn, uint256 amountIn)
        public
        view
        returns (uint256 amountOut)
    {
        (uint256 reserveIn, uint256 reserveOut,) = _orientedReserves(pair, tokenIn);
        amountOut = AmmMath.getAmountOut(amountIn, reserveIn, reserveOut, pair.feeBps());
    }

    /// @notice Sells exactly `amountIn` of `tokenIn` (pulled from the caller) on `pair`, sending
    ///         the other token to `to`.
    /// @return amountOut Paid to `to` (tokenOut decimals), at least `amountOutMin`.
    function swapExactTokensForTokens(
        IConstantProductPair pair,
        address tokenIn,
        uint256 amountIn,
        uint256 amountOutMin,
        address to,
        uint256 deadline
    ) external ensure(deadline) returns (uint256 amountOut) {
        (uint256 reserveIn, uint256 reserveOut, bool zeroForOne) = _orientedReserves(pair, tokenIn);
        amountOut = AmmMath.getAmountOut(amountIn, reserveIn, reserveOut, pair.feeBps());
        if (amountOut < amountOutMin) revert InsufficientOutput(amountOut, amountOutMin);
        IERC20(tokenIn).safeTransferFrom(msg.sender, address(pair), amountIn);
        (uint256 amount0Out, uint256 amount1Out) = zeroForOne ? (uint256(0), amountOut) : (amountOut, 0);
        pair.swap(amount0Out, amount1Out, to, "");
    }

    /// @notice Deposits exactly `amount0` of token0 and `amount1` of token1 (pulled from the
    ///         caller) and mints the LP tokens to `to`.
    /// @dev Off the pool's ratio, the excess of one token is donated to the existing LPs (the
    ///      pair mints on the smaller side); choose amounts at the current ratio.
    /// @return liquidity LP tokens minted (18 decimals), at least `minLiquidity`.
    function addLiquidity(
        IConstantProductPair pair,
        uint256 amount0,
        uint256 amount1,
        uint256 minLiquidity,
        address to,
        uint256 deadline
    ) external ensure(deadline) returns (uint256 liquidity) {
        IERC20(pair.token0()).safeTransferFrom(msg.sender, address(pair), amount0);
        IERC20(pair.token1()).safeTransferFrom(msg.sender, address(pair), amount1);
        liquidity = pair.mint(to);
        if (liquidity < minLiquidity) revert InsufficientLiquidityOut(liquidity, minLiquidity);
    }

    /// @notice Burns `liquidity` LP tokens (pulled from the caller) and sends both tokens to `to`.
    /// @return amount0 Token0 paid (token0 decimals), at least `amount0Min`.
    /// @return amount1 Token1 paid (token1 decimals), at least `amount1Min`.
    function removeLiquidity(
        IConstantProductPair pair,
        uint256 liquidity,
        uint256 amount0Min,
        uint256 amount1Min,
        address to,
        uint256 deadline
    ) external ensure(deadline) returns (uint256 amount0, uint256 amount1) {
        IERC20(address(pair)).safeTransferFrom(msg.sender, address(pair), liquidity);
        (amount0, amount1) = pair.burn(to);
        if (amount0 < amount0Min || amount1 < amount1Min) {
            revert InsufficientAmountsOut(amount0, amount1, amount0Min, amount1Min);
        }
    }

    /// @dev Reserves of `pair` seen from a sale of `tokenIn`, and whether tokenIn is token0.
    function _orientedReserves(IConstantProductPair pair, address tokenIn)
        private
        view
        returns (uint256 reserveIn, uint256 reserveOut, bool zeroForOne)
    {
        (uint112 reserve0, uint112 reserve1,) = pair.getReserves();
        if (tokenIn == pair.token0()) return (reserve0, reserve1, true);
        if (tokenIn == pair.token1()) return (reserve1, reserve0, false);
        revert TokenNotInPair(address(pair), tokenIn);
    }
}
