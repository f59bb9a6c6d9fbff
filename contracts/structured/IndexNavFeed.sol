// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";

import {AggregatorV3Interface} from "../interfaces/AggregatorV3Interface.sol";
import {IndexToken} from "./IndexToken.sol";

/// @title IndexNavFeed
/// @notice Chainlink-style USD feed (8 decimals) of an `IndexToken`: its NAV per whole index token,
///         computed from the component feeds at the time of the call.
/// @dev Publication rule (nothing is stored; every read is computed):
///      - `answer` = `index.navPerShare()` (USD8 per 1e18 shares); it reverts with the index's
///        `InvalidPrice` when a component's answer is <= 0;
///      - `updatedAt` = `startedAt` = the OLDEST `updatedAt` among the component feeds: the index is
///        as stale as its stalest component, so a consumer's age check on this feed covers them all;
///      - `roundId` = `answeredInRound` = the sum of the component feeds' latest round ids. Each
///        component's id only grows, so the sum grows whenever any component publishes (monotone,
///        and strictly increasing with every component round); the NAV depends only on the
///        component answers (units are fixed), so one round id pins one answer. Reverts
///        (SafeCast) if the sum exceeds uint80;
///      - `getRoundData` serves only the latest round id (a past sum does not identify past
///        component rounds); any other id reverts with `RoundNotAvailable`.
contract IndexNavFeed is AggregatorV3Interface {
    /// @notice The index priced.
    IndexToken public immutable index;

    /// @inheritdoc AggregatorV3Interface
    string public description;

    /// @notice Only the latest round (`latestRoundId`) can be read; `roundId` was asked.
    error RoundNotAvailable(uint80 roundId, uint80 latestRoundId);
    /// @notice A constructor address argument was zero.
    error ZeroAddress(string parameter);

    constructor(IndexToken index_, string memory description_) {
        if (address(index_) == address(0)) revert ZeroAddress("index");
        index = index_;
        description = description_;
    }

    /// @inheritdoc AggregatorV3Interface
    function decimals() external pure returns (uint8) {
        return 8;
    }

    /// @inheritdoc AggregatorV3Interface
    function version() external pure returns (uint256) {
        return 1;
    }

    /// @inheritdoc AggregatorV3Interface
    /// @dev Only the latest round id; see the contract's notes.
    function getRoundData(uint80 roundId) external view returns (uint80, int256, uint256, uint256, uint80) {
        (uint80 latestId, int256 answer, uint256 updatedAt) = _latest();
        if (roundId != latestId) revert RoundNotAvailable(roundId, latestId);
        return (latestId, answer, updatedAt, updatedAt, latestId);
    }

    /// @inheritdoc AggregatorV3Interface
    function latestRoundData() external view returns (uint80, int256, uint256, uint256, uint80) {
        (uint80 roundId, int256 answer, uint256 updatedAt) = _latest();
        return (roundId, answer, updatedAt, updatedAt, roundId);
    }

    /// @dev (sum of component round ids, NAV per share, oldest component updatedAt).
    function _latest() private view returns (uint80 roundId, int256 answer, uint256 updatedAt) {
        (IERC20[] memory tokens,, AggregatorV3Interface[] memory feeds) = index.components();
        uint256 roundSum;
        updatedAt = type(uint256).max;
        for (uint256 i; i < tokens.length; ++i) {
            (uint80 componentRound,,, uint256 componentUpdatedAt,) = feeds[i].latestRoundData();
            roundSum += componentRound;
            if (componentUpdatedAt < updatedAt) updatedAt = componentUpdatedAt;
        }
        roundId = SafeCast.toUint80(roundSum);
        answer = SafeCast.toInt256(index.navPerShare());
    }
}
