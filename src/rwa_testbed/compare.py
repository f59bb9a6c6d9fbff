"""One scenario on several lending venues, each from the same chain state, side by side.

`run_venues` snapshots the chain, runs the scenario on each venue (our pool, real Aave V3.0),
reverting to the snapshot between runs, so both start from the same block, the same seed and the
same accounts; each run writes its usual outputs in `<out>/<venue>`. Then `<out>/comparison.json`
(the metrics both summaries share, per venue), `<out>/comparison.txt` (the table printed) and
`<out>/comparison.png` (both venues' prices, bad debt and liquidations over the whole run and
zoomed on the cascade).
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

from . import report, runner
from .chain import Rpc
from .engine import RunResult
from .scenario import Scenario
from .units import SECONDS_PER_DAY

COMPARED = (
    "liquidations.count",
    "liquidations.users",
    "liquidations.atomic",
    "liquidations.debt_repaid_usd",
    "liquidations.collateral_seized_tokens",
    "liquidations.collateral_seized_usd",
    "bad_debt.usd",
    "bad_debt.pct_of_borrowed",
    "lenders.loss_usd",
    "lenders.expected_loss_usd",
    "insolvency.at_true_value.final_usd",
    "insolvency.at_true_value.peak_usd",
    "insolvency.at_oracle.final_usd",
    "insolvency.at_amm.final_usd",
    "liquidatable_debt.peak_usd",
    "liquidatable_debt.final_usd",
    "pool.final_total_debt_usd",
    "pool.solvent",
    "liquidators.atomic_profit_usd",
    "liquidators.pnl_at_true_value_usd",
    "prices.min_amm_usd",
    "prices.final_oracle_usd",
    "prices.max_discount_amm_to_true_pct",
    "timing.first_liquidation_seconds",
    "timing.onchain_cascade_seconds",
    "timing.main_cascade_liquidations",
    "timing.cascades",
    "unliquidated.position_steps",
    "unliquidated.final_debt_usd",
    "chain.transactions",
    "chain.reverted",
    "chain.gas_used",
    "chain.setup_gas_used",
)
"""Summary metrics compared across venues (dotted paths into `summary.json`)."""

STYLES = {"ours": {"ls": "-", "marker": "o"}, "aave-v3": {"ls": "--", "marker": "x"}}
VENUE_COLORS = {"ours": "#2166ac", "aave-v3": "#b2182b"}


def with_venue(scenario: Scenario, venue: str) -> Scenario:
    """`scenario` with `venue.kind` set to `venue`."""
    return scenario.model_copy(update={"venue": scenario.venue.model_copy(update={"kind": venue})})


def run_venues(scenario: Scenario, uri: str, venues: list[str], out: Path, *, progress: bool = False,
               figure: bool = True, every_block: bool = False) -> tuple[dict[str, tuple[RunResult, dict[str, Path]]], dict[str, Path]]:
    """Runs `scenario` on each of `venues` from the same chain state; returns each venue's
    (result, files) and the comparison's files."""
    with report.OutputLock(out):
        rpc = Rpc(uri, scenario.run.rpc_timeout_seconds)
        results: dict[str, tuple[RunResult, dict[str, Path]]] = {}
        for i, venue in enumerate(venues):
            snapshot = rpc.call("evm_snapshot") if i < len(venues) - 1 else None
            results[venue] = runner.run(with_venue(scenario, venue), uri, out=out / venue, progress=progress,
                                        figure=figure, every_block=every_block)
            if snapshot is not None:
                if not rpc.call("evm_revert", snapshot):
                    raise RuntimeError(f"could not revert the chain to snapshot {snapshot} after the {venue} run")
        files = write_comparison(out, scenario, {v: r for v, (r, _) in results.items()}, figure=figure)
    return results, files


def metric(summary: dict, path: str) -> Any:
    node: Any = summary
    for part in path.split("."):
        node = node[part]
    return node


def comparison(summaries: dict[str, dict]) -> dict:
    """{"venues": [...], "metrics": {path: {venue: value}}} for the `COMPARED` metrics."""
    return {
        "venues": list(summaries),
        "metrics": {path: {venue: metric(s, path) for venue, s in summaries.items()} for path in COMPARED},
    }


def _difference(path: str, values: list[Any]) -> str:
    first, *others = values
    if all(v == first for v in others):
        return "same"
    if isinstance(first, bool) or not all(isinstance(v, (int, float)) for v in values):
        return "differs"
    key = path.rsplit(".", 1)[1]
    delta = others[-1] - first
    text = report.format_metric(key, abs(delta))
    if key.endswith("_seconds") and (key.startswith("first") or key.startswith("last")):
        text = report.format_duration(abs(delta))
    relative = f" ({100 * delta / abs(first):+.3g} %)" if first else ""
    return ("+" if delta > 0 else "-") + text + relative


