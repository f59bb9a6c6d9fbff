// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {AggregatorV3Interface} from "../interfaces/AggregatorV3Interface.sol";

/// @title MockAggregator
/// @notice Test double of a Chainlink price feed: 8 decimals, answer set by anyone.
/// @dev Also serves Chainlink's legacy `latestAnswer()` / `latestTimestamp()`, which Aave V3.0's
///      AaveOracle reads. Every `setAnswer` opens a new round stamped with the block time.
contract MockAggregator is AggregatorV3Interface {
    /// @notice Emitted after `setAnswer`; same shape as Chainlink's legacy `AnswerUpdated`.
    event AnswerUpdated(int256 indexed current, uint256 indexed roundId, uint256 updatedAt);

    /// @notice Thrown by `getRoundData` for a round that was never published.
    error RoundNotFound(uint80 roundId, uint80 latestRoundId);

    /// @notice Latest answer, 8 decimals (e.g. 1e8 = 1 USD).
    int256 public latestAnswer;
    /// @notice Block time (seconds) of the latest answer.
    uint256 public latestTimestamp;
    /// @notice Id of the latest round; the constructor's answer is round 1.
    uint80 public latestRound;

    mapping(uint80 roundId => int256 answer) private _answers;
    mapping(uint80 roundId => uint256 updatedAt) private _updatedAt;

    constructor(int256 initialAnswer) {
        setAnswer(initialAnswer);
    }

    /// @notice Publishes `answer` (8 decimals) as a new round at the current block time.
    function setAnswer(int256 answer) public {
        uint80 roundId = latestRound + 1;
        latestRound = roundId;
        latestAnswer = answer;
        latestTimestamp = block.timestamp;
        _answers[roundId] = answer;
        _updatedAt[roundId] = block.timestamp;
        emit AnswerUpdated(answer, roundId, block.timestamp);
    }

    /// @inheritdoc AggregatorV3Interface
    function decimals() external pure returns (uint8) {
        return 8;
    }

    /// @inheritdoc AggregatorV3Interface
    function description() external pure returns (string memory) {
        return "MockAggregator";
    }

    /// @inheritdoc AggregatorV3Interface
    function version() external pure returns (uint256) {
        return 1;
    }

    /// @inheritdoc AggregatorV3Interface
    function getRoundData(uint80 roundId) external view returns (uint80, int256, uint256, uint256, uint80) {
        if (roundId == 0 || roundId > latestRound) revert RoundNotFound(roundId, latestRound);
        return (roundId, _answers[roundId], _updatedAt[roundId], _updatedAt[roundId], roundId);
    }

    /// @inheritdoc AggregatorV3Interface
    function latestRoundData() external view returns (uint80, int256, uint256, uint256, uint80) {
        return (latestRound, latestAnswer, latestTimestamp, latestTimestamp, latestRound);
    }
}
