"""The cascade figure (PNG) and the conventions every figure of the project shares.

`plot` draws a run: the whole run on the left, zoomed on the main cascade (`cascade_window`) on
the right. The shared conventions: `new_figure` (an Agg canvas, no pyplot state), `six_panels`
(three rows of panels, whole run | zoom), `COLORS`, `usd_formatter`, `tex_safe`, `legend_entries`
and `save_figure` (PNG without the matplotlib version in its metadata). Imports `table` (numbers
for people), `files` (units) and `..metrics` (the main cascade).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

from ..metrics import Cascade, main_cascade
from ..units import SECONDS_PER_DAY, SECONDS_PER_HOUR, SECONDS_PER_MINUTE
from .files import atomic_path
from .table import format_duration, format_usd_compact

# Events that happen on a schedule rather than as shocks: drawn faint; without liquidations the
# zoom follows the first shock, not these (with liquidations a NAV report can be the trigger).
ROUTINE_EVENT_KINDS = frozenset({"nav_report"})
# An event this close before a cascade's trigger is named in the zoom (its time zero).
TRIGGER_LOOKBACK_SECONDS = 6 * SECONDS_PER_HOUR
FIGURE_SIZE_PX = (1600, 1000)
FIGURE_DPI = 100


COLORS = {
    "true": "#1b7837", "oracle": "#2166ac", "amm": "#e08214", "stable": "#762a83",
    "liq": "#b2182b", "shock": "#d6604d", "routine": "#8c8c8c", "deficit": "#b2182b",
    "liquidatable": "#f4a582", "total": "#404040", "repaid": "#2166ac", "zoom": "#fee08b",
    "unrealised": "#8c510a", "pending": "#5e3c99", "paid": "#1b7837", "gated": "#b2182b", "cash": "#404040",
}


def new_figure(figsize: tuple[float, float] | None = None):
    """A matplotlib `Figure` on its own Agg canvas (no display, no global pyplot state) at
    `FIGURE_DPI`; `figsize` in inches, `FIGURE_SIZE_PX` by default."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    if figsize is None:
        figsize = (FIGURE_SIZE_PX[0] / FIGURE_DPI, FIGURE_SIZE_PX[1] / FIGURE_DPI)
    fig = Figure(figsize=figsize, dpi=FIGURE_DPI)
    FigureCanvasAgg(fig)
    return fig


def six_panels(fig, *, left: float, right: float, top: float, wspace: float) -> tuple[list, list]:
    """(whole-run axes, zoomed axes): two columns (1.35 : 1) of three panels (2.1 : 1 : 1), each
    column sharing its x axis."""
    grid = fig.add_gridspec(3, 2, width_ratios=[1.35, 1], height_ratios=[2.1, 1, 1],
                            left=left, right=right, top=top, bottom=0.065, hspace=0.1, wspace=wspace)
    full = [fig.add_subplot(grid[0, 0])]
    full += [fig.add_subplot(grid[i, 0], sharex=full[0]) for i in (1, 2)]
    zoomed = [fig.add_subplot(grid[0, 1])]
    zoomed += [fig.add_subplot(grid[i, 1], sharex=zoomed[0]) for i in (1, 2)]
    return full, zoomed


def usd_formatter():
    """Tick labels "$1.25B", "$350M" (`format_usd_compact`) for a USD axis."""
    from matplotlib.ticker import FuncFormatter

    return FuncFormatter(lambda v, _: tex_safe(format_usd_compact(v)))


def legend_entries(axes) -> tuple[list, list]:
    """(handles, labels) of every axis in `axes`, in order: one legend for several panels."""
    handles, labels = [], []
    for ax in axes:
        h, lab = ax.get_legend_handles_labels()
        handles += h
        labels += lab
    return handles, labels


def save_figure(fig, out_path: Path) -> Path:
    """Saves `fig` as a PNG at `out_path` (folders created) at `FIGURE_DPI`, without the
    "Software" metadata (the matplotlib version), so equal figures give equal files; atomically
    (`files.atomic_path`)."""
    out_path = Path(out_path)
    out_path.parent.mkdir(parents=True, exist_ok=True)
    with atomic_path(out_path) as tmp:
        fig.savefig(tmp, dpi=FIGURE_DPI, metadata={"Software": None})
    return out_path


