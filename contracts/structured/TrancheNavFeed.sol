// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";

import {AggregatorV3Interface} from "../interfaces/AggregatorV3Interface.sol";
import {TrancheVault} from "./TrancheVault.sol";

/// @title TrancheNavFeed
/// @notice Chainlink-style USD feed (8 decimals) of one tranche token of a `TrancheVault`: the
///         tranche's NAV per whole token, as the vault computes it at the time of the call.
/// @dev Publication rule (nothing is stored; every read is computed):
///      - `answer` = `vault.navPerToken(tranche)`: USD8 per 1e18 tranche tokens (1e8 while the
///        tranche has no supply); it reverts with the vault's `InvalidPrice` when the underlying
///        feed's answer is <= 0;
///      - `roundId`, `startedAt`, `updatedAt`, `answeredInRound` are the underlying feed's latest:
///        the tranche's NAV is as fresh as the underlying's price. The answer may still change
///        within one round (the senior's coupon accrues every second; deposits and redemptions
///        move NAVs by rounding dust), so a round id does not pin an answer;
///      - `getRoundData` serves only the latest round id (past NAVs cannot be recomputed: they
///        depend on past balances and supplies); any other id reverts with `RoundNotAvailable`.
contract TrancheNavFeed is AggregatorV3Interface {
    /// @notice The vault whose tranche is priced.
    TrancheVault public immutable vault;
    /// @notice The tranche priced (0 = Senior, 1 = Junior).
    TrancheVault.Tranche public immutable tranche;

    /// @inheritdoc AggregatorV3Interface
    string public description;

    /// @notice Only the latest round (`latestRoundId`) can be read; `roundId` was asked.
    error RoundNotAvailable(uint80 roundId, uint80 latestRoundId);
    /// @notice A constructor address argument was zero.
    error ZeroAddress(string parameter);

    constructor(TrancheVault vault_, TrancheVault.Tranche tranche_, string memory description_) {
        if (address(vault_) == address(0)) revert ZeroAddress("vault");
        vault = vault_;
        tranche = tranche_;
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
        (uint80 latestId, int256 answer, uint256 startedAt, uint256 updatedAt, uint80 answeredInRound) =
            _latest();
        if (roundId != latestId) revert RoundNotAvailable(roundId, latestId);
        return (latestId, answer, startedAt, updatedAt, answeredInRound);
    }

    /// @inheritdoc AggregatorV3Interface
    function latestRoundData() external view returns (uint80, int256, uint256, uint256, uint80) {
        return _latest();
    }

    function _latest()
        private
        view
        returns (uint80 roundId, int256 answer, uint256 startedAt, uint256 updatedAt, uint80 answeredInRound)
    {
        (roundId,, startedAt, updatedAt, answeredInRound) = vault.priceFeed().latestRoundData();
        answer = SafeCast.toInt256(vault.navPerToken(tranche));
    }
}
