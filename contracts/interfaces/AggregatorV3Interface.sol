// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

/// @title AggregatorV3Interface
/// @notice Chainlink's price-feed read interface, declared here because Chainlink's npm
///         package cannot be installed offline. Same names, types and semantics.
interface AggregatorV3Interface {
    /// @notice Number of decimals in `answer`.
    function decimals() external view returns (uint8);

    /// @notice Human-readable description of the feed, e.g. "RWA / USD".
    function description() external view returns (string memory);

    /// @notice Version of the aggregator implementation.
    function version() external view returns (uint256);

    /// @notice Data of round `_roundId`.
    /// @return roundId The round id.
    /// @return answer The published answer, scaled by `decimals()`.
    /// @return startedAt When the round started (block time, seconds).
    /// @return updatedAt When the answer was published (block time, seconds); 0 if not complete.
    /// @return answeredInRound The round in which the answer was computed.
    function getRoundData(uint80 _roundId)
        external
        view
        returns (uint80 roundId, int256 answer, uint256 startedAt, uint256 updatedAt, uint80 answeredInRound);

    /// @notice Data of the latest published round; same fields as `getRoundData`.
    function latestRoundData()
        external
        view
        returns (uint80 roundId, int256 answer, uint256 startedAt, uint256 updatedAt, uint80 answeredInRound);
}
