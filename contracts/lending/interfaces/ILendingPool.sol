// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title ILendingPool
/// @notice An over-collateralised lending pool with Aave V3's user ABI (supply, withdraw, borrow,
///         repay, setUserUseReserveAsCollateral, liquidationCall, getUserAccountData) and, by design,
///         Aave V3.0's numbers to the wei: same index math, rate curve, account data, close factor
///         and liquidation amounts. Variable-rate debt only; no credit delegation, flash loans,
///         e-mode or isolation mode.
/// @dev Units: amounts in the asset's own decimals; prices and "base" values in USD with 8 decimals;
///      percentages in bps (10_000 = 100 %); indexes and rates in RAY (1e27); health factor in WAD
///      (1e18 = 1.0). Balances are scaled shares: balance = scaled * index / 1e27 (rounded half up).
///
///      One deliberate difference from Aave V3.0 (taken from Aave V3.3): when a liquidation leaves the
///      borrower with no collateral of any value, the rest of their debt in every reserve is written off
///      into that reserve's `deficit` (see `DeficitCreated`). Aave V3.0 leaves it on the borrower.
///      While a reserve has a deficit its supply rate is computed on debt / (cash + debt + deficit),
///      as Aave V3.3 counts the deficit with `unbacked`: suppliers do not earn on written-off debt.
interface ILendingPool {
    // ---------------------------------------------------------------- types

    /// @notice Risk and rate parameters of a reserve, as given to `initReserve` / `configureReserve`.
    struct ReserveParams {
        /// @dev Loan-to-value, bps: borrowing power per unit of collateral value. 0 = no borrowing power.
        uint256 ltvBps;
        /// @dev Liquidation threshold, bps: collateral value counted in the health factor. 0 = not collateral.
        uint256 liquidationThresholdBps;
        /// @dev Liquidation bonus, bps including the repaid part, as Aave: 10_500 = liquidator gets 105 %
        ///      of the debt it repays, in collateral. Must be > 10_000 if the threshold is non-zero, else 0.
        uint256 liquidationBonusBps;
        /// @dev Treasury's share of the bonus part of seized collateral, bps.
        uint256 liquidationProtocolFeeBps;
        /// @dev Share of borrowers' interest kept by the treasury, bps.
        uint256 reserveFactorBps;
        /// @dev Supply cap in whole tokens (no decimals), 0 = none.
        uint256 supplyCap;
        /// @dev Borrow cap in whole tokens (no decimals), 0 = none.
        uint256 borrowCap;
        /// @dev Whether users may borrow the asset.
        bool borrowingEnabled;
        /// @dev Usage at which the second slope starts, RAY, in (0, 1e27].
        uint256 optimalUsageRay;
        /// @dev Borrow rate at zero usage, RAY per year.
        uint256 baseRateRay;
        /// @dev Borrow-rate increase from zero to optimal usage, RAY per year.
        uint256 slope1Ray;
        /// @dev Borrow-rate increase from optimal to full usage, RAY per year.
        uint256 slope2Ray;
    }

    /// @notice Packed risk configuration of a reserve (one storage slot).
    struct ReserveConfig {
        uint16 ltvBps;
        uint16 liquidationThresholdBps;
        uint16 liquidationBonusBps;
        uint16 liquidationProtocolFeeBps;
        uint16 reserveFactorBps;
        /// @dev Token decimals, read from the token at listing.
        uint8 decimals;
        bool borrowingEnabled;
        /// @dev Paused: nothing but admin changes (no supply, withdraw, borrow, repay, liquidation).
        bool paused;
        /// @dev Frozen: no new supply or borrow; withdraw, repay and liquidation go on.
        bool frozen;
        /// @dev Whole tokens, 0 = none.
        uint64 supplyCap;
        /// @dev Whole tokens, 0 = none.
        uint64 borrowCap;
    }

