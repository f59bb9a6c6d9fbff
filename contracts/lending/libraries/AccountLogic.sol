// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {AggregatorV3Interface} from "../../interfaces/AggregatorV3Interface.sol";
import {ILendingPool} from "../interfaces/ILendingPool.sol";
import {PercentageMath} from "./PercentageMath.sol";
import {ReserveLogic} from "./ReserveLogic.sol";
import {UserConfig} from "./UserConfig.sol";
import {WadRayMath} from "./WadRayMath.sol";
import {PoolState, ReserveState} from "./LendingTypes.sol";

/// @title AccountLogic
/// @notice Prices and a user's account data (collateral, debt, weighted LTV and threshold, health
///         factor), computed as Aave V3.0's GenericLogic does, from the as-of-now indexes.
library AccountLogic {
    using WadRayMath for uint256;
    using PercentageMath for uint256;
    using UserConfig for uint256;
    using ReserveLogic for ReserveState;

    /// @notice Health factor (WAD) below which a position can be liquidated.
    uint256 internal constant HEALTH_FACTOR_LIQUIDATION_THRESHOLD = 1e18;

    /// @notice A user's position in base currency (USD, 8 decimals).
    struct Account {
        uint256 totalCollateralBase;
        uint256 totalDebtBase;
        /// @dev Collateral-weighted LTV, bps.
        uint256 avgLtv;
        /// @dev Collateral-weighted liquidation threshold, bps.
        uint256 avgLiquidationThreshold;
        /// @dev WAD; type(uint256).max without debt.
        uint256 healthFactor;
        /// @dev True if some enabled collateral has LTV 0 (and a non-zero threshold).
        bool hasZeroLtvCollateral;
    }

    /// @notice Price of `asset` in USD with 8 decimals, from its feed's `latestRoundData`.
    /// @dev Reverts on a non-positive answer, and on an answer older than the reserve's `maxPriceAge`
    ///      when that is set (Aave V3.0 checks no age).
    function assetPrice(PoolState storage s, address asset) internal view returns (uint256) {
        return _price(s, asset, true);
    }

    /// @notice `assetPrice` with the age check on (`checkAge`) or off: a monitoring read at the feed's
    ///         last answer, whatever its age.
    function _price(PoolState storage s, address asset, bool checkAge) private view returns (uint256) {
        ReserveState storage reserve = s.reserves[asset];
        if (reserve.liquidityIndex == 0) revert ILendingPool.ReserveNotActive(asset);
        (, int256 answer,, uint256 updatedAt,) = AggregatorV3Interface(reserve.priceSource).latestRoundData();
        if (answer <= 0) revert ILendingPool.InvalidPrice(asset, answer);
        uint256 maxAge = reserve.maxPriceAge;
        if (checkAge && maxAge != 0 && block.timestamp > updatedAt + maxAge) {
            revert ILendingPool.StalePrice(asset, updatedAt, maxAge);
        }
        return uint256(answer);
    }

    /// @notice `user`'s account data, as Aave V3.0's `calculateUserAccountData`.
    /// @dev Per flagged reserve: value = balance x price / 10^decimals, rounded down (debt too, as
    ///      V3.0). Collateral counts only with a non-zero threshold; the averages are value-weighted and
    ///      rounded down; HF = (collateral x avgThreshold, half up) / debt, WAD, half up.
    function calculate(PoolState storage s, address user) internal view returns (Account memory a) {
        return _calculate(s, user, true);
    }

    /// @notice `calculate`, with the prices' age checked or not (`checkAge`, see `_price`).
    function _calculate(PoolState storage s, address user, bool checkAge) private view returns (Account memory a) {
        uint256 config = s.userConfig[user];
        if (config == 0) {
            a.healthFactor = type(uint256).max;
            return a;
        }
        uint256 count = s.reservesCount;
        for (uint256 id; id < count; ++id) {
            if (config.isUsingAsCollateralOrBorrowing(id)) {
                _addReserve(s, a, user, config, id, checkAge);
            }
        }
        if (a.totalCollateralBase != 0) {
            a.avgLtv /= a.totalCollateralBase;
            a.avgLiquidationThreshold /= a.totalCollateralBase;
        }
        a.healthFactor = a.totalDebtBase == 0
            ? type(uint256).max
            : a.totalCollateralBase.percentMul(a.avgLiquidationThreshold).wadDiv(a.totalDebtBase);
    }

    /// @notice Adds reserve `id`'s collateral (value and value-weighted LTV / threshold) and debt to `a`.
    function _addReserve(PoolState storage s, Account memory a, address user, uint256 config, uint256 id, bool checkAge)
        private
        view
    {
        address asset = s.reservesList[id];
        ReserveState storage reserve = s.reserves[asset];
        ILendingPool.ReserveConfig memory rc = reserve.config;
        uint256 unit = 10 ** rc.decimals;
        uint256 price = _price(s, asset, checkAge);
        if (rc.liquidationThresholdBps != 0 && config.isUsingAsCollateral(id)) {
            uint256 value = (s.scaledSupply[asset][user].rayMul(reserve.normalizedIncome()) * price) / unit;
            a.totalCollateralBase += value;
            if (rc.ltvBps != 0) {
                a.avgLtv += value * rc.ltvBps;
            } else {
                a.hasZeroLtvCollateral = true;
            }
            a.avgLiquidationThreshold += value * rc.liquidationThresholdBps;
        }
        if (config.isBorrowing(id)) {
            uint256 debt = s.scaledDebt[asset][user];
            if (debt != 0) {
                debt = debt.rayMul(reserve.normalizedDebt());
            }
            a.totalDebtBase += (price * debt) / unit;
        }
    }

    /// @notice Borrowing power left, USD 8 decimals: collateral x LTV (half up) - debt, floored at 0.
    function availableBorrows(Account memory a) internal pure returns (uint256) {
        uint256 power = a.totalCollateralBase.percentMul(a.avgLtv);
        return power < a.totalDebtBase ? 0 : power - a.totalDebtBase;
    }

    /// @notice The six numbers of `getUserAccountData`; with `checkAge` false, at the feeds' last
    ///         answers whatever their age (the batched monitoring reads).
    function accountData(PoolState storage s, address user, bool checkAge)
        internal
        view
        returns (ILendingPool.AccountData memory d)
    {
        Account memory a = _calculate(s, user, checkAge);
        d.totalCollateralBase = a.totalCollateralBase;
        d.totalDebtBase = a.totalDebtBase;
        d.availableBorrowsBase = availableBorrows(a);
        d.currentLiquidationThreshold = a.avgLiquidationThreshold;
        d.ltv = a.avgLtv;
        d.healthFactor = a.healthFactor;
    }

    /// @notice After withdrawing or disabling collateral `asset`: the health factor must stay >= 1, and a
    ///         user holding zero-LTV collateral may only remove zero-LTV collateral (Aave V3.0's rule).
    function validateHealthFactorAndLtv(PoolState storage s, address user, address asset) internal view {
        Account memory a = calculate(s, user);
        if (a.healthFactor < HEALTH_FACTOR_LIQUIDATION_THRESHOLD) {
            revert ILendingPool.HealthFactorBelowThreshold(user, a.healthFactor);
        }
        if (a.hasZeroLtvCollateral && s.reserves[asset].config.ltvBps != 0) {
            revert ILendingPool.LtvValidationFailed(user, asset);
        }
    }
}
