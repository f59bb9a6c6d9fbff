"""LatencyOracle vs the pure-Python model `rwa_testbed.models.oracle.LatencyOracleModel`.

Hypothesis draws latency rules and a run of blocks (submissions with chosen prices and
observation lags, pokes, empty blocks, rule changes, outages, each at a chosen block time);
after every block what consumers read on-chain must be what the model predicts, and every
publication event must name the observation, reason and skip count the model predicts.
"""

from hypothesis import event, given
from oracle_strategies import latency_rules, latency_runs

from rwa_testbed.models.oracle import LatencyOracleModel


class LatencyRun:
    """Replays one drawn run on a fresh oracle and on the model, checking after every block."""

    def __init__(self, project, chain, admin, custodian, keeper, rules):
        self.chain, self.admin, self.custodian, self.keeper = chain, admin, custodian, keeper
        delay, heartbeat, threshold = rules
        self.oracle = admin.deploy(project.LatencyOracle, 8, "RWA / USD", delay, heartbeat, threshold, admin)
        self.oracle.grantRole(self.oracle.REPORTER_ROLE(), custodian, sender=admin)
        self.model = LatencyOracleModel(delay=delay, heartbeat=heartbeat, threshold_bps=threshold)
        self.last_observed_at = 0

    def play(self, action) -> None:
        kind, step, *args = action
        head = self.chain.blocks.head.timestamp
        if kind == "keeper":
            # A keeper that pokes when the model says the decision may change, +- a second.
            change_at = self.model.next_change_at(head)
            kind, now = "poke", max(head + 1, (change_at or head + 1) + step)
        else:
            now = head + step
        if kind == "block":
            self.chain.mine(timestamp=now)
        else:
            self.chain.pending_timestamp = now
            getattr(self, kind)(now, *args)
        self.check_reads()

    def submit(self, now, price, lag):
        answer = self.answer_for(price)
        observed_at = max(self.last_observed_at, now - lag)
        tx = self.oracle.submit(answer, observed_at, sender=self.custodian)
        self.last_observed_at = observed_at
        self.check_publication(tx, self.model.submit(answer, observed_at, now))

    def poke(self, now):
        tx = self.oracle.poke(sender=self.keeper)
        self.check_publication(tx, self.model.poke(now))

    def rules(self, now, rules):
        self.oracle.setLatencyRules(*rules, sender=self.admin)
        self.model.set_rules(*rules)

    def outage(self, now, active):
        self.oracle.setOutage(active, sender=self.admin)
        self.model.set_outage(active)

    def answer_for(self, price) -> int:
        """An absolute price, or (bps, nudge, downwards) relative to the latest answer."""
        if isinstance(price, int):
            return price
        bps, nudge, downwards = price
        latest = self.model.latest_round_data()[1] or 10_000
        move = max(0, -(-latest * bps // 10_000) + nudge)  # ceil(latest * bps / 10_000) + nudge
        return max(1, latest - move if downwards else latest + move)

    def check_publication(self, tx, expected) -> None:
        published = tx.events.filter(self.oracle.ObservationPublished)
        if expected is None:
            assert published == []
            return
        event(f"published by {expected.reason.name}")
        if expected.skipped:
            event("published after skipping older visible observations")
        assert published == [
            self.oracle.ObservationPublished(
                expected.round_id,
                expected.observation_index,
                self.model.observations[expected.observation_index][1],
                int(expected.reason),
                expected.skipped,
            )
        ]

    def check_reads(self) -> None:
        assert self.oracle.latestRoundData() == self.model.latest_round_data()
        assert self.oracle.pendingObservations() == self.model.pending()
        # Views run at the latest block's time.
        decision = self.model.decide(self.chain.blocks.head.timestamp)
        publishable, index, answer, observed_at, has_candidate = self.oracle.nextPublishable()
        assert (has_candidate, publishable) == (decision.candidate is not None, decision.publish)
        if has_candidate:
            assert (index, answer, observed_at) == (decision.candidate, *self.model.observations[index])


@given(rules=latency_rules, run=latency_runs)
def test_latency_oracle__random_rules_and_runs__reads_match_model(
    project, chain, admin, custodian, keeper, rules, run
):
    replay = LatencyRun(project, chain, admin, custodian, keeper, rules)
    for action in run:
        replay.play(action)