    /// @notice Everything known about a reserve, as returned by `getReserveData`.
    struct ReserveData {
        ReserveConfig config;
        /// @dev Order of listing; the position of the reserve's flags in user configurations.
        uint256 id;
        /// @dev Chainlink-style feed, 8 decimals, USD.
        address priceSource;
        /// @dev Maximum age of the feed's answer in seconds; 0 = not checked.
        uint256 maxPriceAge;
        uint256 optimalUsageRay;
        uint256 baseRateRay;
        uint256 slope1Ray;
        uint256 slope2Ray;
        /// @dev Stored liquidity index, RAY (as of `lastUpdateTimestamp`).
        uint256 liquidityIndex;
        /// @dev Stored variable borrow index, RAY (as of `lastUpdateTimestamp`).
        uint256 variableBorrowIndex;
        /// @dev Current yearly supply rate, RAY.
        uint256 currentLiquidityRate;
        /// @dev Current yearly variable borrow rate, RAY.
        uint256 currentVariableBorrowRate;
        /// @dev Block time of the last state update, seconds (0 before the first action).
        uint256 lastUpdateTimestamp;
        /// @dev Treasury's share of interest not yet minted to it, scaled supply shares.
        uint256 accruedToTreasury;
        /// @dev Sum of users' (and the treasury's minted) supply shares.
        uint256 scaledTotalSupply;
        /// @dev Sum of users' debt shares.
        uint256 scaledTotalDebt;
        /// @dev Debt written off as bad debt and not yet covered, token units.
        uint256 deficit;
    }

    /// @notice `getUserAccountData`'s six numbers for one user.
    struct AccountData {
        uint256 totalCollateralBase;
        uint256 totalDebtBase;
        uint256 availableBorrowsBase;
        uint256 currentLiquidationThreshold;
        uint256 ltv;
        uint256 healthFactor;
    }

    /// @notice Which rule of `initReserve` / `configureReserve` a parameter broke.
    enum ReserveParamRule {
        LtvAboveThreshold,
        BonusNotAbove100Percent,
        BonusWithoutThreshold,
        ThresholdTimesBonusAbove100Percent,
        BonusTooLarge,
        ProtocolFeeAbove100Percent,
        ReserveFactorAbove100Percent,
        SupplyCapTooLarge,
        BorrowCapTooLarge,
        OptimalUsageOutOfRange,
        ThresholdZeroWithSuppliers
    }

    // ---------------------------------------------------------------- events

