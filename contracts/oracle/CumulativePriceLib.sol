// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";

import {IOraclePair} from "./IOraclePair.sol";

/// @title CumulativePriceLib
/// @notice Time-weighted prices from a Uniswap-V2-style pair's price accumulators.
/// @dev Prices are UQ112x112: a raw-unit ratio (quote raw units per base raw unit) times 2**112.
library CumulativePriceLib {
    /// @notice Fixed-point unit of UQ112x112 prices.
    uint256 internal constant Q112 = 2 ** 112;

    /// @notice The pair's price accumulator for `ofToken0 ? token0 : token1` brought up to the
    ///         current block, as if the pair had updated now: the stored accumulator plus the
    ///         current spot price (UQ112x112) times the seconds since the pair's last update.
    ///         Adds nothing when either reserve is zero, like the pair itself.
    /// @return cumulative UQ112x112 x seconds, modulo 2**256 (only differences are meaningful).
    function currentCumulativePrice(IOraclePair pair, bool ofToken0) internal view returns (uint256 cumulative) {
        cumulative = ofToken0 ? pair.price0CumulativeLast() : pair.price1CumulativeLast();
        (uint112 reserve0, uint112 reserve1, uint32 pairTimestamp) = pair.getReserves();
        // Wrapping is intended: the pair keeps block time modulo 2**32 and its accumulators
        // modulo 2**256; differences of wrapped values are exact as long as the true difference
        // fits (seconds between pair updates < 2**32, accumulated delta < 2**256).
        unchecked {
            uint32 elapsed = uint32(block.timestamp) - pairTimestamp;
            if (elapsed != 0 && reserve0 != 0 && reserve1 != 0) {
                uint256 spotX112 =
                    ofToken0 ? (uint256(reserve1) * Q112) / reserve0 : (uint256(reserve0) * Q112) / reserve1;
                cumulative += spotX112 * elapsed;
            }
        }
    }

    /// @notice `cumulativeDelta / elapsedSeconds / 2**112 * scaleNumerator / scaleDenominator`
    ///         rounded to the nearest integer (halves up): the average price over the span,
    ///         rescaled to an answer, with one rounding. Rounding to nearest rather than down
    ///         keeps a constant price that is exact in the answer's decimals exact, although the
    ///         pair floors each UQ112x112 spot price it accumulates.
    /// @param cumulativeDelta Accumulator difference over the span (UQ112x112 x seconds).
    /// @param elapsedSeconds Span length (seconds), > 0.
    /// @param scaleNumerator 10**(baseDecimals + answerDecimals - quoteDecimals) when >= 0, else 1.
    /// @param scaleDenominator 2**112, times 10**(quoteDecimals - baseDecimals - answerDecimals)
    ///        when that is > 0.
    function averageAnswer(
        uint256 cumulativeDelta,
        uint256 elapsedSeconds,
        uint256 scaleNumerator,
        uint256 scaleDenominator
    ) internal pure returns (uint256 answer) {
        uint256 denominator = elapsedSeconds * scaleDenominator;
        answer = Math.mulDiv(cumulativeDelta, scaleNumerator, denominator);
        uint256 remainder = mulmod(cumulativeDelta, scaleNumerator, denominator);
        if (remainder >= denominator - remainder) answer += 1;
    }
}
