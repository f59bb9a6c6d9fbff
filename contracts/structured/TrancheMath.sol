// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";

/// @title TrancheMath
/// @notice The senior/junior waterfall of `TrancheVault`, in one place (mirrored integer for integer
///         by `rwa_testbed.models.tranche`). Every division rounds down.
/// @dev Units: underlying and tranche tokens have 18 decimals; prices and values are USD with
///      8 decimals (USD8, the feeds' unit); coupons are in bps per 365-day year; times in seconds.
///      The waterfall, with V the vault's value, P the senior principal and t the seconds since
///      the vault's inception:
///        V = floor(underlyingBalance * price / 1e18)                            (assetsValue)
///        C = P + floor(P * couponBps * t / (10_000 * 365 days))                 (seniorClaim)
///        seniorValue = min(V, C); juniorValue = V - seniorValue                 (split)
///      so seniorValue + juniorValue == V exactly, losses (V < C) fall on the junior first and all
///      value above the senior's claim is the junior's.
library TrancheMath {
    /// @notice 100 % in basis points.
    uint256 internal constant BPS = 10_000;
    /// @notice The coupon's year: 365 days, in seconds (no leap days).
    uint256 internal constant YEAR = 365 days;
    /// @notice One whole token of the underlying or of a tranche: 1e18 units (18 decimals).
    uint256 internal constant TOKEN_UNIT = 1e18;
    /// @notice USD8 value of one whole tranche token minted when a tranche has no supply: 1 USD.
    uint256 internal constant INITIAL_NAV_PER_TOKEN = 1e8;

    /// @notice USD8 value of `assets` (18 decimals) at `price` (USD8 per whole token): floor(assets * price / 1e18).
    function assetsValue(uint256 assets, uint256 price) internal pure returns (uint256) {
        return Math.mulDiv(assets, price, TOKEN_UNIT);
    }

    /// @notice Underlying (18 decimals) worth `value` (USD8) at `price`: floor(value * 1e18 / price).
    function assetsForValue(uint256 value, uint256 price) internal pure returns (uint256) {
        return Math.mulDiv(value, TOKEN_UNIT, price);
    }

    /// @notice The senior's claim (USD8) on principal `principal` (USD8) after `elapsed` seconds at
    ///         `couponBps` simple interest: P + floor(P * couponBps * elapsed / (10_000 * 365 days)).
    function seniorClaim(uint256 principal, uint256 couponBps, uint256 elapsed) internal pure returns (uint256) {
        return principal + Math.mulDiv(principal, couponBps * elapsed, BPS * YEAR);
    }

    /// @notice The principal (USD8, as of inception) whose claim after `elapsed` seconds is `value`:
    ///         floor(value * 10_000 * 365 days / (10_000 * 365 days + couponBps * elapsed)).
    function principalForClaim(uint256 value, uint256 couponBps, uint256 elapsed) internal pure returns (uint256) {
        return Math.mulDiv(value, BPS * YEAR, BPS * YEAR + couponBps * elapsed);
    }

    /// @notice The waterfall: (seniorValue, juniorValue) = (min(totalValue, claim), totalValue - seniorValue), USD8.
    function split(uint256 totalValue, uint256 claim) internal pure returns (uint256 seniorValue, uint256 juniorValue) {
        seniorValue = Math.min(totalValue, claim);
        // cannot underflow: seniorValue <= totalValue
        unchecked {
            juniorValue = totalValue - seniorValue;
        }
    }

    /// @notice Tranche tokens minted for `value` (USD8) into a tranche worth `trancheValue` (USD8) with
    ///         `supply` tokens: value * 1e10 (1 token per USD) when supply is 0, else
    ///         floor(value * supply / trancheValue). Panics (division by zero) for supply > 0 and
    ///         trancheValue 0: the vault checks that case first.
    function sharesForValue(uint256 value, uint256 trancheValue, uint256 supply) internal pure returns (uint256) {
        if (supply == 0) return Math.mulDiv(value, TOKEN_UNIT, INITIAL_NAV_PER_TOKEN);
        return Math.mulDiv(value, supply, trancheValue);
    }

    /// @notice USD8 value of `shares` of a tranche worth `trancheValue` with `supply` tokens:
    ///         floor(shares * trancheValue / supply) (0 when supply is 0).
    function valueForShares(uint256 shares, uint256 trancheValue, uint256 supply) internal pure returns (uint256) {
        if (supply == 0) return 0;
        return Math.mulDiv(shares, trancheValue, supply);
    }

    /// @notice USD8 per whole tranche token (1e18 units): 1e8 (the first deposit's rate) when supply
    ///         is 0, else floor(trancheValue * 1e18 / supply).
    function navPerToken(uint256 trancheValue, uint256 supply) internal pure returns (uint256) {
        if (supply == 0) return INITIAL_NAV_PER_TOKEN;
        return Math.mulDiv(trancheValue, TOKEN_UNIT, supply);
    }

    /// @notice Senior principal after `minted` senior tokens join `supply`: pro rata,
    ///         principal + floor(principal * minted / supply), so the claim per token is unchanged
    ///         (up to the rounding down). For supply 0 use `principalForClaim`.
    function principalAfterMint(uint256 principal, uint256 minted, uint256 supply) internal pure returns (uint256) {
        return principal + Math.mulDiv(principal, minted, supply);
    }

    /// @notice Senior principal after `burned` of `supply` senior tokens leave: pro rata,
    ///         principal - floor(principal * burned / supply) (0 when all leave).
    function principalAfterBurn(uint256 principal, uint256 burned, uint256 supply) internal pure returns (uint256) {
        return principal - Math.mulDiv(principal, burned, supply);
    }
}
