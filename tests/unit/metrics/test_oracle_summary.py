"""`metrics.oracle_summary`: the conservative oracle's freezes as summary figures."""

from rwa_testbed.metrics import oracle_summary


def test_oracle_summary__no_freeze__zeros():
    assert oracle_summary([]) == {"freezes": 0, "max_rejected_move_pct": 0.0}


def test_oracle_summary__freezes__count_and_largest_refused_move():
    freezes = [{"t_seconds": 10, "rejected_usd": 0.8, "held_usd": 1.0, "until_seconds": 100},
               {"t_seconds": 200, "rejected_usd": 0.5, "held_usd": 0.8, "until_seconds": 300}]

    summary = oracle_summary(freezes)

    assert summary["freezes"] == 2
    assert abs(summary["max_rejected_move_pct"] - 37.5) < 1e-9
