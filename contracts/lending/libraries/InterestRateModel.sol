// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {WadRayMath} from "./WadRayMath.sol";
import {PercentageMath} from "./PercentageMath.sol";

/// @title InterestRateModel
/// @notice Two-slope variable-rate curve of Aave V3.0's default strategy, without the stable-rate parts.
/// @dev usage = debt / (availableLiquidity + debt). Below the optimal usage the borrow rate climbs
///      slope1 linearly; above it, slope2 on the excess. Suppliers earn the borrow rate times the
///      supply usage debt / (availableLiquidity + debt + deficit) times (1 - reserve factor): the
///      deficit takes the place of Aave's `unbacked` (as Aave V3.3 does), so suppliers' balances,
///      which still include the written-off debt, earn exactly what borrowers pay, never more.
///      The operation order (and so every rounding) follows Aave V3.0, including the detour through
///      the debt-weighted "overall borrow rate", which with no stable debt equals the variable rate
///      up to rounding but is kept for wei-exact agreement. Without a deficit: Aave V3.0's numbers.
library InterestRateModel {
    using WadRayMath for uint256;
    using PercentageMath for uint256;

    /// @notice Curve of one reserve; every field in RAY (1e27 = 100 % per year, or a usage of 100 %).
    struct Params {
        /// @dev Usage at which slope2 starts, RAY, in (0, 1e27].
        uint256 optimalUsageRatio;
        /// @dev Borrow rate at zero usage, RAY per year.
        uint256 baseVariableBorrowRate;
        /// @dev Rate added between zero and optimal usage, RAY per year.
        uint256 variableRateSlope1;
        /// @dev Rate added between optimal and full usage, RAY per year.
        uint256 variableRateSlope2;
    }

    /// @notice Liquidity (supply) and variable borrow rates for a reserve state.
    /// @param params The reserve's curve.
    /// @param totalDebt Total variable debt after the action, token units.
    /// @param availableLiquidity Tokens the pool holds for the reserve after the action, token units.
    /// @param deficit The reserve's written-off debt, token units (0 = Aave V3.0's numbers).
    /// @param reserveFactorBps Share of interest kept by the treasury, bps.
    /// @return liquidityRate Yearly supply rate, RAY.
    /// @return variableBorrowRate Yearly borrow rate, RAY.
    function calculateRates(
        Params memory params,
        uint256 totalDebt,
        uint256 availableLiquidity,
        uint256 deficit,
        uint256 reserveFactorBps
    ) internal pure returns (uint256 liquidityRate, uint256 variableBorrowRate) {
        uint256 usageRatio;
        uint256 supplyUsageRatio;
        variableBorrowRate = params.baseVariableBorrowRate;
        if (totalDebt != 0) {
            usageRatio = totalDebt.rayDiv(availableLiquidity + totalDebt);
            supplyUsageRatio = totalDebt.rayDiv(availableLiquidity + totalDebt + deficit);
        }
        if (usageRatio > params.optimalUsageRatio) {
            uint256 excessUsageRatio =
                (usageRatio - params.optimalUsageRatio).rayDiv(WadRayMath.RAY - params.optimalUsageRatio);
            variableBorrowRate += params.variableRateSlope1 + params.variableRateSlope2.rayMul(excessUsageRatio);
        } else {
            variableBorrowRate += params.variableRateSlope1.rayMul(usageRatio).rayDiv(params.optimalUsageRatio);
        }
        uint256 overallBorrowRate;
        if (totalDebt != 0) {
            uint256 debtRay = totalDebt.wadToRay();
            overallBorrowRate = debtRay.rayMul(variableBorrowRate).rayDiv(debtRay);
        }
        liquidityRate = overallBorrowRate.rayMul(supplyUsageRatio).percentMul(
            PercentageMath.PERCENTAGE_FACTOR - reserveFactorBps
        );
    }
}