def _time_unit(span_seconds: float, *, days_after: float = 2 * SECONDS_PER_DAY) -> tuple[int, str]:
    """(seconds per unit, unit name) for an axis spanning `span_seconds`."""
    if span_seconds > days_after:
        return SECONDS_PER_DAY, "days"
    if span_seconds > 3 * SECONDS_PER_HOUR:
        return SECONDS_PER_HOUR, "hours"
    return SECONDS_PER_MINUTE, "minutes"


@dataclass(frozen=True)
class CascadeWindow:
    """The active stretch of a run the figure zooms on, in seconds since the start.

    `lo`..`hi` is the window shown (margins included); `anchor` is its time zero (the event before
    the trigger, or the trigger), named by `anchor_label`; `title` says what happened in it;
    `cascade` is the main cascade (`metrics.main_cascade`), None in a run without liquidations.
    """

    lo: float
    hi: float
    anchor: float
    anchor_label: str
    title: str
    cascade: Cascade | None = None

    @property
    def unit(self) -> tuple[int, str]:
        """(seconds per unit, unit name) for the zoomed axis: minutes up to 3 h, hours up to 3 days."""
        return _time_unit(self.hi - self.lo, days_after=3 * SECONDS_PER_DAY)

    def x(self, t):
        """Time `t` (seconds since start; scalar or array) on the zoomed axis."""
        return (t - self.anchor) / self.unit[0]


def cascade_title(cascade: Cascade) -> str:
    """"cascade: 12 liquidations in 5 min 12 s" (or "largest of 3 cascades: ..."): the main
    cascade's size and duration (trigger to last liquidation), as the summary counts them."""
    n = cascade.liquidations
    title = "cascade" if cascade.cascades == 1 else f"largest of {cascade.cascades} cascades"
    return title + f": {n} liquidation{'s' * (n != 1)} in {format_duration(cascade.duration_seconds)}"


def cascade_window(timeseries: list[dict], liquidations: list[dict], events: list[dict]) -> CascadeWindow | None:
    """The window the figure zooms on: the main liquidation cascade, from its trigger to its last
    liquidation (`metrics.main_cascade`: the summary's and the table's cascade).

    Time zero is the last event (of any kind: a NAV report can cause it) at most
    `TRIGGER_LOOKBACK_SECONDS` before the cascade's trigger (the first listed when several share
    that second), else the trigger itself. Without liquidations: the first shock (a non-routine
    event) and the block-by-block steps that follow it (at least 30 min), else the first
    block-by-block step; None when the run has none of these. A margin of 12 % of the span (at
    least 3 min) is added on both sides.
    """
    events = sorted(events, key=lambda e: e["t_seconds"])
    cascade = main_cascade(timeseries, liquidations)
    if cascade is not None:
        trigger, last = float(cascade.trigger_seconds), float(cascade.last_liquidation_seconds)
        title = cascade_title(cascade)
        before = [e for e in events if trigger - TRIGGER_LOOKBACK_SECONDS <= e["t_seconds"] <= trigger]
        if before:
            cause = next(e for e in before if e["t_seconds"] == before[-1]["t_seconds"])  # first of a tie
            anchor, label = float(cause["t_seconds"]), cause["kind"].replace("_", " ")
            title += f", triggered {format_duration(trigger - anchor)} after the {label}"
        else:
            anchor, label = trigger, "trigger"
        lo, hi = anchor, last
    else:
        steps = sorted(float(r["t_seconds"]) for r in timeseries if r["mode"] == "step")
        shocks = [e for e in events if e["kind"] not in ROUTINE_EVENT_KINDS]
        if shocks:
            anchor, label = float(shocks[0]["t_seconds"]), shocks[0]["kind"].replace("_", " ")
        elif steps:
            anchor, label = steps[0], "first block-by-block step"
        else:
            return None
        active = [s for s in steps if anchor <= s <= anchor + TRIGGER_LOOKBACK_SECONDS]
        lo, hi = anchor, max([anchor + 30 * SECONDS_PER_MINUTE, *active])
        title = f"after the {label}: no liquidation"
    margin = max(0.12 * (hi - lo), 3 * SECONDS_PER_MINUTE)
    return CascadeWindow(lo - margin, hi + margin, anchor, label, title, cascade)


