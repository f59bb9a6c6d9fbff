// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";

/// @title TrancheToken
/// @notice ERC-20 (18 decimals) of one tranche (senior or junior) of a `TrancheVault`: a pro-rata
///         claim on that tranche's value. Only the vault that deployed it mints and burns.
contract TrancheToken is ERC20 {
    /// @notice The vault that deployed this token, the only minter and burner.
    address public immutable vault;

    /// @notice `caller` is not the vault.
    error OnlyVault(address caller, address vault);

    /// @dev The deployer (a TrancheVault's constructor) becomes the vault.
    constructor(string memory name_, string memory symbol_) ERC20(name_, symbol_) {
        vault = msg.sender;
    }

    /// @dev Reverts with OnlyVault unless the caller is the vault.
    modifier onlyVault() {
        if (msg.sender != vault) revert OnlyVault(msg.sender, vault);
        _;
    }

    /// @notice The vault mints `amount` (18 decimals) to `to`.
    function mint(address to, uint256 amount) external onlyVault {
        _mint(to, amount);
    }

    /// @notice The vault burns `amount` (18 decimals) from `from` (no allowance: the vault burns only
    ///         the shares its caller redeems).
    function burn(address from, uint256 amount) external onlyVault {
        _burn(from, amount);
    }
}
