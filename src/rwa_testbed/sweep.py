"""Monte Carlo risk: many seeded engine runs over a grid of scenario overrides, on Dask.

A sweep is a grid of `--set`-style overrides (`Grid`, the product of every key's values) times
`runs` seeds (`derive_seeds`: the same seeds at every grid point, so points differ only by their
parameters). Each run is one Dask task (`run_one`, a module-level function so that workers on any
machine import it): it runs the engine on an anvil of its worker (127.0.0.1, a free port, through
`toolchain/bin/anvil`), and returns one row: the grid point, its parameters, the seed, `status`
(`ok` or `error`), `error`, its wall time (`seconds`) and the engine's (`engine_seconds`,
`Engine.run`: the difference is the run's overhead), and every number of the run's summary under
its dotted path (`bad_debt.usd`, `insolvency.at_true_value.final_usd`, ...).

A worker starts its anvil once and keeps it for its lifetime (`sweep_worker.AnvilPlugin`, which
`Sweep.run` registers through the client: a local cluster or `--scheduler`): each run gets it reset
to a fresh node's state (`node.KeptAnvil.reset`, a few ms against ~0.2 s to start one; same summary,
byte for byte, tests/e2e/test_sweep_anvil_reuse.py), a new one if the reset failed, the node died
or the last run lost it (`NodeError`), and the worker stops it when it closes. `reuse_anvil=False` (`--fresh-anvil`): a new anvil per
run, stopped after it (`node.fresh_anvil`).

`Sweep.run(client)` submits the missing runs and writes each row, as it arrives
(`distributed.as_completed`), to the journal `runs.jsonl` (`report.append_jsonl`: one line per
run, flushed); a restart reads the journal and runs exactly the runs it lacks. A run that raised is
a row with `status: error` and its error (deterministic: not retried); a run whose task never
returned (its worker died more often than Dask's `allowed-failures`, the cluster went away) is a
row with `status: lost` and is run again on the next start. The table (every row, in grid and
seed order) is rewritten from the journal at the end, as `runs.csv` (`report.write_csv`) and as
`runs.parquet` (`report.write_parquet`: the same columns, typed, floats exact) for dataframes.

Risk figures per grid point (`risk_table`) over the runs with status `ok`: VaR on the insolvent
debt, realised and at true value (`VAR_METRIC`, the lenders' expected loss), LaR on the debt repaid by liquidations (`LAR_METRIC`), mean, p95
and p99 of each, and the probability of any bad debt (`BAD_DEBT_METRIC` > 0), each with a
percentile-bootstrap confidence interval (`bootstrap_ci`: `RESAMPLES` resamples of the runs with
replacement, `CONFIDENCE` two-sided, seeded). Outputs through `report`: `risk.csv`, `risk.json`,
a terminal table and `risk.png`.
"""

from __future__ import annotations

import itertools
import math
import os
import time
import traceback
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import numpy as np

from . import report
from .node import fresh_anvil
from .scenario import ScenarioError, load, replay_command

# VaR's loss: the insolvent debt at the end, realised (the pool's deficit, written off) plus unrealised
# (debt the collateral does not cover at the asset's true value), USD: `metrics.expected_lender_loss_usd`.
# Not `insolvency.at_true_value.final_usd` alone: once a position is written off its debt leaves that
# figure (a 20-day real_estate_flash_crash run: $0 there, $82M of deficit).
VAR_METRIC = "lenders.expected_loss_usd"
LAR_METRIC = "liquidations.debt_repaid_usd"  # debt repaid by liquidations, USD
BAD_DEBT_METRIC = "bad_debt.usd"  # the pool's on-chain deficit, USD
# Time to collapse: the main cascade's length, from the step that made positions liquidatable to its
# last liquidation (`metrics.main_cascade`), over the runs that had one (> 0): the article's "minutes".
COLLAPSE_METRIC = "timing.onchain_cascade_seconds"
PERCENTILES = (95, 99)
RESAMPLES = 1_000
CONFIDENCE = 0.90
ERROR_CHARS = 2_000  # an error's text kept in a row
RUN_COLUMNS = ("point", "seed", "status", "error", "seconds", "engine_seconds", "replay")
TIMING_COLUMNS = ("seconds", "engine_seconds")  # wall-clock: the only columns that differ between equal runs
JOURNAL = "runs.jsonl"
SEED_BITS = 53  # seeds below 2**53: exact in JSON readers that hold numbers as doubles

