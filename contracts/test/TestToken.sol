// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";

/// @title TestToken
/// @notice Test double: a plain ERC20 with configurable decimals and a public, unrestricted mint.
/// @dev Never deploy outside tests: anyone can mint.
contract TestToken is ERC20 {
    uint8 private immutable _decimals;

    constructor(string memory name_, string memory symbol_, uint8 decimals_) ERC20(name_, symbol_) {
        _decimals = decimals_;
    }

    /// @notice Token decimals, fixed at construction (18 for an RWA-like collateral).
    function decimals() public view override returns (uint8) {
        return _decimals;
    }

    /// @notice Mints `amount` (token decimals) to `to`; open to anyone.
    function mint(address to, uint256 amount) external {
        _mint(to, amount);
    }
}
