// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IERC20Metadata} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Metadata.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";

import {CumulativePriceLib} from "./CumulativePriceLib.sol";
import {IOraclePair} from "./IOraclePair.sol";
import {RoundHistory} from "./RoundHistory.sol";

/// @title TwapOracle
/// @notice A Chainlink-compatible feed publishing the time-weighted average price of `baseToken`
///         in `quoteToken` on a Uniswap-V2-style pair: the on-chain market's view, to set beside
///         the `LatencyOracle`'s slow real-world view.
/// @dev Rules.
///      - `update()` (permissionless) records a checkpoint `(block.timestamp, cumulative price)`
///        with the pair's accumulator brought up to the current block
///        (`CumulativePriceLib.currentCumulativePrice`). At most one checkpoint per block: a
///        second call in the same block changes nothing and returns false.
///      - In the same call it computes the TWAP from the newest earlier checkpoint whose
///        timestamp is `<= now - window` to now. The averaging span is therefore at least
///        `window` seconds and at most `window` plus the gap between updates: keepers calling
///        `update()` every few seconds keep it close to `window`.
///      - If no checkpoint is old enough (fewer than `window` seconds of history), nothing is
///        published. Otherwise, if the answer differs from the latest round's (or there is no
///        round yet), it is published as a new round (`RoundHistory`: id + 1,
///        `updatedAt = now`); an unchanged answer publishes nothing.
///      - `latestRoundData` returns the latest published round, i.e. the TWAP as of the last
///        `update()` that changed it (zeros before the first round): a feed nobody updates goes
///        stale visibly through `updatedAt`. `consult()` gives the live value without writing.
///      - Answer = average of (quote raw units per base raw unit) x 10**baseDecimals x
///        10**decimals / 10**quoteDecimals, rounded once to the nearest integer: the price of one
///        whole base token in whole quote tokens, scaled by `decimals()` (e.g. an 18-decimal
///        RWA token in 6-decimal USDC -> USD per token with 8 decimals).
///      - Seconds during which the pair had an empty reserve add nothing to the accumulator (as
///        in the pair) but still count in the span, pulling the average down: start keepers
///        (the first `update()`) after liquidity is added.
contract TwapOracle is RoundHistory {
    using CumulativePriceLib for IOraclePair;

    /// @dev A recorded accumulator value: `timestamp` in seconds, `priceCumulative` in
    ///      UQ112x112 x seconds (modulo 2**256).
    struct Checkpoint {
        uint64 timestamp;
        uint256 priceCumulative;
    }

    /// @notice The pair whose accumulators are averaged.
    IOraclePair public immutable pair;
    /// @notice The token being priced.
    address public immutable baseToken;
    /// @notice The token the price is expressed in.
    address public immutable quoteToken;
    /// @notice Whether `baseToken` is the pair's token0 (then price0 is used, else price1).
    bool public immutable baseIsToken0;
    /// @notice Minimum averaging span (seconds).
    uint32 public immutable window;

    /// @dev `CumulativePriceLib.averageAnswer` scale factors derived from the three decimals.
    uint256 private immutable _scaleNumerator;
    uint256 private immutable _scaleDenominator;

    /// @dev Checkpoints in strictly increasing `timestamp` order.
    Checkpoint[] private _checkpoints;

    /// @notice `window` is zero.
    error InvalidWindow(uint32 window);
    /// @notice `token` is neither token0 nor token1 of `pair`.
    error TokenNotInPair(address token, address pair);
    /// @notice The decimals cannot be scaled without overflow (needs
    ///         `-24 <= baseDecimals + answerDecimals - quoteDecimals <= 77`).
    error UnsupportedDecimals(uint8 baseDecimals, uint8 quoteDecimals, uint8 answerDecimals);
    /// @notice No checkpoint is at or before `cutoff = now - window` (seconds).
    error NoCheckpointOldEnough(uint256 cutoff);
    /// @notice No checkpoint number `index` was recorded.
    error CheckpointNotFound(uint256 index);

    /// @notice Checkpoint number `index` was recorded at `timestamp` (seconds) with
    ///         `priceCumulative` (UQ112x112 x seconds).
    event CheckpointRecorded(uint256 indexed index, uint256 timestamp, uint256 priceCumulative);
    /// @notice Round `roundId` is the TWAP from `windowStart` to `windowEnd` (seconds).
    event TwapPublished(uint256 indexed roundId, uint256 windowStart, uint256 windowEnd);

    /// @param pair_ A Uniswap-V2-style pair.
    /// @param baseToken_ The token being priced (token0 or token1 of the pair).
    /// @param window_ Minimum averaging span (seconds), > 0.
    /// @param decimals_ Decimals of the answer (8 for a USD feed).
    /// @param description_ E.g. "RWA / USDC TWAP 30m".
    constructor(IOraclePair pair_, address baseToken_, uint32 window_, uint8 decimals_, string memory description_)
        RoundHistory(decimals_, description_)
    {
        if (window_ == 0) revert InvalidWindow(window_);
        address token0 = pair_.token0();
        address token1 = pair_.token1();
        if (baseToken_ != token0 && baseToken_ != token1) revert TokenNotInPair(baseToken_, address(pair_));
        bool isToken0 = baseToken_ == token0;
        address quote = isToken0 ? token1 : token0;
        pair = pair_;
        baseToken = baseToken_;
        baseIsToken0 = isToken0;
        quoteToken = quote;
        window = window_;

        uint8 baseDecimals = IERC20Metadata(baseToken_).decimals();
        uint8 quoteDecimals = IERC20Metadata(quote).decimals();
        int256 exponent = int256(uint256(baseDecimals)) + int256(uint256(decimals_)) - int256(uint256(quoteDecimals));
        if (exponent > 77 || exponent < -24) revert UnsupportedDecimals(baseDecimals, quoteDecimals, decimals_);
        if (exponent >= 0) {
            _scaleNumerator = 10 ** uint256(exponent);
            _scaleDenominator = CumulativePriceLib.Q112;
        } else {
            _scaleNumerator = 1;
            _scaleDenominator = CumulativePriceLib.Q112 * 10 ** uint256(-exponent);
        }
    }

    /// @notice Records a checkpoint and publishes the TWAP if it changed (see the contract's
    ///         notes). Anyone may call it (keepers do).
    /// @return published Whether a new round was published.
    function update() external returns (bool published) {
        uint256 count = _checkpoints.length;
        if (count != 0 && _checkpoints[count - 1].timestamp == block.timestamp) return false;
        uint256 cumulative = pair.currentCumulativePrice(baseIsToken0);
        _checkpoints.push(Checkpoint({timestamp: uint64(block.timestamp), priceCumulative: cumulative}));
        emit CheckpointRecorded(count, block.timestamp, cumulative);

        (bool found, Checkpoint memory start) = _windowStart();
        if (!found) return false;
        int256 answer = _average(start, cumulative);
        (uint80 latestRoundId, int256 latestAnswer_,) = _latest();
        if (latestRoundId != 0 && answer == latestAnswer_) return false;
        uint80 roundId = _publish(answer);
        emit TwapPublished(roundId, start.timestamp, block.timestamp);
        return true;
    }

    /// @notice The TWAP from the newest checkpoint at or before `now - window` to now, without
    ///         recording anything. Reverts with `NoCheckpointOldEnough(cutoff)` if there is none.
    /// @return answer Scaled by `decimals()`.
    /// @return windowStart Timestamp of the starting checkpoint (seconds).
    function consult() external view returns (int256 answer, uint256 windowStart) {
        (bool found, Checkpoint memory start) = _windowStart();
        if (!found) revert NoCheckpointOldEnough(block.timestamp < window ? 0 : block.timestamp - window);
        return (_average(start, pair.currentCumulativePrice(baseIsToken0)), start.timestamp);
    }

    /// @notice Number of checkpoints recorded.
    function checkpointCount() external view returns (uint256) {
        return _checkpoints.length;
    }

    /// @notice Checkpoint number `index`: `timestamp` (seconds), `priceCumulative`
    ///         (UQ112x112 x seconds, modulo 2**256); reverts with `CheckpointNotFound(index)` past
    ///         the end.
    function getCheckpoint(uint256 index) external view returns (uint256 timestamp, uint256 priceCumulative) {
        if (index >= _checkpoints.length) revert CheckpointNotFound(index);
        Checkpoint storage checkpoint = _checkpoints[index];
        return (checkpoint.timestamp, checkpoint.priceCumulative);
    }

    /// @dev Newest checkpoint with `timestamp <= block.timestamp - window`, by binary search.
    function _windowStart() private view returns (bool found, Checkpoint memory start) {
        if (block.timestamp < window) return (false, start);
        uint256 cutoff = block.timestamp - window;
        // Invariant: checkpoints below `low` are <= cutoff, those at or above `high` are > cutoff.
        uint256 low = 0;
        uint256 high = _checkpoints.length;
        while (low < high) {
            uint256 middle = (low + high) / 2;
            if (_checkpoints[middle].timestamp <= cutoff) low = middle + 1;
            else high = middle;
        }
        if (low == 0) return (false, start);
        return (true, _checkpoints[low - 1]);
    }

    /// @dev Answer for the span from `start` to now, given the accumulator now.
    function _average(Checkpoint memory start, uint256 cumulativeNow) private view returns (int256) {
        uint256 delta;
        // The accumulator wraps modulo 2**256; the wrapped difference is the true one.
        unchecked {
            delta = cumulativeNow - start.priceCumulative;
        }
        uint256 answer = CumulativePriceLib.averageAnswer(
            delta, block.timestamp - start.timestamp, _scaleNumerator, _scaleDenominator
        );
        return SafeCast.toInt256(answer);
    }
}
