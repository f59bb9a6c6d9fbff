"""The threshold fuzzer (src/rwa_testbed/fuzzing.py, scripts/fuzz_thresholds.py) on a tiny budget.

Same code as `ape run fuzz_thresholds`, on a 2-worker Dask LocalCluster, each run a task on its own
anvil: a 3-run hypothesis search, a 1 x 2 frontier grid with two thresholds, a whole plan on a
budget of 3 runs, failing runs kept with their error, and the whole command on 1 and on 2 workers
giving the same files byte for byte; on real_estate_flash_crash (12 borrowers, 8 holders, 25 days,
20.2 for the command).
"""

import importlib.util
import io
import json
import shlex
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from rwa_testbed import fuzzing, report, sweep
from rwa_testbed import scenario as scenarios
from rwa_testbed.engine import Engine
from rwa_testbed.node import fresh_anvil

SEARCH_BUDGET = 3
SEARCH_SEED = 2  # its three draws include a configuration with bad debt
SCRIPT = Path(__file__).parents[2] / "scripts" / "fuzz_thresholds.py"


def load_script():
    spec = importlib.util.spec_from_file_location("fuzz_thresholds_script", SCRIPT)
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    return script


@pytest.fixture(scope="module")
def dask_client(tmp_path_factory):
    with sweep.dask_client(workers=2, scratch=tmp_path_factory.mktemp("dask-scratch")) as client:
        yield client


@pytest.fixture
def runner(dask_client):
    return fuzzing.Runner(dask_client, "real_estate_flash_crash")


@pytest.fixture
def idle_runner():
    """A runner without a cluster, for what needs no run (reports, checks)."""
    return fuzzing.Runner(None, "real_estate_flash_crash")


def rerun_command(command: str) -> dict:
    """Runs an `ape run crash_scenario ...` command line's scenario with the engine on a fresh anvil;
    returns the summary."""
    args = shlex.split(command)
    assert args[:3] == ["ape", "run", "crash_scenario"]
    name = args[args.index("--scenario") + 1]
    seed = int(args[args.index("--seed") + 1])
    sets = [args[i + 1] for i, arg in enumerate(args) if arg == "--set"]
    with fresh_anvil() as uri:
        return Engine(scenarios.load(name, sets, seed=seed), uri).run().summary


def test_search__tiny_budget__worst_configuration_reproduces_exactly(runner, tmp_path):
    trials = fuzzing.search(runner, SEARCH_BUDGET, seed=SEARCH_SEED)
    files = fuzzing.write_search(tmp_path, runner, trials, top=2)

    assert [t.index for t in trials] == list(range(SEARCH_BUDGET)) and runner.runs == SEARCH_BUDGET
    for t in trials:
        assert t.error is None, t.error
        assert fuzzing.valid_collateral(t.config.ltv_bps, t.config.liquidation_threshold_bps,
                                        t.config.liquidation_bonus_bps) is None
    rows = files["search"].read_text().splitlines()
    assert len(rows) == 1 + SEARCH_BUDGET and rows[0].startswith("index,bad_debt_usd,")
    worst = json.loads(files["worst"].read_text())["worst"]
    bad = sorted((t.bad_debt_usd for t in trials if t.bad_debt_usd > 0), reverse=True)
    assert [w["bad_debt_usd"] for w in worst] == bad[:2]  # only configurations with bad debt
    assert worst[0]["bad_debt_usd"] > 0, "pick a SEARCH_SEED whose draws leave bad debt"

    # The printed command line reruns the worst configuration to the same on-chain deficit.
    rerun = rerun_command(worst[0]["command"])
    assert rerun["bad_debt"]["usd"] == worst[0]["bad_debt_usd"]
    assert rerun["liquidations"]["count"] == worst[0]["liquidations"]


def test_frontier__tiny_grid__safe_threshold_is_the_highest_without_bad_debt(runner, tmp_path):
    thresholds = [3_000, 7_500]
    result = fuzzing.frontier(runner, [1_800], [25_000_000, 400_000_000], thresholds)
    files = fuzzing.write_frontier(tmp_path, runner, result)

    assert [(c.latency_seconds, c.depth_usd) for c in result.cells] == [(1_800, 25_000_000), (1_800, 400_000_000)]
    for cell in result.cells:
        assert cell.safe_threshold_bps in (None, *thresholds)
        tried = [(t.labels["threshold_bps"], t.bad_debt_usd) for t in cell.runs]
        # thresholds from the highest down; every one above the safe one left bad debt
        assert [lt for lt, _ in tried] == sorted(thresholds, reverse=True)[: len(tried)]
        assert all(bad > 0 for lt, bad in tried if cell.safe_threshold_bps is None or lt > cell.safe_threshold_bps)
        if cell.safe_threshold_bps is not None:
            assert tried[-1] == (cell.safe_threshold_bps, 0.0)
    assert any(c.safe_threshold_bps == 3_000 for c in result.cells), "the 55 % shock is survivable at 30 %"

    frontier_rows = files["frontier"].read_text().splitlines()
    assert frontier_rows[0] == "oracle_kind,latency_seconds,depth_usd,safe_threshold_bps,runs"
    assert len(frontier_rows) == 1 + len(result.cells)
    runs_rows = files["frontier_runs"].read_text().splitlines()
    assert len(runs_rows) == 1 + sum(len(c.runs) for c in result.cells)
    png = files["heatmap"].read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 5_000
    table = fuzzing.frontier_table(result)
    assert "TWAP window" in table and "30 min" in table and "$25M" in table


