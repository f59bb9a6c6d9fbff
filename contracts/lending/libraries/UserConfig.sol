// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title UserConfig
/// @notice A user's per-reserve flags packed in one word: bit 2*id = borrowing, bit 2*id+1 = collateral.
/// @dev Same layout as Aave V3's user configuration, so up to 128 reserves. The flags, not the balances,
///      decide which reserves count in the account data (as in Aave): a reserve can keep a dust balance
///      with its flag cleared, or the reverse, and the numbers follow the flags.
library UserConfig {
    /// @notice Mask of every borrowing bit (the even bits).
    uint256 internal constant BORROWING_MASK = 0x5555555555555555555555555555555555555555555555555555555555555555;

    /// @notice True if the user borrows reserve `id`.
    function isBorrowing(uint256 self, uint256 id) internal pure returns (bool) {
        return (self >> (id << 1)) & 1 != 0;
    }

    /// @notice True if reserve `id` counts as the user's collateral.
    function isUsingAsCollateral(uint256 self, uint256 id) internal pure returns (bool) {
        return (self >> ((id << 1) + 1)) & 1 != 0;
    }

    /// @notice True if either flag of reserve `id` is set.
    function isUsingAsCollateralOrBorrowing(uint256 self, uint256 id) internal pure returns (bool) {
        return (self >> (id << 1)) & 3 != 0;
    }

    /// @notice True if the user borrows any reserve.
    function isBorrowingAny(uint256 self) internal pure returns (bool) {
        return self & BORROWING_MASK != 0;
    }

    /// @notice `self` with the borrowing flag of reserve `id` set to `borrowing`.
    function setBorrowing(uint256 self, uint256 id, bool borrowing) internal pure returns (uint256) {
        uint256 bit = 1 << (id << 1);
        return borrowing ? self | bit : self & ~bit;
    }

    /// @notice `self` with the collateral flag of reserve `id` set to `usingAsCollateral`.
    function setUsingAsCollateral(uint256 self, uint256 id, bool usingAsCollateral) internal pure returns (uint256) {
        uint256 bit = 1 << ((id << 1) + 1);
        return usingAsCollateral ? self | bit : self & ~bit;
    }
}