# -- the grid and the seeds ----------------------------------------------------------------------


def parse_grid_option(text: str) -> tuple[str, list[str]]:
    """`key.path=v1,v2,...` -> (`key.path`, [`v1`, `v2`, ...]); values as written (YAML, parsed by
    the scenario loader). ValueError on a missing `=`, an empty value or a repeated value."""
    key, sep, values = text.partition("=")
    key = key.strip()
    if not sep or not key:
        raise ValueError(f"--grid {text!r}: expected KEY.PATH=V1,V2,... (e.g. market.oracle.twap_window_seconds=900,3600)")
    items = [v.strip() for v in values.split(",")]
    if not items or any(not v for v in items):
        raise ValueError(f"--grid {text!r}: give comma-separated values, none empty")
    if len(set(items)) != len(items):
        raise ValueError(f"--grid {text!r}: repeated values")
    return key, items


class Space(Protocol):
    """What a sweep runs over: named columns (`keys`), its points (each a value per key: the row's
    columns and label) and the `--set` assignments that make a point's run. `Grid` and `Sample` set
    each key to its value; `mitigations.Variants` maps a variant's name to its assignments."""

    @property
    def keys(self) -> list[str]: ...

    def points(self) -> list[dict[str, str]]: ...

    def overrides(self, point: Mapping[str, str]) -> tuple[str, ...]: ...


@dataclass(frozen=True)
class Grid:
    """The grid: keys in the order given, each with its values; points are their product (the last
    key varies fastest). No key: one point, the scenario as it is."""

    axes: tuple[tuple[str, tuple[str, ...]], ...] = ()

    @classmethod
    def parse(cls, options: Sequence[str]) -> "Grid":
        axes = [parse_grid_option(o) for o in options]
        keys = [k for k, _ in axes]
        if len(set(keys)) != len(keys):
            raise ValueError(f"--grid: a key given twice ({', '.join(sorted({k for k in keys if keys.count(k) > 1}))})")
        return cls(tuple((k, tuple(v)) for k, v in axes))

    @property
    def keys(self) -> list[str]:
        return [k for k, _ in self.axes]

    def points(self) -> list[dict[str, str]]:
        return [dict(zip(self.keys, values)) for values in itertools.product(*(v for _, v in self.axes))]

    def overrides(self, point: Mapping[str, str]) -> tuple[str, ...]:
        """The `--set` assignments that make a run of `point`: its key=value pairs."""
        return assignments(point)


def parse_range_option(text: str) -> tuple[str, float | int, float | int]:
    """`key.path=LOW:HIGH` -> (`key.path`, low, high): ints when both bounds are written as integers
    (then every sampled value is an integer, HIGH included). ValueError on a missing `=`/`:`, a bound that is not a
    number, or low >= high."""
    key, sep, bounds = text.partition("=")
    key = key.strip()
    low_text, colon, high_text = bounds.partition(":")
    if not sep or not key or not colon:
        raise ValueError(f"--sample {text!r}: expected KEY.PATH=LOW:HIGH (e.g. market.oracle.twap_window_seconds=900:14400)")
    try:
        low, high = (int(t.replace("_", "")) if t.strip().lstrip("-").replace("_", "").isdigit() else float(t)
                     for t in (low_text.strip(), high_text.strip()))
    except ValueError:
        raise ValueError(f"--sample {text!r}: LOW and HIGH must be numbers") from None
    if not (math.isfinite(low) and math.isfinite(high)) or low >= high:
        raise ValueError(f"--sample {text!r}: LOW must be below HIGH, both finite")
    return key, low, high


def latin_hypercube(n: int, dims: int, seed: int) -> np.ndarray:
    """`n` points in [0, 1)^dims, one in each of the n equal strata of every dimension (the strata in
    an independent random order per dimension, each point uniform inside its stratum), from
    `numpy.random.default_rng(SeedSequence([seed, LHS_STREAM]))`."""
    rng = np.random.default_rng(np.random.SeedSequence([seed, LHS_STREAM]))
    strata = np.stack([rng.permutation(n) for _ in range(dims)], axis=1)
    return (strata + rng.uniform(size=(n, dims))) / n


