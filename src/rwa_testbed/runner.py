"""Runs a scenario end to end on a connected chain and writes its outputs (used by scripts and tests)."""

from __future__ import annotations

from pathlib import Path

from .engine import Engine, RunResult
from .scenario import Scenario
from .world import SECONDS_PER_DAY


def output_dir(scenario: Scenario) -> Path:
    return Path(scenario.run.out_dir) / scenario.name / f"seed-{scenario.run.seed}"


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
