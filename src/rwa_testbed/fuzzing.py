"""Threshold fuzzing: which risk parameters turn a shock into bad debt, and where the safe frontier lies.

Two studies on one base scenario (the engine runs it with `--set`-style overrides), on the Dask
executor of `ape run sweep`: every engine run is one `sweep.run_one` task (a `sweep.RunSpec` whose
`point` is the run's overrides) on its own fresh anvil (`node.fresh_anvil`), on a `LocalCluster`
or an existing scheduler (`sweep.dask_client`). `Runner` submits the tasks and handles their
results in the calling thread:

- `search`: hypothesis explores (LTV, liquidation threshold, bonus, oracle delay and heartbeat or
  TWAP window, AMM depth, shock size and speed), always drawing valid Aave parameters (LTV <=
  threshold, bonus > 100 %, threshold x bonus <= 100 %), and steers towards bad debt with
  `hypothesis.target`. Every run is a `Trial` whose `overrides` reproduce it exactly with
  `ape run crash_scenario` (`command_line`). Hypothesis is adaptive: each draw depends on the
  outcomes before it, so the search stays one sequential chain, run in this process, each run a
  task waited for (`Runner.run`, ahead of the frontier's tasks by Dask priority); the frontier
  fills the other workers meanwhile. Not several searches with derived seeds: split by worker
  count, the trials would depend on the cluster; split by a fixed number, each search would have
  fewer runs to steer with `target`, and one search of N runs would no longer be what N means.
- `frontier`: on a grid of oracle delay (latency oracle) or TWAP window x AMM depth, the highest
  liquidation threshold of a list with zero bad debt under the scenario's own shock. Thresholds are
  tried from the highest down; the first run without bad debt ends the cell. LTV keeps the base
  scenario's gap below the threshold, the bonus is capped so that threshold x bonus <= 100 %.
  Each (cell, threshold) run is one task (`start_frontier`): every cell's highest threshold is
  submitted at once, and a cell's next lower threshold only when its previous run left bad debt
  or failed. So the cells run in parallel, and the runs made are exactly those of the sequential
  rule (no speculative runs to discount, the budget counts what is submitted). Not one task per
  cell: its thresholds in a row on a worker would need a second way to run scenarios there, and
  the bar would move only when a whole cell ends.

Reproducibility: a run's outcome depends only on its overrides and the seed (a fresh chain each
time), hypothesis's draws only on its seed and the outcomes, and the reports are written in grid
and draw order (`number_frontier_runs`), never in the order runs finish. So the same seed gives
the same trials and byte-identical files on 1 worker or many (the CSV files carry no wall times).
A run that failed, or whose task never returned (its worker died), is a trial with its error:
in the files, never dropped, not retried.

Budget (`Plan`, `plan_runs`): one number bounds every engine run of a command, search and frontier
together. The frontier's share is its worst case (cells x thresholds, fixed before any run), the
search gets the rest; the plan is announced before the first run and `Runner.max_runs` refuses a
run beyond it. One progress bar (`report.RunProgress`) counts the runs of both studies as they
finish; a frontier cell that stops early takes its untried thresholds off the bar's total.

Shock size and speed are percentages of the base scenario's own shocks: size scales every value
drop (`value_drop_pct`, `value_haircut_pct`, `nav_drop_pct`, capped at 95 %); speed scales their
durations (a rumor's `within_minutes`, a default wave's `over_days`, and how long after the first
shock a liquidity withdrawal follows): 50 = twice as fast.

Reports (`write_search`, `write_frontier`): CSV and JSON files, a terminal table and a PNG heatmap,
through `report` (its CSV writer with every float digit kept, its text grid, its figure canvas). Bad debt is the summary's `bad_debt.usd`: the pool's on-chain deficit.
"""

from __future__ import annotations

import math
import os
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Callable, Sequence

from hypothesis import HealthCheck, Phase, given, settings, target
from hypothesis import seed as hypothesis_seed
from hypothesis import strategies as st

from . import report
from .models.reserve import ReserveSpec, max_liquidation_bonus_bps
from .scenario import Scenario, load, replay_command
from .sweep import RunSpec, run_one
from .units import BPS

MAX_DROP_PCT = 95.0
DEFAULT_BASE = ("population.borrowers=12", "population.holders=8", "run.duration_days=25")
DEFAULT_SEARCH_RUNS = 20  # search runs when no budget is given (the budget is then this + the frontier's worst case)

DROP_FIELDS = {"natural_disaster": "value_drop_pct", "custodian_hack": "value_haircut_pct",
               "nav_writedown": "nav_drop_pct", "default_wave": "nav_drop_pct"}
COLLATERAL = "market.lending.collateral"