LHS_STREAM = 0x1A7  # the sample's stream, apart from the runs' seeds


@dataclass(frozen=True)
class Sample:
    """A Latin hypercube sample of `points` points over ranges (`--sample KEY=LOW:HIGH`, repeatable),
    seeded: the same interface as `Grid` (`keys`, `points()`), the values as `--set` text (integers
    for integer ranges, else 6 significant digits)."""

    ranges: tuple[tuple[str, float | int, float | int], ...]
    count: int
    seed: int = 0

    @classmethod
    def parse(cls, options: Sequence[str], count: int, seed: int = 0) -> "Sample":
        ranges = [parse_range_option(o) for o in options]
        keys = [k for k, _, _ in ranges]
        if len(set(keys)) != len(keys):
            raise ValueError(f"--sample: a key given twice ({', '.join(sorted({k for k in keys if keys.count(k) > 1}))})")
        if count < 1:
            raise ValueError(f"--points must be at least 1, not {count}")
        return cls(tuple(ranges), count, seed)

    @property
    def keys(self) -> list[str]:
        return [k for k, _, _ in self.ranges]

    def points(self) -> list[dict[str, str]]:
        unit = latin_hypercube(self.count, len(self.ranges), self.seed)
        out = []
        for row in unit:
            point = {}
            for (key, low, high), u in zip(self.ranges, row):
                if isinstance(low, int) and isinstance(high, int):  # HIGH included
                    point[key] = str(min(high, low + int(math.floor(u * (high - low + 1)))))
                else:
                    point[key] = f"{low + u * (high - low):.6g}"
            out.append(point)
        return out

    def overrides(self, point: Mapping[str, str]) -> tuple[str, ...]:
        """The `--set` assignments that make a run of `point`: its key=value pairs."""
        return assignments(point)


def assignments(point: Mapping[str, str]) -> tuple[str, ...]:
    """A point of a grid or sample as `--set` assignments, in key order."""
    return tuple(f"{k}={v}" for k, v in point.items())


def point_label(point: Mapping[str, str]) -> str:
    """A grid point as one string, its assignments in grid order ("" for the scenario as it is):
    the key of its rows in the journal."""
    return " ".join(f"{k}={v}" for k, v in point.items())


def derive_seeds(seed: int, runs: int) -> list[int]:
    """`runs` scenario seeds from `seed`: the i-th is drawn from `SeedSequence([seed, i])`, so the
    list for N runs is a prefix of the list for more (raising `--runs` adds runs, keeps the old
    ones). Below 2**`SEED_BITS`; distinct (checked)."""
    out = [int(np.random.SeedSequence([seed, i]).generate_state(1, np.uint64)[0]) >> (64 - SEED_BITS)
           for i in range(runs)]
    if len(set(out)) != len(out):  # ~runs**2 / 2**54: never in practice
        raise ValueError(f"seed {seed}: two of {runs} derived seeds coincide; choose another --seed")
    return out


def number(text: str) -> int | float | str:
    """A grid value as a number when it reads as one (for tables and the figure's axis), else the text."""
    for kind in (int, float):
        try:
            return kind(text.replace("_", ""))
        except ValueError:
            pass
    return text


# -- one run (a Dask task) -----------------------------------------------------------------------


@dataclass(frozen=True)
class RunSpec:
    """Everything a worker needs for one run (plain data: it travels to the worker by pickle)."""

    scenario: str  # built-in name or a YAML path readable on the worker
    base_overrides: tuple[str, ...]
    point: tuple[tuple[str, str], ...]  # the grid point's columns, grid order (its label and row values)
    seed: int
    anvil: str | None = None  # the launcher; None: `node.anvil_launcher()` on the worker
    reuse_anvil: bool = True  # the worker's kept anvil, reset (else a new anvil for this run)
    point_overrides: tuple[str, ...] | None = None  # the point's `--set` assignments; None: its key=value pairs

    @property
    def label(self) -> str:
        return point_label(dict(self.point))

    @property
    def overrides(self) -> list[str]:
        point = assignments(dict(self.point)) if self.point_overrides is None else self.point_overrides
        return [*self.base_overrides, *point]

    @property
    def replay(self) -> str:
        """The command that reruns this run alone (its stochastic draws included)."""
        return replay_command(self.scenario, self.seed, self.overrides)


