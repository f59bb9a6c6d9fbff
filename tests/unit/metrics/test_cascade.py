"""The one definition of a cascade (`metrics.main_cascade`) on hand-made rows and liquidations."""

from rwa_testbed import metrics

HOUR = 3_600


def row(t, liquidatable):
    return {"t_seconds": t, "block": t // 12, "liquidatable_debt_usd": liquidatable}


def liquidation(t, repaid=1.0):
    return {"t_seconds": t, "block": t // 12, "debt_repaid_usd": repaid}


def test_main_cascade__no_liquidation__none():
    assert metrics.main_cascade([row(0, 5.0)], []) is None


def test_main_cascade__one_cascade__from_trigger_to_last_liquidation():
    rows = [row(0, 0.0), row(100, 0.0), row(112, 50.0), row(124, 20.0), row(400, 0.0)]
    liqs = [liquidation(124, 30.0), liquidation(136, 20.0), liquidation(400, 5.0)]

    cascade = metrics.main_cascade(rows, liqs)

    assert cascade == metrics.Cascade(trigger_seconds=112, first_liquidation_seconds=124,
                                      last_liquidation_seconds=400, liquidations=3, debt_repaid_usd=55.0,
                                      cascades=1)
    assert cascade.duration_seconds == 288


def test_main_cascade__liquidatable_twice__last_trigger_before_first_liquidation():
    rows = [row(0, 0.0), row(10, 5.0), row(20, 0.0), row(30, 8.0), row(40, 8.0)]

    cascade = metrics.main_cascade(rows, [liquidation(42)])

    assert cascade.trigger_seconds == 30


def test_main_cascade__liquidatable_from_the_first_row__that_row_triggers():
    cascade = metrics.main_cascade([row(0, 3.0), row(12, 3.0)], [liquidation(24)])

    assert cascade.trigger_seconds == 0


def test_main_cascade__no_row_shows_liquidatable_debt__first_liquidation_triggers():
    cascade = metrics.main_cascade([row(0, 0.0)], [liquidation(24), liquidation(36)])

    assert cascade.trigger_seconds == 24
    assert cascade.duration_seconds == 12


def test_main_cascade__gap_over_six_hours__separate_cascades_the_bigger_wins():
    liqs = [liquidation(0, 1.0), liquidation(60, 1.0), liquidation(7 * HOUR, 5.0), liquidation(7 * HOUR + 60, 1.0)]
    rows = [row(-12, 2.0), row(5 * HOUR, 0.0), row(7 * HOUR - 12, 6.0)]

    cascade = metrics.main_cascade(rows, liqs)

    assert cascade.cascades == 2
    assert (cascade.first_liquidation_seconds, cascade.last_liquidation_seconds) == (7 * HOUR, 7 * HOUR + 60)
    assert cascade.trigger_seconds == 7 * HOUR - 12
    assert cascade.liquidations == 2


def test_main_cascade__equal_debt_repaid__earliest_cascade():
    liqs = [liquidation(0, 2.0), liquidation(7 * HOUR, 2.0)]

    cascade = metrics.main_cascade([], liqs)

    assert cascade.first_liquidation_seconds == 0


def test_main_cascade__unsorted_input__same_cascade():
    rows = [row(0, 0.0), row(12, 4.0), row(24, 1.0)]
    liqs = [liquidation(36, 1.0), liquidation(24, 3.0)]

    assert metrics.main_cascade(rows[::-1], liqs) == metrics.main_cascade(rows, liqs[::-1])
