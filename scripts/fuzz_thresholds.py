"""Searches risk parameters for bad debt and maps the safe liquidation-threshold frontier.

    ape run fuzz_thresholds                                  # real_estate_flash_crash: 20 search runs + default grid
    ape run fuzz_thresholds --budget 60 --seed 3             # 60 runs in all: grid up to 45, search 15
    ape run fuzz_thresholds --budget 5 --no-frontier         # 5 search runs, nothing else
    ape run fuzz_thresholds --delays 900,1800,3600 --depths 25000000,100000000 --thresholds 4000,5000,6000,7000
    ape run fuzz_thresholds --scenario credit_default_ripple --oracle-kind latency --delays 0,3600,86400 \\
        --set market.custodian.report_every_days=1 --set market.custodian.reporting_lag_days=0
    ape run fuzz_thresholds --budget 5                       # usage error: the default grid needs up to 45 runs
    ape run fuzz_thresholds --workers 4                      # a LocalCluster of 4 processes
    ape run fuzz_thresholds --scheduler tcp://10.0.0.5:8786  # an existing Dask cluster

`--budget` counts every engine run of the command, search and frontier: the frontier takes its worst
case (cells x thresholds), the search the rest. The plan is printed before the first run, a time
estimate after it, and one progress bar counts the runs of both.

Every engine run is a Dask task on its own anvil, as in `ape run sweep`: the frontier's cells run
in parallel, the hypothesis search one run at a time beside them. The same --seed gives the same
runs and byte-identical files on any number of workers. A plain click command (no
`ConnectedProviderCommand`): this process never talks to a chain.

See `rwa_testbed.fuzzing` for what is searched and how the frontier is computed.
"""

import sys
import time
from pathlib import Path

import click

from rwa_testbed import deployment, fuzzing, report, sweep
from rwa_testbed import scenario as scenarios


class IntList(click.ParamType):
    """A comma-separated list of integers (underscores allowed), each >= `minimum`."""

    name = "N,N,..."

    def __init__(self, minimum: int = 0, maximum: int | None = None):
        self.minimum, self.maximum = minimum, maximum

    def convert(self, value, param, ctx):
        if isinstance(value, list):
            return value
        items = [item.strip() for item in str(value).split(",") if item.strip()]
        if not items:
            self.fail("give at least one number, e.g. 1800,3600", param, ctx)
        out = []
        for item in items:
            try:
                number = int(item.replace("_", ""))
            except ValueError:
                self.fail(f"'{item}' is not an integer (expected a comma-separated list like 1800,3600)", param, ctx)
            if number < self.minimum or (self.maximum is not None and number > self.maximum):
                bound = f"between {self.minimum} and {self.maximum}" if self.maximum is not None else f">= {self.minimum}"
                self.fail(f"{number} is out of range: each value must be {bound}", param, ctx)
            out.append(number)
        if len(set(out)) != len(out):
            self.fail(f"repeated values in {value}", param, ctx)
        return out


HELP = """Searches risk parameters for bad debt (hypothesis) and maps the safe liquidation-threshold
frontier (oracle delay or TWAP window x AMM depth).

Every engine run is a Dask task on its own anvil, as in `ape run sweep`: on a local cluster of
--workers processes (default: the CPU count; scratch in OUT/dask-scratch) or on an existing
cluster (--scheduler). The frontier's cells run in parallel (a cell's next lower threshold only
after its previous one left bad debt), the search one run at a time beside them. The same --seed
gives the same runs and byte-identical files on any number of workers. --budget counts every
engine run, search and frontier, and is never exceeded; a failed run is kept with its error."""


@click.command(short_help="Fuzz risk parameters for bad debt; map the safe frontier, on Dask", help=HELP)
@click.option("--scenario", "name", default="real_estate_flash_crash", show_default=True,
              help="built-in scenario name or path to a YAML file (the base of every run)")
@click.option("--seed", type=click.IntRange(min=0), default=None,
              help="scenario seed (run.seed) of every run, also seeds the search [default: the scenario's]")
@click.option("--budget", type=click.IntRange(min=1), default=None,
              help="engine runs in all, search + frontier (never exceeded): the frontier takes its worst case "
                   "(cells x thresholds), the search the rest [default: 20 search runs + the frontier's worst case]")
@click.option("--top", type=click.IntRange(min=1), default=5, show_default=True,
              help="worst configurations to print (only runs that left bad debt)")