    /// @notice A reserve was listed.
    event ReserveInitialized(address indexed asset, uint256 id, uint8 decimals, address priceSource);
    /// @notice A reserve's risk and rate parameters were set (at listing and on every change).
    event ReserveConfigured(address indexed asset, ReserveParams params);
    /// @notice A reserve's price feed or its maximum answer age (seconds, 0 = unchecked) was set.
    event PriceSourceSet(address indexed asset, address priceSource, uint256 maxPriceAge);
    /// @notice A reserve was paused or unpaused.
    event ReservePauseChanged(address indexed asset, bool paused);
    /// @notice A reserve was frozen or unfrozen.
    event ReserveFreezeChanged(address indexed asset, bool frozen);
    /// @notice A reserve's rates were recomputed after an action (rates and indexes in RAY).
    event ReserveDataUpdated(
        address indexed asset,
        uint256 liquidityRate,
        uint256 variableBorrowRate,
        uint256 liquidityIndex,
        uint256 variableBorrowIndex
    );
    /// @notice `caller` supplied `amount` for `onBehalfOf`, minting `scaledAmount` shares at `liquidityIndex`.
    event Supplied(
        address indexed asset,
        address indexed caller,
        address indexed onBehalfOf,
        uint256 amount,
        uint256 scaledAmount,
        uint256 liquidityIndex
    );
    /// @notice `user` withdrew `amount` to `to`, burning `scaledAmount` shares at `liquidityIndex`.
    event Withdrawn(
        address indexed asset,
        address indexed user,
        address indexed to,
        uint256 amount,
        uint256 scaledAmount,
        uint256 liquidityIndex
    );
    /// @notice `user` borrowed `amount`, minting `scaledAmount` debt shares at `variableBorrowIndex`;
    ///         `variableBorrowRate` is the reserve's rate after the borrow (RAY).
    event Borrowed(
        address indexed asset,
        address indexed user,
        uint256 amount,
        uint256 scaledAmount,
        uint256 variableBorrowIndex,
        uint256 variableBorrowRate
    );
    /// @notice `repayer` repaid `amount` of `user`'s debt, burning `scaledAmount` debt shares.
    event Repaid(
        address indexed asset,
        address indexed user,
        address indexed repayer,
        uint256 amount,
        uint256 scaledAmount,
        uint256 variableBorrowIndex
    );
    /// @notice `user`'s balance of `asset` started or stopped counting as collateral.
    event CollateralToggled(address indexed asset, address indexed user, bool enabled);
    /// @notice A liquidation: `liquidator` repaid `debtRepaid` of `user`'s `debtAsset` debt and received
    ///         `collateralSeized` of `collateralAsset` (as supply shares if `receiveShares`); the treasury got
    ///         `protocolFee` more. Prices in USD, 8 decimals; health factors in WAD, before and after.
    event LiquidationExecuted(
        address indexed collateralAsset,
        address indexed debtAsset,
        address indexed user,
        address liquidator,
        uint256 debtRepaid,
        uint256 collateralSeized,
        uint256 protocolFee,
        uint256 collateralPrice,
        uint256 debtPrice,
        uint256 healthFactorBefore,
        uint256 healthFactorAfter,
        bool receiveShares
    );
    /// @notice `amountCreated` of `user`'s `debtAsset` debt (token units) was written off into the reserve's
    ///         deficit because a liquidation left the user without collateral of any value.
    event DeficitCreated(address indexed user, address indexed debtAsset, uint256 amountCreated);
    /// @notice `amountCovered` tokens paid by `coveredBy` reduced the reserve's deficit.
    event DeficitCovered(address indexed asset, address indexed coveredBy, uint256 amountCovered);
    /// @notice The treasury's accrued share of interest was credited to it as `amount` of supply.
    event MintedToTreasury(address indexed asset, uint256 amount, uint256 scaledAmount);
    /// @notice No liquidation may use `asset` (as collateral or debt) before block time `until`, seconds
    ///         (0 = the grace period was lifted).
    event LiquidationGracePeriodSet(address indexed asset, uint40 until);
    /// @notice Liquidations seizing `collateralAsset` may repay at most `capBase` of debt (USD, 8 decimals)
    ///         per window of `windowSeconds` (capBase 0 = no cap).
    event LiquidationCapSet(address indexed collateralAsset, uint256 capBase, uint32 windowSeconds);
    /// @notice The liquidator allowlist (LIQUIDATOR_ROLE) was switched on or off.
    event LiquidatorAllowlistToggled(bool enabled);

    // ---------------------------------------------------------------- errors

