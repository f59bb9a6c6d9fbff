// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {ILendingPool} from "../interfaces/ILendingPool.sol";
import {AccountLogic} from "./AccountLogic.sol";
import {BorrowLogic} from "./BorrowLogic.sol";
import {CircuitBreakerLogic} from "./CircuitBreakerLogic.sol";
import {PercentageMath} from "./PercentageMath.sol";
import {ReserveLogic} from "./ReserveLogic.sol";
import {SupplyLogic} from "./SupplyLogic.sol";
import {UserConfig} from "./UserConfig.sol";
import {WadRayMath} from "./WadRayMath.sol";
import {PoolState, ReserveCache, ReserveState} from "./LendingTypes.sol";

/// @title LiquidationLogic
/// @notice Liquidations with Aave V3.0's close factor and collateral amounts, plus Aave V3.3's
///         bad-debt rule: debt left without any collateral becomes the reserve's deficit, and the
///         circuit breakers of `CircuitBreakerLogic` (grace period, cap per window), off by default.
/// @dev Who bears a deficit: the written-off debt stops accruing and leaves `totalDebt`, but the
///      liquidity index is not cut, so suppliers' balances still include it. The pool then holds
///      fewer assets (cash + debt) than it owes suppliers, by exactly the sum of deficits; the last
///      suppliers to withdraw find the cash short. `coverDeficit` (admin) pays it back in; in Aave V3.3
///      the Umbrella / treasury does so with `eliminateReserveDeficit`.
library LiquidationLogic {
    using SafeERC20 for IERC20;
    using WadRayMath for uint256;
    using PercentageMath for uint256;
    using UserConfig for uint256;
    using ReserveLogic for ReserveState;

    /// @notice Share of a user's debt in one reserve a liquidation may repay while HF > 0.95, bps.
    uint256 internal constant DEFAULT_LIQUIDATION_CLOSE_FACTOR = 0.5e4;
    /// @notice Share of a user's debt in one reserve a liquidation may repay once HF <= 0.95, bps.
    uint256 internal constant MAX_LIQUIDATION_CLOSE_FACTOR = 1e4;
    /// @notice Health factor (WAD) at or below which the whole debt may be repaid at once.
    uint256 internal constant CLOSE_FACTOR_HF_THRESHOLD = 0.95e18;

    struct Vars {
        address collateralAsset;
        address debtAsset;
        address user;
        uint256 healthFactorBefore;
        uint256 totalCollateralBase;
        uint256 userDebt;
        uint256 actualDebt;
        uint256 userCollateralBalance;
        uint256 collateralToLiquidator;
        uint256 protocolFee;
        uint256 collateralPrice;
        uint256 debtPrice;
        bool hasNoCollateralLeft;
        bool receiveShares;
        ReserveCache debtCache;
    }

    /// @notice See `ILendingPool.liquidationCall`.
    function liquidationCall(
        PoolState storage s,
        address collateralAsset,
        address debtAsset,
        address user,
        uint256 debtToCover,
        bool receiveShares
    ) internal {
        Vars memory v;
        v.collateralAsset = collateralAsset;
        v.debtAsset = debtAsset;
        v.user = user;
        v.receiveShares = receiveShares;
        ReserveState storage collateralReserve = s.reserves[collateralAsset];
        ReserveState storage debtReserve = s.reserves[debtAsset];

        v.debtCache = debtReserve.cache();
        debtReserve.updateState(v.debtCache);
        AccountLogic.Account memory a = AccountLogic.calculate(s, user);
        v.healthFactorBefore = a.healthFactor;
        v.totalCollateralBase = a.totalCollateralBase;

        v.userDebt = s.scaledDebt[debtAsset][user];
        if (v.userDebt != 0) {
            v.userDebt = v.userDebt.rayMul(debtReserve.normalizedDebt());
        }
        uint256 maxLiquidatableDebt = v.userDebt.percentMul(
            a.healthFactor > CLOSE_FACTOR_HF_THRESHOLD ? DEFAULT_LIQUIDATION_CLOSE_FACTOR : MAX_LIQUIDATION_CLOSE_FACTOR
        );
        v.actualDebt = debtToCover > maxLiquidatableDebt ? maxLiquidatableDebt : debtToCover;

        _validate(s, collateralReserve, v);
        if (s.liquidationCaps[collateralAsset].capBase != 0) _capToRoom(s, v);

        v.userCollateralBalance = s.scaledSupply[collateralAsset][user].rayMul(collateralReserve.normalizedIncome());
        _calculateCollateral(s, collateralReserve.config, v);
        CircuitBreakerLogic.useCap(s, collateralAsset, v.actualDebt, v.debtPrice, 10 ** v.debtCache.config.decimals);

        uint256 config = s.userConfig[user];
        if (v.userDebt == v.actualDebt) {
            config = config.setBorrowing(debtReserve.id, false);
        }
        if (v.collateralToLiquidator + v.protocolFee == v.userCollateralBalance) {
            config = config.setUsingAsCollateral(collateralReserve.id, false);
            emit ILendingPool.CollateralToggled(collateralAsset, user, false);
        }
        s.userConfig[user] = config;

        BorrowLogic.burnDebt(s, debtReserve, v.debtCache, debtAsset, user, v.actualDebt);
        if (v.hasNoCollateralLeft) {
            _writeOffDebt(s, debtReserve, v.debtCache, debtAsset, user);
        }
        debtReserve.updateInterestRates(v.debtCache, debtAsset, v.actualDebt, 0);

        if (receiveShares) {
            _transferSharesToLiquidator(s, collateralReserve, v);
        } else {
            _burnCollateral(s, collateralReserve, v);
        }
        if (v.protocolFee != 0) {
            _payProtocolFee(s, collateralReserve, v);
        }
        if (v.hasNoCollateralLeft && s.userConfig[user].isBorrowingAny()) {
            _writeOffAllDebt(s, user);
        }

        IERC20(debtAsset).safeTransferFrom(msg.sender, address(this), v.actualDebt);
        _emitLiquidation(v, AccountLogic.calculate(s, user).healthFactor);
    }

    /// @notice Pays `amount` (capped at the deficit) of `asset` from the caller to reduce its deficit.
    /// @return covered The amount covered, token units.
    function coverDeficit(PoolState storage s, address asset, uint256 amount) internal returns (uint256 covered) {
        ReserveState storage reserve = s.reserves[asset];
        if (amount == 0) revert ILendingPool.InvalidAmount();
        if (reserve.liquidityIndex == 0) revert ILendingPool.ReserveNotActive(asset);
        uint256 current = reserve.deficit;
        if (current == 0) revert ILendingPool.NoDeficit(asset);
        covered = amount < current ? amount : current;

        ReserveCache memory c = reserve.cache();
        reserve.updateState(c);
        reserve.deficit = current - covered;
        reserve.updateInterestRates(c, asset, covered, 0);
        IERC20(asset).safeTransferFrom(msg.sender, address(this), covered);
        emit ILendingPool.DeficitCovered(asset, msg.sender, covered);
    }

    /// @notice Aave V3.0's liquidation checks, in its order.
    function _validate(PoolState storage s, ReserveState storage collateralReserve, Vars memory v) private view {
        ReserveState storage debtReserve = s.reserves[v.debtAsset];
        if (collateralReserve.liquidityIndex == 0) revert ILendingPool.ReserveNotActive(v.collateralAsset);
        if (debtReserve.liquidityIndex == 0) revert ILendingPool.ReserveNotActive(v.debtAsset);
        if (collateralReserve.config.paused) revert ILendingPool.ReservePaused(v.collateralAsset);
        if (debtReserve.config.paused) revert ILendingPool.ReservePaused(v.debtAsset);
        CircuitBreakerLogic.validateGracePeriods(s, v.collateralAsset, v.debtAsset);
        if (v.healthFactorBefore >= AccountLogic.HEALTH_FACTOR_LIQUIDATION_THRESHOLD) {
            revert ILendingPool.HealthyPosition(v.user, v.healthFactorBefore);
        }
        if (
            collateralReserve.config.liquidationThresholdBps == 0
                || !s.userConfig[v.user].isUsingAsCollateral(collateralReserve.id)
        ) {
            revert ILendingPool.CollateralNotEnabled(v.user, v.collateralAsset);
        }
        if (v.userDebt == 0) revert ILendingPool.NoDebt(v.user, v.debtAsset);
    }

    /// @notice Cuts the debt to repay to the room left under the collateral's liquidation cap, as if the
    ///         liquidator had asked for no more (min is order-free: min(debtToCover, room, close factor)).
    function _capToRoom(PoolState storage s, Vars memory v) private view {
        uint256 room = CircuitBreakerLogic.capRoomDebt(
            s, v.collateralAsset, AccountLogic.assetPrice(s, v.debtAsset), 10 ** v.debtCache.config.decimals
        );
        if (v.actualDebt > room) v.actualDebt = room;
    }

    /// @notice Collateral to seize for `v.actualDebt`, as Aave V3.0's `_calculateAvailableCollateralToLiquidate`;
    ///         also decides (as Aave V3.3) whether the user is left with no collateral of any value.
    /// @dev seized = debt x debtPrice / collateralPrice x bonus (unit-adjusted, floored, then bonus half up).
    ///      If the user has less, all of it is seized and the debt repaid becomes its value / bonus.
    ///      Protocol fee = (seized - seized / bonus) x feeBps, taken out of the liquidator's part.
    function _calculateCollateral(PoolState storage s, ILendingPool.ReserveConfig memory collateralConfig, Vars memory v)
        private
        view
    {
        v.collateralPrice = AccountLogic.assetPrice(s, v.collateralAsset);
        v.debtPrice = AccountLogic.assetPrice(s, v.debtAsset);
        uint256 collateralUnit = 10 ** collateralConfig.decimals;
        uint256 debtUnit = 10 ** v.debtCache.config.decimals;
        uint256 bonus = collateralConfig.liquidationBonusBps;

        uint256 baseCollateral = (v.debtPrice * v.actualDebt * collateralUnit) / (v.collateralPrice * debtUnit);
        uint256 collateralAmount = baseCollateral.percentMul(bonus);
        if (collateralAmount > v.userCollateralBalance) {
            collateralAmount = v.userCollateralBalance;
            v.actualDebt = ((v.collateralPrice * collateralAmount * debtUnit) / (v.debtPrice * collateralUnit))
                .percentDiv(bonus);
        }
        v.hasNoCollateralLeft = v.totalCollateralBase == (collateralAmount * v.collateralPrice) / collateralUnit;

        uint256 feeBps = collateralConfig.liquidationProtocolFeeBps;
        if (feeBps != 0) {
            uint256 bonusCollateral = collateralAmount - collateralAmount.percentDiv(bonus);
            v.protocolFee = bonusCollateral.percentMul(feeBps);
        }
        v.collateralToLiquidator = collateralAmount - v.protocolFee;
    }

    /// @notice Liquidator takes supply shares; the collateral reserve's state is not touched (as Aave).
    function _transferSharesToLiquidator(PoolState storage s, ReserveState storage collateralReserve, Vars memory v)
        private
    {
        bool firstShares = s.scaledSupply[v.collateralAsset][msg.sender] == 0;
        SupplyLogic.transferShares(
            s, v.collateralAsset, v.user, msg.sender, v.collateralToLiquidator, collateralReserve.normalizedIncome()
        );
        if (firstShares && collateralReserve.config.ltvBps != 0) {
            s.userConfig[msg.sender] = s.userConfig[msg.sender].setUsingAsCollateral(collateralReserve.id, true);
            emit ILendingPool.CollateralToggled(v.collateralAsset, msg.sender, true);
        }
    }

    /// @notice Liquidator takes the underlying: accrue the collateral reserve, update its rates, burn.
    function _burnCollateral(PoolState storage s, ReserveState storage collateralReserve, Vars memory v) private {
        ReserveCache memory c = collateralReserve.cache();
        collateralReserve.updateState(c);
        collateralReserve.updateInterestRates(c, v.collateralAsset, 0, v.collateralToLiquidator);
        SupplyLogic.burnShares(s, collateralReserve, v.collateralAsset, v.user, v.collateralToLiquidator, c.nextLiquidityIndex);
        IERC20(v.collateralAsset).safeTransfer(msg.sender, v.collateralToLiquidator);
    }

    /// @notice Treasury takes the protocol fee as supply shares, capped at the user's remaining shares
    ///         (Aave's guard against a 1-wei rounding overshoot).
    function _payProtocolFee(PoolState storage s, ReserveState storage collateralReserve, Vars memory v) private {
        uint256 index = collateralReserve.normalizedIncome();
        uint256 userShares = s.scaledSupply[v.collateralAsset][v.user];
        if (v.protocolFee.rayDiv(index) > userShares) {
            v.protocolFee = userShares.rayMul(index);
        }
        SupplyLogic.transferShares(s, v.collateralAsset, v.user, s.treasury, v.protocolFee, index);
    }

    /// @notice Writes off all of `user`'s remaining debt in `asset` into the reserve's deficit.
    /// @dev The amount written off is the remaining shares at the current index: exactly the debt the
    ///      user would still owe under Aave V3.0.
    function _writeOffDebt(
        PoolState storage s,
        ReserveState storage reserve,
        ReserveCache memory c,
        address asset,
        address user
    ) private {
        uint256 scaled = s.scaledDebt[asset][user];
        if (scaled != 0) {
            uint256 amount = scaled.rayMul(c.nextVariableBorrowIndex);
            s.scaledDebt[asset][user] = 0;
            c.nextScaledDebt = reserve.scaledTotalDebt -= scaled;
            reserve.deficit += amount;
            emit ILendingPool.DeficitCreated(user, asset, amount);
        }
        s.userConfig[user] = s.userConfig[user].setBorrowing(reserve.id, false);
    }

    /// @notice Writes off `user`'s debt in every other reserve they still borrow (after the liquidation
    ///         took their last collateral), accruing each reserve and updating its rates first.
    function _writeOffAllDebt(PoolState storage s, address user) private {
        uint256 count = s.reservesCount;
        for (uint256 id; id < count; ++id) {
            if (!s.userConfig[user].isBorrowing(id)) continue;
            address asset = s.reservesList[id];
            ReserveState storage reserve = s.reserves[asset];
            ReserveCache memory c = reserve.cache();
            reserve.updateState(c);
            _writeOffDebt(s, reserve, c, asset, user);
            reserve.updateInterestRates(c, asset, 0, 0);
        }
    }

    function _emitLiquidation(Vars memory v, uint256 healthFactorAfter) private {
        emit ILendingPool.LiquidationExecuted(
            v.collateralAsset,
            v.debtAsset,
            v.user,
            msg.sender,
            v.actualDebt,
            v.collateralToLiquidator,
            v.protocolFee,
            v.collateralPrice,
            v.debtPrice,
            v.healthFactorBefore,
            healthFactorAfter,
            v.receiveShares
        );
    }
}
