"""`report.RunProgress`'s time estimate with several runs at a time (a sweep's Dask workers), on a
fake clock: the first-run estimate counts rounds of `workers` runs, the bar's time left follows the
throughput once a round is done; one worker is the serial estimate as before."""

import io

import pytest

from rwa_testbed import report


class FakeClock:
    def __init__(self):
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def _bar(total, workers, clock):
    stream = io.StringIO()
    return report.RunProgress(total, workers=workers, enabled=False, file=stream, clock=clock), stream


@pytest.mark.parametrize("runs, workers, running, rounds", [
    (7, 1, 0, 7), (7, 2, 1, 3), (3, 2, 1, 1), (1, 2, 1, 0), (11, 4, 3, 2), (8, 4, 0, 2), (0, 3, 0, 0),
])
def test_wall_seconds__runs_in_rounds_of_workers(runs, workers, running, rounds):
    assert report.wall_seconds(runs, 10.0, workers=workers, running=running) == rounds * 10.0


def test_run_progress__one_worker__first_run_estimate_as_serial():
    clock = FakeClock()
    bar, stream = _bar(5, 1, clock)
    clock.now += 10.0
    bar.ran(10.0)
    assert stream.getvalue() == "first run took 10.0 s: up to 4 more, about 40 s at 10.0 s a run\n"
    assert bar.eta_seconds == 40.0


def test_run_progress__4_workers__first_run_estimate_counts_rounds_not_runs():
    # 12 runs, 4 at a time, 60 s each: 3 rounds, 180 s in all; the first run ends at 60 s with 3 more
    # of its round about to end: 2 rounds left, 120 s (the serial estimate said 11 x 60 = 660 s)
    clock = FakeClock()
    bar, stream = _bar(12, 4, clock)
    clock.now += 60.0
    bar.ran(60.0)
    assert stream.getvalue() == "first run took 60.0 s: up to 11 more, about 2 min 0 s at 60.0 s a run, 4 at a time\n"
    assert bar.eta_seconds == 120.0
    for _ in range(2):  # the rest of the first round, at the same moment
        bar.ran(60.0)
        assert bar.eta_seconds == 120.0
    assert stream.getvalue().count("\n") == 1  # the estimate is printed once


def test_run_progress__after_the_first_round__time_left_from_throughput():
    clock = FakeClock()
    bar, _ = _bar(12, 4, clock)
    for t in (60.0, 60.0, 61.0, 62.0):  # the first round ends: 4 runs in 62 s
        clock.now = 100.0 + t
        bar.ran(t)
    assert bar.eta_seconds == pytest.approx(62.0 / 4 * 8)  # 8 left at 15.5 s of wall time a run
    clock.now = 100.0 + 150.0  # slower than planned: 2 more done at 150 s
    bar.ran(80.0)
    bar.ran(88.0)
    assert bar.eta_seconds == pytest.approx(150.0 / 6 * 6)
    assert bar.seconds_per_run == pytest.approx((60 + 60 + 61 + 62 + 80 + 88) / 6)  # a run's own time, undivided


def test_run_progress__fewer_runs_than_workers__one_round():
    clock = FakeClock()
    bar, stream = _bar(3, 8, clock)
    clock.now += 30.0
    bar.ran(30.0)
    assert "up to 2 more, about 0 s at 30.0 s a run, 8 at a time" in stream.getvalue()  # the other 2 run already
    assert bar.eta_seconds == 0.0


def test_run_progress__no_run_yet__no_estimate():
    bar, stream = _bar(4, 2, FakeClock())
    assert bar.eta_seconds is None and bar.seconds_per_run is None and stream.getvalue() == ""
