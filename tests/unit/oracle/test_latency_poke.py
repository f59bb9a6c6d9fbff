FIRST, DEVIATION, HEARTBEAT = 0, 1, 2  # LatencyOracle.PublicationReason


def test_poke__before_delay_elapsed__publishes_nothing(create_latency_oracle, custodian, keeper, next_timestamp):
    oracle = create_latency_oracle(delay=60)
    t = next_timestamp()
    oracle.submit(100, t, sender=custodian)
    next_timestamp(59)

    tx = oracle.poke(sender=keeper)

    assert tx.return_value is False
    assert tx.events == []
    assert oracle.latestRound() == 0
    assert oracle.pendingObservations() == 1


def test_poke__exactly_at_visible_at__publishes_first_observation(
    create_latency_oracle, custodian, keeper, next_timestamp
):
    oracle = create_latency_oracle(delay=60, heartbeat=3600, threshold_bps=100)
    t = next_timestamp()
    oracle.submit(100, t, sender=custodian)
    p = next_timestamp(60)

    tx = oracle.poke(sender=keeper)

    assert tx.return_value is True
    assert tx.events == [
        oracle.NewRound(1, keeper, p),
        oracle.AnswerUpdated(100, 1, p),
        oracle.ObservationPublished(1, 0, t, FIRST, 0),
    ]
    assert oracle.latestRoundData() == (1, 100, p, p, 1)


def test_poke__by_anyone__is_permissionless(create_latency_oracle, custodian, attacker, next_timestamp):
    oracle = create_latency_oracle(delay=10)
    oracle.submit(100, next_timestamp(), sender=custodian)
    next_timestamp(10)

    tx = oracle.poke(sender=attacker)

    assert tx.events.filter(oracle.NewRound)[0].startedBy == attacker
    assert oracle.latestAnswer() == 100


def test_poke__several_visible__publishes_newest_and_skips_older_for_good(
    create_latency_oracle, custodian, keeper, next_timestamp
):
    oracle = create_latency_oracle(delay=60)
    t = next_timestamp()
    for i, answer in enumerate([100, 120, 90]):
        oracle.submit(answer, t + i, sender=custodian)
        next_timestamp()
    next_timestamp(60)

    tx = oracle.poke(sender=keeper)

    assert tx.events.filter(oracle.ObservationPublished) == [oracle.ObservationPublished(1, 2, t + 2, FIRST, 2)]
    assert oracle.latestAnswer() == 90
    assert oracle.pendingObservations() == 0
    next_timestamp(600)
    assert oracle.poke(sender=keeper).events == []
    assert oracle.latestRound() == 1


def test_poke__move_below_threshold__holds_candidate(create_latency_oracle, custodian, keeper, next_timestamp):
    oracle = create_latency_oracle(threshold_bps=100)
    oracle.submit(10_000, next_timestamp(), sender=custodian)
    t = next_timestamp()

    tx = oracle.submit(10_099, t, sender=custodian)

    assert tx.events == [oracle.ObservationSubmitted(1, 10_099, t, t)]
    assert oracle.latestAnswer() == 10_000
    assert oracle.pendingObservations() == 1
    assert oracle.nextPublishable() == (False, 1, 10_099, t, True)


def test_poke__move_exactly_at_threshold__publishes_by_deviation(
    create_latency_oracle, custodian, next_timestamp
):
    oracle = create_latency_oracle(threshold_bps=100)
    oracle.submit(10_000, next_timestamp(), sender=custodian)
    t = next_timestamp()

    tx = oracle.submit(9_900, t, sender=custodian)

    assert tx.events.filter(oracle.ObservationPublished) == [oracle.ObservationPublished(2, 1, t, DEVIATION, 0)]
    assert oracle.latestAnswer() == 9_900


def test_poke__held_candidate_replaced_by_newer__newer_compared_to_published(
    create_latency_oracle, custodian, next_timestamp
):
    oracle = create_latency_oracle(threshold_bps=100)
    oracle.submit(10_000, next_timestamp(), sender=custodian)
    oracle.submit(10_050, next_timestamp(), sender=custodian)
    t = next_timestamp()

    tx = oracle.submit(10_100, t, sender=custodian)

    assert tx.events.filter(oracle.ObservationPublished) == [oracle.ObservationPublished(2, 2, t, DEVIATION, 1)]
    assert oracle.latestAnswer() == 10_100


