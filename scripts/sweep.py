"""Monte Carlo risk: many seeded runs over a grid, on Dask; VaR and LaR with bootstrap CIs.

    ape run sweep --scenario real_estate_flash_crash --grid market.oracle.twap_window_seconds=900,3600 \\
        --runs 4 --set population.borrowers=12 --set population.holders=8
    ape run sweep ... --sample market.oracle.twap_window_seconds=900:14400 --points 20   # Latin hypercube
    ape run sweep ... --workers 8                         # a LocalCluster of 8 processes
    ape run sweep ... --scheduler tcp://10.0.0.5:8786     # an existing Dask cluster

Each run is one Dask task; a worker keeps one anvil and resets it between its runs (`--fresh-anvil`:
a new anvil per run). Rows are journaled as runs finish (`runs.jsonl`); rerunning the same command
in the same `--out` runs only the missing runs. See `rwa_testbed.sweep`.

A plain click command (no `ConnectedProviderCommand`): this process never talks to a chain, the
workers start their own nodes.
"""

import sys
import time
from pathlib import Path

import click

from rwa_testbed import sweep
from rwa_testbed import scenario as scenarios


@click.command(short_help="Monte Carlo risk over a grid: VaR/LaR with bootstrap CIs, on Dask")
@click.option("--scenario", "name", default="real_estate_flash_crash", show_default=True,
              help="built-in scenario name or path to a YAML file (readable on every worker)")
@click.option("--grid", "grid", multiple=True, metavar="KEY.PATH=V1,V2,...",
              help="a swept override with its values (repeatable: the grid is the product)")
@click.option("--set", "overrides", multiple=True, metavar="KEY.PATH=VALUE",
              help="a fixed override of every run, as in crash_scenario (repeatable)")
@click.option("--sample", "sample", multiple=True, metavar="KEY.PATH=LOW:HIGH",
              help="instead of --grid: a range to sample (repeatable); --points points of a Latin hypercube over "
                   "the ranges, seeded by --seed (integer bounds: integer values, HIGH included)")
@click.option("--points", type=click.IntRange(min=1), default=10, show_default=True,
              help="with --sample: how many points the Latin hypercube draws")
@click.option("--runs", type=click.IntRange(min=1), default=10, show_default=True, help="seeds per grid point")
@click.option("--seed", type=click.IntRange(min=0), default=0, show_default=True,
              help="the sweep's seed: the runs' scenario seeds derive from it (and the bootstrap's)")
@click.option("--workers", type=click.IntRange(min=1), default=None,
              help="local worker processes, one run each at a time [default: the CPU count]")
@click.option("--scheduler", default=None, metavar="tcp://HOST:PORT",
              help="an existing Dask scheduler instead of a local cluster")
@click.option("--out", type=click.Path(file_okay=False), default=None,
              help="output folder, also the resume state [default: results/sweep/<scenario>/seed-<seed>]")
@click.option("--no-figure", is_flag=True, help="skip risk.png")
@click.option("--fresh-anvil", is_flag=True,
              help="start a new anvil for every run instead of resetting the worker's kept one")
@click.option("--progress/--no-progress", "show_bar", default=None,
              help="progress bar over the runs [default: only on a terminal]")
def cli(name, grid, sample, points, overrides, runs, seed, workers, scheduler, out, no_figure, fresh_anvil, show_bar):
    if workers and scheduler:
        raise click.UsageError("--workers and --scheduler exclude each other (a cluster has its own workers)")
    if grid and sample:
        raise click.UsageError("--grid and --sample exclude each other (a grid's product or a sample's points)")
    try:
        base = scenarios.load(name, list(overrides))
        out_dir = Path(out) if out else Path(base.run.out_dir) / "sweep" / base.name / f"seed-{seed}"
        space = sweep.Sample.parse(sample, points, seed) if sample else sweep.Grid.parse(grid)
        job = sweep.Sweep(name, space, runs=runs, seed=seed, out=out_dir, base_overrides=overrides,
                          reuse_anvil=not fresh_anvil)
    except (scenarios.ScenarioError, ValueError) as err:
        raise click.UsageError(str(err)) from None
    total = len(job.specs())
    todo = len(job.missing())
    where = scheduler or f"a local cluster of {workers or 'CPU-count'} worker processes"
    click.echo(f"{base.name}: {len(job.grid.points())} grid points x {runs} seeds = {total} runs; "
               f"{total - todo} already in {job.journal}, {todo} to run on {where}", err=True)
    started = time.monotonic()
    job.run_missing(workers=workers, scheduler=scheduler, show_bar=show_bar)
    rows = job.rows()
    title = f"{base.name}: {len(rows)} runs, sweep seed {seed}"
    risk, paths = sweep.write_risk(out_dir, rows, job.grid.keys, title=title, figure=not no_figure, seed=seed)
    click.echo(sweep.risk_text(risk, title=title))
    failed = sum(r["status"] != "ok" for r in rows)
    click.echo(f"\n{todo} runs this time, {failed} of {len(rows)} failed (see runs.csv), wall time "
               f"{time.monotonic() - started:.1f} s; outputs in {out_dir}: runs.csv, runs.parquet, runs.jsonl, "
               + ", ".join(p.name for p in paths.values()))
    sys.stdout.flush()