    /// @notice An amount of zero.
    error InvalidAmount();
    /// @notice An address of zero where one is needed.
    error ZeroAddress();
    /// @notice `asset` is not a listed reserve.
    error ReserveNotActive(address asset);
    /// @notice `asset` is already listed.
    error ReserveAlreadyInitialized(address asset);
    /// @notice The pool lists at most `max` reserves.
    error TooManyReserves(uint256 max);
    /// @notice `asset`'s reserve is paused.
    error ReservePaused(address asset);
    /// @notice `asset`'s reserve is frozen (no supply or borrow).
    error ReserveFrozen(address asset);
    /// @notice `asset` cannot be borrowed.
    error BorrowingNotEnabled(address asset);
    /// @notice Only variable-rate debt (interest rate mode 2) exists.
    error InvalidInterestRateMode(uint256 mode);
    /// @notice Borrowing on behalf of another account is not supported.
    error CreditDelegationNotSupported(address caller, address onBehalfOf);
    /// @notice Supply would bring the total (token units) above the cap (whole tokens).
    error SupplyCapExceeded(address asset, uint256 cap, uint256 totalAfter);
    /// @notice Borrow would bring the total debt (token units) above the cap (whole tokens).
    error BorrowCapExceeded(address asset, uint256 cap, uint256 totalAfter);
    /// @notice Withdrawal above the user's balance (token units).
    error NotEnoughAvailableUserBalance(address user, address asset, uint256 requested, uint256 balance);
    /// @notice The pool holds fewer tokens of `asset` than the action takes out.
    error InsufficientLiquidity(address asset, uint256 available, uint256 requested);
    /// @notice The user has no collateral to borrow against.
    error CollateralBalanceIsZero(address user);
    /// @notice Zero borrowing power, or a zero-LTV collateral blocks withdrawing/disabling `asset`.
    error LtvValidationFailed(address user, address asset);
    /// @notice The action would leave (or finds) `user`'s health factor (WAD) below 1.
    error HealthFactorBelowThreshold(address user, uint256 healthFactor);
    /// @notice The borrow needs `collateralNeededBase` of collateral value (USD, 8 decimals); the user has less.
    error CollateralCannotCoverNewBorrow(address user, uint256 collateralBase, uint256 collateralNeededBase);
    /// @notice Repaying "everything" (type(uint256).max) is only allowed for one's own debt.
    error NoExplicitAmountToRepayOnBehalf(address caller, address onBehalfOf);
    /// @notice `user` has no (variable) debt in `asset` to repay.
    error NoDebtOfSelectedType(address user, address asset);
    /// @notice `user` has no supply of `asset` to toggle as collateral.
    error UnderlyingBalanceZero(address user, address asset);
    /// @notice `asset` has an LTV of zero and cannot be enabled as collateral.
    error CollateralLtvZero(address asset);
    /// @notice `user`'s health factor (WAD) is not below 1: nothing to liquidate.
    error HealthyPosition(address user, uint256 healthFactor);
    /// @notice `asset` is not collateral of `user` (flag off or threshold 0): it cannot be seized.
    error CollateralNotEnabled(address user, address asset);
    /// @notice `user` owes nothing in `asset`.
    error NoDebt(address user, address asset);
    /// @notice `amount` rounds to zero shares at `index` (RAY).
    error InvalidMintAmount(address asset, uint256 amount, uint256 index);
    /// @notice `amount` rounds to zero shares at `index` (RAY).
    error InvalidBurnAmount(address asset, uint256 amount, uint256 index);
    /// @notice The feed of `asset` answered a non-positive price.
    error InvalidPrice(address asset, int256 answer);
    /// @notice The feed of `asset` last updated at `updatedAt`, more than `maxAge` seconds ago.
    error StalePrice(address asset, uint256 updatedAt, uint256 maxAge);
    /// @notice A feed must exist and report 8 decimals.
    error InvalidPriceSource(address asset, address source, uint8 decimals);
    /// @notice A reserve parameter broke `rule`: `value` against `limit`.
    error InvalidReserveParams(ReserveParamRule rule, uint256 value, uint256 limit);
    /// @notice `asset` has no deficit to cover.
    error NoDeficit(address asset);
    /// @notice A liquidation grace period on `asset` (collateral or debt) runs until block time `until`.
    error LiquidationGracePeriodActive(address asset, uint40 until);
    /// @notice A grace period may end at most `MAX_GRACE_PERIOD` after now: `until` is past `maxUntil`.
    error GracePeriodTooLong(uint256 until, uint256 maxUntil);
    /// @notice The window starting at `windowStart` already had `usedBase` of `capBase` liquidated
    ///         (USD, 8 decimals) for `collateralAsset`: no room for one more debt unit.
    error LiquidationCapReached(address collateralAsset, uint256 windowStart, uint256 usedBase, uint256 capBase);
    /// @notice A liquidation cap needs a window of at least one second.
    error InvalidLiquidationWindow(uint32 windowSeconds);
    /// @notice The liquidator allowlist is on and `caller` lacks LIQUIDATOR_ROLE.
    error LiquidatorNotAllowed(address caller);

    // ---------------------------------------------------------------- user actions (Aave V3 ABI)

    /// @notice Supplies `amount` of `asset` (pulled from the caller) as supply shares of `onBehalfOf`.
    /// @dev The first supply of an asset with non-zero LTV enables it as collateral, as Aave.
    function supply(address asset, uint256 amount, address onBehalfOf, uint16 referralCode) external;

    /// @notice Withdraws `amount` (type(uint256).max = all) of the caller's supply of `asset` to `to`.
    /// @return The amount withdrawn, token units.
    function withdraw(address asset, uint256 amount, address to) external returns (uint256);

