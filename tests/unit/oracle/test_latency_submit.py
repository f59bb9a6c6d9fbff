import ape
import pytest

FIRST, DEVIATION, HEARTBEAT = 0, 1, 2  # LatencyOracle.PublicationReason
INT192_MAX = 2**191 - 1


def test_submit__push_feed__publishes_round_one_at_once(oracle, custodian, next_timestamp):
    t = next_timestamp()

    tx = oracle.submit(100_00000000, t, sender=custodian)

    assert tx.events == [
        oracle.ObservationSubmitted(0, 100_00000000, t, t),
        oracle.NewRound(1, custodian, t),
        oracle.AnswerUpdated(100_00000000, 1, t),
        oracle.ObservationPublished(1, 0, t, FIRST, 0),
    ]
    assert oracle.latestRoundData() == (1, 100_00000000, t, t, 1)
    assert oracle.pendingObservations() == 0
    assert oracle.observationCount() == 1


def test_submit__push_feed__every_submit_is_a_new_round_even_if_equal(oracle, custodian, next_timestamp):
    oracle.submit(100, next_timestamp(), sender=custodian)
    t = next_timestamp(5)

    tx = oracle.submit(100, t, sender=custodian)

    assert tx.events.filter(oracle.ObservationPublished) == [oracle.ObservationPublished(2, 1, t, DEVIATION, 0)]
    assert oracle.latestRoundData() == (2, 100, t, t, 2)


def test_submit__with_delay__queues_without_publishing(create_latency_oracle, custodian, next_timestamp):
    oracle = create_latency_oracle(delay=60)
    t = next_timestamp()

    tx = oracle.submit(100, t - 10, sender=custodian)

    assert tx.events == [oracle.ObservationSubmitted(0, 100, t - 10, t + 50)]
    assert oracle.latestRoundData() == (0, 0, 0, 0, 0)
    assert oracle.pendingObservations() == 1
    assert oracle.getObservation(0) == (100, t - 10, t + 50)


def test_submit__observation_already_older_than_delay__publishes_at_once(
    create_latency_oracle, custodian, next_timestamp
):
    oracle = create_latency_oracle(delay=60)
    t = next_timestamp()

    tx = oracle.submit(100, t - 60, sender=custodian)

    assert tx.events.filter(oracle.ObservationPublished) == [oracle.ObservationPublished(1, 0, t - 60, FIRST, 0)]
    assert oracle.latestRoundData() == (1, 100, t, t, 1)


def test_submit__same_observed_at_twice__accepted_and_last_submitted_is_newest(
    create_latency_oracle, custodian, next_timestamp, keeper
):
    oracle = create_latency_oracle(delay=30)
    t = next_timestamp()
    oracle.submit(100, t, sender=custodian)
    next_timestamp()
    oracle.submit(105, t, sender=custodian)
    next_timestamp(29)

    tx = oracle.poke(sender=keeper)

    assert tx.events.filter(oracle.ObservationPublished) == [oracle.ObservationPublished(1, 1, t, FIRST, 1)]
    assert oracle.latestAnswer() == 105


@pytest.mark.parametrize("answer", [0, -1, -(2**255), INT192_MAX + 1, 2**255 - 1])
def test_submit__answer_out_of_range__reverts_invalid_answer(oracle, custodian, next_timestamp, answer):
    t = next_timestamp()
    with ape.reverts(oracle.InvalidAnswer, answer=answer):
        oracle.submit(answer, t, sender=custodian)


def test_submit__largest_int192_answer__accepted(oracle, custodian, next_timestamp):
    oracle.submit(INT192_MAX, next_timestamp(), sender=custodian)

    assert oracle.latestAnswer() == INT192_MAX


def test_submit__observed_in_the_future__reverts_with_times(oracle, custodian, next_timestamp):
    t = next_timestamp()
    with ape.reverts(oracle.ObservationFromFuture, observedAt=t + 1, blockTimestamp=t):
        oracle.submit(100, t + 1, sender=custodian)


def test_submit__observed_before_previous_observation__reverts_with_times(
    create_latency_oracle, custodian, next_timestamp
):
    oracle = create_latency_oracle(delay=100)
    t = next_timestamp()
    oracle.submit(100, t - 5, sender=custodian)
    next_timestamp()
    with ape.reverts(oracle.ObservationOutOfOrder, observedAt=t - 6, previousObservedAt=t - 5):
        oracle.submit(100, t - 6, sender=custodian)


def test_submit__by_attacker__reverts_missing_reporter_role(oracle, attacker, next_timestamp):
    t = next_timestamp()
    with ape.reverts(
        oracle.AccessControlUnauthorizedAccount, account=attacker, neededRole=oracle.REPORTER_ROLE()
    ):
        oracle.submit(100, t, sender=attacker)


def test_submit__during_outage__queues_and_publishes_nothing(oracle, admin, custodian, next_timestamp):
    oracle.setOutage(True, sender=admin)
    t = next_timestamp()

    tx = oracle.submit(100, t, sender=custodian)

    assert tx.events == [oracle.ObservationSubmitted(0, 100, t, t)]
    assert oracle.latestRound() == 0
    assert oracle.pendingObservations() == 1
