import ape


def test_metadata__decimals_description_version(create_latency_oracle):
    oracle = create_latency_oracle(decimals=18, description="SME LOANS / USD")

    assert oracle.decimals() == 18
    assert oracle.description() == "SME LOANS / USD"
    assert oracle.version() == 1


def test_latest_round_data__before_any_publication__returns_zeros(oracle):
    assert oracle.latestRoundData() == (0, 0, 0, 0, 0)
    assert oracle.latestAnswer() == 0
    assert oracle.latestTimestamp() == 0
    assert oracle.latestRound() == 0


def test_get_round_data__round_zero__reverts_round_not_found(oracle, custodian, next_timestamp):
    oracle.submit(100, next_timestamp(), sender=custodian)
    with ape.reverts(oracle.RoundNotFound, roundId=0):
        oracle.getRoundData(0)


def test_get_round_data__round_after_latest__reverts_round_not_found(oracle, custodian, next_timestamp):
    oracle.submit(100, next_timestamp(), sender=custodian)
    with ape.reverts(oracle.RoundNotFound, roundId=2):
        oracle.getRoundData(2)


def test_get_round_data__keeps_history_of_every_round(oracle, custodian, next_timestamp):
    times = []
    for answer in (100, 90, 95):
        t = next_timestamp(7)
        oracle.submit(answer, t, sender=custodian)
        times.append(t)

    assert [oracle.getRoundData(i) for i in (1, 2, 3)] == [
        (1, 100, times[0], times[0], 1),
        (2, 90, times[1], times[1], 2),
        (3, 95, times[2], times[2], 3),
    ]
    assert oracle.latestRoundData() == (3, 95, times[2], times[2], 3)
    assert (oracle.latestAnswer(), oracle.latestTimestamp(), oracle.latestRound()) == (95, times[2], 3)


def test_next_publishable__empty_queue__reports_no_candidate(oracle):
    assert oracle.nextPublishable() == (False, 0, 0, 0, False)
    assert oracle.pendingObservations() == 0


def test_next_publishable__visible_candidate__reports_what_poke_would_publish(
    create_latency_oracle, custodian, next_timestamp, chain
):
    oracle = create_latency_oracle(delay=30)
    t = next_timestamp()
    oracle.submit(100, t, sender=custodian)
    oracle.submit(101, next_timestamp(), sender=custodian)
    assert oracle.nextPublishable() == (False, 0, 0, 0, False)

    chain.mine(timestamp=t + 30)

    assert oracle.nextPublishable() == (True, 0, 100, t, True)
    assert oracle.pendingObservations() == 2


def test_get_observation__past_the_end__reverts_observation_not_found(oracle, custodian, next_timestamp):
    oracle.submit(100, next_timestamp(), sender=custodian)
    with ape.reverts(oracle.ObservationNotFound, index=1):
        oracle.getObservation(1)
