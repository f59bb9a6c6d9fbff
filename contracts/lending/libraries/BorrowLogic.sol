// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {ILendingPool} from "../interfaces/ILendingPool.sol";
import {AccountLogic} from "./AccountLogic.sol";
import {PercentageMath} from "./PercentageMath.sol";
import {ReserveLogic} from "./ReserveLogic.sol";
import {SupplyLogic} from "./SupplyLogic.sol";
import {UserConfig} from "./UserConfig.sol";
import {WadRayMath} from "./WadRayMath.sol";
import {PoolState, ReserveCache, ReserveState} from "./LendingTypes.sol";

/// @title BorrowLogic
/// @notice Variable-rate borrow and repay (Aave V3.0 order of steps and checks).
library BorrowLogic {
    using SafeERC20 for IERC20;
    using WadRayMath for uint256;
    using PercentageMath for uint256;
    using UserConfig for uint256;
    using ReserveLogic for ReserveState;

    /// @notice Aave's interest rate mode for variable-rate debt, the only one here.
    uint256 internal constant VARIABLE_RATE_MODE = 2;

    /// @notice Mints debt shares for `amount` to the caller and sends them the tokens.
    function borrow(PoolState storage s, address asset, uint256 amount, uint256 interestRateMode) internal {
        ReserveState storage reserve = s.reserves[asset];
        ReserveCache memory c = reserve.cache();
        reserve.updateState(c);
        _validateBorrow(s, c, asset, amount, interestRateMode);

        uint256 scaled = amount.rayDiv(c.nextVariableBorrowIndex);
        if (scaled == 0) revert ILendingPool.InvalidMintAmount(asset, amount, c.nextVariableBorrowIndex);
        uint256 previous = s.scaledDebt[asset][msg.sender];
        s.scaledDebt[asset][msg.sender] = previous + scaled;
        c.nextScaledDebt = reserve.scaledTotalDebt = c.currScaledDebt + scaled;
        if (previous == 0) {
            s.userConfig[msg.sender] = s.userConfig[msg.sender].setBorrowing(reserve.id, true);
        }

        reserve.updateInterestRates(c, asset, 0, amount);
        IERC20(asset).safeTransfer(msg.sender, amount);
        emit ILendingPool.Borrowed(
            asset, msg.sender, amount, scaled, c.nextVariableBorrowIndex, reserve.currentVariableBorrowRate
        );
    }

    /// @notice Burns up to `amount` (max = all) of `onBehalfOf`'s debt, pulling the tokens from the caller.
    /// @return paid The amount repaid, token units.
    function repay(PoolState storage s, address asset, uint256 amount, uint256 interestRateMode, address onBehalfOf)
        internal
        returns (uint256 paid)
    {
        ReserveState storage reserve = s.reserves[asset];
        ReserveCache memory c = reserve.cache();
        reserve.updateState(c);
        uint256 userDebt = s.scaledDebt[asset][onBehalfOf];
        if (userDebt != 0) {
            userDebt = userDebt.rayMul(reserve.normalizedDebt());
        }

        if (amount == 0) revert ILendingPool.InvalidAmount();
        if (amount == type(uint256).max && msg.sender != onBehalfOf) {
            revert ILendingPool.NoExplicitAmountToRepayOnBehalf(msg.sender, onBehalfOf);
        }
        SupplyLogic.requireActiveNotPaused(c, asset);
        if (interestRateMode != VARIABLE_RATE_MODE) revert ILendingPool.InvalidInterestRateMode(interestRateMode);
        if (userDebt == 0) revert ILendingPool.NoDebtOfSelectedType(onBehalfOf, asset);

        paid = amount < userDebt ? amount : userDebt;
        uint256 scaled = burnDebt(s, reserve, c, asset, onBehalfOf, paid);
        reserve.updateInterestRates(c, asset, paid, 0);
        if (userDebt == paid) {
            s.userConfig[onBehalfOf] = s.userConfig[onBehalfOf].setBorrowing(reserve.id, false);
        }
        IERC20(asset).safeTransferFrom(msg.sender, address(this), paid);
        emit ILendingPool.Repaid(asset, onBehalfOf, msg.sender, paid, scaled, c.nextVariableBorrowIndex);
    }

    /// @notice Burns the debt shares worth `amount` at the cached borrow index from `user`.
    /// @return scaled The shares burnt.
    function burnDebt(
        PoolState storage s,
        ReserveState storage reserve,
        ReserveCache memory c,
        address asset,
        address user,
        uint256 amount
    ) internal returns (uint256 scaled) {
        scaled = amount.rayDiv(c.nextVariableBorrowIndex);
        if (scaled == 0) revert ILendingPool.InvalidBurnAmount(asset, amount, c.nextVariableBorrowIndex);
        s.scaledDebt[asset][user] -= scaled;
        c.nextScaledDebt = reserve.scaledTotalDebt -= scaled;
    }

    /// @notice Aave V3.0's borrow checks, in its order (the first failing check names the error).
    function _validateBorrow(
        PoolState storage s,
        ReserveCache memory c,
        address asset,
        uint256 amount,
        uint256 interestRateMode
    ) private view {
        if (amount == 0) revert ILendingPool.InvalidAmount();
        SupplyLogic.requireActiveNotPaused(c, asset);
        if (c.config.frozen) revert ILendingPool.ReserveFrozen(asset);
        if (!c.config.borrowingEnabled) revert ILendingPool.BorrowingNotEnabled(asset);
        if (interestRateMode != VARIABLE_RATE_MODE) revert ILendingPool.InvalidInterestRateMode(interestRateMode);

        uint256 unit = 10 ** c.config.decimals;
        uint256 cap = c.config.borrowCap;
        if (cap != 0) {
            uint256 totalAfter = c.currScaledDebt.rayMul(c.nextVariableBorrowIndex) + amount;
            if (totalAfter > cap * unit) revert ILendingPool.BorrowCapExceeded(asset, cap, totalAfter);
        }

        AccountLogic.Account memory a = AccountLogic.calculate(s, msg.sender);
        if (a.totalCollateralBase == 0) revert ILendingPool.CollateralBalanceIsZero(msg.sender);
        if (a.avgLtv == 0) revert ILendingPool.LtvValidationFailed(msg.sender, asset);
        if (a.healthFactor <= AccountLogic.HEALTH_FACTOR_LIQUIDATION_THRESHOLD) {
            revert ILendingPool.HealthFactorBelowThreshold(msg.sender, a.healthFactor);
        }
        uint256 amountBase = (AccountLogic.assetPrice(s, asset) * amount) / unit;
        uint256 collateralNeeded = (a.totalDebtBase + amountBase).percentDiv(a.avgLtv);
        if (collateralNeeded > a.totalCollateralBase) {
            revert ILendingPool.CollateralCannotCoverNewBorrow(msg.sender, a.totalCollateralBase, collateralNeeded);
        }
    }
}
