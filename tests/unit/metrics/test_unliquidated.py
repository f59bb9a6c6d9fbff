"""Liquidatable positions no liquidator attempted: `Recorder.unliquidated` with stand-in liquidators."""

from types import SimpleNamespace

import pytest

from rwa_testbed import metrics
from rwa_testbed.agents import Liquidator

from .hand_made import account, view

USERS = [f"0x{i + 1:040x}" for i in range(4)]


class StandInLiquidator(Liquidator):
    """A liquidator that skipped what it is told to (no chain, no scenario)."""

    def __init__(self, skipped: dict[int, str] | None):
        if skipped is not None:
            self.skipped = skipped


def ctx():
    return SimpleNamespace(actors=SimpleNamespace(borrowers=[SimpleNamespace(address=u) for u in USERS]))


def accounts():
    # Borrowers 0, 1 and 3 are liquidatable; 2 is healthy.
    return [account(90.0, 100.0, hf=0.72), account(50.0, 45.0, hf=0.9), account(100.0, 10.0, hf=8.0),
            account(30.0, 40.0, hf=0.6)]


def test_unliquidated__skipped_by_every_liquidator__row_with_most_telling_reason():
    liquidators = [StandInLiquidator({0: "unprofitable", 3: "unprofitable"}),
                   StandInLiquidator({0: "no_capital", 1: "step_limit", 3: "redemptions_frozen"})]
    rec = metrics.Recorder()

    found = rec.unliquidated(60, view(accounts()), liquidators, ctx())

    assert found == [
        {"t_seconds": 60, "user": USERS[0], "debt_usd": 100.0, "health_factor": 0.72, "reason": "no_capital"},
        {"t_seconds": 60, "user": USERS[3], "debt_usd": 40.0, "health_factor": 0.6, "reason": "redemptions_frozen"},
    ]  # borrower 1 was attempted by the first liquidator
    assert [(x["user"], x["reason"], x["steps"]) for x in rec.unliquidated_spans.all()] == [
        (USERS[0], "no_capital", 1), (USERS[3], "redemptions_frozen", 1)]


def test_unliquidated_spans__consecutive_steps_same_reason__one_span_until_reason_or_status_changes():
    spans = metrics.UnliquidatedSpans()
    row = lambda user, debt, hf, reason: {"user": user, "debt_usd": debt, "health_factor": hf, "reason": reason}  # noqa: E731

    spans.add(0, [row(USERS[0], 100.0, 0.9, "unprofitable"), row(USERS[1], 50.0, 0.8, "no_capital")])
    spans.add(12, [row(USERS[0], 101.0, 0.85, "unprofitable"), row(USERS[1], 51.0, 0.8, "unprofitable")])
    spans.add(24, [row(USERS[0], 102.0, 0.88, "unprofitable")])  # borrower 1 liquidated or healthy
    spans.add(36, [])
    spans.add(48, [row(USERS[0], 103.0, 0.7, "unprofitable")])  # a new episode

    assert spans.all() == [
        {"user": USERS[0], "reason": "unprofitable", "from_seconds": 0, "to_seconds": 24, "steps": 3,
         "first_debt_usd": 100.0, "last_debt_usd": 102.0, "min_health_factor": 0.85},
        {"user": USERS[1], "reason": "no_capital", "from_seconds": 0, "to_seconds": 0, "steps": 1,
         "first_debt_usd": 50.0, "last_debt_usd": 50.0, "min_health_factor": 0.8},
        {"user": USERS[1], "reason": "unprofitable", "from_seconds": 12, "to_seconds": 12, "steps": 1,
         "first_debt_usd": 51.0, "last_debt_usd": 51.0, "min_health_factor": 0.8},
        {"user": USERS[0], "reason": "unprofitable", "from_seconds": 48, "to_seconds": 48, "steps": 1,
         "first_debt_usd": 103.0, "last_debt_usd": 103.0, "min_health_factor": 0.7},
    ]


def test_unliquidated__liquidators_without_skipped__nothing_recorded():
    # Before liquidators report their skips, every liquidatable position counts as attempted.
    rec = metrics.Recorder()

    assert rec.unliquidated(0, view(accounts()), [StandInLiquidator(None)], ctx()) == []


def test_unliquidated__no_liquidator__every_liquidatable_position():
    rec = metrics.Recorder()

    found = rec.unliquidated(0, view(accounts()), [], ctx())

    assert [(p["user"], p["reason"]) for p in found] == [(USERS[0], "no_liquidator"), (USERS[1], "no_liquidator"),
                                                         (USERS[3], "no_liquidator")]


def test_unliquidated__healthy_borrower_in_skipped__not_recorded():
    rec = metrics.Recorder()

    found = rec.unliquidated(0, view(accounts()), [StandInLiquidator({2: "unprofitable"})], ctx())

    assert found == []


@pytest.mark.parametrize(
    ("reasons", "kept"),
    [
        (["unprofitable", "step_limit"], "step_limit"),
        (["unprofitable", "no_capital"], "no_capital"),
        (["unprofitable", "redemptions_frozen"], "redemptions_frozen"),
        (["oracle_zero", "unprofitable"], "unprofitable"),
        (["oracle_zero", "oracle_zero"], "oracle_zero"),
        (["zzz_new_code", "oracle_zero"], "oracle_zero"),
        (["zzz_new_code", "aaa_new_code"], "aaa_new_code"),
        ([], "no_liquidator"),
    ],
)
def test_unliquidated_reason__several_reasons__precedence(reasons, kept):
    assert metrics.unliquidated_reason(reasons) == kept


def test_unliquidated_summary__spans__steps_per_reason_and_debt_at_last_step():
    spans = metrics.UnliquidatedSpans()
    spans.add(0, [{"user": USERS[0], "debt_usd": 100.0, "health_factor": 0.9, "reason": "unprofitable"},
                  {"user": USERS[1], "debt_usd": 50.0, "health_factor": 0.9, "reason": "step_limit"}])
    spans.add(12, [{"user": USERS[0], "debt_usd": 101.0, "health_factor": 0.9, "reason": "unprofitable"}])

    section = metrics.unliquidated_summary(spans.all(), last_t=12)

    assert section == {
        "position_steps": 3,
        "final_debt_usd": 101.0,
        "by_reason": {"step_limit": {"position_steps": 1, "final_debt_usd": 0.0},
                      "unprofitable": {"position_steps": 2, "final_debt_usd": 101.0}},
    }


def test_unliquidated_summary__nothing__zeros():
    assert metrics.unliquidated_summary([], None) == {"position_steps": 0, "final_debt_usd": 0.0, "by_reason": {}}
