// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title WadRayMath
/// @notice Fixed-point multiply/divide for WAD (1e18) and RAY (1e27) numbers, rounding half up.
/// @dev Rounding is "half up": an exact .5 remainder rounds away from zero. This is the rounding
///      Aave V3 uses for balances, indexes and health factors; matching it is what makes the pool
///      agree with Aave to the wei. Overflow reverts (checked arithmetic).
library WadRayMath {
    /// @notice One in WAD precision (18 decimals).
    uint256 internal constant WAD = 1e18;
    /// @notice Half of one WAD, the rounding offset of `wadMul`.
    uint256 internal constant HALF_WAD = 0.5e18;
    /// @notice One in RAY precision (27 decimals).
    uint256 internal constant RAY = 1e27;
    /// @notice Half of one RAY, the rounding offset of `rayMul`.
    uint256 internal constant HALF_RAY = 0.5e27;
    /// @notice RAY / WAD.
    uint256 internal constant WAD_RAY_RATIO = 1e9;

    /// @notice a * b / 1e18, rounded half up.
    function wadMul(uint256 a, uint256 b) internal pure returns (uint256) {
        return (a * b + HALF_WAD) / WAD;
    }

    /// @notice a * 1e18 / b, rounded half up (half of `b`, floored, is the offset).
    function wadDiv(uint256 a, uint256 b) internal pure returns (uint256) {
        return (a * WAD + b / 2) / b;
    }

    /// @notice a * b / 1e27, rounded half up.
    function rayMul(uint256 a, uint256 b) internal pure returns (uint256) {
        return (a * b + HALF_RAY) / RAY;
    }

    /// @notice a * 1e27 / b, rounded half up (half of `b`, floored, is the offset).
    function rayDiv(uint256 a, uint256 b) internal pure returns (uint256) {
        return (a * RAY + b / 2) / b;
    }

    /// @notice WAD to RAY: a * 1e9, exact.
    function wadToRay(uint256 a) internal pure returns (uint256) {
        return a * WAD_RAY_RATIO;
    }
}