def run_one(spec: RunSpec) -> dict:
    """One run on an anvil in a fresh node's state (`_anvil`): the row (`RUN_COLUMNS`, the point's
    parameters, every summary number). `seconds` is the task's wall time from its start (a worker's
    first run includes the imports), `engine_seconds` the wall time of `Engine.run` (deployment
    and run; None if it never started). Never raises for a failing run: the error is in the row
    (`status: error`)."""
    started = time.monotonic()
    from .engine import Engine

    row: dict = {"point": spec.label, "seed": spec.seed, "status": "ok", "error": None, "engine_seconds": None,
                 "replay": spec.replay}
    row.update({k: number(v) for k, v in spec.point})
    try:
        scenario = load(spec.scenario, spec.overrides, seed=spec.seed)
        with _anvil(spec) as uri:
            engine = Engine(scenario, uri)
            engine_started = time.monotonic()
            try:
                result = engine.run()
            finally:
                row["engine_seconds"] = time.monotonic() - engine_started
        row.update({k: v for k, v in report.flatten_numbers(result.summary).items() if k not in row})
    except Exception as err:  # noqa: BLE001 - every failure is a row, never a lost run
        row["status"] = "error"
        row["error"] = _error_text(err)
    row["seconds"] = time.monotonic() - started
    return row


def _anvil(spec: RunSpec) -> AbstractContextManager[str]:
    """The worker's kept anvil, reset (`sweep_worker.worker_pool`), when the spec reuses anvils and
    the worker has the plugin; else a new anvil for this run alone."""
    if spec.reuse_anvil:
        from .sweep_worker import worker_pool

        pool = worker_pool()
        if pool is not None:
            return pool.lease(launcher=spec.anvil)
    return fresh_anvil(launcher=spec.anvil)


def _error_text(err: BaseException) -> str:
    text = f"{type(err).__name__}: {err}"
    if not isinstance(err, ScenarioError):  # where it happened, for errors that are not the input's
        frames = traceback.extract_tb(err.__traceback__)
        if frames:
            text += f" (at {Path(frames[-1].filename).name}:{frames[-1].lineno})"
    return text[:ERROR_CHARS]


# -- the sweep -----------------------------------------------------------------------------------


