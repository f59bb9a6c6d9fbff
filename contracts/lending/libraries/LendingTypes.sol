// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {ILendingPool} from "../interfaces/ILendingPool.sol";
import {InterestRateModel} from "./InterestRateModel.sol";

/// @notice Stored state of one reserve.
struct ReserveState {
    ILendingPool.ReserveConfig config;
    InterestRateModel.Params rateParams;
    /// @dev Liquidity index as of `lastUpdateTimestamp`, RAY; 0 = reserve not listed.
    uint128 liquidityIndex;
    /// @dev Yearly supply rate, RAY.
    uint128 currentLiquidityRate;
    /// @dev Variable borrow index as of `lastUpdateTimestamp`, RAY.
    uint128 variableBorrowIndex;
    /// @dev Yearly variable borrow rate, RAY.
    uint128 currentVariableBorrowRate;
    /// @dev Treasury's share of interest, supply shares not yet minted to it.
    uint128 accruedToTreasury;
    /// @dev Block time of the last index update, seconds (0 until the first action, as Aave).
    uint40 lastUpdateTimestamp;
    /// @dev Listing order; position of the reserve's bits in user configurations.
    uint16 id;
    /// @dev Chainlink-style feed, 8 decimals, USD.
    address priceSource;
    /// @dev Maximum feed answer age, seconds; 0 = unchecked.
    uint64 maxPriceAge;
    /// @dev Sum of supply shares (users and minted treasury).
    uint256 scaledTotalSupply;
    /// @dev Sum of debt shares.
    uint256 scaledTotalDebt;
    /// @dev Written-off debt not yet covered, token units.
    uint256 deficit;
}

/// @notice All of the pool's state, handed to the logic libraries as one storage pointer.
struct PoolState {
    mapping(address asset => ReserveState) reserves;
    mapping(uint256 id => address asset) reservesList;
    uint256 reservesCount;
    /// @dev Flags word per user, see `UserConfig`.
    mapping(address user => uint256) userConfig;
    mapping(address asset => mapping(address user => uint256 shares)) scaledSupply;
    mapping(address asset => mapping(address user => uint256 shares)) scaledDebt;
    /// @dev Receives reserve-factor interest and liquidation protocol fees, as supply.
    address treasury;
    /// @dev Per reserve, block time (seconds) until which no liquidation may use it as collateral or
    ///      debt (Aave V3.1's grace period); 0 or past = none.
    mapping(address asset => uint40 until) liquidationGracePeriodUntil;
    /// @dev Per collateral reserve, the cap on debt repaid by its liquidations per window (Maker `Dog.Hole`).
    mapping(address collateralAsset => LiquidationCap) liquidationCaps;
    /// @dev When true, only LIQUIDATOR_ROLE holders may call `liquidationCall` (a permissioned market).
    bool liquidatorAllowlistEnabled;
}

/// @notice A collateral reserve's liquidation cap and its use in the current window.
struct LiquidationCap {
    /// @dev Debt liquidations seizing this collateral may repay per window, base currency (USD, 8 decimals);
    ///      0 = no cap.
    uint256 capBase;
    /// @dev Debt repaid in the window starting at `windowStart`, base currency (USD, 8 decimals).
    uint256 usedBase;
    /// @dev Window length, seconds; windows start at multiples of it (block time).
    uint32 windowSeconds;
    /// @dev Start of the window `usedBase` counts, block time in seconds.
    uint64 windowStart;
}

/// @notice In-memory snapshot of a reserve taken at the start of an action ("curr" = stored values,
///         "next" = after accrual and after the action's share mint/burn).
struct ReserveCache {
    ILendingPool.ReserveConfig config;
    uint256 currLiquidityIndex;
    uint256 nextLiquidityIndex;
    uint256 currVariableBorrowIndex;
    uint256 nextVariableBorrowIndex;
    uint256 currLiquidityRate;
    uint256 currVariableBorrowRate;
    uint256 currScaledDebt;
    uint256 nextScaledDebt;
    uint40 lastUpdateTimestamp;
}
