// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {IERC20Metadata} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Metadata.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {AggregatorV3Interface} from "../interfaces/AggregatorV3Interface.sol";
import {ILendingPool} from "./interfaces/ILendingPool.sol";
import {AccountLogic} from "./libraries/AccountLogic.sol";
import {BorrowLogic} from "./libraries/BorrowLogic.sol";
import {CircuitBreakerLogic} from "./libraries/CircuitBreakerLogic.sol";
import {LiquidationLogic} from "./libraries/LiquidationLogic.sol";
import {PercentageMath} from "./libraries/PercentageMath.sol";
import {ReserveLogic} from "./libraries/ReserveLogic.sol";
import {SupplyLogic} from "./libraries/SupplyLogic.sol";
import {WadRayMath} from "./libraries/WadRayMath.sol";
import {LiquidationCap, PoolState, ReserveState} from "./libraries/LendingTypes.sol";

/// @title LendingPool
/// @notice Entry point of the lending pool: Aave V3's user ABI with Aave V3.0's numbers (see
///         `ILendingPool`), reserve listing and risk parameters for the POOL_ADMIN role.
/// @dev Balances live here as scaled shares (no aToken / debt-token contracts); the logic is in the
///      libraries under `libraries/`, one per action family, all internal.
contract LendingPool is ILendingPool, AccessControl, ReentrancyGuardTransient {
    using WadRayMath for uint256;
    using PercentageMath for uint256;
    using ReserveLogic for ReserveState;

    /// @notice Role that lists reserves, sets their parameters, pauses/freezes and covers deficits.
    bytes32 public constant POOL_ADMIN_ROLE = keccak256("POOL_ADMIN");
    /// @notice Role that may start or lift liquidation grace periods, and nothing else (Aave V3.1's
    ///         emergency admin for this purpose): a guardian key or bot watching the oracle. Nobody holds
    ///         it at deployment; DEFAULT_ADMIN_ROLE grants it.
    bytes32 public constant GUARDIAN_ROLE = keccak256("GUARDIAN");
    /// @notice Role that may liquidate while the liquidator allowlist is on (a permissioned market such as
    ///         Aave Horizon). For atomic liquidations the holder is the executor contract that calls
    ///         `liquidationCall`. DEFAULT_ADMIN_ROLE grants it.
    bytes32 public constant LIQUIDATOR_ROLE = keccak256("LIQUIDATOR");
    /// @notice At most 128 reserves (two flag bits each in a user's configuration word).
    uint256 public constant MAX_RESERVES = 128;
    /// @notice Largest supply or borrow cap, whole tokens (Aave's 36-bit field).
    uint256 public constant MAX_CAP = 68_719_476_735;
    /// @notice Decimals every price feed must report (USD, 8 decimals).
    uint8 public constant PRICE_DECIMALS = 8;

    PoolState internal _s;

    /// @param admin Receives DEFAULT_ADMIN_ROLE and POOL_ADMIN_ROLE.
    /// @param treasury_ Receives reserve-factor interest and liquidation protocol fees, as supply.
    constructor(address admin, address treasury_) {
        if (admin == address(0) || treasury_ == address(0)) revert ZeroAddress();
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        _grantRole(POOL_ADMIN_ROLE, admin);
        _s.treasury = treasury_;
    }

    // ---------------------------------------------------------------- user actions

    /// @inheritdoc ILendingPool
    function supply(address asset, uint256 amount, address onBehalfOf, uint16) external nonReentrant {
        SupplyLogic.supply(_s, asset, amount, onBehalfOf);
    }

    /// @inheritdoc ILendingPool
    function withdraw(address asset, uint256 amount, address to) external nonReentrant returns (uint256) {
        return SupplyLogic.withdraw(_s, asset, amount, to);
    }

    /// @inheritdoc ILendingPool
    function borrow(address asset, uint256 amount, uint256 interestRateMode, uint16, address onBehalfOf)
        external
        nonReentrant
    {
        if (onBehalfOf != msg.sender) revert CreditDelegationNotSupported(msg.sender, onBehalfOf);
        BorrowLogic.borrow(_s, asset, amount, interestRateMode);
    }

    /// @inheritdoc ILendingPool
    function repay(address asset, uint256 amount, uint256 interestRateMode, address onBehalfOf)
        external
        nonReentrant
        returns (uint256)
    {
        return BorrowLogic.repay(_s, asset, amount, interestRateMode, onBehalfOf);
    }

    /// @inheritdoc ILendingPool
    function setUserUseReserveAsCollateral(address asset, bool useAsCollateral) external nonReentrant {
        SupplyLogic.setUseAsCollateral(_s, asset, useAsCollateral);
    }

    /// @inheritdoc ILendingPool
    function liquidationCall(
        address collateralAsset,
        address debtAsset,
        address user,
        uint256 debtToCover,
        bool receiveShares
    ) external nonReentrant {
        if (_s.liquidatorAllowlistEnabled && !hasRole(LIQUIDATOR_ROLE, msg.sender)) {
            revert LiquidatorNotAllowed(msg.sender);
        }
        LiquidationLogic.liquidationCall(_s, collateralAsset, debtAsset, user, debtToCover, receiveShares);
    }

    /// @inheritdoc ILendingPool
    function mintToTreasury(address[] calldata assets) external nonReentrant {
        SupplyLogic.mintToTreasury(_s, assets);
    }

    // ---------------------------------------------------------------- admin

    /// @notice Lists `asset` with its price feed (8 decimals, age unchecked) and parameters.
    /// @dev Decimals are read from the token. Indexes start at 1 RAY, rates at 0 until the first action.
    function initReserve(address asset, address priceSource, ReserveParams calldata params)
        external
        onlyRole(POOL_ADMIN_ROLE)
    {
        if (asset == address(0)) revert ZeroAddress();
        ReserveState storage reserve = _s.reserves[asset];
        if (reserve.liquidityIndex != 0) revert ReserveAlreadyInitialized(asset);
        uint256 id = _s.reservesCount;
        if (id == MAX_RESERVES) revert TooManyReserves(MAX_RESERVES);
        uint8 decimals = IERC20Metadata(asset).decimals();

        reserve.liquidityIndex = uint128(WadRayMath.RAY);
        reserve.variableBorrowIndex = uint128(WadRayMath.RAY);
        reserve.id = uint16(id);
        reserve.config.decimals = decimals;
        _s.reservesList[id] = asset;
        _s.reservesCount = id + 1;
        emit ReserveInitialized(asset, id, decimals, priceSource);

        _setPriceSource(reserve, asset, priceSource, 0);
        _configure(reserve, asset, params);
    }

    /// @notice Replaces every risk and rate parameter of `asset` (same rules as Aave's PoolConfigurator).
    /// @dev Takes effect at the next action, as in Aave V3.0: the reserve is not accrued first, so a new
    ///      reserve factor also applies to the interest accrued since the last action, and new rates
    ///      are computed at the next action.
    function configureReserve(address asset, ReserveParams calldata params) external onlyRole(POOL_ADMIN_ROLE) {
        _configure(_listed(asset), asset, params);
    }

    /// @notice Sets the feed of `asset` (8 decimals) and the maximum age of its answer (seconds, 0 = off).
    function setPriceSource(address asset, address priceSource, uint64 maxPriceAge)
        external
        onlyRole(POOL_ADMIN_ROLE)
    {
        _setPriceSource(_listed(asset), asset, priceSource, maxPriceAge);
    }

    /// @notice Pauses (no user action at all) or unpauses `asset`.
    function setReservePaused(address asset, bool paused) external onlyRole(POOL_ADMIN_ROLE) {
        _listed(asset).config.paused = paused;
        emit ReservePauseChanged(asset, paused);
    }

    /// @notice Freezes (no new supply or borrow) or unfreezes `asset`.
    function setReserveFrozen(address asset, bool frozen) external onlyRole(POOL_ADMIN_ROLE) {
        _listed(asset).config.frozen = frozen;
        emit ReserveFreezeChanged(asset, frozen);
    }

    /// @notice Pays up to `amount` of `asset` from the caller into the pool against its deficit.
    /// @return The amount covered (at most the deficit), token units.
    function coverDeficit(address asset, uint256 amount) external onlyRole(POOL_ADMIN_ROLE) nonReentrant returns (uint256) {
        return LiquidationLogic.coverDeficit(_s, asset, amount);
    }

    /// @inheritdoc ILendingPool
    function setLiquidationGracePeriod(address asset, uint40 until) external {
        if (!hasRole(POOL_ADMIN_ROLE, msg.sender)) _checkRole(GUARDIAN_ROLE);
        CircuitBreakerLogic.setGracePeriod(_s, asset, until);
    }

    /// @inheritdoc ILendingPool
    function setLiquidationCap(address collateralAsset, uint256 capBase, uint32 windowSeconds)
        external
        onlyRole(POOL_ADMIN_ROLE)
    {
        CircuitBreakerLogic.setCap(_s, collateralAsset, capBase, windowSeconds);
    }

    /// @inheritdoc ILendingPool
    function setLiquidatorAllowlistEnabled(bool enabled) external onlyRole(POOL_ADMIN_ROLE) {
        _s.liquidatorAllowlistEnabled = enabled;
        emit LiquidatorAllowlistToggled(enabled);
    }

    // ---------------------------------------------------------------- views

    /// @inheritdoc ILendingPool
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
        )
    {
        AccountData memory d = AccountLogic.accountData(_s, user, true);
        return (
            d.totalCollateralBase,
            d.totalDebtBase,
            d.availableBorrowsBase,
            d.currentLiquidationThreshold,
            d.ltv,
            d.healthFactor
        );
    }

    /// @inheritdoc ILendingPool
    function getUsersAccountData(address[] calldata users) external view returns (AccountData[] memory data) {
        data = new AccountData[](users.length);
        for (uint256 i; i < users.length; ++i) {
            data[i] = AccountLogic.accountData(_s, users[i], false);
        }
    }

    /// @inheritdoc ILendingPool
    function getUsersHealthFactors(address[] calldata users) external view returns (uint256[] memory factors) {
        factors = new uint256[](users.length);
        for (uint256 i; i < users.length; ++i) {
            factors[i] = AccountLogic.calculate(_s, users[i]).healthFactor;
        }
    }

    /// @inheritdoc ILendingPool
    function getReserveNormalizedIncome(address asset) external view returns (uint256) {
        return _s.reserves[asset].normalizedIncome();
    }

    /// @inheritdoc ILendingPool
    function getReserveNormalizedVariableDebt(address asset) external view returns (uint256) {
        return _s.reserves[asset].normalizedDebt();
    }

    /// @inheritdoc ILendingPool
    function getAssetPrice(address asset) external view returns (uint256) {
        return AccountLogic.assetPrice(_s, asset);
    }

    /// @inheritdoc ILendingPool
    function getReserveData(address asset) external view returns (ReserveData memory d) {
        ReserveState storage r = _s.reserves[asset];
        d.config = r.config;
        d.id = r.id;
        d.priceSource = r.priceSource;
        d.maxPriceAge = r.maxPriceAge;
        d.optimalUsageRay = r.rateParams.optimalUsageRatio;
        d.baseRateRay = r.rateParams.baseVariableBorrowRate;
        d.slope1Ray = r.rateParams.variableRateSlope1;
        d.slope2Ray = r.rateParams.variableRateSlope2;
        d.liquidityIndex = r.liquidityIndex;
        d.variableBorrowIndex = r.variableBorrowIndex;
        d.currentLiquidityRate = r.currentLiquidityRate;
        d.currentVariableBorrowRate = r.currentVariableBorrowRate;
        d.lastUpdateTimestamp = r.lastUpdateTimestamp;
        d.accruedToTreasury = r.accruedToTreasury;
        d.scaledTotalSupply = r.scaledTotalSupply;
        d.scaledTotalDebt = r.scaledTotalDebt;
        d.deficit = r.deficit;
    }

    /// @inheritdoc ILendingPool
    function getReservesList() external view returns (address[] memory list) {
        uint256 count = _s.reservesCount;
        list = new address[](count);
        for (uint256 i; i < count; ++i) {
            list[i] = _s.reservesList[i];
        }
    }

    /// @inheritdoc ILendingPool
    function getUserConfiguration(address user) external view returns (uint256) {
        return _s.userConfig[user];
    }

    /// @inheritdoc ILendingPool
    function supplyBalanceOf(address asset, address user) external view returns (uint256) {
        return _s.scaledSupply[asset][user].rayMul(_s.reserves[asset].normalizedIncome());
    }

    /// @inheritdoc ILendingPool
    function debtBalanceOf(address asset, address user) external view returns (uint256) {
        uint256 scaled = _s.scaledDebt[asset][user];
        return scaled == 0 ? 0 : scaled.rayMul(_s.reserves[asset].normalizedDebt());
    }

    /// @inheritdoc ILendingPool
    function scaledSupplyOf(address asset, address user) external view returns (uint256) {
        return _s.scaledSupply[asset][user];
    }

    /// @inheritdoc ILendingPool
    function scaledDebtOf(address asset, address user) external view returns (uint256) {
        return _s.scaledDebt[asset][user];
    }

    /// @inheritdoc ILendingPool
    function totalSupplied(address asset) external view returns (uint256) {
        uint256 scaled = _s.reserves[asset].scaledTotalSupply;
        return scaled == 0 ? 0 : scaled.rayMul(_s.reserves[asset].normalizedIncome());
    }

    /// @inheritdoc ILendingPool
    function totalDebt(address asset) external view returns (uint256) {
        return _s.reserves[asset].scaledTotalDebt.rayMul(_s.reserves[asset].normalizedDebt());
    }

    /// @inheritdoc ILendingPool
    function deficit(address asset) external view returns (uint256) {
        return _s.reserves[asset].deficit;
    }

    /// @inheritdoc ILendingPool
    function treasury() external view returns (address) {
        return _s.treasury;
    }

    /// @inheritdoc ILendingPool
    function getLiquidationGracePeriod(address asset) external view returns (uint40) {
        return _s.liquidationGracePeriodUntil[asset];
    }

    /// @inheritdoc ILendingPool
    function getLiquidationCapState(address collateralAsset)
        external
        view
        returns (uint256 capBase, uint32 windowSeconds, uint256 windowStart, uint256 usedBase)
    {
        LiquidationCap storage cap = _s.liquidationCaps[collateralAsset];
        (windowStart, usedBase) = CircuitBreakerLogic.capState(cap);
        return (cap.capBase, cap.windowSeconds, windowStart, usedBase);
    }

    // ---------------------------------------------------------------- internal

    function _listed(address asset) private view returns (ReserveState storage reserve) {
        reserve = _s.reserves[asset];
        if (reserve.liquidityIndex == 0) revert ReserveNotActive(asset);
    }

    function _setPriceSource(ReserveState storage reserve, address asset, address source, uint64 maxPriceAge) private {
        uint8 decimals = source == address(0) ? 0 : AggregatorV3Interface(source).decimals();
        if (decimals != PRICE_DECIMALS) revert InvalidPriceSource(asset, source, decimals);
        reserve.priceSource = source;
        reserve.maxPriceAge = maxPriceAge;
        emit PriceSourceSet(asset, source, maxPriceAge);
    }

    /// @dev Aave PoolConfigurator's rules: LTV <= threshold; with a threshold, bonus > 100 % and
    ///      threshold x bonus <= 100 %; without one, no bonus, and a collateral reserve may only stop
    ///      being collateral while nobody supplies it; fee and reserve factor <= 100 %; caps fit 36 bits.
    function _configure(ReserveState storage reserve, address asset, ReserveParams calldata p) private {
        uint256 bps = PercentageMath.PERCENTAGE_FACTOR;
        if (p.ltvBps > p.liquidationThresholdBps) {
            revert InvalidReserveParams(ReserveParamRule.LtvAboveThreshold, p.ltvBps, p.liquidationThresholdBps);
        }
        if (p.liquidationThresholdBps != 0) {
            if (p.liquidationBonusBps <= bps) {
                revert InvalidReserveParams(ReserveParamRule.BonusNotAbove100Percent, p.liquidationBonusBps, bps);
            }
            uint256 product = p.liquidationThresholdBps.percentMul(p.liquidationBonusBps);
            if (product > bps) {
                revert InvalidReserveParams(ReserveParamRule.ThresholdTimesBonusAbove100Percent, product, bps);
            }
            if (p.liquidationBonusBps > type(uint16).max) {
                revert InvalidReserveParams(ReserveParamRule.BonusTooLarge, p.liquidationBonusBps, type(uint16).max);
            }
        } else {
            if (p.liquidationBonusBps != 0) {
                revert InvalidReserveParams(ReserveParamRule.BonusWithoutThreshold, p.liquidationBonusBps, 0);
            }
            uint256 suppliers = reserve.scaledTotalSupply + reserve.accruedToTreasury;
            if (reserve.config.liquidationThresholdBps != 0 && suppliers != 0) {
                revert InvalidReserveParams(ReserveParamRule.ThresholdZeroWithSuppliers, suppliers, 0);
            }
        }
        if (p.liquidationProtocolFeeBps > bps) {
            revert InvalidReserveParams(ReserveParamRule.ProtocolFeeAbove100Percent, p.liquidationProtocolFeeBps, bps);
        }
        if (p.reserveFactorBps > bps) {
            revert InvalidReserveParams(ReserveParamRule.ReserveFactorAbove100Percent, p.reserveFactorBps, bps);
        }
        if (p.supplyCap > MAX_CAP) revert InvalidReserveParams(ReserveParamRule.SupplyCapTooLarge, p.supplyCap, MAX_CAP);
        if (p.borrowCap > MAX_CAP) revert InvalidReserveParams(ReserveParamRule.BorrowCapTooLarge, p.borrowCap, MAX_CAP);
        if (p.optimalUsageRay == 0 || p.optimalUsageRay > WadRayMath.RAY) {
            revert InvalidReserveParams(ReserveParamRule.OptimalUsageOutOfRange, p.optimalUsageRay, WadRayMath.RAY);
        }

        ReserveConfig storage c = reserve.config;
        // every value below was bounded above (bps <= 10_000 or <= type(uint16).max, caps <= 2^36)
        c.ltvBps = uint16(p.ltvBps);
        c.liquidationThresholdBps = uint16(p.liquidationThresholdBps);
        c.liquidationBonusBps = uint16(p.liquidationBonusBps);
        c.liquidationProtocolFeeBps = uint16(p.liquidationProtocolFeeBps);
        c.reserveFactorBps = uint16(p.reserveFactorBps);
        c.supplyCap = uint64(p.supplyCap);
        c.borrowCap = uint64(p.borrowCap);
        c.borrowingEnabled = p.borrowingEnabled;
        reserve.rateParams.optimalUsageRatio = p.optimalUsageRay;
        reserve.rateParams.baseVariableBorrowRate = p.baseRateRay;
        reserve.rateParams.variableRateSlope1 = p.slope1Ray;
        reserve.rateParams.variableRateSlope2 = p.slope2Ray;
        emit ReserveConfigured(asset, p);
    }
}