def test_frontier__threshold_breaking_aave_rules__rejected_before_any_run(idle_runner):
    with pytest.raises(ValueError, match="must exceed 10000"):
        fuzzing.check_thresholds(idle_runner.base, [3_000, 10_000])  # the bonus would have to be <= 100 %
    assert idle_runner.runs == 0


def test_configs__shock_overrides__scale_drops_and_durations():
    base = scenarios.load("real_estate_flash_crash")
    assert fuzzing.shock_overrides(base, 100, 100) == []
    assert fuzzing.shock_overrides(base, 150, 50) == [
        "shocks.0.value_haircut_pct=45", "shocks.1.value_drop_pct=52.5", "shocks.2.within_minutes=30",
        "shocks.3.at_days=20.005",
    ]


def test_cli_lists__bad_input__clear_click_errors():
    thresholds = load_script().IntList(minimum=1, maximum=9_900)

    assert thresholds.convert("3000, 5_000,7500", None, None) == [3_000, 5_000, 7_500]
    with pytest.raises(click.BadParameter, match="'abc' is not an integer"):
        thresholds.convert("3000,abc", None, None)
    with pytest.raises(click.BadParameter, match="must be between 1 and 9900"):
        thresholds.convert("12000", None, None)
    with pytest.raises(click.BadParameter, match="at least one number"):
        thresholds.convert(" , ", None, None)
    with pytest.raises(click.BadParameter, match="repeated"):
        thresholds.convert("3000,3000", None, None)


def trial(index, bad_debt_usd, error=None):
    return fuzzing.Trial(index, [f"run.seed={index}"], bad_debt_usd=bad_debt_usd, error=error)


def test_worst__zero_bad_debt_and_errors__left_out(idle_runner):
    trials = [trial(0, 0.0), trial(1, 100.0), trial(2, 0.0, error="SetupError: x"), trial(3, 50.0), trial(4, 0.0)]

    assert [t.index for t in fuzzing.worst(trials, 5)] == [1, 3]
    lines = fuzzing.worst_lines(idle_runner, trials, 5)
    assert lines[0].startswith("Worst 2 of the 2 configurations with bad debt (5 runs (1 stopped with an error)")
    assert [line.split(".")[0] for line in lines[1::2]] == ["1", "2"] and len(lines) == 5
    assert all("reproduce: ape run crash_scenario" in line for line in lines[2::2])


def test_worst__no_bad_debt__says_none_had_any(idle_runner, tmp_path):
    trials = [trial(0, 0.0), trial(1, 0.0)]

    assert fuzzing.worst(trials, 5) == []
    assert fuzzing.worst_lines(idle_runner, trials, 5) == [
        "No configuration left bad debt: 0 of 2 runs, so there is no worst one."]
    saved = json.loads(fuzzing.write_search(tmp_path, idle_runner, trials, 5)["worst"].read_text())
    assert (saved["runs"], saved["runs_with_bad_debt"], saved["worst"]) == (2, 0, [])


def test_plan_runs__budget_counts_search_and_frontier__too_small_rejected():
    plan = fuzzing.plan_runs(5, cells=0)  # --no-frontier: all of it to the search
    assert (plan.search_runs, plan.max_runs) == (5, 5)
    plan = fuzzing.plan_runs(50, cells=9, thresholds=5)
    assert (plan.search_runs, plan.frontier_max_runs, plan.max_runs) == (5, 45, 50)
    assert plan.lines() == ["budget 50 engine runs: search 5 + frontier up to 45 (9 cells x up to 5 thresholds, "
                            "fewer when a cell finds a safe threshold early); at most 50 runs"]
    plan = fuzzing.plan_runs(None, cells=9, thresholds=5)  # no --budget: 20 search runs + the grid
    assert (plan.budget, plan.search_runs, plan.max_runs) == (65, 20, 65)
    plan = fuzzing.plan_runs(50, search=False, cells=9, thresholds=5)
    assert (plan.search_runs, plan.max_runs) == (0, 45)
    with pytest.raises(ValueError, match=r"--budget 5 is too small: the frontier grid needs up to 45 runs "
                                         r"\(9 cells x 5 thresholds\) and the search at least 1\. Give --budget 46"):
        fuzzing.plan_runs(5, cells=9, thresholds=5)
    with pytest.raises(ValueError, match="Give --budget 45 or more"):
        fuzzing.plan_runs(44, search=False, cells=9, thresholds=5)


