"""Replays a crash scenario against the real contracts and reports the liquidation cascade.

    ape run crash_scenario                         # credit_default_ripple, embedded anvil
    ape run crash_scenario --scenario real_estate_flash_crash --seed 7
    ape run crash_scenario --scenario my.yaml --set market.oracle.delay_seconds=3600
    ape run crash_scenario --list
"""

import sys
import time

import click
from ape.cli import ConnectedProviderCommand

from rwa_testbed import report, runner
from rwa_testbed import scenario as scenarios


@click.command(cls=ConnectedProviderCommand, short_help="Run a crash scenario and report the cascade")
@click.option("--scenario", "name", default="credit_default_ripple", show_default=True,
              help="built-in scenario name or path to a YAML file")
@click.option("--seed", type=int, default=None, help="override run.seed")
@click.option("--out", type=click.Path(file_okay=False), default=None,
              help="output folder (default: <run.out_dir>/<scenario>/seed-<seed>)")
@click.option("--set", "overrides", multiple=True, metavar="KEY.PATH=VALUE",
              help="override any scenario field, e.g. --set population.borrowers=500 (repeatable)")
@click.option("--list", "list_only", is_flag=True, help="list the built-in scenarios and exit")
@click.option("--no-figure", is_flag=True, help="skip the PNG figure")
def cli(name, seed, out, overrides, list_only, no_figure, provider):
    if list_only:
        for builtin in scenarios.builtin_names():
            s = scenarios.load(builtin)
            click.echo(f"{builtin:28s} {s.description.strip().splitlines()[0] if s.description else ''}")
        return
    try:
        scenario = scenarios.load(name, overrides, seed=seed)
    except scenarios.ScenarioError as err:
        raise click.UsageError(str(err)) from None
    click.echo(f"scenario {scenario.name} (seed {scenario.run.seed}) on {provider.name} ...", err=True)
    started = time.monotonic()
    result, files = runner.run(scenario, provider.uri, out=None if out is None else __import__("pathlib").Path(out),
                               progress=sys.stderr.isatty(), figure=not no_figure)
    elapsed = time.monotonic() - started
    click.echo(report.summary_table(result.summary, title=f"{scenario.name} - seed {scenario.run.seed}"))
    click.echo(f"wall time {elapsed:.1f} s")
    for kind, path in files.items():
        click.echo(f"{kind:12s} {path}")
