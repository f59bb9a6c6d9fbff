"""ConservativeOracle vs the pure-Python model `rwa_testbed.models.oracle.ConservativeOracleModel`.

Hypothesis draws limits and a run of blocks (side moves around the limit's boundary, updates, updates
at the model's freeze end +- a second, empty blocks); after every block the latest round and the
freeze's end must be what the model predicts, and every update's events must match its outcome.
"""

from hypothesis import event, given
from oracle_strategies import guard_limits, guard_runs

from rwa_testbed.models.oracle import ConservativeOracleModel, Side

ZERO = "0x" + "00" * 20
START = 10_000  # both sides' first answer


class GuardRun:
    def __init__(self, project, chain, admin, keeper, limits):
        self.chain, self.keeper = chain, keeper
        self.nav = admin.deploy(project.MockAggregator, START)
        self.twap = admin.deploy(project.MockAggregator, START)
        self.oracle = admin.deploy(project.ConservativeOracle, self.nav, self.twap, *limits, 8, "x", admin)
        self.model = ConservativeOracleModel(*limits)
        self.update(self.chain.blocks.head.timestamp + 1)

    def play(self, action) -> None:
        kind, step, *args = action
        head = self.chain.blocks.head.timestamp
        if kind == "keeper":
            end = self.model.next_change_at(head)
            kind, now = "update", max(head + 1, (end or head + 1) + step)
        else:
            now = head + step
        if kind == "block":
            self.chain.mine(timestamp=now)
        elif kind == "update":
            self.update(now)
        else:
            feed = self.nav if kind == "nav" else self.twap
            self.chain.pending_timestamp = now
            feed.setAnswer(self.answer_for(args[0]), sender=self.keeper)
            self.update(now)  # anvil: one block per transaction; the time is pinned, so same second
        assert self.oracle.latestRoundData() == self.model.latest_round_data()
        assert self.oracle.frozenUntil() == self.model.frozen_until

    def answer_for(self, price) -> int:
        if isinstance(price, int):
            return price
        bps, nudge, downwards = price
        last = self.model.latest_round_data()[1]
        move = max(0, last * bps // 10_000 + nudge)
        return max(1, last - move if downwards else last + move)

    def update(self, now: int) -> None:
        self.chain.pending_timestamp = now
        tx = self.oracle.update(sender=self.keeper)
        sides = [Side(self.nav.latestAnswer(), self.nav.latestRound()), Side(self.twap.latestAnswer(), self.twap.latestRound())]
        outcome = self.model.update(now, *sides)
        event(f"update: {outcome}")
        frozen, published = tx.events.filter(self.oracle.Frozen), tx.events.filter(self.oracle.PricePublished)
        if outcome == "frozen":
            _, rejected, until = self.model.freezes[-1]
            last = self.model.latest_round_data()[1]
            assert frozen == [self.oracle.Frozen(rejected, last, sides[0].answer, sides[1].answer, until)]
        else:
            assert frozen == []
        if outcome == "published":
            round_id, answer, _, reason = self.model.rounds[-1]
            event(f"published by {reason.name}")
            assert published == [self.oracle.PricePublished(round_id, answer, sides[0].answer, sides[1].answer, int(reason))]
        else:
            assert published == []


@given(limits=guard_limits, run=guard_runs)
def test_conservative_oracle__random_limits_and_runs__reads_match_model(project, chain, admin, keeper, limits, run):
    replay = GuardRun(project, chain, admin, keeper, limits)
    for action in run:
        replay.play(action)
