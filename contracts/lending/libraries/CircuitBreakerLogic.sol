// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {ILendingPool} from "../interfaces/ILendingPool.sol";
import {LiquidationCap, PoolState} from "./LendingTypes.sol";

/// @title CircuitBreakerLogic
/// @notice Liquidation circuit breakers, each off by default: Aave V3.1's grace period per reserve and a
///         Maker `Dog.Hole`-style cap on the debt liquidated per window per collateral reserve. (The
///         liquidator allowlist is a role check in `LendingPool`.)
library CircuitBreakerLogic {
    /// @notice Longest grace period from now, seconds (Aave V3.1's 4 hours).
    uint256 internal constant MAX_GRACE_PERIOD = 4 hours;

    /// @notice Sets `asset`'s grace period to end at block time `until` (0 or past = none).
    function setGracePeriod(PoolState storage s, address asset, uint40 until) internal {
        uint256 maxUntil = block.timestamp + MAX_GRACE_PERIOD;
        if (until > maxUntil) revert ILendingPool.GracePeriodTooLong(until, maxUntil);
        s.liquidationGracePeriodUntil[asset] = until;
        emit ILendingPool.LiquidationGracePeriodSet(asset, until);
    }

    /// @notice Reverts `LiquidationGracePeriodActive` while either reserve is in a grace period
    ///         (block.timestamp < until), the collateral checked first.
    function validateGracePeriods(PoolState storage s, address collateralAsset, address debtAsset) internal view {
        uint40 until = s.liquidationGracePeriodUntil[collateralAsset];
        if (block.timestamp < until) revert ILendingPool.LiquidationGracePeriodActive(collateralAsset, until);
        until = s.liquidationGracePeriodUntil[debtAsset];
        if (block.timestamp < until) revert ILendingPool.LiquidationGracePeriodActive(debtAsset, until);
    }

    /// @notice Sets the cap on debt repaid per window by liquidations seizing `collateralAsset`.
    /// @dev The use so far is kept when the window length is unchanged (a new cap applies to the current
    ///      window's liquidations too); a new length starts counting afresh.
    function setCap(PoolState storage s, address collateralAsset, uint256 capBase, uint32 windowSeconds) internal {
        if (capBase != 0 && windowSeconds == 0) revert ILendingPool.InvalidLiquidationWindow(windowSeconds);
        LiquidationCap storage cap = s.liquidationCaps[collateralAsset];
        if (cap.windowSeconds != windowSeconds) {
            cap.usedBase = 0;
            cap.windowStart = 0;
        }
        cap.capBase = capBase;
        cap.windowSeconds = windowSeconds;
        emit ILendingPool.LiquidationCapSet(collateralAsset, capBase, windowSeconds);
    }

    /// @notice The cap's state as of now: its window's start and the debt repaid in it (0 once a new
    ///         window has begun), both as `getLiquidationCapState` reports them.
    function capState(LiquidationCap storage cap) internal view returns (uint256 windowStart, uint256 usedBase) {
        if (cap.capBase == 0) return (0, 0);
        windowStart = block.timestamp - block.timestamp % cap.windowSeconds;
        usedBase = cap.windowStart == windowStart ? cap.usedBase : 0;
    }

    /// @notice Most debt (token units) one more liquidation seizing `collateralAsset` may repay now:
    ///         the room left in the window at `debtPrice` (USD, 8 decimals), floored, so that its value
    ///         never exceeds the room. type(uint256).max without a cap.
    /// @dev Reverts `LiquidationCapReached` when not even one debt unit fits.
    function capRoomDebt(PoolState storage s, address collateralAsset, uint256 debtPrice, uint256 debtUnit)
        internal
        view
        returns (uint256 roomDebt)
    {
        LiquidationCap storage cap = s.liquidationCaps[collateralAsset];
        if (cap.capBase == 0) return type(uint256).max;
        (uint256 windowStart, uint256 usedBase) = capState(cap);
        // usedBase <= capBase: `useCap` adds at most the room, and a lowered cap is handled by the `>=`
        roomDebt = usedBase >= cap.capBase ? 0 : ((cap.capBase - usedBase) * debtUnit) / debtPrice;
        if (roomDebt == 0) {
            revert ILendingPool.LiquidationCapReached(collateralAsset, windowStart, usedBase, cap.capBase);
        }
    }

    /// @notice Counts `debtRepaid` (token units, at `debtPrice`) against `collateralAsset`'s cap, if any.
    /// @dev No event of its own: `LiquidationExecuted` carries the debt repaid and its price, from which
    ///      the use per window is rebuilt (`getLiquidationCapState` reads it on-chain).
    function useCap(
        PoolState storage s,
        address collateralAsset,
        uint256 debtRepaid,
        uint256 debtPrice,
        uint256 debtUnit
    ) internal {
        LiquidationCap storage cap = s.liquidationCaps[collateralAsset];
        if (cap.capBase == 0) return;
        (uint256 windowStart, uint256 usedBase) = capState(cap);
        cap.windowStart = uint64(windowStart); // a block time in seconds fits 64 bits
        cap.usedBase = usedBase + (debtRepaid * debtPrice) / debtUnit;
    }
}
