// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";

import {AggregatorV3Interface} from "../interfaces/AggregatorV3Interface.sol";
import {RoundHistory} from "./RoundHistory.sol";

/// @title ConservativeOracle
/// @notice A Chainlink-compatible feed placed between a lending pool and the feeds of an RWA token:
///         it publishes the lower of the NAV feed's and the TWAP feed's answers (the pool never
///         values collateral above what the market pays, nor above the attested NAV), and it
///         refuses a move larger than `maxChangeBps` by freezing at its last price for
///         `freezeSeconds` (governance's reaction time), after which it accepts the price of the day.
/// @dev Stateful by design: a freeze needs memory (the last published price and the freeze's end),
///      so the price is published by `update()`, not computed in `latestRoundData`. `update()` is
///      permissionless (its result is determined by the two feeds and the block time); a keeper
///      calls it in the block where an underlying feed changed and at a freeze's end.
///      `latestRoundData` returns the last published round (`RoundHistory`: id + 1 per publication,
///      `updatedAt` = block time of the `update()` that published it).
///      Rules of `update()`, with `now = block.timestamp`:
///      1. Sides: `navFeed` and `twapFeed`; either may be absent (address 0), not both. Each present
///         side's `latestRoundData` answer must be > 0 (else `SourceAnswerInvalid`). The candidate
///         is the minimum of the present sides' answers. Their ages are not checked here: the
///         pool checks the age of this feed's rounds.
///      2. No round yet: the candidate publishes (`Reason.First`).
///      3. A freeze is running (`now < frozenUntil`): nothing happens, whatever the sides say.
///      4. A freeze has ended (`frozenUntil != 0 && now >= frozenUntil`): the candidate publishes
///         whatever its move (`Reason.FreezeEnded`) and the freeze is cleared.
///      5. `maxChangeBps != 0` and `|candidate - last| * 10_000 > maxChangeBps * last` (exact
///         integer comparison; a move of exactly `maxChangeBps` passes): nothing publishes; the
///         oracle freezes until `now + freezeSeconds` and emits `Frozen` with the rejected price.
///      6. Otherwise the candidate publishes (`Reason.Change`) if it differs from the last answer or
///         a side has published a new round since the last publication (so the rounds stay as
///         fresh as the freshest side); else nothing happens.
///      `setLimits` changes the limits for later updates; it neither starts nor ends a freeze.
contract ConservativeOracle is AccessControl, RoundHistory {
    /// @notice Basis-point scale of `maxChangeBps` (10_000 bps = 100%).
    uint256 public constant BPS = 10_000;

    /// @notice Why a round was published (rules 2, 4 and 6 of the contract's notes).
    enum Reason {
        First,
        Change,
        FreezeEnded
    }

    /// @notice The custodian's NAV feed (address 0: no NAV side).
    AggregatorV3Interface public immutable navFeed;
    /// @notice The AMM's TWAP feed (address 0: no TWAP side).
    AggregatorV3Interface public immutable twapFeed;

    /// @notice Largest accepted move from the last published answer, bps of it; 0 = no limit.
    uint16 public maxChangeBps;
    /// @notice How long a freeze holds the last answer (seconds).
    uint32 public freezeSeconds;
    /// @notice End of the running or last unfinished freeze (seconds); 0 = none.
    uint64 public frozenUntil;

    /// @dev Latest round ids of the sides at the last publication.
    uint80 private _navRoundSeen;
    uint80 private _twapRoundSeen;

    /// @notice Neither side was given.
    error NoSource();
    /// @notice `feed` answers with `decimals` decimals instead of this feed's `expected`.
    error DecimalsMismatch(address feed, uint8 decimals, uint8 expected);
    /// @notice `freezeSeconds` is zero while `maxChangeBps` is not.
    error InvalidFreeze(uint16 maxChangeBps, uint32 freezeSeconds);
    /// @notice `feed`'s latest answer is not positive (no round yet, or an invalid price).
    error SourceAnswerInvalid(address feed, int256 answer);

    /// @notice Round `roundId` is `answer` = min of `navAnswer` and `twapAnswer` (0 for an absent
    ///         side), scaled by `decimals()`.
    event PricePublished(
        uint256 indexed roundId, int256 answer, int256 navAnswer, int256 twapAnswer, Reason reason
    );
    /// @notice `rejectedAnswer` moved more than `maxChangeBps` from `heldAnswer`; the feed holds
    ///         `heldAnswer` until `frozenUntil` (seconds).
    event Frozen(int256 rejectedAnswer, int256 heldAnswer, int256 navAnswer, int256 twapAnswer, uint256 frozenUntil);
    /// @notice The limits changed (bps, seconds).
    event LimitsChanged(uint16 maxChangeBps, uint32 freezeSeconds);

    /// @param navFeed_ The NAV side (address 0: none).
    /// @param twapFeed_ The TWAP side (address 0: none).
    /// @param maxChangeBps_ See `maxChangeBps`.
    /// @param freezeSeconds_ See `freezeSeconds`.
    /// @param decimals_ Decimals of the answer; every side must have the same.
    /// @param description_ E.g. "RWA / USD (min NAV, TWAP)".
    /// @param admin Holder of DEFAULT_ADMIN_ROLE (sets the limits).
    constructor(
        AggregatorV3Interface navFeed_,
        AggregatorV3Interface twapFeed_,
        uint16 maxChangeBps_,
        uint32 freezeSeconds_,
        uint8 decimals_,
        string memory description_,
        address admin
    ) RoundHistory(decimals_, description_) {
        if (address(navFeed_) == address(0) && address(twapFeed_) == address(0)) revert NoSource();
        _checkDecimals(navFeed_, decimals_);
        _checkDecimals(twapFeed_, decimals_);
        navFeed = navFeed_;
        twapFeed = twapFeed_;
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        _setLimits(maxChangeBps_, freezeSeconds_);
    }

    // ------------------------------------------------------------------ anyone

    /// @notice Applies the publication rules now (see the contract's notes); anyone may call it.
    /// @return published Whether a new round was published.
    function update() external returns (bool published) {
        (int256 price, int256 navAnswer, int256 twapAnswer, uint80 navRound, uint80 twapRound) = _sides();
        (uint80 latestRoundId, int256 last,) = _latest();
        Reason reason = Reason.Change;
        if (latestRoundId == 0) {
            reason = Reason.First;
        } else if (frozenUntil != 0) {
            if (block.timestamp < frozenUntil) return false;
            frozenUntil = 0;
            reason = Reason.FreezeEnded;
        } else if (_exceedsLimit(price, last)) {
            uint256 until = block.timestamp + freezeSeconds;
            frozenUntil = uint64(until);
            emit Frozen(price, last, navAnswer, twapAnswer, until);
            return false;
        } else if (price == last && navRound == _navRoundSeen && twapRound == _twapRoundSeen) {
            return false;
        }
        _navRoundSeen = navRound;
        _twapRoundSeen = twapRound;
        uint80 roundId = _publish(price);
        emit PricePublished(roundId, price, navAnswer, twapAnswer, reason);
        return true;
    }

    /// @notice The price `update()` would start from now: the min of the sides, and each side
    ///         (0 for an absent side). Reverts like `update()` on a side without a positive answer.
    function candidate() external view returns (int256 answer, int256 navAnswer, int256 twapAnswer) {
        (answer, navAnswer, twapAnswer,,) = _sides();
    }

    /// @notice Whether a freeze holds the answer now.
    function frozen() external view returns (bool) {
        return block.timestamp < frozenUntil;
    }

    // ------------------------------------------------------------------ admin

    /// @notice Changes the limits for later updates; a running freeze keeps its end.
    function setLimits(uint16 maxChangeBps_, uint32 freezeSeconds_) external onlyRole(DEFAULT_ADMIN_ROLE) {
        _setLimits(maxChangeBps_, freezeSeconds_);
    }

    // ------------------------------------------------------------------ internals

    function _setLimits(uint16 maxChangeBps_, uint32 freezeSeconds_) private {
        if (maxChangeBps_ != 0 && freezeSeconds_ == 0) revert InvalidFreeze(maxChangeBps_, freezeSeconds_);
        maxChangeBps = maxChangeBps_;
        freezeSeconds = freezeSeconds_;
        emit LimitsChanged(maxChangeBps_, freezeSeconds_);
    }

    function _checkDecimals(AggregatorV3Interface feed, uint8 expected) private view {
        if (address(feed) == address(0)) return;
        uint8 got = feed.decimals();
        if (got != expected) revert DecimalsMismatch(address(feed), got, expected);
    }

    /// @dev Rule 1: each present side's latest round, and the minimum of their answers.
    function _sides()
        private
        view
        returns (int256 answer, int256 navAnswer, int256 twapAnswer, uint80 navRound, uint80 twapRound)
    {
        answer = type(int256).max;
        if (address(navFeed) != address(0)) {
            (navRound, navAnswer,,,) = navFeed.latestRoundData();
            if (navAnswer <= 0) revert SourceAnswerInvalid(address(navFeed), navAnswer);
            answer = navAnswer;
        }
        if (address(twapFeed) != address(0)) {
            (twapRound, twapAnswer,,,) = twapFeed.latestRoundData();
            if (twapAnswer <= 0) revert SourceAnswerInvalid(address(twapFeed), twapAnswer);
            if (twapAnswer < answer) answer = twapAnswer;
        }
    }

    /// @dev Rule 5. Both answers are positive; a product overflowing uint256 would need answers
    ///      above 2**242, far beyond any price (checked arithmetic reverts if it ever happened).
    function _exceedsLimit(int256 price, int256 last) private view returns (bool) {
        uint256 limit = maxChangeBps;
        if (limit == 0) return false;
        uint256 move = uint256(price > last ? price - last : last - price);
        return move * BPS > limit * uint256(last);
    }
}
