"""Replays a crash scenario against the real contracts and reports the liquidation cascade.

    ape run crash_scenario                         # credit_default_ripple, embedded anvil
    ape run crash_scenario --scenario real_estate_flash_crash --seed 7
    ape run crash_scenario --scenario my.yaml --set market.oracle.delay_seconds=3600
    ape run crash_scenario --venue aave-v3         # the real Aave V3.0 market instead of our pool
    ape run crash_scenario --venue both            # both, from the same chain state, compared
    RWA_FORK_URL=https://... ape run crash_scenario --network ethereum:mainnet-fork:foundry --fork-block 19000000
    ape run crash_scenario --list

Exit codes: 0 done; 2 bad input (scenario, options, an output folder that cannot be written or that
another run is writing into), each one `Error:` line before any node starts; 3 the node died or hung
(no answer within run.rpc_timeout_seconds / --rpc-timeout): one `Error:` line, and what was measured
is written with `"complete": false` in summary.json.
"""

import atexit
import os
import sys
import time
from pathlib import Path

import click
from ape.cli import ConnectedProviderCommand

from rwa_testbed import compare, fork, node, report, runner
from rwa_testbed import scenario as scenarios
from rwa_testbed.chain import NodeError
from rwa_testbed.engine import RunIncomplete

NODE_FAILURE_EXIT_CODE = 3
"""The node died or hung mid-run (2 is bad input, as click's usage errors)."""

# Without `node: ethereum: mainnet: uri: ${RWA_FORK_URL}` in ape-config.yaml, ape still finds the
# upstream of `ethereum:mainnet-fork` through WEB3_PROVIDER_URI (its own fallback, chain id checked).
if os.environ.get(fork.FORK_URL_ENV) and not os.environ.get("WEB3_PROVIDER_URI"):
    os.environ["WEB3_PROVIDER_URI"] = os.environ[fork.FORK_URL_ENV]
# The URL holds a key: anvil starts unforked and gets it over its local RPC only (never argv, logs or
# files); ape connects after this module is loaded.
fork.guard_fork_provider()
fork.remember_secret(os.environ.get(fork.FORK_URL_ENV))
# ape lists every anvil it starts in <APE_DATA_FOLDER>/processes/nodes.json and never removes them:
# drop the entries whose process is gone, before ape reads the file to start ours.
node.prune_ape_nodes()
atexit.register(node.prune_ape_nodes)  # registered before ape's own exit handlers, so it runs after them


class InputError(click.ClickException):
    """One `Error:` line, exit code 2 (as a bad scenario), no usage text."""

    exit_code = 2


class NodeFailure(click.ClickException):
    """One `Error:` line, exit code `NODE_FAILURE_EXIT_CODE`."""

    exit_code = NODE_FAILURE_EXIT_CODE


def output_folder(scenario, venue, out):
    """The folder the run writes into (see --out)."""
    venue = venue or scenario.venue.kind
    if out is not None:
        return Path(out)
    base = runner.output_dir(scenario)
    return base / venue if venue not in ("ours", "both") else base


def _prepare_fork(provider, fork_block):
    """On a fork: check the upstream is RWA_FORK_URL, pin the block if asked; returns a description."""
    settings = fork.settings_from_env()
    upstream = provider.fork_url
    if settings.url and upstream.rstrip("/") != settings.url.rstrip("/"):
        raise click.UsageError(
            f"the fork's upstream is {fork.mask_url(upstream)}, not ${fork.FORK_URL_ENV} "
            f"({fork.mask_url(settings.url)}): ape-config.yaml names another node for this network"
        )
    block = fork_block if fork_block is not None else settings.block
    if block is not None:
        provider.reset_fork(block)
    pin = f"block {block}" if block is not None else f"its block {provider.get_block('latest').number}"
    return f"fork of {fork.mask_url(upstream)} at {pin}"


class ScenarioCommand(ConnectedProviderCommand):
    """Loads and validates the scenario while parsing the options, before ape connects to a chain:
    a bad scenario stops with one message and exit code 2 (click's usage error), no node started."""

    def parse_args(self, ctx, args):
        rest = super().parse_args(ctx, args)
        if not ctx.params.get("list_only"):
            p = ctx.params
            overrides = list(p["overrides"])
            if p.get("rpc_timeout") is not None:
                overrides.append(f"run.rpc_timeout_seconds={p['rpc_timeout']}")
            try:
                ctx.meta["scenario"] = scenario = scenarios.load(p["name"], overrides, seed=p["seed"])
                folder = output_folder(scenario, p["venue"], p["out"])
            except scenarios.ScenarioError as err:
                raise click.UsageError(str(err), ctx) from None
            # Before ape starts a node: the output folder must be writable and not in use by another
            # run; the lock is held until this process ends (the kernel drops it however it ends).
            try:
                lock = report.OutputLock(folder).acquire()
            except report.OutputFolderError as err:
                raise InputError(str(err)) from None
            ctx.call_on_close(lock.release)
        return rest


