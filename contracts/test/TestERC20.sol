// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";

/// @title TestERC20
/// @notice TEST DOUBLE, never deployed outside tests: plain 18-decimal ERC20 that anyone can mint.
contract TestERC20 is ERC20 {
    constructor(string memory name_, string memory symbol_) ERC20(name_, symbol_) {}

    /// @notice Mints `amount` (18 decimals) to `to`; permissionless on purpose.
    function mint(address to, uint256 amount) external {
        _mint(to, amount);
    }
}
