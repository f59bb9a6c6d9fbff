// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";

/// @title AmmMath
/// @notice Constant-product quotes with the fee in bps: Uniswap V2 Library's `getAmountOut` and
///         `getAmountIn` with 1000 / 997 scaled to 10000 / (10000 - feeBps). For feeBps = 30 both
///         numerator and denominator are exactly 10x Uniswap's, so every quote is bit-identical.
/// @dev Amounts and reserves are in the tokens' own decimals; fees in bps.
library AmmMath {
    /// @notice 100% in bps.
    uint256 internal constant BPS = 10_000;

    /// @notice A quote was asked for a zero amount.
    error ZeroAmount();
    /// @notice A reserve is empty.
    error EmptyReserves(uint256 reserveIn, uint256 reserveOut);
    /// @notice `getAmountIn` was asked for the whole output reserve or more.
    error OutputExceedsReserve(uint256 amountOut, uint256 reserveOut);
    /// @notice A fee of 100% or more (bps).
    error FeeTooHigh(uint256 feeBps);

    /// @notice Largest output for `amountIn`: floor(in·(1e4−fee)·reserveOut / (reserveIn·1e4 + in·(1e4−fee))).
    function getAmountOut(uint256 amountIn, uint256 reserveIn, uint256 reserveOut, uint256 feeBps)
        internal
        pure
        returns (uint256 amountOut)
    {
        _check(amountIn, reserveIn, reserveOut, feeBps);
        uint256 amountInWithFee = amountIn * (BPS - feeBps);
        amountOut = Math.mulDiv(amountInWithFee, reserveOut, reserveIn * BPS + amountInWithFee);
    }

    /// @notice Input that buys `amountOut`: floor(reserveIn·out·1e4 / ((reserveOut−out)·(1e4−fee))) + 1.
    /// @dev As Uniswap's, this is sometimes 1 wei more than the strict minimum (when the division is exact).
    function getAmountIn(uint256 amountOut, uint256 reserveIn, uint256 reserveOut, uint256 feeBps)
        internal
        pure
        returns (uint256 amountIn)
    {
        _check(amountOut, reserveIn, reserveOut, feeBps);
        if (amountOut >= reserveOut) revert OutputExceedsReserve(amountOut, reserveOut);
        amountIn = Math.mulDiv(reserveIn * amountOut, BPS, (reserveOut - amountOut) * (BPS - feeBps)) + 1;
    }

    function _check(uint256 amount, uint256 reserveIn, uint256 reserveOut, uint256 feeBps) private pure {
        if (amount == 0) revert ZeroAmount();
        if (reserveIn == 0 || reserveOut == 0) revert EmptyReserves(reserveIn, reserveOut);
        if (feeBps >= BPS) revert FeeTooHigh(feeBps);
    }
}
