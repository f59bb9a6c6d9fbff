// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {ITransferPolicy} from "./ITransferPolicy.sol";

/// @title AllowlistTransferPolicy
/// @notice Admin-managed holder allowlist (optional mode) and frozen accounts for an SPV token.
///         Models a permissioned RWA: only vetted addresses (and so only a restricted set of
///         liquidators) may receive the token.
/// @dev Rules, in order:
///      1. a frozen account may neither send nor receive (address(0), i.e. mint and burn, is
///         never frozen);
///      2. in allowlist mode, the receiver must be allowlisted, except for burns (to = 0), which
///         include redemption requests. The sender need not be allowlisted: a holder taken off
///         the list can still sell to listed holders or redeem, but cannot accumulate.
contract AllowlistTransferPolicy is ITransferPolicy, AccessControl {
    /// @notice True: receivers must be allowlisted. False: only the frozen list applies.
    bool public allowlistEnabled;
    /// @notice Accounts that may receive the token while `allowlistEnabled`.
    mapping(address account => bool) public isAllowlisted;
    /// @notice Accounts that may neither send nor receive the token.
    mapping(address account => bool) public isFrozen;

    /// @notice Allowlist mode was switched on or off.
    event AllowlistModeUpdated(bool enabled);
    /// @notice `account` was added to (`allowed`) or removed from the allowlist.
    event AllowlistUpdated(address indexed account, bool allowed);
    /// @notice `account` was frozen or unfrozen.
    event FrozenUpdated(address indexed account, bool frozen);

    constructor(address admin, bool allowlistEnabled_) {
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        allowlistEnabled = allowlistEnabled_;
        emit AllowlistModeUpdated(allowlistEnabled_);
    }

    /// @notice Switches allowlist mode on or off.
    function setAllowlistEnabled(bool enabled) external onlyRole(DEFAULT_ADMIN_ROLE) {
        allowlistEnabled = enabled;
        emit AllowlistModeUpdated(enabled);
    }

    /// @notice Adds `account` to the allowlist or removes it.
    function setAllowlisted(address account, bool allowed) external onlyRole(DEFAULT_ADMIN_ROLE) {
        isAllowlisted[account] = allowed;
        emit AllowlistUpdated(account, allowed);
    }

    /// @notice Freezes or unfreezes `account`.
    function setFrozen(address account, bool frozen) external onlyRole(DEFAULT_ADMIN_ROLE) {
        isFrozen[account] = frozen;
        emit FrozenUpdated(account, frozen);
    }

    /// @inheritdoc ITransferPolicy
    function checkTransfer(address from, address to, uint256) external view returns (bool) {
        if (from != address(0) && isFrozen[from]) return false;
        if (to != address(0) && isFrozen[to]) return false;
        if (allowlistEnabled && to != address(0) && !isAllowlisted[to]) return false;
        return true;
    }
}
