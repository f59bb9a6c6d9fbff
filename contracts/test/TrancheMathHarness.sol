// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {TrancheMath} from "../structured/TrancheMath.sol";

/// @title TrancheMathHarness
/// @notice TEST DOUBLE: exposes TrancheMath's internal functions for the differential tests
///         against `rwa_testbed.models.tranche`. Units as in TrancheMath.
contract TrancheMathHarness {
    function assetsValue(uint256 assets, uint256 price) external pure returns (uint256) {
        return TrancheMath.assetsValue(assets, price);
    }

    function assetsForValue(uint256 value, uint256 price) external pure returns (uint256) {
        return TrancheMath.assetsForValue(value, price);
    }

    function seniorClaim(uint256 principal, uint256 couponBps, uint256 elapsed) external pure returns (uint256) {
        return TrancheMath.seniorClaim(principal, couponBps, elapsed);
    }

    function principalForClaim(uint256 value, uint256 couponBps, uint256 elapsed) external pure returns (uint256) {
        return TrancheMath.principalForClaim(value, couponBps, elapsed);
    }

    function split(uint256 totalValue, uint256 claim) external pure returns (uint256, uint256) {
        return TrancheMath.split(totalValue, claim);
    }

    function sharesForValue(uint256 value, uint256 trancheValue, uint256 supply) external pure returns (uint256) {
        return TrancheMath.sharesForValue(value, trancheValue, supply);
    }

    function valueForShares(uint256 shares, uint256 trancheValue, uint256 supply) external pure returns (uint256) {
        return TrancheMath.valueForShares(shares, trancheValue, supply);
    }

    function navPerToken(uint256 trancheValue, uint256 supply) external pure returns (uint256) {
        return TrancheMath.navPerToken(trancheValue, supply);
    }

    function principalAfterMint(uint256 principal, uint256 minted, uint256 supply) external pure returns (uint256) {
        return TrancheMath.principalAfterMint(principal, minted, supply);
    }

    function principalAfterBurn(uint256 principal, uint256 burned, uint256 supply) external pure returns (uint256) {
        return TrancheMath.principalAfterBurn(principal, burned, supply);
    }
}
