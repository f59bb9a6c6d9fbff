// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {WadRayMath} from "./WadRayMath.sol";

/// @title InterestMath
/// @notice Growth factors (RAY) of the two indexes over an interval, per Aave V3.0's conventions.
/// @dev Rates are yearly, in RAY; a year is 365 days (leap years ignored).
library InterestMath {
    using WadRayMath for uint256;

    /// @notice Seconds in the 365-day year the rates are quoted per.
    uint256 internal constant SECONDS_PER_YEAR = 365 days;

    /// @notice Simple-interest factor 1 + rate * dt / year (RAY), used for the liquidity (supply) index.
    /// @param rate Yearly rate, RAY.
    /// @param elapsed Seconds since the last update.
    function linearInterest(uint256 rate, uint256 elapsed) internal pure returns (uint256) {
        return WadRayMath.RAY + (rate * elapsed) / SECONDS_PER_YEAR;
    }

    /// @notice Compound-interest factor (1 + rate/year)^dt (RAY), approximated by the first three terms of
    ///         the binomial expansion, used for the variable borrow index.
    /// @dev 1 + n*x + n(n-1)/2 * x^2 + n(n-1)(n-2)/6 * x^3 with x = rate per second; x^2 and x^3 are
    ///      computed as rate.rayMul(rate) / year^2 and that.rayMul(rate) / year, each rounded as Aave does.
    ///      The approximation slightly under-charges borrowers over long idle intervals.
    /// @param rate Yearly rate, RAY.
    /// @param elapsed Seconds since the last update.
    function compoundedInterest(uint256 rate, uint256 elapsed) internal pure returns (uint256) {
        if (elapsed == 0) {
            return WadRayMath.RAY;
        }
        uint256 elapsedMinusOne;
        uint256 elapsedMinusTwo;
        uint256 basePowerTwo;
        uint256 basePowerThree;
        // elapsed >= 1 here, so elapsed - 1 cannot underflow and elapsed - 2 is taken only when elapsed > 2;
        // the divisors are non-zero constants.
        unchecked {
            elapsedMinusOne = elapsed - 1;
            elapsedMinusTwo = elapsed > 2 ? elapsed - 2 : 0;
            basePowerTwo = rate.rayMul(rate) / (SECONDS_PER_YEAR * SECONDS_PER_YEAR);
            basePowerThree = basePowerTwo.rayMul(rate) / SECONDS_PER_YEAR;
        }
        uint256 secondTerm = (elapsed * elapsedMinusOne * basePowerTwo) / 2;
        uint256 thirdTerm = (elapsed * elapsedMinusOne * elapsedMinusTwo * basePowerThree) / 6;
        return WadRayMath.RAY + (rate * elapsed) / SECONDS_PER_YEAR + secondTerm + thirdTerm;
    }
}
