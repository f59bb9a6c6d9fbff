"""Pure-Python models of our oracles: `LatencyOracleModel` (contracts/oracle/LatencyOracle.sol),
`PairPriceHistory` + `TwapOracleModel` (contracts/oracle/TwapOracle.sol on a Uniswap-V2-style
pair) and `ConservativeOracleModel` (contracts/oracle/ConservativeOracle.sol: min of a NAV and a TWAP
side, freeze on a large move).

The keeper (`agents.keeper`) mirrors the SPV's latency feed in a `LatencyOracleModel`: it wakes at
`next_change_at` and pokes when `decide` says an evaluation publishes. The tests use both models as
the reference for the contracts' behaviour. They know nothing of ape.

LatencyOracle rules (the contract's NatSpec is the reference): observations queue; an evaluation (every
`submit`, every `poke`) does nothing during an outage, otherwise takes the newest visible
(`now >= observed_at + delay`) observation not yet published or skipped, skips every older one
for good, and publishes it if it is the first publication, or its move against the latest
answer is >= threshold (bps, exact: `|new - last| * 10_000 >= threshold * last`), or the
heartbeat (seconds, 0 = off) has elapsed since the latest publication. Each observation
publishes at most once; a candidate that does not publish stays the candidate.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import IntEnum

from ..units import BPS

MAX_ANSWER = 2**191 - 1  # type(int192).max


class Reason(IntEnum):
    """Why a round was published; same numbering as `LatencyOracle.PublicationReason`."""

    FIRST = 0
    DEVIATION = 1
    HEARTBEAT = 2


@dataclass(frozen=True)
class Round:
    """A published round, as `getRoundData` returns it (times in seconds)."""

    round_id: int
    answer: int
    updated_at: int
    observation_index: int
    reason: Reason
    skipped: int  # older visible observations dropped by the same evaluation

    def as_round_data(self) -> tuple[int, int, int, int, int]:
        """`(roundId, answer, startedAt, updatedAt, answeredInRound)`."""
        return (self.round_id, self.answer, self.updated_at, self.updated_at, self.round_id)


@dataclass(frozen=True)
class Decision:
    """Outcome of evaluating the rules at one instant (what `poke()` would do)."""

    candidate: int | None  # queue index of the newest visible unpublished observation
    publish: bool
    reason: Reason | None


@dataclass
class LatencyOracleModel:
    """State machine mirroring `LatencyOracle`; every method takes the block time `now`."""

    delay: int = 0  # seconds
    heartbeat: int = 0  # seconds, 0 = off
    threshold_bps: int = 0
    outage: bool = False
    stopped: bool = False  # the emergency stop (`stop`/`start`): same effect as an outage, a separate switch
    observations: list[tuple[int, int]] = field(default_factory=list)  # (answer, observed_at)
    rounds: list[Round] = field(default_factory=list)
    done: int = 0  # observations[:done] are published or skipped

    # -- actions ------------------------------------------------------------------------

    def submit(self, answer: int, observed_at: int, now: int) -> Round | None:
        """Queues an observation and evaluates; raises ValueError where the contract reverts."""
        if not 0 < answer <= MAX_ANSWER:
            raise ValueError(f"InvalidAnswer({answer})")
        if observed_at > now:
            raise ValueError(f"ObservationFromFuture({observed_at}, {now})")
        if self.observations and observed_at < self.observations[-1][1]:
            raise ValueError(f"ObservationOutOfOrder({observed_at}, {self.observations[-1][1]})")
        self.observations.append((answer, observed_at))
        return self.poke(now)

    def poke(self, now: int) -> Round | None:
        """Evaluates the rules at `now`; returns the round published, if any."""
        decision = self.decide(now)
        if decision.candidate is None:
            return None
        if not decision.publish:
            self.done = decision.candidate
            return None
        assert decision.reason is not None
        new_round = Round(
            round_id=len(self.rounds) + 1,
            answer=self.observations[decision.candidate][0],
            updated_at=now,
            observation_index=decision.candidate,
            reason=decision.reason,
            skipped=decision.candidate - self.done,
        )
        self.done = decision.candidate + 1
        self.rounds.append(new_round)
        return new_round

    def set_rules(self, delay: int, heartbeat: int, threshold_bps: int) -> None:
        self.delay, self.heartbeat, self.threshold_bps = delay, heartbeat, threshold_bps

    def set_outage(self, active: bool) -> None:
        self.outage = active

    def set_stopped(self, active: bool) -> None:
        self.stopped = active

    # -- reads --------------------------------------------------------------------------

    def decide(self, now: int) -> Decision:
        """What an evaluation at `now` would do, without changing anything."""
        if self.outage or self.stopped:
            return Decision(None, False, None)
        visible = [
            i
            for i in range(self.done, len(self.observations))
            if now >= self.observations[i][1] + self.delay
        ]
        if not visible:
            return Decision(None, False, None)
        candidate = max(visible)
        if not self.rounds:
            return Decision(candidate, True, Reason.FIRST)
        last = self.rounds[-1]
        move = abs(self.observations[candidate][0] - last.answer)
        if move * BPS >= self.threshold_bps * last.answer:
            return Decision(candidate, True, Reason.DEVIATION)
        if self.heartbeat and now >= last.updated_at + self.heartbeat:
            return Decision(candidate, True, Reason.HEARTBEAT)
        return Decision(candidate, False, None)

    def latest_round_data(self) -> tuple[int, int, int, int, int]:
        """`latestRoundData()`: all zeros before the first publication."""
        return self.rounds[-1].as_round_data() if self.rounds else (0, 0, 0, 0, 0)

    def pending(self) -> int:
        """`pendingObservations()`: queued, neither published nor skipped."""
        return len(self.observations) - self.done

    def next_change_at(self, now: int) -> int | None:
        """Earliest time (seconds) after `now` at which an evaluation may decide differently
        than at `now` (a pending observation becomes visible, or the heartbeat expires over a
        held-back candidate); None if no such time. Ignores the outage switch. Keepers poke then."""
        times = [t + self.delay for _, t in self.observations[self.done :] if t + self.delay > now]
        if self.heartbeat and self.rounds:
            deadline = self.rounds[-1].updated_at + self.heartbeat
            if deadline > now and any(t + self.delay <= now for _, t in self.observations[self.done :]):
                times.append(deadline)
        return min(times) if times else None


# ---------------------------------------------------------------------------- TWAP

Q112 = 2**112  # UQ112x112 unit of the pair's price accumulators


@dataclass
class PairPriceHistory:
    """Reserves of a Uniswap-V2-style pair over time, and its price accumulators.

    `record(timestamp, reserve0, reserve1)` after every pair update (mint, burn, swap, sync).
    `cumulative(timestamp, of_token0)` is the accumulator as the pair would have it if it updated
    at `timestamp`: the sum over each period of floor(other reserve * 2**112 / own reserve) times
    the period's seconds, periods with an empty reserve adding nothing.
    """

    updates: list[tuple[int, int, int]] = field(default_factory=list)  # (timestamp, r0, r1)

    def record(self, timestamp: int, reserve0: int, reserve1: int) -> None:
        if self.updates and self.updates[-1][0] == timestamp:
            self.updates[-1] = (timestamp, reserve0, reserve1)  # same second: last state wins
        else:
            self.updates.append((timestamp, reserve0, reserve1))

    def cumulative(self, timestamp: int, of_token0: bool) -> int:
        total = 0
        for (start, r0, r1), end in zip(self.updates, [t for t, _, _ in self.updates[1:]] + [timestamp]):
            end = min(end, timestamp)  # periods after `timestamp` do not count
            if end > start and r0 and r1:
                spot = (r1 * Q112) // r0 if of_token0 else (r0 * Q112) // r1
                total += spot * (end - start)
        return total % 2**256


@dataclass
class TwapOracleModel:
    """Mirror of `TwapOracle`: checkpoints, window rule, rounding and rounds."""

    window: int  # seconds
    base_decimals: int
    quote_decimals: int
    answer_decimals: int = 8
    checkpoints: list[tuple[int, int]] = field(default_factory=list)  # (timestamp, cumulative)
    rounds: list[tuple[int, int, int, int]] = field(default_factory=list)  # (id, answer, start, end)

    def answer(self, start: tuple[int, int], now: int, cumulative_now: int) -> int:
        """Average price of one whole base token in whole quote tokens, scaled by 10**decimals,
        rounded to nearest (halves up)."""
        delta = (cumulative_now - start[1]) % 2**256
        numerator = delta * 10 ** (self.base_decimals + self.answer_decimals)
        denominator = (now - start[0]) * Q112 * 10**self.quote_decimals
        return (2 * numerator + denominator) // (2 * denominator)

    def window_start(self, now: int) -> tuple[int, int] | None:
        """Newest checkpoint at or before `now - window`."""
        old_enough = [c for c in self.checkpoints if c[0] <= now - self.window]
        return old_enough[-1] if old_enough else None

    def consult(self, now: int, cumulative_now: int) -> tuple[int, int] | None:
        """`consult()`: (answer, windowStart), or None where the contract reverts."""
        start = self.window_start(now)
        return None if start is None else (self.answer(start, now, cumulative_now), start[0])

    def update(self, now: int, cumulative_now: int) -> tuple[int, int, int, int] | None:
        """`update()`; returns the round published (id, answer, windowStart, windowEnd), if any."""
        if self.checkpoints and self.checkpoints[-1][0] == now:
            return None
        start = self.window_start(now)
        self.checkpoints.append((now, cumulative_now))
        if start is None:
            return None
        answer = self.answer(start, now, cumulative_now)
        if self.rounds and self.rounds[-1][1] == answer:
            return None
        self.rounds.append((len(self.rounds) + 1, answer, start[0], now))
        return self.rounds[-1]

    def latest_round_data(self) -> tuple[int, int, int, int, int]:
        if not self.rounds:
            return (0, 0, 0, 0, 0)
        round_id, answer, _, end = self.rounds[-1]
        return (round_id, answer, end, end, round_id)


# ---------------------------------------------------------------------------- conservative


class GuardReason(IntEnum):
    """Why a round was published; same numbering as `ConservativeOracle.Reason`."""

    FIRST = 0
    CHANGE = 1
    FREEZE_ENDED = 2


@dataclass(frozen=True)
class Side:
    """A side feed's latest round as `ConservativeOracle.update()` reads it (None: no such side)."""

    answer: int
    round_id: int