@click.option("--oracle-kind", type=click.Choice(["latency", "twap"]), default=None,
              help="oracle of the search and the grid [default: the scenario's]")
@click.option("--delays", type=IntList(minimum=0), default="900,1800,3600", show_default=True,
              help="grid rows: oracle delay (latency) or TWAP window (twap), seconds")
@click.option("--depths", type=IntList(minimum=1), default="25000000,100000000,400000000", show_default=True,
              help="grid columns: AMM depth, USD (both sides)")
@click.option("--thresholds", type=IntList(minimum=1, maximum=9_900), default="3000,4000,5000,6000,7500",
              show_default=True, help="liquidation thresholds to try per cell, bps")
@click.option("--borrowers", type=click.IntRange(min=1), default=12, show_default=True,
              help="population.borrowers of every run")
@click.option("--holders", type=click.IntRange(min=0), default=8, show_default=True, help="population.holders")
@click.option("--days", type=click.FloatRange(min=0, min_open=True), default=25, show_default=True,
              help="run.duration_days")
@click.option("--set", "overrides", multiple=True, metavar="KEY.PATH=VALUE",
              help="extra base override for every run, as in crash_scenario (repeatable)")
@click.option("--workers", type=click.IntRange(min=1), default=None,
              help="local worker processes, one run each at a time [default: the CPU count]")
@click.option("--scheduler", default=None, metavar="tcp://HOST:PORT",
              help="an existing Dask scheduler instead of a local cluster (excludes --workers)")
@click.option("--no-search", is_flag=True, help="skip the search")
@click.option("--no-frontier", is_flag=True, help="skip the frontier grid (the whole budget goes to the search)")
@click.option("--progress/--no-progress", "show_bar", default=None,
              help="progress bar over the engine runs [default: only on a terminal]")
@click.option("--no-figure", is_flag=True, help="skip the heatmap PNG")
@click.option("--out", type=click.Path(file_okay=False), default=None,
              help="output folder [default: results/fuzz_thresholds/<scenario>/seed-<seed>]")
def cli(name, seed, budget, top, oracle_kind, delays, depths, thresholds, borrowers, holders, days, overrides,
        workers, scheduler, no_search, no_frontier, show_bar, no_figure, out):
    if workers and scheduler:
        raise click.UsageError("--workers and --scheduler exclude each other (a cluster has its own workers)")
    base = [f"population.borrowers={borrowers}", f"population.holders={holders}", f"run.duration_days={days:g}",
            *overrides]
    cells = 0 if no_frontier else len(delays) * len(depths)
    try:
        plan = fuzzing.plan_runs(budget, search=not no_search, cells=cells, thresholds=len(thresholds))
        runner = fuzzing.Runner(None, name, base, seed=seed, max_runs=plan.max_runs)  # the client comes below
        if not no_frontier:
            fuzzing.check_thresholds(runner.base, thresholds)
    except (scenarios.ScenarioError, ValueError) as err:
        raise click.UsageError(str(err)) from None
    kind = oracle_kind or runner.base.market.oracle.kind
    out_dir = Path(out) if out else Path(runner.base.run.out_dir) / "fuzz_thresholds" / runner.base.name / f"seed-{runner.seed}"
    where = scheduler or f"a local cluster of {workers or 'CPU-count'} worker processes"
    click.echo(f"{runner.base.name} (seed {runner.seed}, {kind} oracle) on {where}; outputs in {out_dir}", err=True)
    for line in plan.lines():
        click.echo(line, err=True)
    started = time.monotonic()

    deployment.compile_contracts()
    with sweep.dask_client(workers=workers, scheduler=scheduler, scratch=out_dir / "dask-scratch") as client, \
            report.RunProgress(plan.max_runs, enabled=show_bar) as bar:
        runner.client = client
        fuzzing.run_plan(runner, plan, out_dir, latencies=delays, depths=depths, thresholds=thresholds,
                         oracle_kind=kind, top=top, figure=not no_figure, bar=bar,
                         echo=lambda line: bar.write(line, err=False))
    frontier_runs = runner.runs - plan.search_runs
    click.echo(f"\n{runner.runs} engine runs of a budget of {plan.budget} (search {plan.search_runs}"
               + (f", frontier {frontier_runs} of up to {plan.frontier_max_runs}" if cells else "")
               + f"), wall time {time.monotonic() - started:.1f} s")
    sys.stdout.flush()