    /// @notice Borrows `amount` of `asset` at the variable rate against the caller's collateral.
    /// @param interestRateMode Must be 2 (variable).
    /// @param onBehalfOf Must be the caller (no credit delegation).
    function borrow(address asset, uint256 amount, uint256 interestRateMode, uint16 referralCode, address onBehalfOf)
        external;

    /// @notice Repays up to `amount` (type(uint256).max = all, own debt only) of `onBehalfOf`'s debt.
    /// @param interestRateMode Must be 2 (variable).
    /// @return The amount repaid, token units.
    function repay(address asset, uint256 amount, uint256 interestRateMode, address onBehalfOf)
        external
        returns (uint256);

    /// @notice Counts (or stops counting) the caller's supply of `asset` as collateral.
    /// @dev Disabling reverts if it would bring the health factor below 1, as Aave.
    function setUserUseReserveAsCollateral(address asset, bool useAsCollateral) external;

    /// @notice Repays part of an unhealthy (health factor < 1) user's debt for their collateral plus a bonus.
    /// @dev Up to 50 % of the user's debt in `debtAsset` per call, 100 % once the health factor is at or
    ///      below 0.95; `debtToCover` above that is capped, not rejected. If the collateral is short, all of
    ///      it is seized and the debt repaid shrinks to match. If afterwards the user has no collateral of
    ///      any value but still owes, the rest of their debt becomes deficit (`DeficitCreated`).
    /// @param receiveShares True: the liquidator receives supply shares; false: the underlying tokens.
    function liquidationCall(
        address collateralAsset,
        address debtAsset,
        address user,
        uint256 debtToCover,
        bool receiveShares
    ) external;

    /// @notice Credits the treasury with its accrued share of interest in each of `assets`, as Aave's
    ///         `mintToTreasury`. Anyone may call it.
    function mintToTreasury(address[] calldata assets) external;

    // ---------------------------------------------------------------- views

    /// @notice A user's position in USD (8 decimals), exactly as Aave V3.0's `getUserAccountData`.
    /// @return totalCollateralBase Value of the collateral-enabled supply.
    /// @return totalDebtBase Value of the debt.
    /// @return availableBorrowsBase Borrowing power left: collateral x LTV - debt, floored at 0.
    /// @return currentLiquidationThreshold Collateral-weighted liquidation threshold, bps.
    /// @return ltv Collateral-weighted LTV, bps.
    /// @return healthFactor collateral x threshold / debt, WAD; type(uint256).max without debt.
    function getUserAccountData(address user)
        external
        view
        returns (
            uint256 totalCollateralBase,
            uint256 totalDebtBase,
            uint256 availableBorrowsBase,
            uint256 currentLiquidationThreshold,
            uint256 ltv,
            uint256 healthFactor
        );

    /// @notice `getUserAccountData` for many users in one call, for monitoring: priced at each feed's
    ///         last answer even when it is older than the reserve's `maxPriceAge` (where
    ///         `getUserAccountData` and every action revert with `StalePrice`), so a watcher keeps
    ///         seeing positions while a stale price blocks the pool.
    function getUsersAccountData(address[] calldata users) external view returns (AccountData[] memory);

    /// @notice Health factors (WAD) of many users in one call.
    function getUsersHealthFactors(address[] calldata users) external view returns (uint256[] memory);

    /// @notice Liquidity index as of now (RAY): supply balance = shares x index.
    function getReserveNormalizedIncome(address asset) external view returns (uint256);

    /// @notice Variable borrow index as of now (RAY): debt = debt shares x index.
    function getReserveNormalizedVariableDebt(address asset) external view returns (uint256);

    /// @notice Price of `asset` from its feed, USD with 8 decimals.
    function getAssetPrice(address asset) external view returns (uint256);

    /// @notice The reserve's configuration and state.
    function getReserveData(address asset) external view returns (ReserveData memory);

    /// @notice Listed assets in listing order.
    function getReservesList() external view returns (address[] memory);

    /// @notice The user's flags word (bit 2*id borrowing, bit 2*id+1 collateral).
    function getUserConfiguration(address user) external view returns (uint256);

    /// @notice Current supply balance with interest (token units), as Aave's aToken.balanceOf.
    function supplyBalanceOf(address asset, address user) external view returns (uint256);