def headline(timeseries: list[dict], liquidations: list[dict]) -> str:
    """The figure's one-line story: liquidations and the main cascade (`metrics.main_cascade`),
    debt repaid, final bad debt realised (the pool's deficit) and unrealised (insolvent debt at
    true value), the AMM's low against the true value then."""
    rows = sorted(timeseries, key=lambda r: (r["t_seconds"], r["block"]))
    cascade = main_cascade(rows, liquidations)
    n = len(liquidations)
    story = [f"{n} liquidation{'s' * (n != 1)}"]
    if cascade is not None:
        if cascade.cascades > 1:
            story[0] += f" in {cascade.cascades} cascades"
            story.append(f"largest: {cascade.liquidations} in {format_duration(cascade.duration_seconds)}")
        else:
            story[0] += f" in {format_duration(cascade.duration_seconds)}"
        story.append(f"debt repaid {format_usd_compact(sum(x['debt_repaid_usd'] for x in liquidations))}")
    final = rows[-1]
    bad = (f"final bad debt {format_usd_compact(final['deficit_usd'])} realised + "
           f"{format_usd_compact(final['insolvent_debt_at_true_value_usd'])} unrealised at true value")
    if final.get("insolvent_debt_at_amm_usd", 0) > final["insolvent_debt_at_true_value_usd"]:
        bad += f" ({format_usd_compact(final['insolvent_debt_at_amm_usd'])} at the AMM)"
    story.append(bad)
    low = min(rows, key=lambda r: r["amm_price_usd"])
    story.append(f"AMM low ${low['amm_price_usd']:,.3f} vs true value ${low['true_nav_usd']:,.3f}")
    return "  \u00b7  ".join(story)


def _event_clusters(events: list[dict], to_x, span: float) -> list[tuple[float, str, bool]]:
    """(x, label, routine) per group of events closer than 1.5 % of the axis `span`."""
    clusters: list[list[dict]] = []
    for e in sorted(events, key=lambda e: e["t_seconds"]):
        if clusters and to_x(e["t_seconds"]) - to_x(clusters[-1][0]["t_seconds"]) <= 0.015 * span:
            clusters[-1].append(e)
        else:
            clusters.append([e])
    out = []
    for group in clusters:
        kinds = list(dict.fromkeys(e["kind"].replace("_", " ") for e in group))
        routine = all(e["kind"] in ROUTINE_EVENT_KINDS for e in group)
        out.append((to_x(group[0]["t_seconds"]), "\n".join(kinds), routine))
    return out


def _draw_events(axes, events, to_x, lo, hi, *, label_ax) -> None:
    """Vertical lines for events inside [lo, hi] (axis units) on every axis, labels on `label_ax`."""
    from matplotlib.transforms import blended_transform_factory

    for x, text, routine in _event_clusters(events, to_x, hi - lo):
        if not lo <= x <= hi:
            continue
        color = COLORS["routine"] if routine else COLORS["shock"]
        for ax in axes:
            ax.axvline(x, color=color, lw=0.9 if routine else 1.3, ls=":" if routine else "--", zorder=1)
        # Rotated labels left of the line; one line per kind when events coincide. Scheduled
        # events (NAV reports) at the bottom, shocks at the top, so they do not collide.
        label_ax.annotate(
            tex_safe(text), xy=(x, 0.02 if routine else 0.98),
            xycoords=blended_transform_factory(label_ax.transData, label_ax.transAxes),
            xytext=(-3, 0), textcoords="offset points", rotation=90, ha="right",
            va="bottom" if routine else "top", fontsize=8 if routine else 9, linespacing=1.1,
            color=color if routine else "#7f0000", zorder=5,
            bbox={"boxstyle": "round,pad=0.15", "fc": "white", "ec": "none", "alpha": 0.8},
        )


def tex_safe(text: str) -> str:
    """`text` with "$" escaped, so matplotlib does not read "$1 ... $2" as math."""
    return text.replace("$", r"\$")


def _price_formatter(low: float, high: float):
    """Tick labels "$0.95" for a price axis: 2 decimals, more when the axis spans under 5 cents."""
    from matplotlib.ticker import FuncFormatter

    span = high - low
    decimals = 2 if span <= 0 or span >= 0.05 else min(8, 2 + math.ceil(-math.log10(span / 0.05)))
    return FuncFormatter(lambda v, _: tex_safe(f"${v:,.{decimals}f}"))


