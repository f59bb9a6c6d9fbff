// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";

import {AmmMath} from "./AmmMath.sol";
import {IConstantProductPair} from "./IConstantProductPair.sol";
import {IUniswapV2Callee} from "./IUniswapV2Callee.sol";

/// @title ConstantProductPair
/// @notice Uniswap-V2-exact constant-product pair (protocol fee off) with the swap fee fixed at
///         deployment in bps. With feeBps = 30 every mint, burn, swap, K check, reserve and
///         cumulative price is identical to UniswapV2Pair's (tested against the real bytecode).
/// @dev Differences from UniswapV2Pair, none of which changes a number:
///      - MINIMUM_LIQUIDITY is minted to 0x...dEaD instead of address(0) (OpenZeppelin's ERC20
///        forbids minting to address(0)); either way it can never be burned.
///      - No factory, `initialize`, `kLast`, `permit`: tokens and fee are set by the constructor.
///      - Custom errors instead of revert strings; the reentrancy lock is OpenZeppelin's
///        transient one (ReentrancyGuardReentrantCall).
///      - A balance above uint112 reverts `Overflow` before the K check rather than after it.
contract ConstantProductPair is IConstantProductPair, ERC20, ReentrancyGuardTransient {
    using SafeERC20 for IERC20;

    /// @inheritdoc IConstantProductPair
    uint256 public constant MINIMUM_LIQUIDITY = 1000;

    /// @notice Holder of the MINIMUM_LIQUIDITY LP tokens (18 decimals) minted on the first mint.
    ///         Nobody has its key, so they are locked forever (Uniswap V2 uses address(0)).
    address public constant MINIMUM_LIQUIDITY_HOLDER = 0x000000000000000000000000000000000000dEaD;

    /// @inheritdoc IConstantProductPair
    address public immutable token0;
    /// @inheritdoc IConstantProductPair
    address public immutable token1;
    /// @inheritdoc IConstantProductPair
    uint16 public immutable feeBps;

    uint112 private _reserve0; // token0 decimals
    uint112 private _reserve1; // token1 decimals
    uint32 private _blockTimestampLast; // block.timestamp mod 2^32 of the last reserve update

    /// @inheritdoc IConstantProductPair
    uint256 public price0CumulativeLast;
    /// @inheritdoc IConstantProductPair
    uint256 public price1CumulativeLast;

    /// @param tokenA One token of the pair (either order).
    /// @param tokenB The other token.
    /// @param feeBps_ Swap fee in bps, < 10000 (30 = Uniswap V2).
    constructor(address tokenA, address tokenB, uint16 feeBps_) ERC20("Constant Product LP", "CP-LP") {
        if (tokenA == tokenB) revert IdenticalTokens(tokenA);
        (address a, address b) = tokenA < tokenB ? (tokenA, tokenB) : (tokenB, tokenA);
        if (a == address(0)) revert ZeroAddressToken();
        if (feeBps_ >= AmmMath.BPS) revert FeeTooHigh(feeBps_);
        token0 = a;
        token1 = b;
        feeBps = feeBps_;
    }

    /// @inheritdoc IConstantProductPair
    function getReserves() public view returns (uint112 reserve0, uint112 reserve1, uint32 blockTimestampLast) {
        return (_reserve0, _reserve1, _blockTimestampLast);
    }

    /// @inheritdoc IConstantProductPair
    /// @dev First mint: sqrt(amount0 * amount1) - MINIMUM_LIQUIDITY to `to`, MINIMUM_LIQUIDITY to
    ///      MINIMUM_LIQUIDITY_HOLDER. Later: min(amount0 / reserve0, amount1 / reserve1) * supply,
    ///      so an off-ratio deposit donates its excess to the existing LPs.
    function mint(address to) external nonReentrant returns (uint256 liquidity) {
        (uint112 reserve0, uint112 reserve1,) = getReserves();
        uint256 balance0 = IERC20(token0).balanceOf(address(this));
        uint256 balance1 = IERC20(token1).balanceOf(address(this));
        uint256 amount0 = balance0 - reserve0;
        uint256 amount1 = balance1 - reserve1;

        uint256 supply = totalSupply();
        if (supply == 0) {
            uint256 rootK = Math.sqrt(amount0 * amount1);
            if (rootK <= MINIMUM_LIQUIDITY) revert InsufficientLiquidityMinted(amount0, amount1);
            // Cannot underflow: rootK > MINIMUM_LIQUIDITY was just checked.
            unchecked {
                liquidity = rootK - MINIMUM_LIQUIDITY;
            }
            _mint(MINIMUM_LIQUIDITY_HOLDER, MINIMUM_LIQUIDITY);
        } else {
            liquidity = Math.min((amount0 * supply) / reserve0, (amount1 * supply) / reserve1);
            if (liquidity == 0) revert InsufficientLiquidityMinted(amount0, amount1);
        }
        _mint(to, liquidity);

        _update(balance0, balance1, reserve0, reserve1);
        emit Mint(msg.sender, amount0, amount1);
    }

    /// @inheritdoc IConstantProductPair
    /// @dev Pays out of balances, not reserves, so tokens donated since the last update go to the burner.
    function burn(address to) external nonReentrant returns (uint256 amount0, uint256 amount1) {
        (uint112 reserve0, uint112 reserve1,) = getReserves();
        IERC20 t0 = IERC20(token0);
        IERC20 t1 = IERC20(token1);
        uint256 liquidity = balanceOf(address(this));
        uint256 supply = totalSupply();
        amount0 = (liquidity * t0.balanceOf(address(this))) / supply;
        amount1 = (liquidity * t1.balanceOf(address(this))) / supply;
        if (amount0 == 0 || amount1 == 0) revert InsufficientLiquidityBurned(amount0, amount1);

        _burn(address(this), liquidity);
        t0.safeTransfer(to, amount0);
        t1.safeTransfer(to, amount1);

        _update(t0.balanceOf(address(this)), t1.balanceOf(address(this)), reserve0, reserve1);
        emit Burn(msg.sender, amount0, amount1, to);
    }

    /// @inheritdoc IConstantProductPair
    /// @dev K check, scaled by BPS^2 so that feeBps = 30 is exactly 100x Uniswap's 1000-based form:
    ///      (balance0·1e4 − amount0In·fee)·(balance1·1e4 − amount1In·fee) ≥ reserve0·reserve1·1e8.
    function swap(uint256 amount0Out, uint256 amount1Out, address to, bytes calldata data) external nonReentrant {
        if (amount0Out == 0 && amount1Out == 0) revert InsufficientOutputAmount();
        (uint112 reserve0, uint112 reserve1,) = getReserves();
        if (amount0Out >= reserve0 || amount1Out >= reserve1) {
            revert InsufficientLiquidity(amount0Out, amount1Out, reserve0, reserve1);
        }

        uint256 balance0;
        uint256 balance1;
        {
            address t0 = token0;
            address t1 = token1;
            if (to == t0 || to == t1) revert InvalidTo(to);
            // Optimistic transfers: the outputs leave before the inputs are checked.
            if (amount0Out > 0) IERC20(t0).safeTransfer(to, amount0Out);
            if (amount1Out > 0) IERC20(t1).safeTransfer(to, amount1Out);
            if (data.length > 0) IUniswapV2Callee(to).uniswapV2Call(msg.sender, amount0Out, amount1Out, data);
            balance0 = IERC20(t0).balanceOf(address(this));
            balance1 = IERC20(t1).balanceOf(address(this));
        }

        uint256 amount0In;
        uint256 amount1In;
        // Cannot underflow: amountOut < reserve was checked above, and each subtraction of a
        // balance happens only when the balance is the larger operand.
        unchecked {
            amount0In = balance0 > reserve0 - amount0Out ? balance0 - (reserve0 - amount0Out) : 0;
            amount1In = balance1 > reserve1 - amount1Out ? balance1 - (reserve1 - amount1Out) : 0;
        }
        if (amount0In == 0 && amount1In == 0) revert InsufficientInputAmount();
        _checkK(balance0, balance1, amount0In, amount1In, reserve0, reserve1);

        _update(balance0, balance1, reserve0, reserve1);
        emit Swap(msg.sender, amount0In, amount1In, amount0Out, amount1Out, to);
    }

    /// @inheritdoc IConstantProductPair
    /// @dev Transfers both tokens, even a zero amount. A balance below its reserve (only possible
    ///      with a token that can take balances away) makes it revert on the subtraction, as in Uniswap.
    function skim(address to) external nonReentrant {
        (uint112 reserve0, uint112 reserve1,) = getReserves();
        IERC20 t0 = IERC20(token0);
        IERC20 t1 = IERC20(token1);
        t0.safeTransfer(to, t0.balanceOf(address(this)) - reserve0);
        t1.safeTransfer(to, t1.balanceOf(address(this)) - reserve1);
    }

    /// @inheritdoc IConstantProductPair
    function sync() external nonReentrant {
        _update(
            IERC20(token0).balanceOf(address(this)), IERC20(token1).balanceOf(address(this)), _reserve0, _reserve1
        );
    }

    /// @dev Reverts `KInvariant` unless the fee-adjusted balance product (scaled by BPS^2) is at
    ///      least the reserve product (scaled by BPS^2); `Overflow` if a balance exceeds uint112.
    function _checkK(
        uint256 balance0,
        uint256 balance1,
        uint256 amount0In,
        uint256 amount1In,
        uint112 reserve0,
        uint112 reserve1
    ) private view {
        _checkFits(balance0, balance1);
        uint256 fee = feeBps;
        // Checked math never reverts here: balances < 2^112, so each factor < 2^126 and each
        // product < 2^252; amountIn <= balance and fee < BPS keep the subtractions positive.
        uint256 balance0Adjusted = balance0 * AmmMath.BPS - amount0In * fee;
        uint256 balance1Adjusted = balance1 * AmmMath.BPS - amount1In * fee;
        uint256 kBefore = uint256(reserve0) * reserve1 * (AmmMath.BPS * AmmMath.BPS);
        uint256 kAfter = balance0Adjusted * balance1Adjusted;
        if (kAfter < kBefore) revert KInvariant(kBefore, kAfter);
    }

    /// @dev Sets the reserves to the balances and, on the first update of a block with both old
    ///      reserves non-zero, accumulates the old prices times the seconds elapsed.
    function _update(uint256 balance0, uint256 balance1, uint112 reserve0, uint112 reserve1) private {
        _checkFits(balance0, balance1);
        uint32 blockTimestamp = uint32(block.timestamp); // mod 2^32, as Uniswap V2
        // Overflow desired, as in Uniswap V2: the uint32 timestamp difference is right across a
        // 2^32 wrap, and cumulative prices are only ever used as differences (mod 2^256). Each
        // term is < 2^224 * 2^32 = 2^256, so only the sums wrap.
        unchecked {
            uint32 timeElapsed = blockTimestamp - _blockTimestampLast;
            if (timeElapsed > 0 && reserve0 != 0 && reserve1 != 0) {
                // UQ112x112: reserve1 * 2^112 / reserve0, a uint224 price of token0 in token1.
                price0CumulativeLast += uint256((uint224(reserve1) << 112) / reserve0) * timeElapsed;
                price1CumulativeLast += uint256((uint224(reserve0) << 112) / reserve1) * timeElapsed;
            }
        }
        _reserve0 = uint112(balance0);
        _reserve1 = uint112(balance1);
        _blockTimestampLast = blockTimestamp;
        emit Sync(uint112(balance0), uint112(balance1));
    }

    function _checkFits(uint256 balance0, uint256 balance1) private pure {
        if (balance0 > type(uint112).max || balance1 > type(uint112).max) revert Overflow(balance0, balance1);
    }
}
