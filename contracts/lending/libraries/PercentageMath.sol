// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title PercentageMath
/// @notice Multiply or divide by a percentage in basis points (10_000 bps = 100 %), rounding half up.
/// @dev Same rounding as Aave V3's percentage helpers, so every bps product agrees to the wei.
library PercentageMath {
    /// @notice 100 % in bps.
    uint256 internal constant PERCENTAGE_FACTOR = 1e4;
    /// @notice 50 % in bps, the rounding offset of `percentMul`.
    uint256 internal constant HALF_PERCENTAGE_FACTOR = 0.5e4;

    /// @notice value * bps / 10_000, rounded half up.
    function percentMul(uint256 value, uint256 bps) internal pure returns (uint256) {
        return (value * bps + HALF_PERCENTAGE_FACTOR) / PERCENTAGE_FACTOR;
    }

    /// @notice value * 10_000 / bps, rounded half up (half of `bps`, floored, is the offset).
    function percentDiv(uint256 value, uint256 bps) internal pure returns (uint256) {
        return (value * PERCENTAGE_FACTOR + bps / 2) / bps;
    }
}