def _visible_limits(t, series: list, lo: float, hi: float, *, floor_zero: bool) -> tuple[float, float]:
    """y limits covering `series` over [lo, hi] seconds (step plots: the row before lo counts)."""
    import numpy as np

    start = max(int(np.searchsorted(t, lo, side="right")) - 1, 0)
    stop = int(np.searchsorted(t, hi, side="right"))
    values = np.concatenate([np.asarray(s[start:max(stop, start + 1)], dtype=float) for s in series])
    values = values[np.isfinite(values)]
    if not values.size:
        return (0.0, 1.0)
    low, high = float(values.min()), float(values.max())
    if floor_zero:
        low = min(low, 0.0)
    pad = 0.08 * (high - low) if high > low else max(abs(high) * 0.1, 1.0)
    return (low - (0 if floor_zero and low == 0 else pad), high + pad)


def has_redemptions(timeseries: list[dict]) -> bool:
    """True when a run's rows show any redemption request, whether queued or refused by the gate
    (the figure draws the redemption inset only then)."""
    return any(r.get("redemption_requested_shares", 0) > 0 or r.get("redemption_gated_shares", 0) > 0
               for r in timeseries)


def _draw_redemptions(ax, rows: list[dict], to_x, unit_name: str) -> None:
    """The SPV's redemption queue as an inset in the upper left of `ax` (the whole run's debt
    panel), only when the run has redemptions (`has_redemptions`): shares pending in the queue,
    paid and refused by the gate (cumulative), the cash reserve in the title."""
    import numpy as np

    if not has_redemptions(rows):
        return
    x = to_x(np.array([float(r["t_seconds"]) for r in rows]))
    inset = ax.inset_axes([0.06, 0.42, 0.34, 0.5])
    for column, color, name in (("redemption_pending_shares", COLORS["pending"], "pending"),
                                ("redemption_paid_shares", COLORS["paid"], "paid (cum.)"),
                                ("redemption_gated_shares", COLORS["gated"], "gated (cum.)")):
        inset.step(x, [float(r[column]) for r in rows], where="post", color=color, lw=1.2, label=name)
    cash = [float(r["spv_cash_reserve_usd"]) for r in rows]
    inset.set_title(tex_safe(f"SPV redemptions (tokens); cash {format_usd_compact(cash[0])} -> "
                             f"{format_usd_compact(cash[-1])}"), fontsize=7.5, loc="left")
    inset.tick_params(labelsize=7)
    inset.set_xlabel(unit_name, fontsize=7, labelpad=1)
    inset.grid(True, color="#e0e0e0", lw=0.5)
    inset.legend(fontsize=6.5, frameon=False, loc="upper left")


