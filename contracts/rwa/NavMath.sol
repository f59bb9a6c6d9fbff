// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";

/// @title NavMath
/// @notice Conversions between SPV shares (18 decimals) and stablecoin (6 decimals) at a NAV,
///         and the redemption gate's cap. Every result rounds down, in the SPV's favour.
/// @dev navPerToken is in stablecoin units (6 decimals) per SHARE_UNIT (1e18) share units.
library NavMath {
    /// @notice One whole share token: 1e18 share units (18 decimals).
    uint256 internal constant SHARE_UNIT = 1e18;
    /// @notice Denominator of basis points.
    uint256 internal constant BPS = 10_000;

    /// @notice Shares (18 decimals) bought by `stableAmount` (6 decimals) at `navPerToken`;
    ///         floor(stableAmount * 1e18 / navPerToken). Reverts (panic) if navPerToken is 0.
    function sharesForStable(uint256 stableAmount, uint256 navPerToken) internal pure returns (uint256) {
        return Math.mulDiv(stableAmount, SHARE_UNIT, navPerToken);
    }

    /// @notice Stablecoin (6 decimals) worth `shares` (18 decimals) at `navPerToken`;
    ///         floor(shares * navPerToken / 1e18).
    function stableForShares(uint256 shares, uint256 navPerToken) internal pure returns (uint256) {
        return Math.mulDiv(shares, navPerToken, SHARE_UNIT);
    }

    /// @notice Shares that may be requested in one gate window: floor(supply * gateBps / 10_000).
    function gateCap(uint256 supplyAtWindowStart, uint256 gateBps) internal pure returns (uint256) {
        return Math.mulDiv(supplyAtWindowStart, gateBps, BPS);
    }
}