def test_run_plan__budget_of_3__runs_announced_never_exceeded(runner, tmp_path):
    budget, thresholds = 3, [3_000, 7_500]
    plan = fuzzing.plan_runs(budget, cells=1, thresholds=len(thresholds))
    assert (plan.search_runs, plan.frontier_max_runs, plan.max_runs) == (1, 2, 3)
    stream, results = io.StringIO(), []
    with report.RunProgress(plan.max_runs, enabled=False, file=stream) as bar:
        outcome = fuzzing.run_plan(runner, plan, tmp_path, latencies=[1_800], depths=[25_000_000],
                                   thresholds=thresholds, top=2, figure=False, bar=bar, echo=results.append)

    frontier_runs = sum(len(c.runs) for c in outcome.frontier.cells)
    assert len(outcome.trials) == plan.search_runs and 1 <= frontier_runs <= plan.frontier_max_runs
    assert runner.runs == plan.search_runs + frontier_runs <= plan.max_runs <= budget
    # one bar for both studies: every run counted; a cell that stopped early took its untried thresholds off
    assert bar.done == runner.runs == bar.total
    log = stream.getvalue()
    assert "search: 1 run," in log and "[search 1/1]" in log and "[frontier cell 1/1]" in log
    assert "first run took" in log and "up to 2 more, about" in log
    assert "frontier: up to 2 runs (1 cell x up to 2 thresholds), the cells in parallel" in log
    assert runner.pending == {}  # every run submitted was waited for
    assert [t.index for c in outcome.frontier.cells for t in c.runs] == list(range(frontier_runs))
    assert any(line.startswith(("Worst 1 of the 1 configurations", "No configuration left bad debt"))
               for line in results)
    assert any(line.startswith("\nSafe frontier") for line in results)
    with pytest.raises(fuzzing.BudgetExhausted):  # a run beyond the budget is refused before it starts
        runner.run([])
    assert runner.runs == plan.search_runs + frontier_runs


def test_frontier__failing_runs__recorded_with_their_error(dask_client, tmp_path):
    # an RPC timeout no node can meet: the scenario loads, every run fails at its first request
    runner = fuzzing.Runner(dask_client, "real_estate_flash_crash",
                            [*fuzzing.DEFAULT_BASE, "run.rpc_timeout_seconds=0.000001"])
    result = fuzzing.frontier(runner, [1_800], [25_000_000], [3_000, 7_500])

    cell = result.cells[0]
    assert cell.safe_threshold_bps is None  # a failed run is not a safe threshold: the next one is tried
    assert [t.labels["threshold_bps"] for t in cell.runs] == [7_500, 3_000] and runner.runs == 2
    assert all("NodeError" in t.error and "within 1e-06 s" in t.error for t in cell.runs)
    rows = fuzzing.write_frontier(tmp_path, runner, result, figure=False)["frontier_runs"].read_text().splitlines()
    assert len(rows) == 3 and all("NodeError" in row for row in rows[1:])


# The whole command on a tiny plan: 2 search runs + 2 cells x up to 2 thresholds, 20.2 days (the
# flash crash cut just after its day-20 shock).
COMMAND = ["--budget", "6", "--delays", "1800", "--depths", "25000000,400000000", "--thresholds", "3000,7500",
           "--days", "20.2", "--top", "2", "--no-progress"]
OUTPUTS = ("search.csv", "worst.json", "frontier.csv", "frontier_runs.csv", "frontier.png")


def test_command__1_and_2_workers__same_files_byte_for_byte(tmp_path):
    script = load_script()
    runs = {}
    for workers in (1, 2):
        out = tmp_path / f"workers-{workers}"
        result = CliRunner().invoke(script.cli, [*COMMAND, "--workers", str(workers), "--out", str(out)],
                                    catch_exceptions=False)
        assert result.exit_code == 0, result.output
        assert f"on a local cluster of {workers} worker processes" in result.output
        assert "budget 6 engine runs: search 2 + frontier up to 4" in result.output
        assert "engine runs of a budget of 6 (search 2, frontier" in result.output
        assert (out / "dask-scratch").is_dir()  # the cluster's scratch space, in the output folder
        runs[workers] = {name: (out / name).read_bytes() for name in OUTPUTS}

    assert runs[1] == runs[2]
    search_rows = runs[1]["search.csv"].decode().splitlines()
    assert len(search_rows) == 1 + 2 and "seconds" not in search_rows[0].split(",")  # no wall times
    assert len(runs[1]["frontier.csv"].decode().splitlines()) == 1 + 2


@pytest.mark.parametrize("args, message", [
    (["--workers", "2", "--scheduler", "tcp://127.0.0.1:1"], "--workers and --scheduler exclude each other"),
    (["--workers", "0"], "0 is not in the range x>=1"),
    (["--budget", "5"], "--budget 5 is too small"),
])
def test_command__bad_options__usage_error_before_any_cluster(args, message, tmp_path):
    result = CliRunner().invoke(load_script().cli, [*args, "--out", str(tmp_path / "out")])

    assert result.exit_code == 2, result.output
    assert message in result.output
    assert not (tmp_path / "out").exists()