def comparison_table(comp: dict, *, title: str) -> str:
    """The compared metrics as a plain-text table: one column per venue, then the last venue's
    difference from the first ("same" when equal)."""
    from rich.text import Text

    venues = comp["venues"]
    table = report.new_table(title)
    table.add_column("metric", min_width=30)
    for venue in venues:
        table.add_column(venue, justify="right")
    table.add_column("difference", justify="right")
    for path, values in comp["metrics"].items():
        key = path.rsplit(".", 1)[1]
        cells = [Text(report.format_metric(key, values[v])) for v in venues]
        group = " ".join(report.label(part) for part in path.split(".")[:-1])
        difference = _difference(path, [values[v] for v in venues])
        table.add_row(Text(f"{group}: {report.label(key)}"), *cells, Text(difference))
    return report.render(table, width=120)


def write_comparison(out: Path, scenario: Scenario, results: dict[str, RunResult], *, figure: bool = True
                     ) -> dict[str, Path]:
    out.mkdir(parents=True, exist_ok=True)
    comp = comparison({v: r.summary for v, r in results.items()})
    comp = {"scenario": scenario.name, "seed": scenario.run.seed, **comp}
    files = {"comparison": out / "comparison.json", "table": out / "comparison.txt"}
    report.write_json(files["comparison"], comp)
    report.write_text(files["table"], comparison_table(comp, title=title(scenario)))
    if figure:
        files["figure"] = plot_comparison(out / "comparison.png", scenario, results)
    return files


def title(scenario: Scenario) -> str:
    return f"{scenario.name} - seed {scenario.run.seed}: venues compared"


def _zoom(results: dict[str, RunResult]) -> report.CascadeWindow | None:
    """The union of every venue's cascade window (the same cascade, unless the venues differ)."""
    windows = [report.cascade_window(r.timeseries, r.liquidations, r.events) for r in results.values()]
    windows = [w for w in windows if w is not None]
    if not windows:
        return None
    first = windows[0]
    return report.CascadeWindow(min(w.lo for w in windows), max(w.hi for w in windows), first.anchor,
                                first.anchor_label, first.title, first.cascade)


