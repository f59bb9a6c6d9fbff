"""The article's remedies, measured: the baseline, each mechanism and a few combinations on the same seeds.

A comparison is a sweep (`sweep.Sweep`: one Dask task per run, journaled, resumable) whose points
are named variants of the scenario (`Variants`): each variant is a set of `--set` assignments under
`market.mitigations` (or an existing field, e.g. `market.oracle.delay_seconds` for a Maker OSM-style
delay), sized from the scenario (`variants`: a supply cap at 75 % of the population's collateral, a
liquidation cap at 2 % of its debt an hour, ...). Every variant runs on the same seeds
(`sweep.derive_seeds`), so variants differ only by the mechanism.

Per variant (`comparison_table`), over the runs with status `ok`: the mean of each `METRICS` entry
and, with more than one seed, its p95 (the VaR of that loss) with a bootstrap CI
(`sweep.bootstrap_ci`); the time to collapse is the median over the runs that had a cascade.
Harm first (bad debt, lenders' loss, liquidations, AMM discount, time to collapse, borrowers'
loss to liquidation bonuses), then the costs (`metrics.mitigations_summary`: borrowing capacity given
up, borrowers turned away by the caps, borrowers whose room to borrow a pause took, borrowers whose
liquidation a mechanism held back, time with borrowing paused). Outputs through
`report`: `comparison.csv`, `comparison.json`, a terminal table and `comparison.png` (bars with
error bars).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from . import report
from .scenario import Scenario, sample_positions
from .sweep import CONFIDENCE, RESAMPLES, bootstrap_ci, mean_of, percentile_of

BASELINE = "baseline"


@dataclass(frozen=True)
class Variant:
    """One arm of the comparison: a name, what it switches on, and its `--set` assignments."""

    name: str
    description: str
    overrides: tuple[str, ...]


def _usd(x: float) -> str:
    """A dollar amount as `--set` text (whole dollars)."""
    return str(int(round(x)))


def variants(base: Scenario) -> list[Variant]:
    """The baseline, each mechanism alone, then combinations, sized from `base` (its population at
    its own seed for the debt and collateral the caps refer to). Mechanisms that cannot apply to the
    scenario are left out: the pool-only ones on `venue.kind: aave-v3`, the caps with leverage loops
    (setup could not admit a looped position in part), the OSM-style delay and its emergency stop on a
    TWAP feed (a TWAP is already an average), the delay alone on a feed already delayed an hour or more
    (the stop then uses the feed's own delay)."""
    positions, _ = sample_positions(base, np.random.default_rng(base.run.seed))
    debt = sum(p.debt_usd for p in positions)
    nav = base.market.asset.nav_per_token_usd
    collateral = sum(p.collateral_tokens for p in positions) * nav
    liquidators = sum(g.count for g in base.agents.liquidators)
    m = "market.mitigations"
    ours = base.venue.kind == "ours"
    one: list[Variant] = [
        Variant("min_nav_twap", "collateral priced at min(NAV feed, AMM TWAP)", (f"{m}.oracle.min_nav_twap=true",)),
        Variant("max_change_freeze", "a price move above 20 % in one round freezes the feed for a day",
                (f"{m}.oracle.max_change_bps=2000", f"{m}.oracle.freeze_seconds=86400")),
    ]
    if not base.population.leverage_loops:  # caps and loops exclude each other (`check_mitigations`)
        one += [
            Variant("supply_cap", "SPV supply cap at 75 % of the population's collateral",
                    (f"{m}.collateral.supply_cap_usd={_usd(0.75 * collateral)}",)),
            Variant("debt_ceiling", "stablecoin borrow cap at 75 % of the population's debt",
                    (f"{m}.collateral.debt_ceiling_usd={_usd(0.75 * debt)}",)),
        ]
    one += [
        Variant("liquidity_aware_ltv", "LTV haircut when AMM depth < 0.5 x debt (floor 50 %)",
                (f"{m}.collateral.liquidity_aware_ltv={{}}",)),
    ]
    if ours:
        if liquidators > 1:
            one.append(Variant("liquidator_allowlist", "only the first liquidator may liquidate",
                               (f"{m}.collateral.liquidator_allowlist=1",)))
        one += [
            Variant("grace_period", "no liquidation for 1 h after a 10 % oracle fall",
                    (f"{m}.circuit_breakers.grace_period={{after_jump_bps: 1000, seconds: 3600}}",)),
            Variant("liquidation_cap", "at most 2 % of the debt liquidated an hour",
                    (f"{m}.circuit_breakers.liquidation_cap={{usd_per_window: {_usd(0.02 * debt)}, "
                     f"window_seconds: 3600}}",)),
        ]
    one.append(Variant("divergence_pause", "new borrows paused while AMM and oracle differ by > 10 %",
                       (f"{m}.circuit_breakers.divergence_pause_bps=1000",)))
    if ours:
        one.append(Variant("proof_of_reserve", "SPV reserve frozen, LTV 0, once attested reserves < supply (daily)",
                           (f"{m}.oracle.proof_of_reserve={{}}",)))
    if base.market.oracle.kind == "latency":
        delay = ("market.oracle.delay_seconds=3600",) if base.market.oracle.delay_seconds < 3_600 else ()
        if delay:
            one.append(Variant("osm_delay", "the feed publishes each price 1 h late (Maker OSM)", delay))
        one.append(Variant("emergency_stop", "OSM-style stop for 24 h when a queued price moves >= 10 %"
                           + (" (feed delayed 1 h)" if delay else ""),
                           (*delay, f"{m}.circuit_breakers.emergency_stop={{pending_move_bps: 1000, hold_hours: 24}}")))
    by_name = {v.name: v for v in one}

    def combo(name: str, description: str, parts: Sequence[str]) -> Variant | None:
        have = [by_name[p] for p in parts if p in by_name]
        if len(have) < 2:
            return None
        return Variant(name, description, tuple(o for v in have for o in v.overrides))

    combos = [combo("conservative_oracle", "min_nav_twap + max_change_freeze", ("min_nav_twap", "max_change_freeze")),
              combo("stricter_collateral", "supply_cap + debt_ceiling + liquidity_aware_ltv",
                    ("supply_cap", "debt_ceiling", "liquidity_aware_ltv")),
              combo("circuit_breakers", "grace_period + liquidation_cap + divergence_pause",
                    ("grace_period", "liquidation_cap", "divergence_pause"))]
    return [Variant(BASELINE, "the scenario as it is", ()), *one, *(c for c in combos if c is not None)]


def parse_variant(text: str) -> Variant:
    """A `--variant NAME=KEY.PATH=VALUE[;KEY.PATH=VALUE...]` option: an arm of the user's own (e.g. a shared
    dependency failing in a structured scenario), its `--set` assignments separated by ';'. ValueError
    for a missing name or assignment, or the baseline's name."""
    name, sep, rest = text.partition("=")
    name = name.strip()
    assignments = tuple(a.strip() for a in rest.split(";") if a.strip())
    if not sep or not name or not re.fullmatch(r"[A-Za-z0-9_.-]+", name) or not assignments:
        raise ValueError(f"--variant {text!r}: expected NAME=KEY.PATH=VALUE[;KEY.PATH=VALUE...] "
                         "(a name of letters, digits, '_', '-', '.')")
    if name == BASELINE:
        raise ValueError(f"--variant {text!r}: '{BASELINE}' is the scenario as it is; name the variant otherwise")
    bad = [a for a in assignments if "=" not in a]
    if bad:
        raise ValueError(f"--variant {text!r}: {bad[0]!r} is not KEY.PATH=VALUE")
    return Variant(name, "; ".join(assignments), assignments)


def own_variants(texts: Sequence[str]) -> list[Variant]:
    """The baseline and the user's `--variant` arms, in order; ValueError on a repeated name."""
    chosen = [parse_variant(t) for t in texts]
    names = [v.name for v in chosen]
    repeated = sorted({n for n in names if names.count(n) > 1})
    if repeated:
        raise ValueError(f"--variant: {', '.join(repeated)} given more than once")
    return [Variant(BASELINE, "the scenario as it is", ()), *chosen]


def choose(all_variants: Sequence[Variant], only: Sequence[str]) -> list[Variant]:
    """The baseline and the variants named in `only` (all when empty), in `all_variants`' order.
    ValueError naming the unknown ones and the known ones."""
    names = [v.name for v in all_variants]
    unknown = [n for n in only if n not in names]
    if unknown:
        raise ValueError(f"--only: unknown variant(s) {', '.join(unknown)}; this scenario has: {', '.join(names)}")
    wanted = set(only)
    return [v for v in all_variants if not wanted or v.name == BASELINE or v.name in wanted]


@dataclass(frozen=True)
class Variants:
    """The variants as a sweep's space (`sweep.Space`): one key, `variant`; a point's assignments
    are its variant's."""

    chosen: tuple[Variant, ...]

    @property
    def keys(self) -> list[str]:
        return ["variant"]

    def points(self) -> list[dict[str, str]]:
        return [{"variant": v.name} for v in self.chosen]

    def overrides(self, point: Mapping[str, str]) -> tuple[str, ...]:
        return {v.name: v for v in self.chosen}[point["variant"]].overrides


@dataclass(frozen=True)
class Metric:
    key: str  # dotted path in the summary (a sweep row's column)
    label: str
    kind: str  # "usd", "count", "pct", "duration"
    cost: bool = False  # a cost of the mechanism (else a measure of harm)
    over_cascades: bool = False  # median over the runs with a value > 0 (time to collapse)
    structured: bool = False  # only with structured products; over the runs that have a value (not None)


METRICS: tuple[Metric, ...] = (
    Metric("bad_debt.usd", "realised bad debt", "usd"),
    Metric("pool.final_insolvent_debt_at_true_value_usd", "insolvent debt", "usd"),
    Metric("lenders.expected_loss_usd", "lenders' loss", "usd"),
    Metric("liquidations.count", "liquidations", "count"),
    Metric("prices.max_discount_amm_to_true_pct", "max AMM discount", "pct"),
    Metric("timing.onchain_cascade_seconds", "time to collapse", "duration", over_cascades=True),
    Metric("liquidations.borrowers_loss_usd", "borrowers' loss", "usd"),
    Metric("mitigations.capacity_given_up_usd", "capacity given up", "usd", cost=True),
    Metric("population.turned_away", "turned away", "count", cost=True),
    Metric("mitigations.borrowers_frozen_out", "frozen out", "count", cost=True),
    Metric("mitigations.delayed_borrowers", "liquidations delayed", "count", cost=True),
    Metric("mitigations.borrow_paused_seconds", "borrowing paused", "duration", cost=True),
    Metric("structured.correlation.market_prices_in_cascade", "products' market corr. in cascade", "corr",
           structured=True),
    Metric("structured.correlation.basket_true_values_daily", "basket true corr. (daily)", "corr", structured=True),
    Metric("structured.products.senior.max_amm_drop_from_true_start_pct", "senior AMM max drop", "pct",
           structured=True),
)
"""What the comparison reports per variant: harm first, then cost, then (runs of structured products only,
`metrics_for`) the products' correlations and the senior's fall. A key a summary lacks is 0."""


def metrics_for(rows: Sequence[Mapping]) -> tuple[Metric, ...]:
    """`METRICS`, the structured ones only when some run has them."""
    structured = any(m.structured and r.get(m.key) is not None for m in METRICS for r in rows)
    return tuple(m for m in METRICS if structured or not m.structured)

FIGURE_METRICS = ("bad_debt.usd", "lenders.expected_loss_usd", "liquidations.count", "mitigations.capacity_given_up_usd")
STRUCTURED_FIGURE_METRICS = ("lenders.expected_loss_usd", "liquidations.count",
                             "structured.correlation.market_prices_in_cascade", "prices.max_discount_amm_to_true_pct")
"""The panels of a comparison of structured runs: losses, liquidations, the products moving together, the
deepest AMM discount (no remedy runs there, so no cost)."""


def comparison_table(rows: Sequence[Mapping], chosen: Sequence[Variant], *, seeds: int,
                     resamples: int = RESAMPLES, confidence: float = CONFIDENCE, seed: int = 0) -> list[dict]:
    """One entry per variant (in `chosen`'s order): `variant`, `description`, `runs`, `ok`, `failed`;
    per metric `<key>:mean` with its CI (`:mean_lo`, `:mean_hi`) and, with `seeds` > 1, `<key>:p95`
    with its CI; for `over_cascades` metrics the median over runs with a value > 0 instead of the
    mean and `<key>:runs`. The change of each metric's mean against the baseline: `<key>:vs_baseline`."""
    out, chosen_metrics = [], metrics_for(rows)
    for v in chosen:
        group = [r for r in rows if r.get("variant") == v.name]
        ok = [r for r in group if r.get("status") == "ok"]
        entry: dict = {"variant": v.name, "description": v.description, "runs": len(group), "ok": len(ok),
                       "failed": len(group) - len(ok)}
        for m in chosen_metrics:
            if m.structured:
                x = np.array([float(r[m.key]) for r in ok if r.get(m.key) is not None])
            else:
                x = np.array([float(r.get(m.key, 0.0) or 0.0) for r in ok])
            if m.over_cascades:
                x = x[x > 0]
                entry[f"{m.key}:runs"] = int(x.size)
                stat = percentile_of(50)
            else:
                stat = mean_of
            entry[f"{m.key}:mean"] = float(stat(x)) if x.size else float("nan")
            entry[f"{m.key}:mean_lo"], entry[f"{m.key}:mean_hi"] = bootstrap_ci(
                x, stat, resamples=resamples, confidence=confidence, seed=seed)
            if seeds > 1 and not m.over_cascades:
                entry[f"{m.key}:p95"] = float(percentile_of(95)(x)) if x.size else float("nan")
                entry[f"{m.key}:p95_lo"], entry[f"{m.key}:p95_hi"] = bootstrap_ci(
                    x, percentile_of(95), resamples=resamples, confidence=confidence, seed=seed)
        out.append(entry)
    base = next((e for e in out if e["variant"] == BASELINE), None)
    for e in out:
        for m in chosen_metrics:
            b = base[f"{m.key}:mean"] if base else float("nan")
            e[f"{m.key}:vs_baseline"] = e[f"{m.key}:mean"] - b
    return out


def table_columns(seeds: int, metrics: Sequence[Metric] | None = None) -> tuple[str, ...]:
    """The comparison's columns for `metrics` (default: those of runs without structured products)."""
    cols = ["variant", "description", "runs", "ok", "failed"]
    for m in metrics_for([]) if metrics is None else metrics:
        cols += [f"{m.key}:mean", f"{m.key}:mean_lo", f"{m.key}:mean_hi"]
        if m.over_cascades:
            cols.append(f"{m.key}:runs")
        elif seeds > 1:
            cols += [f"{m.key}:p95", f"{m.key}:p95_lo", f"{m.key}:p95_hi"]
        cols.append(f"{m.key}:vs_baseline")
    return tuple(cols)


def _fmt(kind: str, x: float) -> str:
    if x != x:
        return "-"
    if kind == "usd":
        return report.format_usd_compact(x)
    if kind == "pct":
        return f"{x:.1f} %"
    if kind == "duration":
        return report.format_duration(x)
    if kind == "corr":
        return f"{x:.2f}"
    return f"{x:.1f}" if x != int(x) else f"{int(x)}"


def comparison_text(table: Sequence[Mapping], *, title: str, seeds: int) -> str:
    """The terminal table: a line per variant, each metric's mean (the median time to collapse), with
    its p95 in brackets when there are several seeds; costs after the `|` column."""
    header = ["variant", "runs", "failed"]
    shown = [m for m in METRICS if table and f"{m.key}:mean" in table[0]]
    for m in shown:
        header.append(("cost: " if m.cost else "") + m.label)
    lines = [header]
    for e in table:
        cells = [e["variant"], str(e["runs"]), str(e["failed"])]
        for m in shown:
            text = _fmt(m.kind, e[f"{m.key}:mean"])
            if seeds > 1 and not m.over_cascades and e[f"{m.key}:p95"] == e[f"{m.key}:p95"]:
                text += f" (p95 {_fmt(m.kind, e[f'{m.key}:p95'])})"
            cells.append(text)
        lines.append(cells)
    note = ("mean over the seeds (time to collapse: median over the runs with a cascade)"
            + (f"; p95: VaR over {seeds} seeds" if seeds > 1 else "; one seed: no spread")
            + f"; CIs ({CONFIDENCE:.0%} bootstrap, {RESAMPLES:,} resamples) in comparison.csv")
    described = [f"  {e['variant']}: {e['description']}" for e in table]
    return "\n".join([title, *report.text_grid(lines), note, "variants:", *described])


def comparison_figure(path: Path, table: Sequence[Mapping], *, title: str) -> Path:
    """`comparison.png`: one panel per `FIGURE_METRICS` entry (`STRUCTURED_FIGURE_METRICS` when the table has
    the structured metrics), a bar per variant (its mean) with the bootstrap CI as error bars; the
    baseline's bar dark."""
    fig = report.new_figure(figsize=(13, 8))
    axes = fig.subplots(2, 2).ravel()
    names = [e["variant"] for e in table]
    xs = np.arange(len(names))
    metrics = {m.key: m for m in METRICS}
    structured = bool(table) and f"{STRUCTURED_FIGURE_METRICS[2]}:mean" in table[0]
    for ax, key in zip(axes, STRUCTURED_FIGURE_METRICS if structured else FIGURE_METRICS):
        m = metrics[key]
        mean = np.array([e[f"{key}:mean"] for e in table], dtype=float)
        lo = np.array([e[f"{key}:mean_lo"] for e in table], dtype=float)
        hi = np.array([e[f"{key}:mean_hi"] for e in table], dtype=float)
        err = np.nan_to_num(np.vstack([mean - lo, hi - mean]).clip(min=0))
        colors = [report.COLORS["total"] if n == BASELINE else report.COLORS["oracle"] for n in names]
        ax.bar(xs, np.nan_to_num(mean), yerr=err, color=colors, capsize=3)
        ax.set_xticks(xs)
        ax.set_xticklabels([report.tex_safe(n) for n in names], rotation=35, ha="right", fontsize=7)
        ax.set_title(report.tex_safe(("cost: " if m.cost else "") + f"{m.label} ({key})"), fontsize=9)
        if m.kind == "usd":
            ax.yaxis.set_major_formatter(report.usd_formatter())
        if m.kind != "corr":
            ax.set_ylim(bottom=0)
        ax.grid(alpha=0.3, axis="y")
    fig.suptitle(report.tex_safe(title))
    fig.tight_layout()
    return report.save_figure(fig, path)


def write_comparison(out: Path, rows: Sequence[Mapping], chosen: Sequence[Variant], *, seeds: int, title: str,
                     figure: bool = True, seed: int = 0) -> tuple[list[dict], dict[str, Path]]:
    """`comparison.csv`, `comparison.json` (the method and the variants' assignments),
    `comparison.txt` and `comparison.png` in `out`; returns the table and the paths."""
    table = comparison_table(rows, chosen, seeds=seeds, seed=seed)
    out = Path(out)
    paths = {
        "comparison_csv": report.write_csv(out / "comparison.csv", table, table_columns(seeds, metrics_for(rows)),
                                           name="comparison"),
        "comparison_json": report.write_json(out / "comparison.json", {
            "method": {"mean": "over the ok runs", "p95": "numpy linear, with more than one seed",
                       "ci": "percentile bootstrap over the runs", "resamples": RESAMPLES,
                       "confidence": CONFIDENCE, "bootstrap_seed": seed,
                       "over_cascades": "median over the runs with a value > 0"},
            "metrics": [{"key": m.key, "label": m.label, "cost": m.cost} for m in metrics_for(rows)],
            "variants": [{"name": v.name, "description": v.description, "overrides": list(v.overrides)}
                         for v in chosen],
            "table": table}),
        "comparison_txt": report.write_text(out / "comparison.txt", comparison_text(table, title=title, seeds=seeds) + "\n"),
    }
    if figure and table:
        paths["comparison_png"] = comparison_figure(out / "comparison.png", table, title=title)
    return table, paths
