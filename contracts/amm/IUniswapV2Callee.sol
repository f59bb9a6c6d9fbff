// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title IUniswapV2Callee
/// @notice Flash-swap receiver, same ABI as Uniswap V2's: a pair's `swap` with non-empty `data`
///         sends the outputs to `to` first, then calls `to.uniswapV2Call`, then checks K.
interface IUniswapV2Callee {
    /// @notice Called by the pair inside `swap`, after the outputs were sent and before the K check.
    /// @param sender The account that called `swap` on the pair.
    /// @param amount0 Amount of token0 sent to this contract (token0 decimals).
    /// @param amount1 Amount of token1 sent to this contract (token1 decimals).
    /// @param data The `data` passed to `swap`, untouched.
    /// @dev `msg.sender` is the pair; a receiver must check it. The pair's `getReserves` still
    ///      returns the pre-swap reserves during the call.
    function uniswapV2Call(address sender, uint256 amount0, uint256 amount1, bytes calldata data) external;
}
