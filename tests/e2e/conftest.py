import pytest

from rwa_testbed import report
from rwa_testbed import scenario as sc
from rwa_testbed.engine import Engine

# Small populations keep the end-to-end runs to tens of seconds; the shocks and proportions are
# the built-in scenarios' own.
SMALL = ["population.borrowers=12", "population.holders=8"]


def assert_no_agent_errors(result) -> None:
    """Fails when an agent's own mistake reverted (`summary.reverts.agent_error`, see
    `metrics.classify_revert`): market races are the scenario's business, agent errors are bugs."""
    errors = result.summary["reverts"]["agent_error"]
    assert errors["count"] == 0, f"agent errors: {errors['by_action']} {errors['by_reason']}"


@pytest.fixture
def run_scenario(chain):
    """Runs a built-in scenario (with overrides) on the test chain; returns the RunResult, after
    `assert_no_agent_errors`."""

    def run(name: str, *overrides: str, small: bool = True):
        scenario = sc.load(name, [*(SMALL if small else []), *overrides])
        result = Engine(scenario, chain.provider.uri).run()
        assert_no_agent_errors(result)
        return result

    return run


@pytest.fixture
def summary_bytes():
    return lambda result: report.summary_json(result.summary).encode()
