// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {InterestMath} from "../lending/libraries/InterestMath.sol";
import {InterestRateModel} from "../lending/libraries/InterestRateModel.sol";
import {PercentageMath} from "../lending/libraries/PercentageMath.sol";
import {WadRayMath} from "../lending/libraries/WadRayMath.sol";

/// @title LendingMathHarness
/// @notice Test double exposing the lending pool's internal math libraries as external pure functions,
///         so tests can compare them with `rwa_testbed.aave_math` on many inputs.
contract LendingMathHarness {
    function wadMul(uint256 a, uint256 b) external pure returns (uint256) {
        return WadRayMath.wadMul(a, b);
    }

    function wadDiv(uint256 a, uint256 b) external pure returns (uint256) {
        return WadRayMath.wadDiv(a, b);
    }

    function rayMul(uint256 a, uint256 b) external pure returns (uint256) {
        return WadRayMath.rayMul(a, b);
    }

    function rayDiv(uint256 a, uint256 b) external pure returns (uint256) {
        return WadRayMath.rayDiv(a, b);
    }

    function wadToRay(uint256 a) external pure returns (uint256) {
        return WadRayMath.wadToRay(a);
    }

    function percentMul(uint256 value, uint256 bps) external pure returns (uint256) {
        return PercentageMath.percentMul(value, bps);
    }

    function percentDiv(uint256 value, uint256 bps) external pure returns (uint256) {
        return PercentageMath.percentDiv(value, bps);
    }

    function linearInterest(uint256 rate, uint256 elapsed) external pure returns (uint256) {
        return InterestMath.linearInterest(rate, elapsed);
    }

    function compoundedInterest(uint256 rate, uint256 elapsed) external pure returns (uint256) {
        return InterestMath.compoundedInterest(rate, elapsed);
    }

    function calculateRates(
        InterestRateModel.Params calldata params,
        uint256 totalDebt,
        uint256 availableLiquidity,
        uint256 deficit,
        uint256 reserveFactorBps
    ) external pure returns (uint256 liquidityRate, uint256 variableBorrowRate) {
        return InterestRateModel.calculateRates(params, totalDebt, availableLiquidity, deficit, reserveFactorBps);
    }
}