@click.command(cls=ScenarioCommand, short_help="Run a crash scenario and report the cascade")
@click.option("--scenario", "name", default="credit_default_ripple", show_default=True,
              help="built-in scenario name or path to a YAML file")
@click.option("--seed", type=int, default=None, help="override run.seed")
@click.option("--venue", type=click.Choice(["ours", "aave-v3", "both"]), default=None,
              help="lending venue: our LendingPool, the real Aave V3.0, or both compared (default: the "
                   "scenario's venue.kind, i.e. ours)")
@click.option("--out", type=click.Path(file_okay=False), default=None,
              help="output folder (default: <run.out_dir>/<scenario>/seed-<seed>[/<venue>]); with --venue both, "
                   "<out>/ours, <out>/aave-v3 and <out>/comparison.*")
@click.option("--set", "overrides", multiple=True, metavar="KEY.PATH=VALUE",
              help="override any scenario field, e.g. --set population.borrowers=500 (repeatable)")
@click.option("--fork-block", type=int, default=None,
              help=f"on a fork network: start the fork at this upstream block (or ${fork.FORK_BLOCK_ENV})")
@click.option("--rpc-timeout", type=float, default=None, metavar="SECONDS",
              help="seconds a JSON-RPC request may wait for the node before the run stops as hung "
                   "(overrides run.rpc_timeout_seconds, default 60)")
@click.option("--list", "list_only", is_flag=True, help="list the built-in scenarios and exit")
@click.option("--no-figure", is_flag=True, help="skip the PNG figure")
@click.option("--every-block", is_flag=True,
              help="reference mode: mine and read every block, never fast-forward (slow: a 120-day run is "
                   "864,000 blocks; for tests and doubts about the default mode's stepping)")
def cli(name, seed, venue, out, overrides, fork_block, rpc_timeout, list_only, no_figure, every_block, provider):
    if list_only:
        for builtin in scenarios.builtin_names():
            s = scenarios.load(builtin)
            click.echo(f"{builtin:28s} {s.description.strip().splitlines()[0] if s.description else ''}")
        return
    scenario = click.get_current_context().meta["scenario"]  # loaded by ScenarioCommand.parse_args
    where = provider.name
    if fork.is_fork(provider.network.name):
        where = _prepare_fork(provider, fork_block)
    elif fork_block is not None:
        raise click.UsageError("--fork-block needs a fork network, e.g. --network ethereum:mainnet-fork:foundry")
    venues = ["ours", "aave-v3"] if venue == "both" else [venue or scenario.venue.kind]
    base = output_folder(scenario, venue, out)
    click.echo(f"scenario {scenario.name} (seed {scenario.run.seed}) on {', '.join(venues)}, {where} ...", err=True)
    started = time.monotonic()
    try:
        files = _run(scenario, provider, venues, base, no_figure, every_block)
    except RunIncomplete as err:
        title = f"{scenario.name} - seed {scenario.run.seed} - {err.result.summary['venue']} - INCOMPLETE"
        click.echo(report.summary_table(err.result.summary, title=title))
        click.echo(f"wall time {time.monotonic() - started:.1f} s")
        for kind, path in err.files.items():
            click.echo(f"{kind:24s} {path}")
        raise NodeFailure(f"{err} - the run stopped; what it measured is in {base} "
                          "(summary.json: \"complete\": false)") from None
    except NodeError as err:
        raise NodeFailure(f"{err} - the run stopped") from None
    click.echo(f"wall time {time.monotonic() - started:.1f} s")
    for kind, path in files.items():
        click.echo(f"{kind:24s} {path}")


def _run(scenario, provider, venues, base, no_figure, every_block):
    """Runs the scenario on `venues`, prints the tables, returns the files."""
    progress = sys.stderr.isatty()
    if len(venues) > 1:
        results, comparison_files = compare.run_venues(scenario, provider.uri, venues, base, progress=progress,
                                                       figure=not no_figure, every_block=every_block)
        for v, (result, _) in results.items():
            click.echo(report.summary_table(result.summary, title=f"{scenario.name} - seed {scenario.run.seed} - {v}"))
        click.echo(comparison_files["table"].read_text())
        files = {f"{v}/{kind}": path for v, (_, fs) in results.items() for kind, path in fs.items()}
        files.update(comparison_files)
    else:
        chosen = compare.with_venue(scenario, venues[0])
        result, files = runner.run(chosen, provider.uri, out=base, progress=progress, figure=not no_figure,
                                   every_block=every_block)
        title = f"{scenario.name} - seed {scenario.run.seed} - {venues[0]}"
        click.echo(report.summary_table(result.summary, title=title))
    return files
