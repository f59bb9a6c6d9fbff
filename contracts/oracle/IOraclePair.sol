// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title IOraclePair
/// @notice The reads a TWAP oracle needs from a Uniswap-V2-style constant-product pair (our
///         `ConstantProductPair` and the real UniswapV2Pair both expose them).
interface IOraclePair {
    /// @notice The lower-sorted token of the pair.
    function token0() external view returns (address);

    /// @notice The higher-sorted token of the pair.
    function token1() external view returns (address);

    /// @notice Reserves (raw token units) as of the pair's last update, and that update's block
    ///         time modulo 2**32 (seconds).
    function getReserves() external view returns (uint112 reserve0, uint112 reserve1, uint32 blockTimestampLast);

    /// @notice Sum over time of (reserve1 / reserve0) as UQ112x112 times seconds, taken with the
    ///         reserves in force before each update; wraps modulo 2**256.
    function price0CumulativeLast() external view returns (uint256);

    /// @notice Same as `price0CumulativeLast` for reserve0 / reserve1.
    function price1CumulativeLast() external view returns (uint256);
}
