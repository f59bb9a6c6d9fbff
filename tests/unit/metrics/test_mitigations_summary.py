"""The summary's `mitigations` section from unliquidated spans, turned-away debt and the guardian's
figures (no chain)."""

from rwa_testbed.metrics import MITIGATION_REASONS, mitigations_summary


def _span(user, reason, steps=1):
    return {"user": user, "reason": reason, "steps": steps, "from_seconds": 0, "to_seconds": 0}


def test_mitigations_summary__delayed_borrowers_only_for_mechanism_reasons__distinct():
    spans = [_span("a", "grace_period", 3), _span("a", "liquidation_cap", 2), _span("b", "not_allowlisted"),
             _span("c", "unprofitable", 9), _span("d", "stale_price", 4)]
    out = mitigations_summary(["circuit_breakers.grace_period"], spans, 0.0, {})
    assert out["delayed_borrowers"] == 2
    assert "delayed_position_steps" not in out  # a step count depends on the stepping mode
    assert out["active"] == ["circuit_breakers.grace_period"]
    assert set(MITIGATION_REASONS) == {"grace_period", "liquidation_cap", "not_allowlisted"}


def test_mitigations_summary__capacity_given_up__turned_away_plus_ltv_haircut_at_its_deepest():
    guardian = {"lowest_ltv_bps": 3000, "borrow_capacity_removed_at_lowest_usd": 250.0, "borrow_pauses": 1}
    out = mitigations_summary(["collateral.liquidity_aware_ltv"], [], 1_000.0, guardian)
    assert out["capacity_given_up_usd"] == 1_250.0
    assert out["borrow_pauses"] == 1 and out["lowest_ltv_bps"] == 3000
    assert mitigations_summary([], [], 40.0, {})["capacity_given_up_usd"] == 40.0
