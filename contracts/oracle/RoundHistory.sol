// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {AggregatorV3Interface} from "../interfaces/AggregatorV3Interface.sol";

/// @title RoundHistory
/// @notice Chainlink-style round book shared by our feeds: every publication is a new round,
///         ids count up from 1, and the whole history stays readable.
/// @dev Round semantics (as Chainlink documents for its aggregators):
///      - `roundId` increments by one per publication, starting at 1;
///      - `startedAt == updatedAt ==` block time (seconds) of the publication;
///      - `answeredInRound == roundId` (every round is answered in itself);
///      - `getRoundData` of an id that was never published (0, or above the latest) reverts with
///        `RoundNotFound(roundId)` (Chainlink reverts with "No data present");
///      - before the first publication `latestRoundData` returns all zeros (round 0, answer 0,
///        updatedAt 0) rather than reverting, like a fresh Chainlink aggregator: `updatedAt == 0`
///        reads as infinitely stale and `answer == 0` makes Aave's AaveOracle use its fallback.
///      The legacy reads `latestAnswer`, `latestTimestamp`, `latestRound` (Aave's AaveOracle calls
///      `latestAnswer`) return the same latest-round fields, zeros before the first round.
abstract contract RoundHistory is AggregatorV3Interface {
    /// @notice `roundId` was never published.
    error RoundNotFound(uint80 roundId);

    /// @notice A round was published (Chainlink's event). `current` is scaled by `decimals()`,
    ///         `updatedAt` is the block time (seconds).
    event AnswerUpdated(int256 indexed current, uint256 indexed roundId, uint256 updatedAt);

    /// @notice A round started (Chainlink's event). `startedBy` is the caller whose transaction
    ///         published it; `startedAt` the block time (seconds). Emitted before `AnswerUpdated`.
    event NewRound(uint256 indexed roundId, address indexed startedBy, uint256 startedAt);

    /// @dev One published round. `answer` is scaled by `decimals()`; `updatedAt` in seconds
    ///      (also the round's `startedAt`).
    struct Round {
        int256 answer;
        uint64 updatedAt;
    }

    /// @inheritdoc AggregatorV3Interface
    uint8 public immutable override decimals;

    /// @inheritdoc AggregatorV3Interface
    string public override description;

    /// @dev Round id => round; ids 1..`_latestRoundId` exist.
    mapping(uint256 roundId => Round) private _rounds;

    /// @dev Id of the newest round; 0 before the first publication.
    uint80 private _latestRoundId;

    constructor(uint8 decimals_, string memory description_) {
        decimals = decimals_;
        description = description_;
    }

    /// @inheritdoc AggregatorV3Interface
    function version() external pure virtual override returns (uint256) {
        return 1;
    }

    /// @inheritdoc AggregatorV3Interface
    /// @dev Reverts with `RoundNotFound(roundId)` for 0 or any id above the latest.
    function getRoundData(uint80 roundId)
        external
        view
        override
        returns (uint80, int256 answer, uint256 startedAt, uint256 updatedAt, uint80 answeredInRound)
    {
        if (roundId == 0 || roundId > _latestRoundId) revert RoundNotFound(roundId);
        Round storage round = _rounds[roundId];
        return (roundId, round.answer, round.updatedAt, round.updatedAt, roundId);
    }

    /// @inheritdoc AggregatorV3Interface
    /// @dev All zeros before the first publication (see the contract's notes).
    function latestRoundData()
        external
        view
        override
        returns (uint80 roundId, int256 answer, uint256 startedAt, uint256 updatedAt, uint80 answeredInRound)
    {
        roundId = _latestRoundId;
        Round storage round = _rounds[roundId];
        return (roundId, round.answer, round.updatedAt, round.updatedAt, roundId);
    }

    /// @notice Latest published answer, scaled by `decimals()`; 0 before the first round.
    function latestAnswer() external view returns (int256) {
        return _rounds[_latestRoundId].answer;
    }

    /// @notice Block time (seconds) of the latest publication; 0 before the first round.
    function latestTimestamp() external view returns (uint256) {
        return _rounds[_latestRoundId].updatedAt;
    }

    /// @notice Id of the latest round; 0 before the first round.
    function latestRound() external view returns (uint256) {
        return _latestRoundId;
    }

    /// @dev Latest round id, answer and publication time (all zero before the first round).
    function _latest() internal view returns (uint80 roundId, int256 answer, uint256 updatedAt) {
        roundId = _latestRoundId;
        Round storage round = _rounds[roundId];
        return (roundId, round.answer, round.updatedAt);
    }

    /// @dev Opens and closes round `_latestRoundId + 1` with `answer` at the current block time,
    ///      then emits `NewRound` and `AnswerUpdated`.
    function _publish(int256 answer) internal returns (uint80 roundId) {
        roundId = _latestRoundId + 1;
        _latestRoundId = roundId;
        _rounds[roundId] = Round({answer: answer, updatedAt: uint64(block.timestamp)});
        emit NewRound(roundId, msg.sender, block.timestamp);
        emit AnswerUpdated(answer, roundId, block.timestamp);
    }
}