def plot_comparison(out_path: Path, scenario: Scenario, results: dict[str, RunResult]) -> Path:
    """Both venues on one 1600 x 1000 px PNG: (a) true value, each venue's oracle and AMM prices
    with its liquidations marked; (b) each venue's realised bad debt and its lenders' expected loss
    (realised + debt over collateral at true value, thin); (c) each venue's liquidations so far.
    Left: the whole run in days; right: zoomed on the cascade. Venues differ by line style."""
    import numpy as np

    fig = report.new_figure()
    full, zoomed = report.six_panels(fig, left=0.07, right=0.955, top=0.86, wspace=0.17)
    usd_axis = report.usd_formatter()
    zoom = _zoom(results)

    def series(result: RunResult):
        rows = sorted(result.timeseries, key=lambda r: (r["t_seconds"], r["block"]))
        t = np.array([float(r["t_seconds"]) for r in rows])
        col = lambda name: np.array([float(r[name]) for r in rows])  # noqa: E731
        oracle = col("oracle_price_usd")
        oracle[oracle <= 0] = np.nan
        liqs = sorted(result.liquidations, key=lambda x: (x["t_seconds"], x["block"]))
        liq_t = np.array([float(x["t_seconds"]) for x in liqs])
        at_row = np.clip(np.searchsorted(t, liq_t, side="right") - 1, 0, len(t) - 1) if liqs else np.array([], int)
        return (t, col("true_nav_usd"), oracle, col("amm_price_usd"), col("deficit_usd"), liq_t, at_row,
                col("expected_lender_loss_usd"))

    data = {venue: series(r) for venue, r in results.items()}
    twins: list = []

    def draw(axes, to_x, lo, hi):
        a, b, c = axes
        t0, true_nav = next(iter(data.values()))[:2]
        a.step(to_x(t0), true_nav, where="post", color=report.COLORS["true"], lw=2.2, label="true value")
        for venue, (t, _, oracle, amm, deficit, liq_t, at_row, expected) in data.items():
            style, color = STYLES.get(venue, {"ls": ":", "marker": "+"}), VENUE_COLORS.get(venue, "#404040")
            a.step(to_x(t), oracle, where="post", color=report.COLORS["oracle"], lw=1.4, ls=style["ls"],
                   label=f"oracle ({venue})")
            a.step(to_x(t), amm, where="post", color=report.COLORS["amm"], lw=1.4, ls=style["ls"],
                   label=f"AMM ({venue})")
            if len(liq_t):
                a.plot(to_x(liq_t), amm[at_row], ls="none", marker=style["marker"], ms=6, mfc="none", mec=color,
                       mew=1.2, label=f"liquidation ({venue})", zorder=4)
            b.step(to_x(t), deficit, where="post", color=color, lw=1.6, ls=style["ls"], label=f"bad debt ({venue})")
            if np.nanmax(expected - deficit) > 0:
                b.step(to_x(t), expected, where="post", color=color, lw=0.9, ls=style["ls"], alpha=0.6,
                       label=f"expected lender loss ({venue})")
            c.step(np.r_[to_x(t[:1]), to_x(liq_t), to_x(t[-1:])], np.r_[0, np.arange(1, len(liq_t) + 1), len(liq_t)],
                   where="post", color=color, lw=1.6, ls=style["ls"], label=f"liquidations so far ({venue})")
        if len(data) > 1:
            # What the venues' bad debts differ by (Aave's stranded debt keeps accruing), right axis.
            (first, d_first), (last, d_last) = list(data.items())[0], list(data.items())[-1]
            t_first, t_last = d_first[0], d_last[0]
            at = np.clip(np.searchsorted(t_first, t_last, side="right") - 1, 0, len(t_first) - 1)
            gap = d_last[4] - d_first[4][at]
            if np.nanmax(np.abs(gap)) > 0:
                twin = b.twinx()
                twin.step(to_x(t_last), gap, where="post", color="#555555", lw=1.1, ls=":",
                          label=f"bad debt {last} - {first} (right axis)")
                twin.yaxis.set_major_formatter(usd_axis)
                twin.tick_params(labelsize=8, colors="#555555")
                twin.set_xlim(to_x(lo), to_x(hi))
                twins.append(twin)
        for ax in axes:
            ax.set_xlim(to_x(lo), to_x(hi))
            ax.grid(True, color="#e0e0e0", lw=0.6)
            ax.tick_params(labelsize=9)
        b.yaxis.set_major_formatter(usd_axis)
        if not any(np.nanmax(d[7]) > 0 for d in data.values()):
            b.set_ylim(0, 1)
            b.set_yticks([0.0])
            b.text(0.5, 0.5, "no bad debt on any venue, realised or unrealised", transform=b.transAxes,
                   ha="center", va="center",
                   fontsize=11, color=report.COLORS["routine"])
        else:
            b.set_ylim(bottom=0)
        for ax in axes[:-1]:
            ax.tick_params(labelbottom=False)

    t_all = np.concatenate([d[0] for d in data.values()])
    draw(full, lambda s: s / SECONDS_PER_DAY, float(t_all.min()), float(t_all.max()))
    full[2].set_xlabel("time since start (days)", fontsize=10)
    full[0].set_ylabel("price per token", fontsize=10)
    full[1].set_ylabel("bad debt", fontsize=10)
    full[2].set_ylabel("liquidations", fontsize=10)
    full[0].set_title("whole run", fontsize=11, loc="left")
    if zoom is None:
        for ax in zoomed:
            ax.set_axis_off()
    else:
        draw(zoomed, zoom.x, zoom.lo, zoom.hi)
        zoomed[2].set_xlabel(f"{zoom.unit[1]} after the {zoom.anchor_label} (day {zoom.anchor / SECONDS_PER_DAY:.2f})",
                             fontsize=10)
        zoomed[0].set_title("the cascade", fontsize=11, loc="left")
    handles, labels = report.legend_entries([*full, *twins[:1]])
    fig.legend(handles, labels, loc="upper left", bbox_to_anchor=(0.065, 0.955), ncol=math.ceil(len(labels) / 2),
               fontsize=9, frameon=False)
    story = []
    for venue, r in results.items():
        s = r.summary
        story.append(f"{venue}: {s['liquidations']['count']} liquidations, bad debt "
                     f"{report.format_usd_compact(s['bad_debt']['usd'])}")
    fig.suptitle(f"{scenario.name} (seed {scenario.run.seed}): " + report.tex_safe("  vs  ".join(story)),
                 fontsize=14, fontweight="bold", x=0.07, ha="left", y=0.985)
    return report.save_figure(fig, out_path)
