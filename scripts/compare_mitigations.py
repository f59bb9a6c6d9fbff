"""The article's remedies, measured: the baseline, each mechanism and combinations on the same seeds.

    ape run compare_mitigations --scenario real_estate_flash_crash --seeds 5
    ape run compare_mitigations --scenario credit_default_ripple --only grace_period,liquidation_cap
    ape run compare_mitigations ... --set population.borrowers=12 --workers 2
    ape run compare_mitigations ... --scheduler tcp://10.0.0.5:8786     # an existing Dask cluster
    ape run compare_mitigations --scenario real_estate_flash_crash --list   # the variants and their settings
    ape run compare_mitigations --scenario rwa_squared --seeds 10 \
        --variant 'oracle_stall=shocks.+={kind: oracle_outage, at_days: 100, duration_days: 50}'   # your own arms

Runs go through the Monte Carlo executor (`rwa_testbed.sweep`: one Dask task per run, each worker
keeping one anvil; journaled in `runs.jsonl`, so rerunning the same command in the same `--out`
runs only the missing runs). Outputs in `--out`: `comparison.txt` (the table printed),
`comparison.csv`, `comparison.json` (method and each variant's `--set` assignments), `comparison.png`
(bars with bootstrap CIs) and the runs (`runs.csv`, `runs.parquet`). See `rwa_testbed.mitigations`.

Exit codes: 0 done (failed runs are listed and counted in the table); 2 bad input (scenario,
options, an output folder that cannot be written or that another comparison is writing into).
"""

import sys
import time
from pathlib import Path

import click

from rwa_testbed import mitigations, report, sweep
from rwa_testbed import scenario as scenarios


@click.command(short_help="The article's remedies: baseline vs each mechanism, on the same seeds")
@click.option("--scenario", "name", default="real_estate_flash_crash", show_default=True,
              help="built-in scenario name or path to a YAML file (readable on every worker)")
@click.option("--seeds", type=click.IntRange(min=1), default=1, show_default=True,
              help="seeds per variant (derived from --seed; the same for every variant); above 1 the table "
                   "adds each loss's p95 (VaR) and bootstrap CIs")
@click.option("--only", default="", metavar="NAME,NAME",
              help="run the baseline and these variants only (see --list)")
@click.option("--variant", "own", multiple=True, metavar="NAME=KEY.PATH=VALUE[;KEY.PATH=VALUE...]",
              help="compare your own arms instead of the remedies (repeatable): the baseline and each of these, "
                   "its --set assignments separated by ';' (e.g. a shared dependency failing in rwa_squared)")
@click.option("--set", "overrides", multiple=True, metavar="KEY.PATH=VALUE",
              help="an override of every run, as in crash_scenario (repeatable)")
@click.option("--seed", type=click.IntRange(min=0), default=0, show_default=True,
              help="the comparison's seed: the runs' scenario seeds derive from it (and the bootstrap's)")
@click.option("--workers", type=click.IntRange(min=1), default=None,
              help="local worker processes, one run each at a time [default: the CPU count]")
@click.option("--scheduler", default=None, metavar="tcp://HOST:PORT",
              help="an existing Dask scheduler instead of a local cluster")
@click.option("--out", type=click.Path(file_okay=False), default=None,
              help="output folder, also the resume state [default: results/mitigations/<scenario>/seed-<seed>, with --variant results/variants/...]")
@click.option("--no-figure", is_flag=True, help="skip comparison.png")
@click.option("--list", "list_only", is_flag=True, help="print the variants and their settings, run nothing")
@click.option("--progress/--no-progress", "show_bar", default=None,
              help="progress bar over the runs [default: only on a terminal]")
def cli(name, seeds, only, own, overrides, seed, workers, scheduler, out, no_figure, list_only, show_bar):
    if workers and scheduler:
        raise click.UsageError("--workers and --scheduler exclude each other (a cluster has its own workers)")
    try:
        base = scenarios.load(name, list(overrides))
        if base.market.structured is not None and not own:
            raise ValueError("market.structured: the remedies guard the SPV token's reserve alone and are not supported "
                             "with structured products yet; compare shared-dependency failures with --variant "
                             "(see the README, RWA²)")
        arms = mitigations.own_variants(own) if own else mitigations.variants(base)
        for arm in arms:  # every arm loads, before any run
            scenarios.load(name, [*overrides, *arm.overrides])
        chosen = mitigations.choose(arms, [n.strip() for n in only.split(",") if n.strip()])
        if list_only:
            for v in chosen:
                click.echo(f"{v.name}: {v.description}")
                for o in v.overrides:
                    click.echo(f"    --set {o}")
            return
        out_dir = Path(out) if out else Path(base.run.out_dir) / ("variants" if own else "mitigations") / base.name / f"seed-{seed}"
        lock = report.OutputLock(out_dir).acquire()
        job = sweep.Sweep(name, mitigations.Variants(tuple(chosen)), runs=seeds, seed=seed, out=out_dir,
                          base_overrides=overrides)
    except (scenarios.ScenarioError, ValueError, report.OutputFolderError) as err:
        raise click.UsageError(str(err)) from None
    try:
        total, todo = len(job.specs()), len(job.missing())
        where = scheduler or f"a local cluster of {workers or 'CPU-count'} worker processes"
        click.echo(f"{base.name}: {len(chosen)} variants x {seeds} seeds = {total} runs; {total - todo} already in "
                   f"{job.journal}, {todo} to run on {where}", err=True)
        started = time.monotonic()
        job.run_missing(workers=workers, scheduler=scheduler, show_bar=show_bar, label=lambda row: row["variant"])
        rows = job.rows()
        title = f"{base.name}: {'variants' if own else 'mitigations'}, {seeds} seed{'s' if seeds > 1 else ''} each (comparison seed {seed})"
        table, paths = mitigations.write_comparison(out_dir, rows, chosen, seeds=seeds, title=title,
                                                    figure=not no_figure, seed=seed)
        click.echo(mitigations.comparison_text(table, title=title, seeds=seeds))
        failed = sum(r["status"] != "ok" for r in rows)
        click.echo(f"\n{todo} runs this time, {failed} of {len(rows)} failed (see runs.csv), wall time "
                   f"{time.monotonic() - started:.1f} s; outputs in {out_dir}: runs.csv, runs.parquet, runs.jsonl, "
                   + ", ".join(p.name for p in paths.values()))
        sys.stdout.flush()
    finally:
        lock.release()
