"""Runs a scenario end to end on a connected chain and writes its outputs (used by scripts and tests)."""

from __future__ import annotations

from pathlib import Path

from .chain import NodeError
from .engine import Engine, RunIncomplete, RunResult
from .scenario import Scenario, ScenarioError
from .units import SECONDS_PER_DAY


def output_dir(scenario: Scenario) -> Path:
    """`<run.out_dir>/<name>/seed-<seed>`, always inside the results folder: the scenario validates
    the name (one plain folder name) and `run.out_dir` (relative, no '..'); checked again here,
    symlinks resolved, for scenarios built without validation."""
    base = Path(scenario.run.out_dir)
    path = base / scenario.name / f"seed-{scenario.run.seed}"
    if base.is_absolute() or not path.resolve().is_relative_to(base.resolve()) or path.parent.name != scenario.name:
        raise ScenarioError(f"name, run.out_dir: the outputs of '{scenario.name}' would leave the results folder "
                            f"{scenario.run.out_dir!r}; give --out")
    return path


def run(scenario: Scenario, uri: str, *, out: Path | None = None, progress: bool = False,
        figure: bool = True, every_block: bool = False) -> tuple[RunResult, dict[str, Path]]:
    """Deploys, runs and reports `scenario` against the node at `uri`; returns the result and files.

    The output folder is checked writable and locked (`report.OutputLock`) before any chain work. A
    complete run's summary has `"complete": true`. If the node dies or hangs (`NodeError`), what was
    measured so far is written, its summary `"complete": false` with `"incomplete_reason"`, and
    `RunIncomplete` is raised with that result and its files in `files`."""
    from . import report

    out_dir = out or output_dir(scenario)
    with report.OutputLock(out_dir):
        duration = round(scenario.run.duration_days * SECONDS_PER_DAY)
        bar = report.progress(duration, enabled=progress)
        failure: RunIncomplete | None = None
        try:
            engine = Engine(scenario, uri, progress=bar.update if bar else None, every_block=every_block)
            result = engine.run()
            result.summary["complete"] = True
        except RunIncomplete as err:
            failure, result = err, err.result
        except NodeError as err:  # before the first measurement (connecting, deploying)
            summary = {"scenario": scenario.name, "seed": scenario.run.seed, "venue": scenario.venue.kind,
                       "complete": False, "incomplete_reason": str(err)}
            result = RunResult(scenario, [], [], [], summary, None)  # type: ignore[arg-type]
            failure = RunIncomplete(str(err), result)
        finally:
            if bar:
                bar.close()
        written = dict(scenario_name=scenario.name, seed=scenario.run.seed, timeseries=result.timeseries,
                       liquidations=result.liquidations, events=result.events, summary=result.summary,
                       unliquidated=result.unliquidated,
                       draws=result.draws.record() if result.draws is not None else None,
                       products=result.borrower_products)
        if failure is None:
            files = report.write_outputs(out_dir, **written, figure=figure)
        else:
            files = report.write_outputs(out_dir, **written, figure=False)
            try:  # the figure of a partial run, when its rows allow one
                if not (figure and len(result.timeseries) >= 2):
                    raise ValueError("no figure")
                files["figure"] = report.plot(Path(out_dir) / "figure.png", scenario_name=scenario.name,
                                              seed=scenario.run.seed, timeseries=result.timeseries,
                                              liquidations=result.liquidations, events=result.events)
            except Exception:  # noqa: BLE001 - never leave an earlier run's figure beside partial data
                (Path(out_dir) / "figure.png").unlink(missing_ok=True)
    if failure is not None:
        failure.files = files
        raise failure
    return result, files