class Sweep:
    """A grid x seeds of runs of one scenario, its journal and table in `out`."""

    def __init__(self, scenario: str, grid: Space, *, runs: int, seed: int, out: Path,
                 base_overrides: Sequence[str] = (), anvil: str | None = None, reuse_anvil: bool = True):
        if runs < 1:
            raise ValueError(f"--runs must be at least 1, not {runs}")
        self.scenario, self.grid, self.out = scenario, grid, Path(out)
        self.base_overrides = tuple(base_overrides)
        self.seed = seed
        self.seeds = derive_seeds(seed, runs)
        self.anvil = anvil
        self.reuse_anvil = reuse_anvil
        labels = [point_label(p) for p in grid.points()]
        if len(set(labels)) != len(labels):
            raise ValueError("the sample repeats a point (an integer range narrower than --points): fewer --points "
                             "or wider ranges")
        for point in grid.points():  # every grid point must load before any run
            load(scenario, [*self.base_overrides, *grid.overrides(point)], seed=self.seeds[0])

    @property
    def journal(self) -> Path:
        return self.out / JOURNAL

    def specs(self) -> list[RunSpec]:
        """Every run, in grid order then seed order."""
        return [RunSpec(self.scenario, self.base_overrides, tuple(point.items()), seed, self.anvil, self.reuse_anvil,
                        tuple(self.grid.overrides(point)))
                for point in self.grid.points() for seed in self.seeds]

    def rows(self) -> list[dict]:
        """The journal's rows of this sweep's runs (the last row of a run wins), in `specs` order."""
        latest = {(r.get("point"), r.get("seed")): r for r in report.read_jsonl(self.journal)}
        return [latest[(s.label, s.seed)] for s in self.specs() if (s.label, s.seed) in latest]

    def missing(self) -> list[RunSpec]:
        """The runs without a row, or whose row is `lost` (its task never returned)."""
        done = {(r["point"], r["seed"]) for r in self.rows() if r.get("status") != "lost"}
        return [s for s in self.specs() if (s.label, s.seed) not in done]

    def run(self, client, *, bar: report.RunProgress | None = None,
            on_row: Callable[[dict], None] | None = None, limit: int | None = None) -> list[dict]:
        """Submits the missing runs (at most `limit`) to the Dask `client` and journals each row as
        it finishes; returns the new rows in the order they finished. Then rewrites the table (`write_table`).
        Registers the workers' anvil plugin first (idempotent: kept anvils stay) when reusing anvils."""
        from distributed import as_completed

        self.out.mkdir(parents=True, exist_ok=True)
        todo = self.missing()[:limit] if limit is not None else self.missing()
        if todo and self.reuse_anvil:
            from .sweep_worker import AnvilPlugin

            client.register_plugin(AnvilPlugin())
        futures = {client.submit(run_one, spec, pure=False, key=f"sweep-run-{i}-{spec.seed}-{os.getpid()}-{time.time_ns()}"): spec
                   for i, spec in enumerate(todo)}
        new = []
        try:
            for future in as_completed(futures):
                # each future dropped once read (the loop's name too, before it waits for the next):
                # a worker that dies would otherwise compute again, a whole engine run each, every
                # finished run whose result it holds
                row = _row_of(future, futures.pop(future))
                del future
                report.append_jsonl(self.journal, row)
                new.append(row)
                if bar is not None:
                    bar.ran(row["seconds"] or 0.0, postfix=f"{sum(r['status'] != 'ok' for r in new)} failed")
                if on_row is not None:
                    on_row(row)
        finally:
            for future in futures:
                future.cancel()
            self.write_table()
        return new

    def run_missing(self, *, workers: int | None = None, scheduler: str | None = None,
                    show_bar: bool | None = None, label: Callable[[dict], str] | None = None) -> int:
        """What a command does with this sweep: the missing runs on a Dask client (`dask_client`:
        `workers` local processes or the cluster at `scheduler`) under a progress bar, a failed run's
        error written above the bar (named by `label(row)`, default its point); or, with nothing to
        run, the table rewritten. Returns how many runs it started."""
        from .deployment import compile_contracts

        todo = len(self.missing())
        if not todo:
            self.write_table()
            return 0
        name = label or (lambda row: row["point"] or "(scenario)")
        compile_contracts()
        with dask_client(workers=workers, scheduler=scheduler, scratch=self.out / "dask-scratch") as client, \
                report.RunProgress(todo, workers=slots(client), enabled=show_bar) as bar:
            self.run(client, bar=bar, on_row=lambda row: row["status"] != "ok" and bar.write(
                f"run {name(row)} seed {row['seed']}: {row['status']}: {row['error']}"))
        return todo

    def write_table(self) -> dict[str, Path]:
        """`runs.csv` and `runs.parquet`: every journaled row of this sweep, grid then seed order,
        the same columns in the same order (`RUN_COLUMNS`, the grid's keys, then every metric sorted)."""
        rows, columns = self.rows(), (*RUN_COLUMNS, *self.grid.keys)
        return {"runs_csv": report.write_csv(self.out / "runs.csv", rows, columns, name="runs"),
                "runs_parquet": report.write_parquet(self.out / "runs.parquet", rows, columns, name="runs")}


def _row_of(future, spec: RunSpec) -> dict:
    """The row a finished task returned, or its `lost` row when the task never returned."""
    try:
        return future.result()
    except Exception as err:  # noqa: BLE001 - the task never returned: lost, run again next time
        return {"point": spec.label, "seed": spec.seed, "status": "lost", "error": _error_text(err),
                "seconds": None, "engine_seconds": None, "replay": spec.replay, **{k: number(v) for k, v in spec.point}}


@contextmanager
def dask_client(*, workers: int | None = None, scheduler: str | None = None,
                scratch: Path | None = None) -> Iterator[object]:
    """A Dask client: on an existing cluster (`scheduler`, e.g. tcp://host:8786) or on a
    `LocalCluster` of `workers` processes (default: the CPU count), one thread each, spilling to
    `scratch`, no dashboard."""
    from distributed import Client, LocalCluster

    if scheduler:
        with Client(scheduler) as client:
            yield client
        return
    n = workers or os.cpu_count() or 1
    with LocalCluster(n_workers=n, threads_per_worker=1, processes=True, dashboard_address=None,
                      local_directory=str(scratch) if scratch else None) as cluster, Client(cluster) as client:
        yield client


