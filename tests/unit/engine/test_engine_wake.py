"""The engine's pure helpers (no chain): the block grid, the wake-time selection and the interest
crossing prediction. `Engine.__init__` opens a chain, so the engine is made with `object.__new__`
and only the attributes these methods read (`scenario`, `duration`, `shocks`, `agents`,
`crossing_block`, `ctx`)."""

from types import SimpleNamespace

import pytest

from rwa_testbed.engine import Engine, on_grid
from rwa_testbed.models.aave import WAD, debt_growth_reaches
from rwa_testbed.view import AccountData

from fakes import START_TIME, market_view

BT = 12
RAY = 10**27


class Waker:
    def __init__(self, *times):
        self.times = list(times)

    def wake_times(self, now):
        return [t for t in self.times if t > now]


def make_engine(*, shocks=(), agents=(), crossing_block=None, duration=10_000):
    e = object.__new__(Engine)
    e.scenario = SimpleNamespace(run=SimpleNamespace(block_time_seconds=BT))
    e.duration = duration
    e.shocks = list(shocks)
    e.agents = list(agents)
    e.crossing_block = crossing_block
    e.ctx = SimpleNamespace(start_time=START_TIME, chain_time=lambda t: START_TIME + t)
    return e


@pytest.mark.parametrize("t, grid", [(0, 0), (1, 12), (12, 12), (13, 24), (-5, 0)])
def test_on_grid__time__first_block_at_or_after(t, grid):
    assert on_grid(t, BT) == grid


def test_engine_wake_times__shocks_agents_and_crossing__future_ones():
    shock = SimpleNamespace(wake_times=lambda: [50, 400], start=50, started=True)
    e = make_engine(shocks=[shock], agents=[Waker(100, 30), Waker()], crossing_block=240)

    assert sorted(e.wake_times(60)) == [100, 252, 400]


def test_engine_next_wake__shock_at_day_zero_not_started__next_block():
    # The run's first step comes after t = 0: a shock due at 0 must not wait for the next other wake.
    at_zero = SimpleNamespace(wake_times=lambda: [0], start=0, started=False)
    e = make_engine(shocks=[at_zero], agents=[Waker(5_000)])

    assert e.next_wake(0) == BT
    at_zero.started = True
    assert e.next_wake(0) == 5_004  # once started, only the other wakes (on the grid)


def test_engine_next_wake__earliest_wake_on_the_grid():
    e = make_engine(agents=[Waker(101, 500)])

    assert e.next_wake(0) == 108


def test_engine_next_wake__nothing_to_wake_for__end_of_the_run():
    assert make_engine(duration=9_000).next_wake(0) == 9_000


def test_engine_next_wake__wake_after_the_run__end_of_the_run():
    assert make_engine(agents=[Waker(20_000)], duration=9_000).next_wake(0) == 9_000


def account(hf, *, debt=100 * 10**8, collateral=200 * 10**8):
    return AccountData(collateral, debt, 0, 8_000, 7_500, hf)


def crossing_view(accounts, rate=RAY // 10):
    v = market_view()
    v.accounts, v.debt_rate_ray, v.debt_rate_updated_at = accounts, rate, START_TIME
    return v


def test_engine_predict_crossing__healthy_account__one_block_before_hf_crosses_one():
    e = make_engine(duration=10 * 365 * 86_400)
    hf = WAD + WAD // 100  # 1 % of debt growth at 10 % a year: ~36 days

    block = e._predict_crossing(crossing_view([account(hf)]), 0)

    at = debt_growth_reaches(RAY // 10, START_TIME, START_TIME, hf + 1, START_TIME + e.duration)
    assert block == on_grid(at - START_TIME, BT) - BT
    assert 35 * 86_400 < block < 38 * 86_400


def test_engine_predict_crossing__liquidatable_over_close_factor_threshold__crossing_of_095():
    e = make_engine(duration=10 * 365 * 86_400)
    hf = 96 * WAD // 100

    block = e._predict_crossing(crossing_view([account(hf)]), 0)

    at = debt_growth_reaches(RAY // 10, START_TIME, START_TIME, hf * WAD // (95 * WAD // 100) + 1,
                             START_TIME + e.duration)
    assert block == on_grid(at - START_TIME, BT) - BT


def test_engine_predict_crossing__nearest_of_several__the_earliest():
    e = make_engine(duration=10 * 365 * 86_400)
    near, far = WAD + WAD // 1_000, WAD + WAD // 10

    assert e._predict_crossing(crossing_view([account(far), account(near)]), 0) == \
        e._predict_crossing(crossing_view([account(near)]), 0)


@pytest.mark.parametrize("accounts", [
    [],
    [account(WAD // 2)],  # under 0.95 already: nothing left to cross
    [account(2 * WAD, debt=0)],  # no debt
    [account(0, collateral=0)],  # no collateral
])
def test_engine_predict_crossing__nothing_can_cross__none(accounts):
    assert make_engine()._predict_crossing(crossing_view(accounts), 0) is None


def test_engine_predict_crossing__crossing_after_the_run__none():
    e = make_engine(duration=86_400)

    assert e._predict_crossing(crossing_view([account(2 * WAD)]), 0) is None


def test_engine_predict_crossing__imminent__never_before_the_next_block():
    e = make_engine(duration=86_400)

    assert e._predict_crossing(crossing_view([account(WAD)]), 600) == 612

