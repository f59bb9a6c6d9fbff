// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {ILendingPool} from "../interfaces/ILendingPool.sol";
import {AccountLogic} from "./AccountLogic.sol";
import {ReserveLogic} from "./ReserveLogic.sol";
import {UserConfig} from "./UserConfig.sol";
import {WadRayMath} from "./WadRayMath.sol";
import {PoolState, ReserveCache, ReserveState} from "./LendingTypes.sol";

/// @title SupplyLogic
/// @notice Supply, withdraw, collateral toggling and treasury minting (Aave V3.0 order of steps).
library SupplyLogic {
    using SafeERC20 for IERC20;
    using WadRayMath for uint256;
    using UserConfig for uint256;
    using ReserveLogic for ReserveState;

    /// @notice Pulls `amount` of `asset` from the caller and mints supply shares to `onBehalfOf`.
    function supply(PoolState storage s, address asset, uint256 amount, address onBehalfOf) internal {
        ReserveState storage reserve = s.reserves[asset];
        ReserveCache memory c = reserve.cache();
        reserve.updateState(c);
        _validateSupply(reserve, c, asset, amount);
        reserve.updateInterestRates(c, asset, amount, 0);
        IERC20(asset).safeTransferFrom(msg.sender, address(this), amount);

        (uint256 previousShares, uint256 scaled) =
            _mintShares(s, reserve, asset, onBehalfOf, amount, c.nextLiquidityIndex);
        // first supply of this asset by `onBehalfOf`: enable it as collateral if it has borrowing power
        if (previousShares == 0 && c.config.ltvBps != 0) {
            s.userConfig[onBehalfOf] = s.userConfig[onBehalfOf].setUsingAsCollateral(reserve.id, true);
            emit ILendingPool.CollateralToggled(asset, onBehalfOf, true);
        }
        emit ILendingPool.Supplied(asset, msg.sender, onBehalfOf, amount, scaled, c.nextLiquidityIndex);
    }

    /// @notice Burns the caller's supply shares for `amount` (max = all) and sends the tokens to `to`.
    function withdraw(PoolState storage s, address asset, uint256 amount, address to) internal returns (uint256) {
        ReserveState storage reserve = s.reserves[asset];
        ReserveCache memory c = reserve.cache();
        reserve.updateState(c);
        uint256 userBalance = s.scaledSupply[asset][msg.sender].rayMul(c.nextLiquidityIndex);
        if (amount == type(uint256).max) {
            amount = userBalance;
        }
        if (amount == 0) revert ILendingPool.InvalidAmount();
        if (amount > userBalance) {
            revert ILendingPool.NotEnoughAvailableUserBalance(msg.sender, asset, amount, userBalance);
        }
        requireActiveNotPaused(c, asset);

        reserve.updateInterestRates(c, asset, 0, amount);

        uint256 config = s.userConfig[msg.sender];
        bool isCollateral = config.isUsingAsCollateral(reserve.id);
        if (isCollateral && amount == userBalance) {
            config = config.setUsingAsCollateral(reserve.id, false);
            s.userConfig[msg.sender] = config;
            emit ILendingPool.CollateralToggled(asset, msg.sender, false);
        }
        uint256 scaled = burnShares(s, reserve, asset, msg.sender, amount, c.nextLiquidityIndex);
        IERC20(asset).safeTransfer(to, amount);

        if (isCollateral && config.isBorrowingAny()) {
            AccountLogic.validateHealthFactorAndLtv(s, msg.sender, asset);
        }
        emit ILendingPool.Withdrawn(asset, msg.sender, to, amount, scaled, c.nextLiquidityIndex);
        return amount;
    }

    /// @notice Enables or disables the caller's supply of `asset` as collateral.
    function setUseAsCollateral(PoolState storage s, address asset, bool useAsCollateral) internal {
        ReserveState storage reserve = s.reserves[asset];
        ILendingPool.ReserveConfig memory rc = reserve.config;
        uint256 userBalance = s.scaledSupply[asset][msg.sender].rayMul(reserve.normalizedIncome());
        if (userBalance == 0) revert ILendingPool.UnderlyingBalanceZero(msg.sender, asset);
        if (reserve.liquidityIndex == 0) revert ILendingPool.ReserveNotActive(asset);
        if (rc.paused) revert ILendingPool.ReservePaused(asset);

        uint256 config = s.userConfig[msg.sender];
        if (useAsCollateral == config.isUsingAsCollateral(reserve.id)) return;
        if (useAsCollateral) {
            if (rc.ltvBps == 0) revert ILendingPool.CollateralLtvZero(asset);
            s.userConfig[msg.sender] = config.setUsingAsCollateral(reserve.id, true);
        } else {
            s.userConfig[msg.sender] = config.setUsingAsCollateral(reserve.id, false);
            AccountLogic.validateHealthFactorAndLtv(s, msg.sender, asset);
        }
        emit ILendingPool.CollateralToggled(asset, msg.sender, useAsCollateral);
    }

    /// @notice Credits the treasury with each reserve's `accruedToTreasury` shares (Aave's mintToTreasury).
    function mintToTreasury(PoolState storage s, address[] calldata assets) internal {
        address treasury = s.treasury;
        for (uint256 i; i < assets.length; ++i) {
            address asset = assets[i];
            ReserveState storage reserve = s.reserves[asset];
            uint256 accrued = reserve.accruedToTreasury;
            if (reserve.liquidityIndex == 0 || accrued == 0) continue;
            reserve.accruedToTreasury = 0;
            uint256 index = reserve.normalizedIncome();
            uint256 amount = accrued.rayMul(index);
            // Aave mints `amount` at `index`: shares = amount.rayDiv(index), which can differ from `accrued`
            (, uint256 scaled) = _mintShares(s, reserve, asset, treasury, amount, index);
            emit ILendingPool.MintedToTreasury(asset, amount, scaled);
        }
    }

    /// @notice Burns the shares worth `amount` at `index` from `user`.
    /// @return scaled The shares burnt.
    function burnShares(
        PoolState storage s,
        ReserveState storage reserve,
        address asset,
        address user,
        uint256 amount,
        uint256 index
    ) internal returns (uint256 scaled) {
        scaled = amount.rayDiv(index);
        if (scaled == 0) revert ILendingPool.InvalidBurnAmount(asset, amount, index);
        s.scaledSupply[asset][user] -= scaled;
        reserve.scaledTotalSupply -= scaled;
    }

    /// @notice Moves the shares worth `amount` at `index` from `from` to `to` (no checks, as Aave's
    ///         transferOnLiquidation).
    function transferShares(PoolState storage s, address asset, address from, address to, uint256 amount, uint256 index)
        internal
    {
        uint256 scaled = amount.rayDiv(index);
        s.scaledSupply[asset][from] -= scaled;
        s.scaledSupply[asset][to] += scaled;
    }

    /// @notice Mints the shares worth `amount` at `index` to `user`.
    /// @return previous The user's shares before the mint (0 = first supply).
    /// @return scaled The shares minted.
    function _mintShares(
        PoolState storage s,
        ReserveState storage reserve,
        address asset,
        address user,
        uint256 amount,
        uint256 index
    ) private returns (uint256 previous, uint256 scaled) {
        scaled = amount.rayDiv(index);
        if (scaled == 0) revert ILendingPool.InvalidMintAmount(asset, amount, index);
        previous = s.scaledSupply[asset][user];
        s.scaledSupply[asset][user] = previous + scaled;
        reserve.scaledTotalSupply += scaled;
    }

    function _validateSupply(ReserveState storage reserve, ReserveCache memory c, address asset, uint256 amount)
        private
        view
    {
        if (amount == 0) revert ILendingPool.InvalidAmount();
        requireActiveNotPaused(c, asset);
        if (c.config.frozen) revert ILendingPool.ReserveFrozen(asset);
        uint256 cap = c.config.supplyCap;
        if (cap != 0) {
            uint256 totalAfter =
                (reserve.scaledTotalSupply + reserve.accruedToTreasury).rayMul(c.nextLiquidityIndex) + amount;
            if (totalAfter > cap * 10 ** c.config.decimals) {
                revert ILendingPool.SupplyCapExceeded(asset, cap, totalAfter);
            }
        }
    }

    /// @notice Reverts unless `asset` is listed and not paused.
    function requireActiveNotPaused(ReserveCache memory c, address asset) internal pure {
        if (c.currLiquidityIndex == 0) revert ILendingPool.ReserveNotActive(asset);
        if (c.config.paused) revert ILendingPool.ReservePaused(asset);
    }
}