def slots(client) -> int:
    """How many runs the client's cluster runs at once: its workers' threads, added up (at least 1)."""
    return max(1, sum(w.get("nthreads", 1) for w in client.scheduler_info()["workers"].values()))


# -- risk figures --------------------------------------------------------------------------------


def bootstrap_ci(values: Sequence[float], stat: Callable[[np.ndarray], np.ndarray], *,
                 resamples: int = RESAMPLES, confidence: float = CONFIDENCE, seed: int = 0) -> tuple[float, float]:
    """Percentile-bootstrap confidence interval of `stat` over `values`: `resamples` resamples of
    the values with replacement (`numpy.random.default_rng(seed)`, the same indices for equal
    seed and length), `stat` applied along axis 1 of the (resamples, n) array, and the
    (1 - confidence)/2 and (1 + confidence)/2 quantiles of the results. (nan, nan) without values."""
    x = np.asarray(values, dtype=float)
    if x.size == 0:
        return (float("nan"), float("nan"))
    idx = np.random.default_rng(seed).integers(0, x.size, size=(resamples, x.size))
    stats = np.asarray(stat(x[idx]), dtype=float)
    lo, hi = np.quantile(stats, [(1 - confidence) / 2, (1 + confidence) / 2])
    return (float(lo), float(hi))


def mean_of(a: np.ndarray) -> np.ndarray:
    """The mean along the last axis (a statistic for `bootstrap_ci`)."""
    return np.mean(a, axis=-1)


def percentile_of(q: float) -> Callable[[np.ndarray], np.ndarray]:
    """The `q`-th percentile along the last axis, numpy's linear method (a statistic for `bootstrap_ci`)."""
    return lambda a: np.percentile(a, q, axis=-1)


def _any_positive(a: np.ndarray) -> np.ndarray:
    return np.mean(a > 0, axis=-1)


def risk_table(rows: Sequence[Mapping], grid_keys: Sequence[str] = (), *, resamples: int = RESAMPLES,
               confidence: float = CONFIDENCE, seed: int = 0) -> list[dict]:
    """One row per grid point (first-seen order): `runs` (rows), `ok` and `failed` counts, then
    over the `ok` runs, for `var` (`VAR_METRIC`) and `lar` (`LAR_METRIC`): `_mean`, `_p95`, `_p99`,
    each with `_lo`/`_hi` (the bootstrap CI, `bootstrap_ci` with `seed`); and `p_bad_debt` (share of
    runs with `BAD_DEBT_METRIC` > 0) with its CI. Percentiles are numpy's default (linear)."""
    by_point: dict[str, list[Mapping]] = {}
    for row in rows:
        by_point.setdefault(row["point"], []).append(row)
    out = []
    for label, group in by_point.items():
        ok = [r for r in group if r.get("status") == "ok"]
        entry: dict = {"point": label, **{k: group[0].get(k) for k in grid_keys},
                       "runs": len(group), "ok": len(ok), "failed": len(group) - len(ok)}
        for name, metric in (("var", VAR_METRIC), ("lar", LAR_METRIC)):
            x = np.array([float(r[metric]) for r in ok])
            stats = [("mean", mean_of)] + [(f"p{q}", percentile_of(q)) for q in PERCENTILES]
            for stat_name, stat in stats:
                entry[f"{name}_{stat_name}"] = float(stat(x)) if x.size else float("nan")
                lo, hi = bootstrap_ci(x, stat, resamples=resamples, confidence=confidence, seed=seed)
                entry[f"{name}_{stat_name}_lo"], entry[f"{name}_{stat_name}_hi"] = lo, hi
        bad = np.array([float(r[BAD_DEBT_METRIC]) for r in ok])
        entry["p_bad_debt"] = float(_any_positive(bad)) if bad.size else float("nan")
        entry["p_bad_debt_lo"], entry["p_bad_debt_hi"] = bootstrap_ci(bad, _any_positive, resamples=resamples,
                                                                      confidence=confidence, seed=seed)
        collapse = np.array([float(r[COLLAPSE_METRIC]) for r in ok if float(r[COLLAPSE_METRIC]) > 0])
        entry["collapse_runs"] = int(collapse.size)
        for stat_name, stat in (("median", percentile_of(50)), ("p95", percentile_of(95))):
            entry[f"collapse_{stat_name}_s"] = float(stat(collapse)) if collapse.size else float("nan")
            lo, hi = bootstrap_ci(collapse, stat, resamples=resamples, confidence=confidence, seed=seed)
            entry[f"collapse_{stat_name}_s_lo"], entry[f"collapse_{stat_name}_s_hi"] = lo, hi
        out.append(entry)
    return out


