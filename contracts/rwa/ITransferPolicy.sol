// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title ITransferPolicy
/// @notice Transfer rules kept outside the token: a view that answers "would this transfer pass?".
///         The SPV token calls it from its `_update` hook and reverts when it answers false.
/// @dev The token passes mints as `from = address(0)` and burns as `to = address(0)`. A redemption
///      request (holder -> SPV escrow) is passed as `to = address(0)` too, because it is a burn
///      that waits for settlement: a policy never needs to know the SPV's own address. Releases
///      from escrow (cancelled requests, settlement burns) are not checked at all, so escrowed
///      shares can never get stuck.
interface ITransferPolicy {
    /// @notice Whether `amount` share units (18 decimals) may move from `from` to `to`.
    function checkTransfer(address from, address to, uint256 amount) external view returns (bool);
}
