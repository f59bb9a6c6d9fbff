// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {ILendingPool} from "../interfaces/ILendingPool.sol";
import {InterestMath} from "./InterestMath.sol";
import {InterestRateModel} from "./InterestRateModel.sol";
import {PercentageMath} from "./PercentageMath.sol";
import {WadRayMath} from "./WadRayMath.sol";
import {ReserveCache, ReserveState} from "./LendingTypes.sol";

/// @title ReserveLogic
/// @notice Index accrual, treasury accrual and rate updates of a reserve (Aave V3.0 semantics).
library ReserveLogic {
    using WadRayMath for uint256;
    using PercentageMath for uint256;
    using SafeCast for uint256;

    /// @notice Snapshot of `reserve` for an action.
    function cache(ReserveState storage reserve) internal view returns (ReserveCache memory c) {
        c.config = reserve.config;
        c.currLiquidityIndex = c.nextLiquidityIndex = reserve.liquidityIndex;
        c.currVariableBorrowIndex = c.nextVariableBorrowIndex = reserve.variableBorrowIndex;
        c.currLiquidityRate = reserve.currentLiquidityRate;
        c.currVariableBorrowRate = reserve.currentVariableBorrowRate;
        c.currScaledDebt = c.nextScaledDebt = reserve.scaledTotalDebt;
        c.lastUpdateTimestamp = reserve.lastUpdateTimestamp;
    }

    /// @notice Liquidity index as of now, RAY, without writing state.
    function normalizedIncome(ReserveState storage reserve) internal view returns (uint256) {
        uint40 last = reserve.lastUpdateTimestamp;
        if (last == block.timestamp) {
            return reserve.liquidityIndex;
        }
        return InterestMath.linearInterest(reserve.currentLiquidityRate, block.timestamp - last).rayMul(
            reserve.liquidityIndex
        );
    }

    /// @notice Variable borrow index as of now, RAY, without writing state.
    /// @dev Compounds the current rate even while nobody borrows (the stored index then does not move).
    function normalizedDebt(ReserveState storage reserve) internal view returns (uint256) {
        uint40 last = reserve.lastUpdateTimestamp;
        if (last == block.timestamp) {
            return reserve.variableBorrowIndex;
        }
        return InterestMath.compoundedInterest(reserve.currentVariableBorrowRate, block.timestamp - last).rayMul(
            reserve.variableBorrowIndex
        );
    }

    /// @notice Accrues both indexes and the treasury's share up to now; once per block.
    /// @dev The liquidity index moves only if the supply rate is non-zero and the borrow index only if
    ///      there is debt, as Aave V3.0.
    function updateState(ReserveState storage reserve, ReserveCache memory c) internal {
        if (c.lastUpdateTimestamp == uint40(block.timestamp)) {
            return;
        }
        uint256 elapsed = block.timestamp - c.lastUpdateTimestamp;
        if (c.currLiquidityRate != 0) {
            c.nextLiquidityIndex = InterestMath.linearInterest(c.currLiquidityRate, elapsed).rayMul(c.currLiquidityIndex);
            reserve.liquidityIndex = c.nextLiquidityIndex.toUint128();
        }
        if (c.currScaledDebt != 0) {
            c.nextVariableBorrowIndex =
                InterestMath.compoundedInterest(c.currVariableBorrowRate, elapsed).rayMul(c.currVariableBorrowIndex);
            reserve.variableBorrowIndex = c.nextVariableBorrowIndex.toUint128();
        }
        _accrueToTreasury(reserve, c);
        reserve.lastUpdateTimestamp = uint40(block.timestamp);
    }

    /// @notice Recomputes the rates after an action and emits `ReserveDataUpdated`.
    /// @dev Available liquidity is the pool's token balance plus `liquidityAdded` minus `liquidityTaken`:
    ///      callers run this before moving the tokens, exactly where Aave V3.0 does.
    /// @param liquidityAdded Tokens the action brings in after this call (supply, repay), token units.
    /// @param liquidityTaken Tokens the action sends out after this call (withdraw, borrow), token units.
    function updateInterestRates(
        ReserveState storage reserve,
        ReserveCache memory c,
        address asset,
        uint256 liquidityAdded,
        uint256 liquidityTaken
    ) internal {
        uint256 totalDebt = c.nextScaledDebt.rayMul(c.nextVariableBorrowIndex);
        uint256 available = IERC20(asset).balanceOf(address(this)) + liquidityAdded;
        if (available < liquidityTaken) {
            revert ILendingPool.InsufficientLiquidity(asset, available, liquidityTaken);
        }
        // checked just above
        unchecked {
            available -= liquidityTaken;
        }
        (uint256 liquidityRate, uint256 variableBorrowRate) = InterestRateModel.calculateRates(
            reserve.rateParams, totalDebt, available, reserve.deficit, c.config.reserveFactorBps
        );
        reserve.currentLiquidityRate = liquidityRate.toUint128();
        reserve.currentVariableBorrowRate = variableBorrowRate.toUint128();
        emit ILendingPool.ReserveDataUpdated(
            asset, liquidityRate, variableBorrowRate, c.nextLiquidityIndex, c.nextVariableBorrowIndex
        );
    }

    /// @notice Adds the reserve factor's share of the debt interest accrued since the last update to
    ///         `accruedToTreasury`, in supply shares at the new liquidity index.
    function _accrueToTreasury(ReserveState storage reserve, ReserveCache memory c) private {
        uint256 reserveFactor = c.config.reserveFactorBps;
        if (reserveFactor == 0) {
            return;
        }
        uint256 previousDebt = c.currScaledDebt.rayMul(c.currVariableBorrowIndex);
        uint256 currentDebt = c.currScaledDebt.rayMul(c.nextVariableBorrowIndex);
        uint256 amountToMint = (currentDebt - previousDebt).percentMul(reserveFactor);
        if (amountToMint != 0) {
            reserve.accruedToTreasury += amountToMint.rayDiv(c.nextLiquidityIndex).toUint128();
        }
    }
}