def risk_columns(grid_keys: Sequence[str]) -> tuple[str, ...]:
    cols = ["point", *grid_keys, "runs", "ok", "failed"]
    for name in ("var", "lar"):
        for stat in ("mean", *(f"p{q}" for q in PERCENTILES)):
            cols += [f"{name}_{stat}", f"{name}_{stat}_lo", f"{name}_{stat}_hi"]
    cols += ["p_bad_debt", "p_bad_debt_lo", "p_bad_debt_hi", "collapse_runs"]
    for stat in ("median", "p95"):
        cols += [f"collapse_{stat}_s", f"collapse_{stat}_s_lo", f"collapse_{stat}_s_hi"]
    return tuple(cols)


def risk_text(risk: Sequence[Mapping], *, title: str, confidence: float = CONFIDENCE) -> str:
    """The terminal table: a line per grid point, each figure with its CI in brackets."""
    def with_ci(entry, key, fmt=report.format_usd_compact):
        v = entry[key]
        if v != v:  # nan: no ok runs (or none collapsed)
            return "-"
        return f"{fmt(v)} [{fmt(entry[key + '_lo'])}, {fmt(entry[key + '_hi'])}]"

    header = ["grid point", "runs", "failed", "VaR mean", "VaR p95", "VaR p99", "LaR mean", "LaR p95", "LaR p99",
              "P(bad debt)", "collapses", "collapse median"]
    lines = [header]
    for e in risk:
        p = e["p_bad_debt"]
        lines.append([e["point"] or "(scenario)", str(e["runs"]), str(e["failed"]),
                      *(with_ci(e, f"{n}_{s}") for n in ("var", "lar") for s in ("mean", "p95", "p99")),
                      "-" if p != p else f"{p:.0%} [{e['p_bad_debt_lo']:.0%}, {e['p_bad_debt_hi']:.0%}]",
                      str(e["collapse_runs"]), with_ci(e, "collapse_median_s", report.format_duration)])
    note = (f"VaR: {VAR_METRIC}; LaR: {LAR_METRIC}; P(bad debt): {BAD_DEBT_METRIC} > 0; collapse: "
            f"{COLLAPSE_METRIC} of the runs with a cascade; [{confidence:.0%} bootstrap CI, {RESAMPLES:,} resamples]")
    return "\n".join([title, *report.text_grid(lines), note])


def risk_figure(path: Path, risk: Sequence[Mapping], grid_keys: Sequence[str], *, title: str,
                rows: Sequence[Mapping] = ()) -> Path:
    """`risk.png`: top, VaR and LaR (mean, p95, p99, the percentiles with their CI bands) against the
    swept parameter (one numeric key), or against the grid points in order (several keys); bottom,
    given the `rows`, the histograms per grid point of the VaR loss and of the time to collapse."""
    fig = report.new_figure(figsize=(12, 9 if rows else 5))
    grid = fig.subplots(2 if rows else 1, 2)
    axes = grid[0] if rows else grid
    numeric = len(grid_keys) == 1 and all(isinstance(e.get(grid_keys[0]), (int, float)) for e in risk)
    if numeric:  # in the parameter's order (a sample's points come unordered)
        risk = sorted(risk, key=lambda e: e[grid_keys[0]])
    xs = [e[grid_keys[0]] for e in risk] if numeric else list(range(len(risk)))
    for ax, (name, metric) in zip(axes, (("var", VAR_METRIC), ("lar", LAR_METRIC))):
        ax.plot(xs, [e[f"{name}_mean"] for e in risk], "o--", color=report.COLORS["total"], label="mean")
        for q, color in zip(PERCENTILES, (report.COLORS["oracle"], report.COLORS["liq"])):
            key = f"{name}_p{q}"
            ax.plot(xs, [e[key] for e in risk], "o-", color=color, label=f"p{q}")
            ax.fill_between(xs, [e[key + "_lo"] for e in risk], [e[key + "_hi"] for e in risk], color=color,
                            alpha=0.15, label=f"p{q} {CONFIDENCE:.0%} CI")
        ax.set_title(report.tex_safe(f"{'VaR' if name == 'var' else 'LaR'}: {metric}"))
        ax.yaxis.set_major_formatter(report.usd_formatter())
        ax.set_ylim(bottom=0)
        if numeric:
            ax.set_xlabel(report.tex_safe(grid_keys[0]))
        else:
            ax.set_xticks(xs)
            ax.set_xticklabels([report.tex_safe(e["point"] or "(scenario)") for e in risk], rotation=20,
                               ha="right", fontsize=7)
        ax.grid(alpha=0.3)
    axes[0].legend(loc="upper left", fontsize=8)
    if rows:
        _histograms(grid[1], risk, rows)
    fig.suptitle(report.tex_safe(title))
    fig.tight_layout()
    return report.save_figure(fig, path)


