// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";

import {IConstantProductPair} from "../amm/IConstantProductPair.sol";
import {IUniswapV2Callee} from "../amm/IUniswapV2Callee.sol";

/// @title FlashSwapCallee
/// @notice TEST DOUBLE, never deployed outside tests: flash-swap receiver whose behaviour is set
///         by the swap's `data` = abi.encode(uint256 repay0, uint256 repay1, bool reenter). It
///         pays `repay0`/`repay1` (from its own balance) back to the calling pair, and with
///         `reenter` first tries to re-enter the pair through `sync()`.
contract FlashSwapCallee is IUniswapV2Callee {
    /// @notice The callback ran: its arguments and the reserves the pair reported meanwhile.
    event FlashSwapReceived(
        address pair, address sender, uint256 amount0, uint256 amount1, uint112 reserve0Seen, uint112 reserve1Seen
    );

    /// @inheritdoc IUniswapV2Callee
    function uniswapV2Call(address sender, uint256 amount0, uint256 amount1, bytes calldata data) external {
        (uint256 repay0, uint256 repay1, bool reenter) = abi.decode(data, (uint256, uint256, bool));
        IConstantProductPair pair = IConstantProductPair(msg.sender);
        (uint112 reserve0, uint112 reserve1,) = pair.getReserves();
        emit FlashSwapReceived(msg.sender, sender, amount0, amount1, reserve0, reserve1);
        if (reenter) pair.sync();
        if (repay0 > 0) IERC20(pair.token0()).transfer(msg.sender, repay0);
        if (repay1 > 0) IERC20(pair.token1()).transfer(msg.sender, repay1);
    }
}