def test_poke__equal_value_with_threshold__never_publishes_by_deviation(
    create_latency_oracle, custodian, next_timestamp
):
    oracle = create_latency_oracle(threshold_bps=1)
    oracle.submit(10_000, next_timestamp(), sender=custodian)

    oracle.submit(10_000, next_timestamp(), sender=custodian)

    assert oracle.latestRound() == 1
    assert oracle.pendingObservations() == 1


def test_poke__heartbeat_elapsed__publishes_held_candidate(
    create_latency_oracle, custodian, keeper, next_timestamp
):
    oracle = create_latency_oracle(heartbeat=300, threshold_bps=100)
    first = next_timestamp()
    oracle.submit(10_000, first, sender=custodian)
    t = next_timestamp()
    oracle.submit(10_000, t, sender=custodian)
    next_timestamp(first + 299 - t)
    assert oracle.poke(sender=keeper).events == []
    p = next_timestamp()

    tx = oracle.poke(sender=keeper)

    assert p == first + 300
    assert tx.events == [
        oracle.NewRound(2, keeper, p),
        oracle.AnswerUpdated(10_000, 2, p),
        oracle.ObservationPublished(2, 1, t, HEARTBEAT, 0),
    ]


def test_poke__heartbeat_elapsed_without_new_observation__feed_goes_stale(
    create_latency_oracle, custodian, keeper, next_timestamp
):
    oracle = create_latency_oracle(heartbeat=300)
    t = next_timestamp()
    oracle.submit(10_000, t, sender=custodian)
    next_timestamp(1_000)

    tx = oracle.poke(sender=keeper)

    assert tx.events == []
    assert oracle.latestRoundData() == (1, 10_000, t, t, 1)


def test_poke__during_outage__publishes_nothing_then_catches_up_with_newest(
    oracle, admin, custodian, keeper, next_timestamp
):
    oracle.submit(100, next_timestamp(), sender=custodian)
    oracle.setOutage(True, sender=admin)
    oracle.submit(110, next_timestamp(), sender=custodian)
    t = next_timestamp()
    oracle.submit(120, t, sender=custodian)
    assert oracle.poke(sender=keeper).events == []
    assert oracle.nextPublishable() == (False, 0, 0, 0, False)
    oracle.setOutage(False, sender=admin)
    assert oracle.latestAnswer() == 100
    next_timestamp()

    tx = oracle.poke(sender=keeper)

    assert tx.events.filter(oracle.ObservationPublished) == [oracle.ObservationPublished(2, 2, t, DEVIATION, 1)]
    assert oracle.latestAnswer() == 120


def test_poke__empty_queue__publishes_nothing(oracle, keeper, next_timestamp):
    next_timestamp()

    tx = oracle.poke(sender=keeper)

    assert tx.return_value is False
    assert tx.events == []


def test_poke__held_candidate__older_visible_observations_are_skipped_too(
    create_latency_oracle, custodian, keeper, next_timestamp
):
    oracle = create_latency_oracle(delay=60, threshold_bps=100)
    oracle.submit(10_000, next_timestamp() - 60, sender=custodian)
    t = next_timestamp()
    oracle.submit(10_010, t, sender=custodian)
    oracle.submit(10_020, next_timestamp(), sender=custodian)
    next_timestamp(60)

    assert oracle.poke(sender=keeper).events == []
    assert oracle.pendingObservations() == 1
    assert oracle.nextPublishable() == (False, 2, 10_020, t + 1, True)
    u = next_timestamp()
    tx = oracle.submit(10_500, u - 60, sender=custodian)
    assert tx.events.filter(oracle.ObservationPublished) == [
        oracle.ObservationPublished(2, 3, u - 60, DEVIATION, 1)
    ]
    assert oracle.latestAnswer() == 10_500