@dataclass
class ConservativeOracleModel:
    """Mirror of `ConservativeOracle` (the contract's NatSpec is the reference): `update(now, nav,
    twap)` publishes min(present sides) unless a freeze runs; a move above `max_change_bps` (exact:
    `|new - last| * 10_000 > max_change_bps * last`) starts a freeze of `freeze_seconds`, whose end
    (`now >= frozen_until`) publishes the price of the day whatever its move; otherwise a new round
    when the price changed or a side has a new round."""

    max_change_bps: int = 0
    freeze_seconds: int = 0  # seconds
    frozen_until: int = 0  # seconds; 0 = no freeze pending
    rounds: list[tuple[int, int, int, GuardReason]] = field(default_factory=list)  # (id, answer, updated_at, reason)
    freezes: list[tuple[int, int, int]] = field(default_factory=list)  # (at, rejected answer, frozen_until)
    seen: tuple[int, int] = (0, 0)  # side round ids at the last publication

    def update(self, now: int, nav: Side | None, twap: Side | None) -> str | None:
        """`update()` at `now`; returns "published", "frozen" or None. Raises ValueError where the
        contract reverts."""
        sides = [s for s in (nav, twap) if s is not None]
        if not sides:
            raise ValueError("NoSource()")
        for s in sides:
            if s.answer <= 0:
                raise ValueError(f"SourceAnswerInvalid({s.answer})")
        price = min(s.answer for s in sides)
        seen = (nav.round_id if nav else 0, twap.round_id if twap else 0)
        reason = GuardReason.CHANGE
        if not self.rounds:
            reason = GuardReason.FIRST
        elif self.frozen_until:
            if now < self.frozen_until:
                return None
            self.frozen_until = 0
            reason = GuardReason.FREEZE_ENDED
        elif self.exceeds_limit(price, self.rounds[-1][1]):
            self.frozen_until = now + self.freeze_seconds
            self.freezes.append((now, price, self.frozen_until))
            return "frozen"
        elif price == self.rounds[-1][1] and seen == self.seen:
            return None
        self.seen = seen
        self.rounds.append((len(self.rounds) + 1, price, now, reason))
        return "published"

    def exceeds_limit(self, price: int, last: int) -> bool:
        """Rule 5: a move of exactly `max_change_bps` passes, one unit more freezes."""
        return self.max_change_bps > 0 and abs(price - last) * BPS > self.max_change_bps * last

    def next_change_at(self, now: int) -> int | None:
        """The end of a running freeze (seconds; an `update()` then publishes), or None."""
        return self.frozen_until if self.frozen_until > now else None

    def latest_round_data(self) -> tuple[int, int, int, int, int]:
        if not self.rounds:
            return (0, 0, 0, 0, 0)
        round_id, answer, at, _ = self.rounds[-1]
        return (round_id, answer, at, at, round_id)
