"""A `redeem` liquidator desk on `credit_default_ripple` (small population): the SPV's redemption queue,
paid shares, the gate and the cash reserve in the outputs, and no agent error."""

import pytest

from rwa_testbed.metrics import REDEMPTION_COLUMNS

REDEEM_DESK = ["agents.liquidators=[{count: 2, atomic: false, disposal: redeem, capital_usd: 50000000, "
               "min_profit_usd: 100}]", "market.asset.redemption_delay_days=5"]


def test_redeem_desk__queue_paid_and_gated__move_as_expected(run_scenario):
    # A 1.2 % gate (60M tokens a window): the first request fits, the second is refused, retried daily.
    result = run_scenario("credit_default_ripple", *REDEEM_DESK, "market.asset.redemption_gate_bps=120")
    r, rows = result.summary["redemptions"], result.timeseries

    assert result.summary["liquidations"]["count"] > 0 and result.summary["liquidations"]["atomic"] == 0
    assert r["requests"] >= 1 and r["settled_requests"] == r["requests"] and r["final_pending_requests"] == 0
    assert r["paid_shares_tokens"] == pytest.approx(r["requested_shares_tokens"])
    assert r["paid_usd"] > 0 and r["final_cash_reserve_usd"] == pytest.approx(r["start_cash_reserve_usd"] - r["paid_usd"])
    assert r["gated_requests"] > 0 and r["gated_shares_tokens"] > 0
    assert result.summary["reverts"]["market_race"]["by_reason"]["GateExceeded"] == r["gated_requests"]
    assert all(column in rows[0] for column in REDEMPTION_COLUMNS)
    # The queue fills at a request and empties at its settlement, after the delay (5 days).
    first_queued = next(x for x in rows if x["redemption_pending_requests"] > 0)
    first_paid = next(x for x in rows if x["redemption_paid_shares"] > 0)
    assert first_paid["t_seconds"] - first_queued["t_seconds"] >= 5 * 86_400
    assert first_queued["redemption_pending_shares"] > 0 and rows[-1]["redemption_pending_shares"] == 0
    assert [x["redemption_gated_shares"] for x in rows] == sorted(x["redemption_gated_shares"] for x in rows)
    assert rows[-1]["spv_cash_reserve_usd"] == pytest.approx(r["final_cash_reserve_usd"])


def test_built_in_scenario__no_redemptions__queue_columns_stay_empty(run_scenario):
    result = run_scenario("credit_default_ripple")

    r = result.summary["redemptions"]
    assert (r["requests"], r["gated_requests"], r["paid_usd"]) == (0, 0, 0.0)
    assert r["start_cash_reserve_usd"] == r["final_cash_reserve_usd"] > 0