def plot(
    out_path: Path,
    *,
    scenario_name: str,
    timeseries: list[dict],
    liquidations: list[dict],
    events: list[dict],
    seed: int | None = None,
) -> Path:
    """Draws the run as a 1600 x 1000 px PNG at `out_path` and returns the path.

    Left column, the whole run (days when it spans more than two days): (a) true value, oracle
    price and AMM price per token (and the stablecoin price if it ever leaves $1), liquidations
    as marks on the AMM line, events as vertical lines (shocks dashed red, scheduled NAV reports
    dotted grey); (b) bad debt: realised (the pool's deficit) and, stacked on it, unrealised
    (debt its collateral does not cover at true value), whose top is the lenders' expected loss;
    (c) liquidatable debt, total debt and debt repaid by liquidators. Right column, the same
    three panels zoomed on the main cascade (`cascade_window`), in minutes (or hours) after the
    event before its trigger, the trigger marked. Above the panels, `headline`. Without
    liquidations the zoom follows the first shock. Rows are irregular in time (fast-forward
    jumps, then one row per block): every series is a step plot holding each row's state until
    the next row. When the SPV's redemption queue was used (`has_redemptions`), an inset in (c)
    shows shares pending, paid and gated, and the cash reserve. Uses the Agg canvas directly: no
    display and no global pyplot state.
    """
    import numpy as np
    from matplotlib.lines import Line2D

    if not timeseries:
        raise ValueError("plot needs at least one timeseries row")
    rows = sorted(timeseries, key=lambda r: (r["t_seconds"], r["block"]))
    liqs = sorted(liquidations, key=lambda x: (x["t_seconds"], x["block"]))
    events = sorted(events, key=lambda e: e["t_seconds"])

    def col(name):
        return np.array([float(r[name]) for r in rows])

    t = col("t_seconds")
    true_nav, amm, stable = col("true_nav_usd"), col("amm_price_usd"), col("stable_price_usd")
    oracle = col("oracle_price_usd")
    oracle[oracle <= 0] = np.nan  # not yet published
    deficit, liquidatable, total_debt = col("deficit_usd"), col("liquidatable_debt_usd"), col("total_debt_usd")
    expected_loss = deficit + col("insolvent_debt_at_true_value_usd")  # realised + unrealised, stacked
    market_loss = deficit + col("insolvent_debt_at_amm_usd")  # the same, collateral valued at the AMM
    show_stable = bool(np.nanmax(np.abs(stable - 1.0)) > 1e-3) if stable.size else False

    liq_t = np.array([float(x["t_seconds"]) for x in liqs])
    at_row = np.clip(np.searchsorted(t, liq_t, side="right") - 1, 0, len(t) - 1) if liqs else np.array([], int)
    liq_amm = amm[at_row] if liqs else np.array([])
    repaid_cum = np.cumsum([x["debt_repaid_usd"] for x in liqs]) if liqs else np.array([])

    fig = new_figure()
    full, zoomed = six_panels(fig, left=0.065, right=0.985, top=0.83, wspace=0.14)

    run_span = float(t[-1] - t[0]) if len(t) > 1 else 0.0
    unit, unit_name = _time_unit(run_span)
    zoom = cascade_window(rows, liqs, events)
    usd_axis = usd_formatter()

    def draw(axes, to_x, lo_s, hi_s, *, marker_size):
        a, b, c = axes
        x = to_x(t)
        a.step(x, true_nav, where="post", color=COLORS["true"], lw=2.2, label="true value (off-chain NAV)")
        a.step(x, oracle, where="post", color=COLORS["oracle"], lw=1.6, label="oracle price (pool)")
        a.step(x, amm, where="post", color=COLORS["amm"], lw=1.6, label="AMM price")
        if show_stable:
            a.step(x, stable, where="post", color=COLORS["stable"], lw=1.2, ls="-.", label="stablecoin price")
        if liqs:
            a.plot(to_x(liq_t), liq_amm, ls="none", marker="o", ms=marker_size, mfc="none",
                   mec=COLORS["liq"], mew=1.2, label="liquidation (on AMM price)", zorder=4)
        b.step(x, deficit, where="post", color=COLORS["deficit"], lw=1.6, label="bad debt realised (pool deficit)")
        b.fill_between(x, deficit, step="post", color=COLORS["deficit"], alpha=0.2)
        b.step(x, expected_loss, where="post", color=COLORS["unrealised"], lw=1.3, ls="--",
               label="+ unrealised (debt over collateral at true value)")
        b.fill_between(x, deficit, expected_loss, step="post", color=COLORS["unrealised"], alpha=0.15, lw=0)
        if np.nanmax(market_loss - expected_loss) > 0:
            b.step(x, market_loss, where="post", color=COLORS["amm"], lw=1.1, ls=":",
                   label="+ unrealised at the AMM price (market view)")
        if not np.nanmax(np.maximum(expected_loss, market_loss)) > 0:
            b.text(0.5, 0.5, "no bad debt, realised or unrealised", transform=b.transAxes, ha="center",
                   va="center", fontsize=11, color=COLORS["routine"])
            b.set_yticks([0.0])
        c.fill_between(x, liquidatable, step="post", color=COLORS["liquidatable"], alpha=0.8,
                       label="liquidatable debt (HF < 1)")
        c.step(x, total_debt, where="post", color=COLORS["total"], lw=1.4, label="total debt")
        if liqs:
            c.step(np.r_[x[0], to_x(liq_t)], np.r_[0.0, repaid_cum], where="post", color=COLORS["repaid"],
                   lw=1.3, ls="--", label="debt repaid by liquidators (cum.)")
        a.set_ylim(*_visible_limits(t, [true_nav, oracle, amm] + ([stable] if show_stable else []),
                                    lo_s, hi_s, floor_zero=False))
        b.set_ylim(*_visible_limits(t, [deficit, expected_loss, market_loss], lo_s, hi_s, floor_zero=True))
        c.set_ylim(*_visible_limits(t, [liquidatable, total_debt], lo_s, hi_s, floor_zero=True))
        a.yaxis.set_major_formatter(_price_formatter(*a.get_ylim()))
        for ax in (b, c):
            ax.yaxis.set_major_formatter(usd_axis)
        for ax in axes:
            ax.grid(True, color="#e0e0e0", lw=0.6)
            ax.set_axisbelow(True)
            ax.tick_params(labelsize=9)
        for ax in axes[:-1]:
            ax.tick_params(labelbottom=False)
        _draw_events(axes, events, to_x, to_x(lo_s), to_x(hi_s), label_ax=a)

    # Left: the whole run.
    full_lo, full_hi = float(t[0]), float(t[-1]) if run_span else float(t[0]) + unit
    draw(full, lambda s: s / unit, full_lo, full_hi, marker_size=5)
    full[0].set_xlim(full_lo / unit, full_hi / unit)
    full[2].set_xlabel(f"time since start ({unit_name})", fontsize=10)
    full[0].set_title(f"whole run: {format_duration(run_span)}", fontsize=11, loc="left")
    full[0].set_ylabel("price per token", fontsize=10)
    full[1].set_ylabel("bad debt", fontsize=10)
    full[2].set_ylabel("debt", fontsize=10)
    # One legend for all six panels, in a row above them, where it cannot hide data.
    handles, labels = legend_entries(full)
    handles += [Line2D([], [], color=COLORS["shock"], lw=1.3, ls="--"),
                Line2D([], [], color=COLORS["routine"], lw=0.9, ls=":")]
    labels += ["shock", "scheduled event"]
    rows_needed = 2 if len(labels) <= 10 else 3
    fig.legend(handles, labels, loc="upper left", bbox_to_anchor=(0.06, 0.928),
               ncol=math.ceil(len(labels) / rows_needed), fontsize=9.5 if rows_needed == 2 else 8.5,
               frameon=False, handlelength=2.2, columnspacing=1.6)

    # Right: the cascade.
    if zoom is None:
        for ax in zoomed:
            ax.set_axis_off()
        zoomed[0].text(0.5, 0.5, "no liquidation and no shock:\nnothing to zoom on", ha="center",
                       va="center", fontsize=12, color=COLORS["routine"], transform=zoomed[0].transAxes)
    else:
        # The window is minutes wide on a months-long axis: widen its band to stay visible.
        middle, half = (zoom.lo + zoom.hi) / 2 / unit, (zoom.hi - zoom.lo) / 2 / unit
        narrow = half < 0.006 * (full_hi - full_lo) / unit
        half = max(half, 0.006 * (full_hi - full_lo) / unit)
        for ax in full:
            ax.axvspan(middle - half, middle + half, color=COLORS["zoom"], alpha=0.8 if narrow else 0.35, lw=0,
                       zorder=0)
        full[0].annotate(
            "zoomed\nat right", xy=(middle + half, 0.5), xycoords=("data", "axes fraction"),
            xytext=(4, 0), textcoords="offset points", ha="left", va="center", fontsize=8.5, color="#7a5c00",
            bbox={"boxstyle": "round,pad=0.2", "fc": COLORS["zoom"], "ec": "none", "alpha": 0.8},
        )
        draw(zoomed, zoom.x, zoom.lo, zoom.hi, marker_size=6)
        zoomed[0].set_xlim(zoom.x(zoom.lo), zoom.x(zoom.hi))
        day = zoom.anchor / SECONDS_PER_DAY
        zoomed[2].set_xlabel(f"{zoom.unit[1]} after the {zoom.anchor_label} (day {day:.2f})", fontsize=10)
        title = zoom.title if len(zoom.title) <= 72 else zoom.title.replace(", ", "\n", 1)
        zoomed[0].set_title(tex_safe(title), fontsize=11, loc="left", linespacing=1.15)
        for ax in zoomed:
            ax.axvline(0, color="#7f0000", lw=0.6, alpha=0.4, zorder=1)
        if zoom.cascade is not None and zoom.cascade.trigger_seconds != zoom.anchor:
            trigger_x = zoom.x(zoom.cascade.trigger_seconds)
            for ax in zoomed:
                ax.axvline(trigger_x, color=COLORS["liquidatable"], lw=1.4, zorder=1)
            zoomed[2].annotate("trigger: debt\nliquidatable", xy=(trigger_x, 0.97), xycoords=("data", "axes fraction"),
                               xytext=(3, 0), textcoords="offset points", ha="left", va="top", fontsize=8,
                               color="#b35806")

    _draw_redemptions(full[2], rows, lambda s: s / unit, unit_name)

    suffix = "" if seed is None else f"  (seed {seed})"
    fig.suptitle(tex_safe(f"{scenario_name}{suffix}"), fontsize=16, fontweight="bold", x=0.065, ha="left", y=0.985)
    fig.text(0.065, 0.943, tex_safe(headline(rows, liqs)), fontsize=11.5, ha="left", va="center", color="#333333")

    return save_figure(fig, out_path)


