"""LatencyOracle's emergency stop (Maker OSM's `stop`/`start`): a STOPPER_ROLE holder halts
publication while observations keep queueing, independently of the outage switch; `latestObservation`
shows the newest queued price (OSM's `peep`) and whether it is still pending. The model
(`LatencyOracleModel.stopped`) follows the contract on the same steps."""

import ape
import pytest

from rwa_testbed.models.oracle import LatencyOracleModel

DEVIATION = 1  # LatencyOracle.PublicationReason


@pytest.fixture
def stopper(oracle, admin, keeper):
    """The keeper as the feed's stopper (the simulation's guardian holds this role)."""
    oracle.grantRole(oracle.STOPPER_ROLE(), keeper, sender=admin)
    return keeper


def test_stop__stopper__publishes_nothing_queues_and_start_publishes_the_newest(
    oracle, stopper, custodian, next_timestamp
):
    oracle.submit(100, next_timestamp(), sender=custodian)
    tx = oracle.stop(sender=stopper)
    assert tx.events == [oracle.StopSet(True, stopper.address)]
    assert oracle.stopped() is True
    oracle.submit(50, next_timestamp(), sender=custodian)
    t = next_timestamp()
    oracle.submit(60, t, sender=custodian)
    assert oracle.poke(sender=stopper).events == []
    assert oracle.latestAnswer() == 100
    assert oracle.nextPublishable() == (False, 0, 0, 0, False)
    assert oracle.latestObservation() == (60, t, 2, True)

    tx = oracle.start(sender=stopper)
    assert tx.events == [oracle.StopSet(False, stopper.address)]
    assert oracle.latestAnswer() == 100  # start publishes nothing by itself
    next_timestamp()
    tx = oracle.poke(sender=stopper)

    assert tx.events.filter(oracle.ObservationPublished) == [oracle.ObservationPublished(2, 2, t, DEVIATION, 1)]
    assert oracle.latestAnswer() == 60
    assert oracle.latestObservation() == (60, t, 2, False)


@pytest.mark.parametrize("call", ["stop", "start"])
@pytest.mark.parametrize("who", ["attacker", "admin", "custodian"])
def test_stop_start__without_stopper_role__reverts(oracle, request, call, who):
    account = request.getfixturevalue(who)
    with ape.reverts(oracle.AccessControlUnauthorizedAccount, account=account.address,
                     neededRole=oracle.STOPPER_ROLE()):
        getattr(oracle, call)(sender=account)


def test_stop_and_outage__independent__either_one_holds_publication(oracle, stopper, admin, custodian,
                                                                    next_timestamp):
    oracle.submit(100, next_timestamp(), sender=custodian)
    oracle.stop(sender=stopper)
    oracle.setOutage(True, sender=admin)
    oracle.setOutage(False, sender=admin)  # the outage ends: still stopped
    oracle.submit(80, next_timestamp(), sender=custodian)
    assert oracle.latestAnswer() == 100
    oracle.setOutage(True, sender=admin)
    oracle.start(sender=stopper)  # the stop ends: still in an outage
    oracle.poke(sender=stopper)
    assert oracle.latestAnswer() == 100

    oracle.setOutage(False, sender=admin)
    oracle.poke(sender=stopper)

    assert oracle.latestAnswer() == 80


def test_latest_observation__nothing_submitted__zeros(oracle):
    assert oracle.latestObservation() == (0, 0, 0, False)


def test_latest_observation__delayed_feed__pending_until_published(create_latency_oracle, custodian, keeper,
                                                                   next_timestamp, next_block_at):
    oracle = create_latency_oracle(delay=60)
    t = next_timestamp()
    oracle.submit(100, t, sender=custodian)
    assert oracle.latestObservation() == (100, t, 0, True)  # queued, visible at t + 60

    next_block_at(t + 60)
    oracle.poke(sender=keeper)

    assert oracle.latestAnswer() == 100
    assert oracle.latestObservation() == (100, t, 0, False)


def test_model__stopped__decides_as_the_contract(oracle, stopper, custodian, next_timestamp):
    model = LatencyOracleModel()
    t0 = next_timestamp()
    oracle.submit(100, t0, sender=custodian)
    model.submit(100, t0, t0)
    oracle.stop(sender=stopper)
    model.set_stopped(True)
    t1 = next_timestamp()
    oracle.submit(70, t1, sender=custodian)
    assert model.submit(70, t1, t1) is None
    assert oracle.latestAnswer() == model.rounds[-1].answer == 100

    oracle.start(sender=stopper)
    model.set_stopped(False)
    t2 = next_timestamp()
    oracle.poke(sender=stopper)
    published = model.poke(t2)

    assert published is not None and published.answer == oracle.latestAnswer() == 70
