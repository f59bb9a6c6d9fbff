import ape

FIRST, DEVIATION, HEARTBEAT = 0, 1, 2  # LatencyOracle.PublicationReason


def test_constructor__sets_rules_and_admin_and_emits_rules(project, admin, chain):
    oracle = admin.deploy(project.LatencyOracle, 8, "RWA / USD", 60, 3600, 50, admin)

    assert (oracle.delaySeconds(), oracle.heartbeatSeconds(), oracle.deviationThresholdBps()) == (60, 3600, 50)
    assert oracle.outage() is False
    assert oracle.hasRole(oracle.DEFAULT_ADMIN_ROLE(), admin)
    assert not oracle.hasRole(oracle.REPORTER_ROLE(), admin)
    receipt = chain.get_receipt(oracle.txn_hash)
    assert receipt.events.filter(oracle.LatencyRulesChanged) == [oracle.LatencyRulesChanged(60, 3600, 50)]


def test_grant_reporter_role__by_admin__lets_account_submit(oracle, admin, keeper, next_timestamp):
    oracle.grantRole(oracle.REPORTER_ROLE(), keeper, sender=admin)

    oracle.submit(100, next_timestamp(), sender=keeper)

    assert oracle.latestAnswer() == 100


def test_grant_reporter_role__by_attacker__reverts_missing_admin_role(oracle, attacker):
    with ape.reverts(
        oracle.AccessControlUnauthorizedAccount, account=attacker, neededRole=oracle.DEFAULT_ADMIN_ROLE()
    ):
        oracle.grantRole(oracle.REPORTER_ROLE(), attacker, sender=attacker)


def test_set_latency_rules__by_admin__stores_and_emits(oracle, admin):
    tx = oracle.setLatencyRules(120, 7200, 250, sender=admin)

    assert tx.events == [oracle.LatencyRulesChanged(120, 7200, 250)]
    assert (oracle.delaySeconds(), oracle.heartbeatSeconds(), oracle.deviationThresholdBps()) == (120, 7200, 250)


def test_set_latency_rules__by_attacker__reverts_missing_admin_role(oracle, attacker):
    with ape.reverts(
        oracle.AccessControlUnauthorizedAccount, account=attacker, neededRole=oracle.DEFAULT_ADMIN_ROLE()
    ):
        oracle.setLatencyRules(0, 0, 0, sender=attacker)


def test_set_latency_rules__longer_delay__retimes_queued_observations(
    create_latency_oracle, admin, custodian, keeper, next_timestamp, next_block_at
):
    oracle = create_latency_oracle(delay=60)
    t = next_timestamp()
    oracle.submit(100, t, sender=custodian)
    oracle.setLatencyRules(600, 0, 0, sender=admin)
    next_block_at(t + 599)

    assert oracle.poke(sender=keeper).events == []
    assert oracle.getObservation(0) == (100, t, t + 600)
    next_block_at(t + 600)
    assert oracle.poke(sender=keeper).return_value is True
    assert oracle.latestAnswer() == 100


def test_set_latency_rules__shorter_delay__publishes_at_next_poke_not_before(
    create_latency_oracle, admin, custodian, keeper, next_timestamp
):
    oracle = create_latency_oracle(delay=600)
    t = next_timestamp()
    oracle.submit(100, t, sender=custodian)
    next_timestamp(10)

    tx = oracle.setLatencyRules(0, 0, 0, sender=admin)

    assert tx.events == [oracle.LatencyRulesChanged(0, 0, 0)]
    assert oracle.latestRound() == 0
    p = next_timestamp()
    assert oracle.poke(sender=keeper).events.filter(oracle.AnswerUpdated) == [oracle.AnswerUpdated(100, 1, p)]


def test_set_outage__by_admin__stores_and_emits(oracle, admin):
    tx = oracle.setOutage(True, sender=admin)

    assert tx.events == [oracle.OutageSet(True)]
    assert oracle.outage() is True
    assert oracle.setOutage(False, sender=admin).events == [oracle.OutageSet(False)]
    assert oracle.outage() is False


def test_set_outage__by_attacker__reverts_missing_admin_role(oracle, attacker):
    with ape.reverts(
        oracle.AccessControlUnauthorizedAccount, account=attacker, neededRole=oracle.DEFAULT_ADMIN_ROLE()
    ):
        oracle.setOutage(True, sender=attacker)


def test_set_outage__switched_off__publishes_nothing_until_poke(
    create_latency_oracle, admin, custodian, next_timestamp
):
    oracle = create_latency_oracle()
    oracle.setOutage(True, sender=admin)
    oracle.submit(100, next_timestamp(), sender=custodian)

    tx = oracle.setOutage(False, sender=admin)

    assert tx.events == [oracle.OutageSet(False)]
    assert oracle.latestRound() == 0
    assert oracle.nextPublishable()[0] is True