STRUCTURED_PRODUCTS = (("spv", "the SPV token"), ("index", "the index"), ("senior", "senior tranche"),
                       ("junior", "junior tranche"))


def has_products(timeseries: list[dict]) -> bool:
    """True for a run of structured products (`market.structured`): its rows carry the index's prices."""
    return bool(timeseries) and "index_amm_usd" in timeseries[0]


def plot_products(out_path: Path, *, scenario_name: str, seed: int, timeseries: list[dict],
                  liquidations: list[dict], products: dict[str, str]) -> Path:
    """`products.png` for a run of structured products: a panel per collateral product (the SPV token, the
    index, each tranche) with its three prices (true value, oracle, AMM) over the run and its liquidations
    on its AMM price (`products`: each liquidated borrower's address, lowercase, to its product)."""
    import numpy as np

    rows = sorted(timeseries, key=lambda r: r["t_seconds"])
    t = np.array([float(r["t_seconds"]) for r in rows])
    unit, unit_name = _time_unit(float(t[-1] - t[0]) if len(t) > 1 else 0.0)
    shown = [(name, label) for name, label in STRUCTURED_PRODUCTS
             if (name == "spv" or f"{name}_amm_usd" in rows[0])]
    fig = new_figure(figsize=(13, 3.2 * ((len(shown) + 1) // 2)))
    axes = np.atleast_1d(fig.subplots((len(shown) + 1) // 2, 2, sharex=True)).ravel()
    columns = {"spv": ("true_nav_usd", "oracle_price_usd", "amm_price_usd")}
    for (name, label), ax in zip(shown, axes):
        true, oracle, amm = (np.array([float(r[c]) for r in rows])
                             for c in columns.get(name, (f"{name}_true_usd", f"{name}_oracle_usd", f"{name}_amm_usd")))
        oracle[oracle <= 0] = np.nan
        x = t / unit
        ax.step(x, true, where="post", color=COLORS["true"], lw=2.0, label="true value")
        ax.step(x, oracle, where="post", color=COLORS["oracle"], lw=1.4, label="oracle (its NAV feed)")
        ax.step(x, amm, where="post", color=COLORS["amm"], lw=1.4, label="AMM price")
        mine = [q for q in liquidations if products.get(q["user"].lower()) == name]
        if mine:
            liq_t = np.array([float(q["t_seconds"]) for q in mine])
            at = np.clip(np.searchsorted(t, liq_t, side="right") - 1, 0, len(t) - 1)
            ax.plot(liq_t / unit, amm[at], ls="none", marker="o", ms=4, mfc="none", mec=COLORS["liq"], mew=1.0,
                    label="liquidation")
        ax.set_title(tex_safe(f"{label}: {len(mine)} liquidations"), fontsize=10)
        ax.set_ylim(*_visible_limits(t, [true, oracle, amm], float(t[0]), float(t[-1]), floor_zero=False))
        ax.yaxis.set_major_formatter(_price_formatter(*ax.get_ylim()))
        ax.grid(True, color="#e0e0e0", lw=0.6)
        ax.set_xlabel(unit_name, fontsize=9)
    for ax in axes[len(shown):]:
        ax.set_visible(False)
    unique = dict(zip(*reversed(legend_entries(axes[:len(shown)]))))  # label -> handle, once each
    fig.suptitle(tex_safe(f"{scenario_name} (seed {seed}): each product's true value, oracle and AMM price"),
                 y=0.99, fontsize=11)
    fig.tight_layout(rect=(0, 0, 1, 0.9))
    fig.legend(list(unique.values()), list(unique), loc="upper center", bbox_to_anchor=(0.5, 0.955), ncol=4,
               fontsize=9, frameon=False)
    return save_figure(fig, out_path)