def _histograms(axes, risk: Sequence[Mapping], rows: Sequence[Mapping]) -> None:
    """Per grid point (one step outline each, shared bins): the VaR loss of every `ok` run, and the
    time to collapse (minutes) of the runs with a cascade."""
    ok = [r for r in rows if r.get("status") == "ok"]
    losses = {e["point"]: [float(r[VAR_METRIC]) for r in ok if r["point"] == e["point"]] for e in risk}
    collapses = {e["point"]: [float(r[COLLAPSE_METRIC]) / 60 for r in ok
                              if r["point"] == e["point"] and float(r[COLLAPSE_METRIC]) > 0] for e in risk}
    for ax, values, xlabel, title in (
            (axes[0], losses, "USD", f"VaR loss per run: {VAR_METRIC}"),
            (axes[1], collapses, "minutes", f"time to collapse, runs with a cascade: {COLLAPSE_METRIC}")):
        every = [v for vs in values.values() for v in vs]
        if every:
            bins = np.linspace(min(every), max(every), 21) if max(every) > min(every) else 10
            for point, vs in values.items():
                if vs:
                    ax.hist(vs, bins=bins, histtype="step", linewidth=1.5,
                            label=report.tex_safe(f"{point or '(scenario)'} ({len(vs)})"))
            ax.legend(fontsize=7)
        else:
            ax.text(0.5, 0.5, "no runs", ha="center", va="center", transform=ax.transAxes)
        if xlabel == "USD":
            ax.xaxis.set_major_formatter(report.usd_formatter())
        ax.set_xlabel(xlabel)
        ax.set_ylabel("runs")
        ax.set_title(report.tex_safe(title), fontsize=9)
        ax.grid(alpha=0.3)


def write_risk(out: Path, rows: Sequence[Mapping], grid_keys: Sequence[str], *, title: str,
               figure: bool = True, seed: int = 0) -> tuple[list[dict], dict[str, Path]]:
    """`risk.csv`, `risk.json` (with the method) and `risk.png` in `out`; returns the table and paths."""
    risk = risk_table(rows, grid_keys, seed=seed)
    out = Path(out)
    paths = {"risk_csv": report.write_csv(out / "risk.csv", risk, risk_columns(grid_keys), name="risk"),
             "risk_json": report.write_json(out / "risk.json", {
                 "method": {"var_metric": VAR_METRIC, "lar_metric": LAR_METRIC, "bad_debt_metric": BAD_DEBT_METRIC,
                            "percentiles": list(PERCENTILES), "percentile_method": "numpy linear",
                            "ci": "percentile bootstrap over the runs", "resamples": RESAMPLES,
                            "confidence": CONFIDENCE, "bootstrap_seed": seed, "collapse_metric": COLLAPSE_METRIC,
                            "collapse_runs": "runs with a cascade (collapse_metric > 0); median and p95 over them"},
                 "points": risk})}
    if figure and risk:
        paths["risk_png"] = risk_figure(out / "risk.png", risk, grid_keys, title=title, rows=rows)
    return risk, paths
