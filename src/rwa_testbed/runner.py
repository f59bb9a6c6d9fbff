"""Runs a scenario end to end on a connected chain and writes its outputs (used by scripts and tests)."""

from __future__ import annotations

from pathlib import Path

from .engine import Engine, RunResult
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
    """Deploys, runs and reports `scenario` against the node at `uri`; returns the result and files."""
    from . import report

    duration = round(scenario.run.duration_days * SECONDS_PER_DAY)
    bar = report.progress(duration, enabled=progress)
    engine = Engine(scenario, uri, progress=bar.update if bar else None, every_block=every_block)
    try:
        result = engine.run()
    finally:
        if bar:
            bar.close()
    files = report.write_outputs(
        out or output_dir(scenario),
        scenario_name=scenario.name,
        seed=scenario.run.seed,
        timeseries=result.timeseries,
        liquidations=result.liquidations,
        events=result.events,
        summary=result.summary,
        unliquidated=result.unliquidated,
        figure=figure,
    )
    return result, files