# -- the search space ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Config:
    """One point of the search space. Oracle fields not of `oracle_kind` are None."""

    ltv_bps: int
    liquidation_threshold_bps: int
    liquidation_bonus_bps: int
    oracle_kind: str  # "latency" | "twap"
    delay_seconds: int | None
    heartbeat_seconds: int | None
    twap_window_seconds: int | None
    amm_depth_usd: int
    shock_size_pct: int  # % of the base scenario's value drops
    shock_speed_pct: int  # % of the base scenario's shock durations (lower = faster)

    def overrides(self, base: Scenario) -> list[str]:
        """`key.path=value` assignments that turn `base` into this configuration."""
        out = [f"{COLLATERAL}.ltv_bps={self.ltv_bps}",
               f"{COLLATERAL}.liquidation_threshold_bps={self.liquidation_threshold_bps}",
               f"{COLLATERAL}.liquidation_bonus_bps={self.liquidation_bonus_bps}",
               f"market.oracle.kind={self.oracle_kind}"]
        if self.oracle_kind == "latency":
            out += [f"market.oracle.delay_seconds={self.delay_seconds}",
                    f"market.oracle.heartbeat_seconds={self.heartbeat_seconds}"]
        else:
            out.append(f"market.oracle.twap_window_seconds={self.twap_window_seconds}")
        out.append(f"market.amm.depth_usd={self.amm_depth_usd}")
        return out + shock_overrides(base, self.shock_size_pct, self.shock_speed_pct)


def _number(x: float) -> str:
    """A YAML number that parses back to exactly `x` (ints stay ints)."""
    return str(int(x)) if float(x).is_integer() else repr(float(x))


def shock_overrides(base: Scenario, size_pct: int, speed_pct: int) -> list[str]:
    """Scales the base scenario's shocks: value drops by `size_pct` %, durations by `speed_pct` %."""
    out = []
    starts = [s.at_days for s in base.shocks if s.kind != "liquidity_withdrawal"]
    anchor = min(starts) if starts else 0.0
    for i, shock in enumerate(base.shocks):
        drop = DROP_FIELDS.get(shock.kind)
        if drop is not None and size_pct != 100:
            value = min(MAX_DROP_PCT, round(getattr(shock, drop) * size_pct / 100, 4))
            out.append(f"shocks.{i}.{drop}={_number(value)}")
        if speed_pct == 100:
            continue
        if shock.kind == "rumor":
            out.append(f"shocks.{i}.within_minutes={_number(max(1.0, round(shock.within_minutes * speed_pct / 100, 4)))}")
        elif shock.kind == "default_wave":
            out.append(f"shocks.{i}.over_days={_number(max(0.01, round(shock.over_days * speed_pct / 100, 4)))}")
        elif shock.kind == "liquidity_withdrawal" and shock.at_days > anchor:
            at = min(base.run.duration_days, anchor + (shock.at_days - anchor) * speed_pct / 100)
            out.append(f"shocks.{i}.at_days={_number(round(at, 6))}")
    return out


def valid_collateral(ltv_bps: int, threshold_bps: int, bonus_bps: int) -> str | None:
    """Why (LTV, threshold, bonus) breaks Aave's rules (`ReserveSpec.validate`), or None if they are valid."""
    try:
        ReserveSpec("", "", ltv_bps=ltv_bps, liquidation_threshold_bps=threshold_bps,
                    liquidation_bonus_bps=bonus_bps, usable_as_collateral=True)
    except ValueError as e:
        return str(e)
    return None