    /// @notice Current debt with interest (token units), as Aave's variableDebtToken.balanceOf.
    function debtBalanceOf(address asset, address user) external view returns (uint256);

    /// @notice Supply shares of `user`.
    function scaledSupplyOf(address asset, address user) external view returns (uint256);

    /// @notice Debt shares of `user`.
    function scaledDebtOf(address asset, address user) external view returns (uint256);

    /// @notice Total supply with interest (token units), as Aave's aToken.totalSupply (excludes the
    ///         treasury's accrued but not yet minted share).
    function totalSupplied(address asset) external view returns (uint256);

    /// @notice Total variable debt with interest (token units).
    function totalDebt(address asset) external view returns (uint256);

    /// @notice Debt written off and not yet covered (token units).
    /// @dev Lenders bear it: written-off debt leaves `totalDebt` but the liquidity index is not cut, so
    ///      `totalSupplied` exceeds cash + `totalDebt` by the deficit and the last suppliers to withdraw
    ///      find the cash short. `coverDeficit` pays it back in (Aave V3.3: `eliminateReserveDeficit`).
    function deficit(address asset) external view returns (uint256);

    /// @notice Receiver of reserve-factor interest and liquidation protocol fees (as supply).
    function treasury() external view returns (address);

    // ---------------------------------------------------------------- liquidation circuit breakers
    // Each off by default; with all of them off, liquidations are exactly Aave V3.0's.

    /// @notice Starts (or ends) a liquidation grace period on `asset`, as Aave V3.1: while block time is
    ///         before `until` (seconds), `liquidationCall` with `asset` as collateral or debt reverts
    ///         `LiquidationGracePeriodActive`. 0 or a past time lifts it. POOL_ADMIN_ROLE or GUARDIAN_ROLE.
    /// @dev `until` may be at most `MAX_GRACE_PERIOD` (4 h) after now (`GracePeriodTooLong`). Unlike Aave
    ///      V3.1 (which blocks while `until >= block.timestamp`), liquidations reopen at `until` itself.
    ///      A caller with neither role gets `AccessControlUnauthorizedAccount(caller, GUARDIAN_ROLE)`.
    ///      Other actions (supply, repay, withdraw...) are not affected.
    function setLiquidationGracePeriod(address asset, uint40 until) external;

    /// @notice Block time (seconds) until which `asset` cannot be used in a liquidation; 0 = never set.
    function getLiquidationGracePeriod(address asset) external view returns (uint40);

    /// @notice Caps the debt that liquidations seizing `collateralAsset` may repay per window (Maker's
    ///         `Dog.Hole`): `capBase` USD (8 decimals, the debt asset's oracle price) in each fixed window
    ///         [t - t % windowSeconds, + windowSeconds). A liquidation is cut to the room left, as if the
    ///         liquidator had asked for less; with no room it reverts `LiquidationCapReached`.
    ///         `capBase` 0 = no cap. POOL_ADMIN_ROLE.
    /// @dev Setting a cap keeps the current window's use if the window is unchanged, else starts afresh.
    function setLiquidationCap(address collateralAsset, uint256 capBase, uint32 windowSeconds) external;

    /// @notice The cap on `collateralAsset`'s liquidations and its use as of now.
    /// @return capBase Debt repaid allowed per window, USD 8 decimals (0 = no cap).
    /// @return windowSeconds The window's length, seconds.
    /// @return windowStart Start of the current window, block time in seconds (0 without a cap).
    /// @return usedBase Debt repaid in the current window so far, USD 8 decimals.
    function getLiquidationCapState(address collateralAsset)
        external
        view
        returns (uint256 capBase, uint32 windowSeconds, uint256 windowStart, uint256 usedBase);

    /// @notice Switches the liquidator allowlist on or off: when on, only LIQUIDATOR_ROLE holders (for
    ///         atomic liquidations, the executor contract) may call `liquidationCall`. POOL_ADMIN_ROLE.
    /// @dev No view of the flag (the pool is at the code-size limit): read `LiquidatorAllowlistToggled`.
    function setLiquidatorAllowlistEnabled(bool enabled) external;
}
