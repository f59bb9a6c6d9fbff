"""The rules across fields of the remedies that need a particular market (`scenario.check_mitigations`):
an emergency stop acts on a delayed latency feed; the proof-of-reserve executor and the other pool-only
mechanisms need our pool. A bad combination is refused at load with the fields named."""

import pytest

from rwa_testbed import scenario as sc

STOP = "market.mitigations.circuit_breakers.emergency_stop={}"
POR = "market.mitigations.oracle.proof_of_reserve={}"


def _message(name, *overrides):
    with pytest.raises(sc.ScenarioError) as err:
        sc.load(name, list(overrides))
    return str(err.value)


def test_emergency_stop__twap_feed__refused_naming_the_fields():
    msg = _message("real_estate_flash_crash", STOP)  # an AMM TWAP feed
    assert "market.mitigations.circuit_breakers.emergency_stop, market.oracle" in msg
    assert "kind 'twap'" in msg


def test_emergency_stop__latency_feed_without_delay__refused():
    msg = _message("credit_default_ripple", STOP, "market.oracle.delay_seconds=0")
    assert "delay_seconds > 0" in msg and "delay_seconds 0" in msg


def test_emergency_stop__delayed_latency_feed__loads_with_its_defaults_and_is_active():
    s = sc.load("credit_default_ripple", [STOP])
    stop = s.market.mitigations.circuit_breakers.emergency_stop
    assert (stop.pending_move_bps, stop.hold_hours) == (1_000, 24)
    assert s.market.mitigations.active() == ["circuit_breakers.emergency_stop"]
    assert s.market.mitigations.needs_guardian and not s.market.mitigations.needs_pool_role


def test_emergency_stop__aave_v3__allowed_it_acts_on_the_feed_not_the_pool():
    s = sc.load("credit_default_ripple", [STOP, "venue.kind=aave-v3"])
    assert s.market.mitigations.circuit_breakers.emergency_stop is not None


def test_proof_of_reserve__aave_v3__refused_as_pool_only():
    msg = _message("real_estate_flash_crash", POR, "venue.kind=aave-v3")
    assert "market.mitigations.oracle.proof_of_reserve, venue.kind" in msg


def test_proof_of_reserve__ours__loads_daily_by_default_and_not_the_conservative_oracle():
    s = sc.load("real_estate_flash_crash", [POR])
    m = s.market.mitigations
    assert m.oracle.proof_of_reserve.report_every_hours == 24
    assert not m.oracle.enabled  # no ConservativeOracle deployed for it
    assert m.active() == ["oracle.proof_of_reserve"] and m.needs_guardian and not m.needs_pool_role


@pytest.mark.parametrize("field", ["report_every_hours=0", "report_every_hours=-1"])
def test_proof_of_reserve__cadence_not_positive__refused(field):
    with pytest.raises(sc.ScenarioError):
        sc.load("real_estate_flash_crash", [f"market.mitigations.oracle.proof_of_reserve={{{field.replace('=', ': ')}}}"])


@pytest.mark.parametrize("value", [0, 10_001])
def test_emergency_stop__pending_move_out_of_range__refused(value):
    with pytest.raises(sc.ScenarioError):
        sc.load("credit_default_ripple", [f"market.mitigations.circuit_breakers.emergency_stop={{pending_move_bps: {value}}}"])