@st.composite
def configs(draw, oracle_kind: str) -> Config:
    """Valid points of the search space (never filtered: every draw is a run)."""
    threshold = draw(st.integers(30, 93)) * 100  # 30 % .. 93 %
    max_bonus = min(12_500, max_liquidation_bonus_bps(threshold))  # threshold x bonus <= 100 %
    bonus = draw(st.integers(10_050 // 50, max_bonus // 50)) * 50  # > 100 %, in steps of 0.5 %
    ltv = draw(st.integers(max(1, threshold // 100 - 25), threshold // 100)) * 100  # up to 25 % below
    if oracle_kind == "latency":
        delay = draw(st.one_of(st.sampled_from([0, 60, 600, 3_600, 21_600, 86_400]), st.integers(0, 2 * 86_400)))
        heartbeat = draw(st.sampled_from([0, 3_600, 86_400]))
        window = None
    else:
        delay = heartbeat = None
        window = draw(st.integers(1, 48)) * 300  # 5 min .. 4 h
    depth = draw(st.integers(5, 400)) * 1_000_000  # $5M .. $400M
    size = draw(st.integers(50, 150))
    speed = draw(st.sampled_from([10, 25, 50, 100, 200, 400]))
    return Config(ltv, threshold, bonus, oracle_kind, delay, heartbeat, window, depth, size, speed)


# -- running the engine --------------------------------------------------------------------------


@dataclass
class Trial:
    """One engine run: its overrides (on top of the base ones), outcome and key figures. `index`:
    its place in its study (search: draw order; frontier: grid order, thresholds from the highest
    down)."""

    index: int
    overrides: list[str]
    bad_debt_usd: float = 0.0
    bad_debt_pct: float = 0.0
    liquidations: int = 0
    borrowed_usd: float = 0.0
    seconds: float = 0.0
    error: str | None = None
    config: Config | None = None
    labels: dict = field(default_factory=dict)  # grid coordinates (frontier runs)


class BudgetExhausted(RuntimeError):
    """A run was asked for beyond `Runner.max_runs` (a bug in the plan: it is never caught)."""


def _n(count: int, noun: str) -> str:
    """ "1 run", "3 runs" """
    return f"{count} {noun}{'s' * (count != 1)}"


def trial_from_row(row: dict, overrides: Sequence[str], index: int = 0) -> Trial:
    """The `Trial` of one `sweep.run_one` row (its error if the run failed)."""
    trial = Trial(index, list(overrides), seconds=row.get("seconds") or 0.0)
    if row.get("status") != "ok":
        trial.error = row.get("error") or row.get("status")
        return trial
    trial.bad_debt_usd = row["bad_debt.usd"]
    trial.bad_debt_pct = row["bad_debt.pct_of_borrowed"]
    trial.liquidations = row["liquidations.count"]
    trial.borrowed_usd = row["population.borrowed_usd"]
    return trial


class Runner:
    """Runs `scenario_name` (base overrides, seed) plus per-run overrides on the Dask `client`: each
    run is one `sweep.run_one` task on its own fresh anvil (the sweep's task: one way to run a
    scenario on a worker). `max_runs` (the budget) is a hard cap on the runs submitted: one more
    raises `BudgetExhausted`. Each run is reported to `bar` (a `report.RunProgress`) if given,
    else as a line to `progress`.

    `run` submits one run and waits for it (the search: hypothesis needs each outcome before its
    next draw); `submit` submits one and calls `then(trial)` when it is done (the frontier). Both
    handle the other runs that finish meanwhile, in this process's thread: while the search waits
    for its run, finished frontier runs are recorded and their cells' next runs submitted; `drain`
    waits for every run submitted. A task that never returned (its worker died, the cluster went
    away) is a trial with its error, like a run that failed: recorded, never dropped. `client` may
    be None until the first run (a command validates its options before it starts a cluster)."""

    def __init__(self, client, scenario_name: str, base_overrides: Sequence[str] = DEFAULT_BASE,
                 seed: int | None = None, progress: Callable[[str], None] | None = None,
                 max_runs: int | None = None, bar: report.RunProgress | None = None, anvil: str | None = None):
        self.client = client
        self._plugged = None  # the client whose workers have the anvil plugin
        self.scenario_name = scenario_name
        self.base_overrides = list(base_overrides)
        self.base = load(scenario_name, self.base_overrides, seed=seed)  # validates early
        self.seed = self.base.run.seed
        self.progress = progress
        self.max_runs = max_runs
        self.bar = bar
        self.anvil = anvil  # the workers' anvil launcher (None: `node.anvil_launcher()` there)
        self.runs = 0  # runs submitted
        self.pending: dict = {}  # future -> (overrides, then), in submission order

    def note_run(self, trial: Trial, line: str, postfix: str = "") -> None:
        if self.bar is not None:
            self.bar.ran(trial.seconds, line, postfix)
        elif self.progress:
            self.progress(line)

    def skip(self, runs: int) -> None:
        if self.bar is not None:
            self.bar.skip(runs)

    def scenario(self, overrides: Sequence[str]) -> Scenario:
        return load(self.scenario_name, [*self.base_overrides, *overrides], seed=self.seed)

    def spec(self, overrides: Sequence[str]) -> RunSpec:
        """The sweep's `RunSpec` of one run: the per-run overrides as its `point`."""
        point = tuple(tuple(o.split("=", 1)) for o in overrides)
        return RunSpec(self.scenario_name, tuple(self.base_overrides), point, self.seed, self.anvil)

    def _submit(self, overrides: Sequence[str], then: Callable[[Trial], None] | None, priority: int):
        if self.max_runs is not None and self.runs >= self.max_runs:
            raise BudgetExhausted(f"run {self.runs + 1} asked for, beyond the budget of {self.max_runs} engine runs")
        if self.client is not self._plugged:  # the workers keep one anvil each, reset per run
            from .sweep_worker import AnvilPlugin

            self.client.register_plugin(AnvilPlugin())
            self._plugged = self.client
        future = self.client.submit(run_one, self.spec(overrides), pure=False, priority=priority,
                                    key=f"fuzz-run-{self.runs}-{os.getpid()}-{time.time_ns()}")
        self.runs += 1
        self.pending[future] = (list(overrides), then)
        return future

    def submit(self, overrides: Sequence[str], then: Callable[[Trial], None]) -> None:
        """Submits one run; `then(trial)` is called (in this thread, from `run` or `drain`) when it is done."""
        self._submit(overrides, then, priority=0)

    def run(self, overrides: Sequence[str], index: int = 0) -> Trial:
        """Runs one (ahead of the runs `submit`ted: a higher Dask priority) and returns its trial;
        the other runs that finish meanwhile are handled."""
        future = self._submit(overrides, None, priority=1)
        while not future.done():
            self._handle(self._wait_any(), but=future)
        trial = self._collect(future)
        trial.index = index
        return trial

    def drain(self) -> None:
        """Waits for every submitted run (and the runs their callbacks submit)."""
        while self.pending:
            self._handle(self._wait_any())

    def cancel(self) -> None:
        """Cancels every run still pending (an interrupted command)."""
        for future in self.pending:
            future.cancel()
        self.pending.clear()

    def _wait_any(self) -> list:
        from distributed import wait

        done, _ = wait(list(self.pending), return_when="FIRST_COMPLETED")
        return [f for f in self.pending if f in done]  # submission order

    def _handle(self, done: Sequence, but=None) -> None:
        for future in done:
            if future is not but and future in self.pending:
                then = self.pending[future][1]
                then(self._collect(future))

    def _collect(self, future) -> Trial:
        overrides, _ = self.pending.pop(future)
        try:
            row = future.result()
        except Exception as err:  # noqa: BLE001 - the task never returned: a trial with its error
            return Trial(0, overrides, error=f"lost (the task never returned): {type(err).__name__}: {err}")
        return trial_from_row(row, overrides)

    def command_line(self, overrides: Sequence[str]) -> str:
        """The `ape run crash_scenario` command that reruns these overrides exactly."""
        return replay_command(self.scenario_name, self.seed, [*self.base_overrides, *overrides])


# -- the budget ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Plan:
    """How a command spends its budget of engine runs: `search_runs` exactly, then the frontier's
    worst case (`frontier_cells` x `frontier_thresholds`: a cell stops at its first threshold
    without bad debt, so it usually needs fewer)."""

    budget: int
    search_runs: int
    frontier_cells: int = 0
    frontier_thresholds: int = 0

    @property
    def frontier_max_runs(self) -> int:
        return self.frontier_cells * self.frontier_thresholds

    @property
    def max_runs(self) -> int:
        return self.search_runs + self.frontier_max_runs

    def lines(self) -> list[str]:
        """The announcement printed before the first run."""
        parts = []
        if self.search_runs:
            parts.append(f"search {self.search_runs}")
        if self.frontier_cells:
            parts.append(f"frontier up to {self.frontier_max_runs} ({_n(self.frontier_cells, 'cell')} x up to "
                         f"{_n(self.frontier_thresholds, 'threshold')}, fewer when a cell finds a safe threshold early)")
        return [f"budget {self.budget} engine runs: " + (" + ".join(parts) or "nothing to run")
                + f"; at most {self.max_runs} runs"]


def plan_runs(budget: int | None, *, search: bool = True, cells: int = 0, thresholds: int = 0) -> Plan:
    """Splits `budget` (every engine run of the command) between the search and a frontier of
    `cells` x `thresholds` (0 cells: no frontier). The frontier gets its worst case, the search the
    rest (at least 1). No budget: `DEFAULT_SEARCH_RUNS` search runs plus the frontier's worst case.
    Raises ValueError, before any run, when the budget cannot hold the frontier's worst case."""
    frontier_max = cells * thresholds
    if budget is None:
        return Plan(DEFAULT_SEARCH_RUNS * search + frontier_max, DEFAULT_SEARCH_RUNS if search else 0, cells, thresholds)
    if budget < 1:
        raise ValueError(f"the budget must be at least 1 engine run, not {budget}")
    need = frontier_max + (1 if search else 0)
    if budget < need:
        grid = f"the frontier grid needs up to {frontier_max} runs ({cells} cells x {thresholds} thresholds)"
        raise ValueError(f"--budget {budget} is too small: {grid}" + (" and the search at least 1" if search else "")
                         + f". Give --budget {need} or more, fewer --delays/--depths/--thresholds, or --no-frontier.")
    return Plan(budget, budget - frontier_max if search else 0, cells, thresholds)


# -- the search ----------------------------------------------------------------------------------


def search(runner: Runner, budget: int, *, seed: int = 0, oracle_kind: str | None = None) -> list[Trial]:
    """Runs the engine `budget` times on configurations hypothesis draws, steering towards bad
    debt (`hypothesis.target`). Deterministic for a given `seed`."""
    kind = oracle_kind or runner.base.market.oracle.kind
    trials: list[Trial] = []

    @settings(max_examples=budget, phases=[Phase.generate, Phase.target], database=None, deadline=None,
              suppress_health_check=list(HealthCheck), derandomize=False, print_blob=False)
    @hypothesis_seed(seed)
    @given(config=configs(kind))
    def explore(config: Config) -> None:
        if len(trials) >= budget:  # hypothesis may ask for a few more; the budget is the user's
            return
        trial = runner.run(config.overrides(runner.base), index=len(trials))
        trial.config = config
        trials.append(trial)
        runner.note_run(trial, f"[search {len(trials):>{len(str(budget))}}/{budget}] {describe(trial)}", "search")
        if trial.error is None:
            target(trial.bad_debt_usd, label="bad debt (USD)")

    explore()
    return trials


def describe(trial: Trial) -> str:
    """One line: bad debt and the configuration."""
    if trial.error:
        outcome = f"error {trial.error[:80]}"
    else:
        outcome = f"bad debt ${trial.bad_debt_usd:>15,.0f} ({trial.bad_debt_pct:5.1f} %), {trial.liquidations:>3} liq."
    c = trial.config
    if c is None:
        return f"{outcome}  {' '.join(trial.overrides)}"
    oracle = (f"latency delay {c.delay_seconds}s hb {c.heartbeat_seconds}s" if c.oracle_kind == "latency"
              else f"twap {c.twap_window_seconds}s")
    return (f"{outcome}  LTV {c.ltv_bps} LT {c.liquidation_threshold_bps} bonus {c.liquidation_bonus_bps}, "
            f"{oracle}, depth {report.format_usd_millions(c.amm_depth_usd)}, shock x{c.shock_size_pct / 100:g} "
            f"speed x{c.shock_speed_pct / 100:g} ({trial.seconds:.1f} s)")


def with_bad_debt(trials: Sequence[Trial]) -> list[Trial]:
    """The successful runs that left bad debt (> $0)."""
    return [t for t in trials if t.error is None and t.bad_debt_usd > 0]


def worst(trials: Sequence[Trial], count: int) -> list[Trial]:
    """The `count` runs with the most bad debt, worst first, ties by index: only runs that left
    bad debt (a run without any is not "worst"; fewer than `count`, or none, may qualify)."""
    return sorted(with_bad_debt(trials), key=lambda t: (-t.bad_debt_usd, t.index))[:count]


def worst_lines(runner: Runner, trials: Sequence[Trial], count: int) -> list[str]:
    """The terminal report of `worst`: a heading, then each configuration and its command line; or
    one line saying that no configuration left bad debt."""
    bad = with_bad_debt(trials)
    errors = sum(1 for t in trials if t.error)
    tail = f" ({errors} stopped with an error)" if errors else ""
    if not bad:
        return [f"No configuration left bad debt: 0 of {_n(len(trials), 'run')}{tail}, so there is no worst one."]
    shown = worst(trials, count)
    lines = [f"Worst {len(shown)} of the {len(bad)} configurations with bad debt ({len(trials)} runs{tail}; "
             f"bad debt = the pool's on-chain deficit):"]
    for rank, trial in enumerate(shown, start=1):
        lines += [f"{rank}. {describe(trial)}", f"   reproduce: {runner.command_line(trial.overrides)}"]
    return lines


# The fuzzer's CSV files keep every digit of a float (Python's repr: the values reproduce runs and
# are compared with ==) and only their own columns; no wall times, so that a seed gives the same
# bytes on any cluster (a run's time is on its progress line).
CSV_OPTIONS = {"float_format": repr, "extra_columns": False}
SEARCH_COLUMNS = ("index", "bad_debt_usd", "bad_debt_pct", "liquidations", "borrowed_usd", "ltv_bps",
                  "liquidation_threshold_bps", "liquidation_bonus_bps", "oracle_kind", "delay_seconds",
                  "heartbeat_seconds", "twap_window_seconds", "amm_depth_usd", "shock_size_pct",
                  "shock_speed_pct", "error", "overrides")


def write_search(out: Path, runner: Runner, trials: Sequence[Trial], top: int) -> dict[str, Path]:
    """`search.csv` (every run) and `worst.json` (the `top` worst with bad debt, with their command
    lines; an empty list when no run left bad debt)."""
    out.mkdir(parents=True, exist_ok=True)
    rows = []
    for t in trials:
        row = dict.fromkeys(SEARCH_COLUMNS)  # None (an empty cell) for a trial without a configuration
        row |= {"index": t.index, "bad_debt_usd": t.bad_debt_usd, "bad_debt_pct": t.bad_debt_pct,
                "liquidations": t.liquidations, "borrowed_usd": t.borrowed_usd, "error": t.error or "",
                "overrides": " ".join(t.overrides)}
        row.update(asdict(t.config) if t.config else {})
        rows.append(row)
    search_csv = report.write_csv(out / "search.csv", rows, SEARCH_COLUMNS, **CSV_OPTIONS)
    worst_json = report.write_json(out / "worst.json", {
        "scenario": runner.scenario_name, "seed": runner.seed, "base_overrides": runner.base_overrides,
        "runs": len(trials), "runs_with_bad_debt": len(with_bad_debt(trials)),
        "worst": [{"index": t.index, "bad_debt_usd": t.bad_debt_usd, "bad_debt_pct": t.bad_debt_pct,
                   "liquidations": t.liquidations, "config": asdict(t.config) if t.config else None,
                   "overrides": t.overrides, "command": runner.command_line(t.overrides)}
                  for t in worst(trials, top)],
    }, canonical=False)
    return {"search": search_csv, "worst": worst_json}


# -- the safe frontier ---------------------------------------------------------------------------


@dataclass
class Cell:
    """One grid cell: oracle delay or TWAP window (seconds) x AMM depth (USD)."""

    latency_seconds: int
    depth_usd: int
    safe_threshold_bps: int | None = None  # highest threshold with zero bad debt, None if none
    runs: list[Trial] = field(default_factory=list)


@dataclass
class Frontier:
    oracle_kind: str
    latencies: list[int]  # delays (latency) or windows (twap), seconds
    depths: list[int]  # USD
    thresholds: list[int]  # bps, as given
    cells: list[Cell]

    @property
    def axis_name(self) -> str:
        return "delay_seconds" if self.oracle_kind == "latency" else "twap_window_seconds"

    def cell(self, latency: int, depth: int) -> Cell:
        return next(c for c in self.cells if c.latency_seconds == latency and c.depth_usd == depth)


def frontier_collateral(base: Scenario, threshold_bps: int) -> tuple[int, int]:
    """(LTV, bonus) used with `threshold_bps` in the grid: the base LTV gap, the base bonus capped
    so that threshold x bonus <= 100 %."""
    c = base.market.lending.collateral
    gap = max(0, c.liquidation_threshold_bps - c.ltv_bps)
    return max(0, threshold_bps - gap), min(c.liquidation_bonus_bps, max_liquidation_bonus_bps(threshold_bps))


def check_thresholds(base: Scenario, thresholds: Sequence[int]) -> None:
    """Raises ValueError naming the first threshold the grid cannot use."""
    for lt in thresholds:
        ltv, bonus = frontier_collateral(base, lt) if 0 < lt <= BPS else (0, 0)
        problem = valid_collateral(ltv, lt, bonus)
        if problem:
            raise ValueError(f"threshold {lt}: {problem} (bonus capped to {bonus} bps)")


def frontier_overrides(base: Scenario, kind: str, latency: int, depth: int, threshold_bps: int) -> list[str]:
    """The overrides of one frontier run: the cell's oracle and depth, the threshold with its LTV and bonus."""
    ltv, bonus = frontier_collateral(base, threshold_bps)
    oracle = (f"market.oracle.delay_seconds={latency}" if kind == "latency"
              else f"market.oracle.twap_window_seconds={latency}")
    return [f"market.oracle.kind={kind}", oracle, f"market.amm.depth_usd={depth}",
            f"{COLLATERAL}.ltv_bps={ltv}", f"{COLLATERAL}.liquidation_threshold_bps={threshold_bps}",
            f"{COLLATERAL}.liquidation_bonus_bps={bonus}"]


def start_frontier(runner: Runner, latencies: Sequence[int], depths: Sequence[int], thresholds: Sequence[int],
                   *, oracle_kind: str | None = None) -> Frontier:
    """Submits the first run of every cell (its highest threshold) and returns the frontier, whose
    cells fill in as `runner` handles their runs (`runner.drain()` waits for all of them). A run
    with bad debt, or that failed, submits the cell's next lower threshold; the first without bad
    debt ends the cell and takes its untried thresholds off the bar."""
    kind = oracle_kind or runner.base.market.oracle.kind
    check_thresholds(runner.base, thresholds)
    descending = sorted(set(thresholds), reverse=True)
    result = Frontier(kind, list(latencies), list(depths), list(thresholds),
                      [Cell(latency, depth) for latency in latencies for depth in depths])
    total = len(result.cells)

    def try_next(number: int, cell: Cell) -> None:
        lt = descending[len(cell.runs)]

        def then(trial: Trial) -> None:
            trial.labels = {"latency_seconds": cell.latency_seconds, "depth_usd": cell.depth_usd, "threshold_bps": lt}
            cell.runs.append(trial)
            runner.note_run(trial, f"[frontier cell {number}/{total}] {_axis_short(kind)} {cell.latency_seconds}s, "
                                   f"depth {report.format_usd_millions(cell.depth_usd)}, LT {lt}: " + (
                                       f"error {trial.error[:60]}" if trial.error
                                       else f"bad debt ${trial.bad_debt_usd:,.0f}") + f" ({trial.seconds:.1f} s)",
                            f"frontier cell {number}/{total}")
            if trial.error is None and trial.bad_debt_usd == 0:
                cell.safe_threshold_bps = lt
                runner.skip(len(descending) - len(cell.runs))  # the lower thresholds are not tried
            elif len(cell.runs) < len(descending):
                try_next(number, cell)

        runner.submit(frontier_overrides(runner.base, kind, cell.latency_seconds, cell.depth_usd, lt), then)

    for number, cell in enumerate(result.cells, start=1):
        try_next(number, cell)
    return result


def number_frontier_runs(f: Frontier) -> None:
    """Each run's `index`: its place in grid order, thresholds from the highest down (not the order
    runs finished in, which depends on the workers)."""
    for index, trial in enumerate(t for c in f.cells for t in c.runs):
        trial.index = index


def frontier(runner: Runner, latencies: Sequence[int], depths: Sequence[int], thresholds: Sequence[int],
             *, oracle_kind: str | None = None) -> Frontier:
    """The highest threshold with zero bad debt in every (latency, depth) cell (see the module doc):
    `start_frontier`, then every run waited for."""
    result = start_frontier(runner, latencies, depths, thresholds, oracle_kind=oracle_kind)
    runner.drain()
    number_frontier_runs(result)
    return result


def _axis_short(kind: str) -> str:
    return "delay" if kind == "latency" else "window"


FRONTIER_COLUMNS = ("oracle_kind", "latency_seconds", "depth_usd", "safe_threshold_bps", "runs")
FRONTIER_RUN_COLUMNS = ("oracle_kind", "latency_seconds", "depth_usd", "threshold_bps", "ltv_bps", "bonus_bps",
                        "bad_debt_usd", "bad_debt_pct", "liquidations", "error", "overrides")


def frontier_table(f: Frontier) -> str:
    """Terminal table: rows = delay / window, columns = AMM depth, cells = safe threshold (bps)."""
    name = "oracle delay" if f.oracle_kind == "latency" else "TWAP window"
    head = [f"{name} \\ AMM depth"] + [report.format_usd_millions(d) for d in f.depths]
    lines = [head]
    for latency in f.latencies:
        row = [report.format_period(latency)]
        for depth in f.depths:
            safe = f.cell(latency, depth).safe_threshold_bps
            row.append("none" if safe is None else f"{safe / 100:g} %")
        lines.append(row)
    title = (f"Safe frontier: highest liquidation threshold with zero bad debt "
             f"(tried {', '.join(f'{t / 100:g} %' for t in sorted(f.thresholds))}; none = all left bad debt)")
    return "\n".join([title, *report.text_grid(lines)])


def write_frontier(out: Path, runner: Runner, f: Frontier, *, figure: bool = True) -> dict[str, Path]:
    """`frontier.csv` (one row per cell), `frontier_runs.csv` (every run) and `frontier.png`."""
    out.mkdir(parents=True, exist_ok=True)
    cells = [{"oracle_kind": f.oracle_kind, "latency_seconds": c.latency_seconds, "depth_usd": c.depth_usd,
              "safe_threshold_bps": "" if c.safe_threshold_bps is None else c.safe_threshold_bps,
              "runs": len(c.runs)} for c in f.cells]
    runs = []
    for c in f.cells:
        for t in c.runs:
            ltv, bonus = frontier_collateral(runner.base, t.labels["threshold_bps"])
            runs.append({"oracle_kind": f.oracle_kind, **t.labels, "ltv_bps": ltv, "bonus_bps": bonus,
                         "bad_debt_usd": t.bad_debt_usd, "bad_debt_pct": t.bad_debt_pct,
                         "liquidations": t.liquidations, "error": t.error or "", "overrides": " ".join(t.overrides)})
    paths = {"frontier": out / "frontier.csv", "frontier_runs": out / "frontier_runs.csv"}
    report.write_csv(paths["frontier"], cells, FRONTIER_COLUMNS, **CSV_OPTIONS)
    report.write_csv(paths["frontier_runs"], runs, FRONTIER_RUN_COLUMNS, **CSV_OPTIONS)
    if figure:
        paths["heatmap"] = heatmap(out / "frontier.png", runner, f)
    return paths


def heatmap(path: Path, runner: Runner, f: Frontier) -> Path:
    """PNG: the safe threshold per (latency, depth) cell, annotated; grey = no threshold was safe."""
    from matplotlib.colors import Normalize

    grid = [[math.nan if (s := f.cell(lat, d).safe_threshold_bps) is None else s / 100 for d in f.depths]
            for lat in f.latencies]
    fig = report.new_figure(figsize=(2.2 + 1.3 * len(f.depths), 1.8 + 0.7 * len(f.latencies)))
    ax = fig.add_subplot(1, 1, 1)
    ax.set_facecolor("#d0d0d0")
    lo, hi = min(f.thresholds) / 100, max(f.thresholds) / 100
    image = ax.imshow(grid, cmap="RdYlGn", norm=Normalize(vmin=lo, vmax=hi if hi > lo else lo + 1),
                      aspect="auto", origin="lower")
    for i, lat in enumerate(f.latencies):
        for j, d in enumerate(f.depths):
            value = grid[i][j]
            ax.text(j, i, "none" if math.isnan(value) else f"{value:g} %", ha="center", va="center", fontsize=9)
    ax.set_xticks(range(len(f.depths)), [report.format_usd_millions(d) for d in f.depths])
    ax.set_yticks(range(len(f.latencies)), [report.format_period(x) for x in f.latencies])
    ax.set_xlabel("AMM depth (both sides)")
    ax.set_ylabel("oracle delay" if f.oracle_kind == "latency" else "TWAP window")
    ax.set_title(f"{runner.scenario_name} (seed {runner.seed}): highest liquidation threshold\n"
                 f"with zero bad debt; grey = every threshold tried left bad debt", fontsize=10)
    fig.colorbar(image, ax=ax, label="liquidation threshold (%)")
    fig.tight_layout()
    return report.save_figure(fig, path)



# -- a whole command -----------------------------------------------------------------------------


@dataclass
class Outcome:
    trials: list[Trial]
    frontier: Frontier | None
    files: dict[str, Path]


def run_plan(runner: Runner, plan: Plan, out: Path, *, latencies: Sequence[int] = (), depths: Sequence[int] = (),
             thresholds: Sequence[int] = (), oracle_kind: str | None = None, top: int = 5, figure: bool = True,
             bar: report.RunProgress | None = None, echo: Callable[[str], None] | None = None) -> Outcome:
    """`ape run fuzz_thresholds`: the frontier (if the plan has cells) and the search
    (`plan.search_runs`) at the same time on the runner's Dask cluster, never more than
    `plan.max_runs` engine runs, reports in `out` (the search's when it ends, the frontier's when
    its last cell ends). Progress lines and the announcements go to `bar` (one bar for both
    studies), results (worst configurations, the frontier table, file paths) to `echo`. Pending runs
    are cancelled if it stops early (an error, ^C)."""
    kind = oracle_kind or runner.base.market.oracle.kind
    runner.max_runs = plan.max_runs if runner.max_runs is None else min(runner.max_runs, plan.max_runs)
    if bar is not None:
        runner.bar = bar
    note = bar.write if bar is not None else (runner.progress or (lambda line: None))
    say = echo or (lambda line: None)
    outcome = Outcome([], None, {})
    try:
        if plan.frontier_cells:
            note(f"frontier: up to {_n(plan.frontier_max_runs, 'run')} ({_n(plan.frontier_cells, 'cell')} x up to "
                 f"{_n(plan.frontier_thresholds, 'threshold')}), the cells in parallel")
            outcome.frontier = start_frontier(runner, latencies, depths, thresholds, oracle_kind=kind)
        if plan.search_runs:
            note(f"search: {_n(plan.search_runs, 'run')}, hypothesis steering towards bad debt, one run at a time"
                 + (" beside the frontier" if plan.frontier_cells else ""))
            outcome.trials = search(runner, plan.search_runs, seed=runner.seed, oracle_kind=kind)
            files = write_search(out, runner, outcome.trials, top)
            outcome.files |= files
            say("")
            for line in worst_lines(runner, outcome.trials, top):
                say(line)
            for name, path in files.items():
                say(f"{name:14s} {path}")
        if outcome.frontier is not None:
            runner.drain()
            number_frontier_runs(outcome.frontier)
            files = write_frontier(out, runner, outcome.frontier, figure=figure)
            outcome.files |= files
            say("\n" + frontier_table(outcome.frontier))
            for name, path in files.items():
                say(f"{name:14s} {path}")
    finally:
        runner.cancel()
    return outcome
