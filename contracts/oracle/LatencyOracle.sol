// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";

import {RoundHistory} from "./RoundHistory.sol";

/// @title LatencyOracle
/// @notice A Chainlink-compatible push feed whose publication follows configurable latency
///         rules, so a scenario can show what a lending market sees when the real-world price
///         (a building's appraisal, a loan book's mark) reaches the chain late, in coarse steps,
///         or not at all.
/// @dev Publication rules. A reporter queues observations `(answer, observedAt)`; the rules are
///      evaluated at the end of every `submit` and by the permissionless `poke()` (and only then:
///      `setLatencyRules` and `setOutage` publish nothing by themselves). At an evaluation, with
///      `now = block.timestamp`:
///      1. Outage or stop: while `outage` is on (the feed fails) or `stopped` is (an OSM-style
///         emergency stop by a STOPPER_ROLE holder who saw a suspect price queued during the delay),
///         an evaluation does nothing at all (no publication, no skipping); observations keep
///         queueing. The two switches are independent: the end of an outage does not restart a
///         stopped feed, nor the reverse.
///      2. Visibility: an observation is visible once `now >= observedAt + delaySeconds`, with the
///         delay in force at the evaluation (a rule change re-times the queued ones).
///      3. Candidate: the newest visible observation that is not yet published or skipped. Older
///         queued observations that are visible too are skipped for good at this evaluation
///         (never published later, whatever the rules become). Observations sharing one
///         `observedAt` keep their submission order: the last submitted is the newest.
///      4. The candidate publishes if any of:
///         a. no round has been published yet (the first visible observation always publishes);
///         b. `|candidate - latestAnswer()| * 10_000 >= deviationThresholdBps * latestAnswer()`
///            (exact integer comparison). With threshold 0 this always holds, so every new
///            observation publishes, including one equal to the current answer; with a
///            threshold > 0 an equal value never publishes by deviation, only by heartbeat;
///         c. `heartbeatSeconds != 0` and `now >= latestTimestamp() + heartbeatSeconds`.
///         The event's `reason` is the first of a, b, c that holds.
///         A candidate that does not publish stays queued as the candidate until a newer visible
///         observation replaces it (a later heartbeat can publish it).
///      5. Each observation publishes at most once: the heartbeat never republishes an
///         already-published value, so a silent reporter makes the feed go stale
///         (`updatedAt` ages) exactly as a Chainlink feed whose nodes stop reporting.
///      With delay 0, heartbeat 0 and threshold 0 every `submit` publishes at once (plain push
///      feed). Publication = a new round of `RoundHistory` (id + 1, `updatedAt = now`).
///      Gas: the queue keeps a head index; an evaluation walks only over observations that became
///      visible since the previous evaluation (O(k)), never over history.
///      Answers are bounded to `(0, type(int192).max]` (as Chainlink's OCR aggregators store
///      int192 answers), which keeps the deviation arithmetic exact and overflow-free.
contract LatencyOracle is AccessControl, RoundHistory {
    /// @notice Role allowed to `submit` observations; granted by the DEFAULT_ADMIN_ROLE holder.
    bytes32 public constant REPORTER_ROLE = keccak256("REPORTER_ROLE");
    /// @notice Role allowed to `stop` and `start` publication (Maker OSM's emergency stop); granted
    ///         by the DEFAULT_ADMIN_ROLE holder.
    bytes32 public constant STOPPER_ROLE = keccak256("STOPPER_ROLE");

    /// @notice Basis-point scale of `deviationThresholdBps` (10_000 bps = 100%).
    uint256 public constant BPS = 10_000;

    /// @notice Why a round was published (rule 4 a, b, c of the contract's notes, in that order).
    enum PublicationReason {
        First,
        Deviation,
        Heartbeat
    }

    /// @dev One queued observation: `answer` scaled by `decimals()`, `observedAt` in seconds.
    struct Observation {
        int192 answer;
        uint64 observedAt;
    }

    /// @notice Seconds between an observation's `observedAt` and its visibility.
    uint32 public delaySeconds;
    /// @notice Seconds after the latest publication from which any new visible observation
    ///         publishes regardless of deviation; 0 = no heartbeat.
    uint32 public heartbeatSeconds;
    /// @notice Minimum move, in bps of the latest answer, for a visible observation to publish;
    ///         0 = every new observation publishes.
    uint16 public deviationThresholdBps;
    /// @notice While true nothing publishes (an oracle outage); observations still queue.
    bool public outage;
    /// @notice While true nothing publishes (an emergency stop, rule 1); observations still queue.
    bool public stopped;

    /// @dev Every observation ever submitted, in submission order (non-decreasing `observedAt`).
    Observation[] private _observations;

    /// @dev Index of the oldest observation that is neither published nor skipped; all earlier
    ///      ones are done. Equals `_observations.length` when the queue is empty.
    uint256 private _head;

    /// @notice `answer` is not in `(0, type(int192).max]`.
    error InvalidAnswer(int256 answer);
    /// @notice `observedAt` is after the current block time (seconds).
    error ObservationFromFuture(uint256 observedAt, uint256 blockTimestamp);
    /// @notice `observedAt` is before the previous observation's `observedAt` (seconds).
    error ObservationOutOfOrder(uint256 observedAt, uint256 previousObservedAt);
    /// @notice No observation number `index` was submitted.
    error ObservationNotFound(uint256 index);

    /// @notice Observation number `index` was queued; `visibleAt = observedAt + delaySeconds`
    ///         under the rules in force now (seconds).
    event ObservationSubmitted(uint256 indexed index, int256 answer, uint256 observedAt, uint256 visibleAt);
    /// @notice Observation number `index` (observed at `observedAt`, seconds) became round
    ///         `roundId`; `skipped` older visible observations were dropped in the same evaluation.
    event ObservationPublished(
        uint256 indexed roundId,
        uint256 indexed index,
        uint256 observedAt,
        PublicationReason reason,
        uint256 skipped
    );
    /// @notice The latency rules changed (seconds, seconds, bps).
    event LatencyRulesChanged(uint32 delaySeconds, uint32 heartbeatSeconds, uint16 deviationThresholdBps);
    /// @notice The outage switch was set to `active`.
    event OutageSet(bool active);
    /// @notice The emergency stop was set to `active` by `by`.
    event StopSet(bool active, address indexed by);

    /// @param decimals_ Decimals of `answer` (8 for a USD feed).
    /// @param description_ E.g. "RWA / USD".
    /// @param delaySeconds_ See `delaySeconds`.
    /// @param heartbeatSeconds_ See `heartbeatSeconds`.
    /// @param deviationThresholdBps_ See `deviationThresholdBps`.
    /// @param admin Holder of DEFAULT_ADMIN_ROLE (grants REPORTER_ROLE, sets the rules).
    constructor(
        uint8 decimals_,
        string memory description_,
        uint32 delaySeconds_,
        uint32 heartbeatSeconds_,
        uint16 deviationThresholdBps_,
        address admin
    ) RoundHistory(decimals_, description_) {
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        _setLatencyRules(delaySeconds_, heartbeatSeconds_, deviationThresholdBps_);
    }

    // ------------------------------------------------------------------ reporter

    /// @notice Queues an observation of the real-world price, then evaluates the rules.
    /// @param answer Price scaled by `decimals()`, in `(0, type(int192).max]`.
    /// @param observedAt When the price was observed (seconds); not in the future and not before
    ///        the previous observation (equal is allowed).
    function submit(int256 answer, uint256 observedAt) external onlyRole(REPORTER_ROLE) {
        if (answer <= 0 || answer > type(int192).max) revert InvalidAnswer(answer);
        if (observedAt > block.timestamp) revert ObservationFromFuture(observedAt, block.timestamp);
        uint256 count = _observations.length;
        if (count != 0) {
            uint256 previous = _observations[count - 1].observedAt;
            if (observedAt < previous) revert ObservationOutOfOrder(observedAt, previous);
        }
        // Both casts are lossless: 0 < answer <= type(int192).max and observedAt <= block.timestamp.
        _observations.push(Observation({answer: int192(answer), observedAt: uint64(observedAt)}));
        emit ObservationSubmitted(count, answer, observedAt, observedAt + delaySeconds);
        _evaluate();
    }

    // ------------------------------------------------------------------ anyone

    /// @notice Evaluates the publication rules now; anyone may call it (keepers do).
    /// @return published Whether a new round was published.
    function poke() external returns (bool published) {
        return _evaluate();
    }

    /// @notice What `poke()` would do now.
    /// @return publishable Whether a call now would publish a round.
    /// @return index Queue index of the candidate (meaningful only when `hasCandidate`).
    /// @return answer The candidate's answer (0 when there is no candidate).
    /// @return observedAt The candidate's observation time (seconds; 0 when no candidate).
    /// @return hasCandidate Whether a visible, unpublished observation exists (false in an outage or
    ///         a stop).
    function nextPublishable()
        external
        view
        returns (bool publishable, uint256 index, int256 answer, uint256 observedAt, bool hasCandidate)
    {
        (hasCandidate, index, publishable,) = _select();
        if (hasCandidate) {
            Observation storage observation = _observations[index];
            answer = observation.answer;
            observedAt = observation.observedAt;
        }
    }

    /// @notice Number of queued observations that are neither published nor skipped (visible or
    ///         not yet).
    function pendingObservations() external view returns (uint256) {
        return _observations.length - _head;
    }

    /// @notice The newest observation submitted, what the feed publishes next once it is visible
    ///         and the rules let it (Maker OSM's `peep`): older pending ones are skipped by then.
    /// @return answer Scaled by `decimals()` (0 when nothing was ever submitted).
    /// @return observedAt Seconds (0 when nothing was ever submitted).
    /// @return index Its queue index (0 when nothing was ever submitted).
    /// @return pending Whether it is neither published nor skipped yet.
    function latestObservation() external view returns (int256 answer, uint256 observedAt, uint256 index, bool pending) {
        uint256 count = _observations.length;
        if (count == 0) return (0, 0, 0, false);
        index = count - 1;
        Observation storage observation = _observations[index];
        return (observation.answer, observation.observedAt, index, index >= _head);
    }

    /// @notice Number of observations ever submitted (published, skipped and pending).
    function observationCount() external view returns (uint256) {
        return _observations.length;
    }

    /// @notice Observation number `index`; reverts with `ObservationNotFound(index)` past the end.
    /// @return answer Scaled by `decimals()`.
    /// @return observedAt Seconds.
    /// @return visibleAt `observedAt + delaySeconds` under the current rules (seconds).
    function getObservation(uint256 index)
        external
        view
        returns (int256 answer, uint256 observedAt, uint256 visibleAt)
    {
        if (index >= _observations.length) revert ObservationNotFound(index);
        Observation storage observation = _observations[index];
        return (observation.answer, observation.observedAt, uint256(observation.observedAt) + delaySeconds);
    }

    // ------------------------------------------------------------------ admin

    /// @notice Changes the latency rules (a latency shock). Publishes nothing by itself: the
    ///         next `poke()`/`submit` evaluates under the new rules.
    function setLatencyRules(uint32 delaySeconds_, uint32 heartbeatSeconds_, uint16 deviationThresholdBps_)
        external
        onlyRole(DEFAULT_ADMIN_ROLE)
    {
        _setLatencyRules(delaySeconds_, heartbeatSeconds_, deviationThresholdBps_);
    }

    /// @notice Switches the outage on (nothing publishes) or off. Publishes nothing by itself:
    ///         after an outage the next `poke()`/`submit` catches up with the newest visible one.
    function setOutage(bool active) external onlyRole(DEFAULT_ADMIN_ROLE) {
        outage = active;
        emit OutageSet(active);
    }

    // ------------------------------------------------------------------ stopper

    /// @notice Stops publication (rule 1) until `start()`; publishes nothing by itself.
    function stop() external onlyRole(STOPPER_ROLE) {
        stopped = true;
        emit StopSet(true, msg.sender);
    }

    /// @notice Ends an emergency stop. Publishes nothing by itself: the next `poke()`/`submit`
    ///         evaluates, and the newest visible observation publishes if the rules let it.
    function start() external onlyRole(STOPPER_ROLE) {
        stopped = false;
        emit StopSet(false, msg.sender);
    }

    // ------------------------------------------------------------------ internals

    function _setLatencyRules(uint32 delaySeconds_, uint32 heartbeatSeconds_, uint16 deviationThresholdBps_)
        private
    {
        delaySeconds = delaySeconds_;
        heartbeatSeconds = heartbeatSeconds_;
        deviationThresholdBps = deviationThresholdBps_;
        emit LatencyRulesChanged(delaySeconds_, heartbeatSeconds_, deviationThresholdBps_);
    }

    /// @dev Applies rules 1-5: moves the head past skipped observations and publishes the
    ///      candidate if it qualifies.
    function _evaluate() private returns (bool published) {
        (bool hasCandidate, uint256 index, bool publishable, PublicationReason reason) = _select();
        if (!hasCandidate) return false;
        uint256 skipped = index - _head;
        if (!publishable) {
            _head = index;
            return false;
        }
        _head = index + 1;
        Observation storage observation = _observations[index];
        uint80 roundId = _publish(observation.answer);
        emit ObservationPublished(roundId, index, observation.observedAt, reason, skipped);
        return true;
    }

    /// @dev Finds the candidate (rules 1-3) and whether it publishes now (rule 4).
    function _select()
        private
        view
        returns (bool hasCandidate, uint256 index, bool publishable, PublicationReason reason)
    {
        if (outage || stopped) return (false, 0, false, reason);
        uint256 count = _observations.length;
        index = _head;
        if (index >= count || !_isVisible(_observations[index])) return (false, 0, false, reason);
        // Walks only over observations that became visible since the last evaluation.
        while (index + 1 < count && _isVisible(_observations[index + 1])) {
            // Cannot overflow: index + 1 < count <= type(uint256).max.
            unchecked {
                ++index;
            }
        }
        hasCandidate = true;
        (uint80 latestRoundId, int256 latestAnswer_, uint256 latestUpdatedAt) = _latest();
        if (latestRoundId == 0) return (true, index, true, PublicationReason.First);
        int256 candidate = _observations[index].answer;
        // Exact: both answers are in (0, 2**191), so the products stay below 2**206.
        uint256 move = uint256(candidate > latestAnswer_ ? candidate - latestAnswer_ : latestAnswer_ - candidate);
        if (move * BPS >= uint256(deviationThresholdBps) * uint256(latestAnswer_)) {
            return (true, index, true, PublicationReason.Deviation);
        }
        uint256 heartbeat = heartbeatSeconds;
        if (heartbeat != 0 && block.timestamp >= latestUpdatedAt + heartbeat) {
            return (true, index, true, PublicationReason.Heartbeat);
        }
        return (true, index, false, reason);
    }

    /// @dev Rule 2: visible once `block.timestamp >= observedAt + delaySeconds`.
    function _isVisible(Observation storage observation) private view returns (bool) {
        return block.timestamp >= uint256(observation.observedAt) + delaySeconds;
    }
}
