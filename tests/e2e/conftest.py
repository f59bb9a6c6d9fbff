import pytest

from rwa_testbed import report
from rwa_testbed import scenario as sc
from rwa_testbed.engine import Engine

# Small populations keep the end-to-end runs to tens of seconds; the shocks and proportions are
# the built-in scenarios' own.
SMALL = ["population.borrowers=12", "population.holders=8"]


@pytest.fixture
def run_scenario(chain):
    """Runs a built-in scenario (with overrides) on the test chain; returns the RunResult."""

    def run(name: str, *overrides: str, small: bool = True):
        scenario = sc.load(name, [*(SMALL if small else []), *overrides])
        return Engine(scenario, chain.provider.uri).run()

    return run


@pytest.fixture
def summary_bytes():
    return lambda result: report.summary_json(result.summary).encode()
