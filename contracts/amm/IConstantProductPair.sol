// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";

/// @title IConstantProductPair
/// @notice A Uniswap-V2-style constant-product pair: same external names, arguments, events and
///         semantics as `UniswapV2Pair` (protocol fee off), with the swap fee fixed at deployment
///         in bps. The pair is its own LP token (ERC20, 18 decimals).
/// @dev Like Uniswap V2, the pair is low level: callers transfer tokens in first, then call
///      `mint`, `swap` (input already sent) or `burn` (LP tokens already sent) in the same
///      transaction. Use a router for anything else.
interface IConstantProductPair is IERC20 {
    /// @notice Liquidity was added: `amount0`/`amount1` (token decimals) were taken into reserves.
    event Mint(address indexed sender, uint256 amount0, uint256 amount1);

    /// @notice Liquidity was removed: `amount0`/`amount1` (token decimals) were sent to `to`.
    event Burn(address indexed sender, uint256 amount0, uint256 amount1, address indexed to);

    /// @notice A swap settled. Inputs are what arrived beyond the reserves (so a flash swap that
    ///         repays in the borrowed token shows it as both in and out); token decimals.
    event Swap(
        address indexed sender,
        uint256 amount0In,
        uint256 amount1In,
        uint256 amount0Out,
        uint256 amount1Out,
        address indexed to
    );

    /// @notice Reserves were set to the pair's balances (after every mint, burn, swap and sync).
    event Sync(uint112 reserve0, uint112 reserve1);

    /// @notice The constructor was given the same token twice.
    error IdenticalTokens(address token);
    /// @notice The constructor was given the zero address as a token.
    error ZeroAddressToken();
    /// @notice The constructor was given a fee of 100% or more (bps).
    error FeeTooHigh(uint256 feeBps);
    /// @notice `mint` would mint 0 LP tokens (or, on the first mint, sqrt(amount0 * amount1) is
    ///         not above MINIMUM_LIQUIDITY). Amounts are the deposited token amounts.
    error InsufficientLiquidityMinted(uint256 amount0, uint256 amount1);
    /// @notice `burn` would pay out 0 of a token (the LP tokens sent are too few).
    error InsufficientLiquidityBurned(uint256 amount0, uint256 amount1);
    /// @notice `swap` was called with both outputs 0.
    error InsufficientOutputAmount();
    /// @notice `swap` asked for a whole reserve or more.
    error InsufficientLiquidity(uint256 amount0Out, uint256 amount1Out, uint256 reserve0, uint256 reserve1);
    /// @notice `swap` was asked to send to one of the pair's own tokens.
    error InvalidTo(address to);
    /// @notice No input arrived (after the callback, if any).
    error InsufficientInputAmount();
    /// @notice The fee-adjusted balance product fell below the reserve product. Both values are
    ///         scaled by BPS^2 = 1e8: kBefore = reserve0 * reserve1 * 1e8 and
    ///         kAfter = (balance0 * 1e4 - amount0In * feeBps) * (balance1 * 1e4 - amount1In * feeBps).
    error KInvariant(uint256 kBefore, uint256 kAfter);
    /// @notice A balance does not fit the uint112 reserves.
    error Overflow(uint256 balance0, uint256 balance1);

    /// @notice LP tokens locked forever on the first mint so that the supply never returns to 0.
    function MINIMUM_LIQUIDITY() external view returns (uint256);

    /// @notice The lower-address token of the pair.
    function token0() external view returns (address);

    /// @notice The higher-address token of the pair.
    function token1() external view returns (address);

    /// @notice The swap fee in bps (30 = 0.30%, Uniswap V2's), fixed at deployment.
    function feeBps() external view returns (uint16);

    /// @notice Reserves (token decimals) and the block timestamp (mod 2^32) of their last update.
    function getReserves() external view returns (uint112 reserve0, uint112 reserve1, uint32 blockTimestampLast);

    /// @notice Sum over time of reserve1/reserve0 as UQ112x112 times seconds elapsed; wraps on
    ///         overflow by design (consumers take differences).
    function price0CumulativeLast() external view returns (uint256);

    /// @notice Sum over time of reserve0/reserve1 as UQ112x112 times seconds elapsed; wraps on
    ///         overflow by design.
    function price1CumulativeLast() external view returns (uint256);

    /// @notice Mints LP tokens to `to` for the tokens sent to the pair since the last update.
    /// @return liquidity LP tokens minted (18 decimals).
    function mint(address to) external returns (uint256 liquidity);

    /// @notice Burns the LP tokens held by the pair and sends the pro-rata tokens to `to`.
    /// @return amount0 Token0 sent (token0 decimals).
    /// @return amount1 Token1 sent (token1 decimals).
    function burn(address to) external returns (uint256 amount0, uint256 amount1);

    /// @notice Sends the outputs to `to`, calls `to.uniswapV2Call` if `data` is non-empty, then
    ///         requires the fee-adjusted balance product to be at least the reserve product.
    function swap(uint256 amount0Out, uint256 amount1Out, address to, bytes calldata data) external;

    /// @notice Sends the balances above the reserves to `to`.
    function skim(address to) external;

    /// @notice Sets the reserves to the balances.
    function sync() external;
}
