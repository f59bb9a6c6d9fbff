"""Run outputs: CSV and JSON files, the cascade figure, the terminal summary table, a progress bar.

Pure Python: every function takes the plain data a run produces (rows, liquidations, events,
summary) and never touches the chain, so reports can be rebuilt or restyled from saved data.

Files written by `write_outputs` are byte-for-byte reproducible for equal input: floats are
rounded to `SIGNIFICANT_DIGITS` significant digits (see `canonical` and `format_float`), columns
and keys have a fixed order, and nothing depends on wall time, locale or platform line endings.
"""

from __future__ import annotations

import csv
import io
import json
import math
import sys
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

from .metrics import Cascade, main_cascade

SECONDS_PER_MINUTE = 60
SECONDS_PER_HOUR = 3_600
SECONDS_PER_DAY = 86_400

# 10 significant digits: a cent on $100M, a dollar on $10B, a millionth of a percent; and six
# orders of magnitude above binary floating-point noise (~1e-16 relative), so values an analyst
# reads are exact while the last-bit noise of a float sum does not reach the files.
SIGNIFICANT_DIGITS = 10

TIMESERIES_COLUMNS = (
    "t_seconds", "t_days", "block", "mode", "true_nav_usd", "oracle_price_usd", "amm_price_usd",
    "stable_price_usd", "amm_spv_reserve", "amm_stable_reserve", "liquidatable_debt_usd",
    "total_debt_usd", "deficit_usd", "insolvent_debt_at_true_value_usd", "insolvent_debt_at_oracle_usd",
    "insolvent_debt_at_amm_usd", "expected_lender_loss_usd", "liquidations", "txs", "reverted",
)
# `t_days` is derived from `t_seconds` when a liquidation or an event row lacks it.
LIQUIDATION_COLUMNS = (
    "t_seconds", "t_days", "block", "liquidator", "user", "atomic", "debt_repaid_usd",
    "collateral_seized_tokens", "collateral_seized_usd", "protocol_fee_tokens", "hf_before",
    "hf_after", "deficit_created_usd",
)
EVENT_COLUMNS = ("t_seconds", "t_days", "kind", "description")
UNLIQUIDATED_COLUMNS = ("user", "reason", "from_seconds", "from_days", "to_seconds", "to_days", "steps",
                        "first_debt_usd", "last_debt_usd", "min_health_factor")

# Events that happen on a schedule rather than as shocks: drawn faint; without liquidations the
# zoom follows the first shock, not these (with liquidations a NAV report can be the trigger).
ROUTINE_EVENT_KINDS = frozenset({"nav_report"})
# An event this close before a cascade's trigger is named in the zoom (its time zero).
TRIGGER_LOOKBACK_SECONDS = 6 * SECONDS_PER_HOUR
FIGURE_SIZE_PX = (1600, 1000)
FIGURE_DPI = 100


# -- canonical values and deterministic formatting ---------------------------------------------


def round_significant(x: float, digits: int = SIGNIFICANT_DIGITS) -> float:
    """`x` rounded to `digits` significant decimal digits (correctly rounded, as `format` does).

    Finite values only; -0.0 becomes 0.0 so that equal numbers print equally.
    """
    rounded = float(f"{x:.{digits}g}")
    return 0.0 if rounded == 0 else rounded


def canonical(value: Any, digits: int = SIGNIFICANT_DIGITS) -> Any:
    """A JSON-ready copy of `value` whose `json.dumps(..., sort_keys=True)` is reproducible.

    - floats (Python or numpy) are rounded to `digits` significant digits (`round_significant`):
      a relative precision, so USD amounts in billions and ratios near 1e-6 keep the same number
      of meaningful digits, unlike a fixed number of decimals;
    - NaN becomes None (JSON null: "no value"); +inf and -inf become the strings "inf" and
      "-inf", so the file stays strict JSON and the reader still sees the infinity;
    - numpy integers and bools become int and bool (a bool stays a bool, never 0/1);
    - mappings become dicts with str keys; tuples, lists, sets and numpy arrays become lists
      (sets sorted, so their order does not depend on hashing);
    - str, int, bool and None are returned as they are; anything else raises TypeError.
    """
    if value is None or isinstance(value, (bool, str)):
        return value
    type_name = type(value).__module__ + "." + type(value).__name__
    if type_name.startswith("numpy."):
        if hasattr(value, "tolist"):  # numpy scalars and arrays -> Python scalars and lists
            return canonical(value.tolist(), digits)
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        if math.isnan(value):
            return None
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        return round_significant(value, digits)
    if isinstance(value, Mapping):
        return {str(k): canonical(v, digits) for k, v in value.items()}
    if isinstance(value, (set, frozenset)):
        return sorted((canonical(v, digits) for v in value), key=lambda v: json.dumps(v, sort_keys=True))
    if isinstance(value, (list, tuple)):
        return [canonical(v, digits) for v in value]
    raise TypeError(f"cannot make {type(value).__name__} JSON-canonical: {value!r}")


def summary_json(summary: Mapping) -> str:
    """The text of `summary.json`: canonical values, sorted keys, 2-space indent, final newline."""
    return json.dumps(canonical(summary), indent=2, sort_keys=True, allow_nan=False) + "\n"


def format_float(x: float, digits: int = SIGNIFICANT_DIGITS) -> str:
    """A float for a CSV cell: `digits` significant digits, no exponent noise from repr.

    "nan", "inf" and "-inf" for non-finite values (Python's float() and pandas read them back);
    "0" for both zeros.
    """
    if math.isnan(x):
        return "nan"
    if math.isinf(x):
        return "inf" if x > 0 else "-inf"
    text = f"{x:.{digits}g}"
    return "0" if text in ("0", "-0") else text


def _plain(value: Any) -> Any:
    """A numpy scalar as the Python value it holds; anything else unchanged."""
    if type(value).__module__ == "numpy" and hasattr(value, "item"):
        return value.item()
    return value


def _cell(value: Any) -> str:
    """A CSV cell: floats by `format_float`, bools as true/false, None as empty."""
    value = _plain(value)
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return format_float(value)
    return str(value)


def _csv_text(rows: Iterable[Mapping], columns: tuple[str, ...], name: str) -> str:
    """CSV text with `columns` first (in order), then any extra keys sorted; "\\n" line ends."""
    rows = [dict(r) for r in rows]
    for i, row in enumerate(rows):
        for days, seconds in (("t_days", "t_seconds"), ("from_days", "from_seconds"), ("to_days", "to_seconds")):
            if days in columns and days not in row and seconds in row:
                row[days] = row[seconds] / SECONDS_PER_DAY
        missing = [c for c in columns if c not in row]
        if missing:
            raise ValueError(f"{name} row {i} lacks {', '.join(missing)}")
    extra = sorted({k for row in rows for k in row} - set(columns))
    header = [*columns, *extra]
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([_cell(row.get(c)) for c in header])
    return buffer.getvalue()


def write_outputs(
    out_dir: Path,
    *,
    scenario_name: str,
    seed: int,
    timeseries: list[dict],
    liquidations: list[dict],
    events: list[dict],
    summary: dict,
    unliquidated: list[dict] = (),
    figure: bool = True,
) -> dict[str, Path]:
    """Writes a run's outputs into `out_dir` (created if needed) and returns their paths.

    Files (keys of the returned dict): `timeseries` -> timeseries.csv (one row per engine step,
    columns `TIMESERIES_COLUMNS`), `liquidations` -> liquidations.csv (`LIQUIDATION_COLUMNS`),
    `events` -> events.csv (`EVENT_COLUMNS`), `unliquidated` -> unliquidated.csv (one row per
    span of consecutive steps at which a liquidatable position got no attempt, for one reason,
    `UNLIQUIDATED_COLUMNS`, from `metrics.UnliquidatedSpans`; header only when there are none), `summary` -> summary.json (`summary_json`), and,
    when `figure` is true, `figure` -> figure.png (`plot`). Keys beyond the known columns are
    appended in sorted order. Equal input gives byte-identical CSV and JSON files.
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    texts = {
        "timeseries": ("timeseries.csv", _csv_text(timeseries, TIMESERIES_COLUMNS, "timeseries")),
        "liquidations": ("liquidations.csv", _csv_text(liquidations, LIQUIDATION_COLUMNS, "liquidations")),
        "events": ("events.csv", _csv_text(events, EVENT_COLUMNS, "events")),
        "unliquidated": ("unliquidated.csv", _csv_text(unliquidated, UNLIQUIDATED_COLUMNS, "unliquidated")),
        "summary": ("summary.json", summary_json(summary)),
    }
    paths: dict[str, Path] = {}
    for key, (filename, text) in texts.items():
        path = out_dir / filename
        path.write_text(text, encoding="utf-8", newline="")
        paths[key] = path
    if figure:
        paths["figure"] = plot(
            out_dir / "figure.png",
            scenario_name=scenario_name,
            seed=seed,
            timeseries=timeseries,
            liquidations=liquidations,
            events=events,
        )
    return paths


# -- human formatting ---------------------------------------------------------------------------


def format_duration(seconds: float) -> str:
    """A duration for people, two units at most: "45 d 0 h", "3 h 5 min", "7 min 12 s", "12 s".

    Negative values (the engine's -1 for "never happened") and None give "n/a".
    """
    if seconds is None or (isinstance(seconds, float) and not math.isfinite(seconds)) or seconds < 0:
        return "n/a"
    s = int(round(seconds))
    days, rest = divmod(s, SECONDS_PER_DAY)
    hours, rest = divmod(rest, SECONDS_PER_HOUR)
    minutes, secs = divmod(rest, SECONDS_PER_MINUTE)
    if days:
        return f"{days} d {hours} h"
    if hours:
        return f"{hours} h {minutes} min"
    if minutes:
        return f"{minutes} min {secs} s"
    return f"{secs} s"


def format_time_point(seconds: float) -> str:
    """A moment of the run (seconds since its start) as "day 20 00:09:48"; negatives give "n/a"."""
    if seconds is None or (isinstance(seconds, float) and not math.isfinite(seconds)) or seconds < 0:
        return "n/a"
    days, rest = divmod(int(round(seconds)), SECONDS_PER_DAY)
    hours, rest = divmod(rest, SECONDS_PER_HOUR)
    minutes, secs = divmod(rest, SECONDS_PER_MINUTE)
    return f"day {days} {hours:02d}:{minutes:02d}:{secs:02d}"


def format_usd(x: float) -> str:
    """"$1,234,567.89"; "-$12.50" for negatives; 4 decimals under $10 (token prices: "$0.4559")."""
    decimals = 4 if 0 < abs(x) < 10 else 2
    return f"-${-x:,.{decimals}f}" if x < 0 else f"${x:,.{decimals}f}"


def format_usd_compact(x: float) -> str:
    """"$1.25B", "$350M", "$12.5k", "$0.42" (axis ticks and titles)."""
    if x == 0:
        return "$0"
    sign, x = ("-" if x < 0 else ""), abs(x)
    for scale, suffix in ((1e12, "T"), (1e9, "B"), (1e6, "M"), (1e3, "k")):
        if x >= scale:
            return f"{sign}${x / scale:.3g}{suffix}"
    return f"{sign}${x:.3g}" if x >= 1 else f"{sign}${x:.2f}"


_ACRONYMS = {"amm": "AMM", "nav": "NAV", "usd": "USD", "hf": "HF", "ltv": "LTV", "lp": "LP", "twap": "TWAP"}


def _label(key: str) -> str:
    """A metric key as words: unit suffixes dropped, "_pct_of_" read as "% of"."""
    words = key.split("_")
    if len(words) > 1 and words[-1] in ("usd", "pct", "seconds", "tokens"):
        words = words[:-1]
    elif len(words) == 1 and words[0] in ("usd", "pct", "seconds", "tokens"):
        return "amount"  # a bare unit key such as bad_debt.usd
    text = " ".join(_ACRONYMS.get(w, w) for w in words)
    text = text.replace("pct of ", "% of ").replace(" over ", " / ")
    return text


def format_metric(key: str, value: Any) -> str:
    """`value` with the unit its key announces (the summary's naming convention).

    `*_usd` -> "$1,234.56"; `*_pct` / `pct_*` -> "12.34 %"; `first_*_seconds`, `last_*_seconds`
    and `*_at_seconds` (moments) -> `format_time_point`; other `*_seconds` (durations) ->
    `format_duration`; `*_tokens` -> "1,234.5 tokens"; `*_over_*` / `*_ratio` -> "123.4 x";
    bools -> yes/no; other ints with thousands separators; other floats to 6 significant digits.
    numpy scalars are read as the Python values they hold.
    """
    value = _plain(value)
    if value is None:
        return "n/a"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, str):
        return value
    if isinstance(value, (list, tuple)):
        return "; ".join(str(v) for v in value) or "-"
    if isinstance(value, float) and math.isnan(value):
        return "n/a"
    words = key.lower().split("_")
    if words[-1] == "usd":
        return format_usd(value)
    if "pct" in words:
        return f"{value:,.2f} %"
    if words[-1] == "seconds":
        moment = words[0] in ("first", "last") or words[-2:-1] == ["at"]
        return format_time_point(value) if moment else format_duration(value)
    if words[-1] == "tokens":
        return f"{value:,.2f} tokens"
    if "over" in words or words[-1] == "ratio":
        return f"{value:,.1f} x"
    if isinstance(value, int):
        return f"{value:,}"
    return f"{value:,.6g}"


def summary_table(summary: dict, *, title: str) -> str:
    """The summary as a plain-text table (100 columns), one section per top-level key.

    Top-level scalars (scenario, seed) come first under "run"; nested dicts are indented under
    their key; values carry their units (see `format_metric`). Key order is the summary's own.
    """
    from rich import box
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    groups: list[tuple[str, list[tuple[str, str]]]] = []
    scalars = [(k, v) for k, v in summary.items() if not isinstance(v, Mapping)]
    if scalars:
        groups.append(("run", [(_label(k), format_metric(k, v)) for k, v in scalars]))
    for group, content in summary.items():
        if isinstance(content, Mapping):
            groups.append((group.replace("_", " "), _rows(content, indent=0)))

    table = Table(title=title, box=box.SIMPLE_HEAD, show_header=True, header_style="bold",
                  title_style="bold", pad_edge=False)
    table.add_column("metric", min_width=36)
    table.add_column("value", justify="right", min_width=22)
    for i, (group, rows) in enumerate(groups):
        table.add_row(Text(group, style="bold"), "")
        for label, value in rows:
            table.add_row(Text(f"  {label}"), Text(value))  # Text: no markup parsing of "[...]"
        if i < len(groups) - 1:
            table.add_section()
    console = Console(record=True, width=100, file=io.StringIO(), color_system=None)
    console.print(table)
    return console.export_text(styles=False)


def _rows(content: Mapping, indent: int) -> list[tuple[str, str]]:
    rows: list[tuple[str, str]] = []
    pad = "  " * indent
    for key, value in content.items():
        if isinstance(value, Mapping):
            rows.append((f"{pad}{_label(str(key))}", "none" if not value else ""))
            rows += _rows(value, indent + 1)
        else:
            rows.append((f"{pad}{_label(str(key))}", format_metric(str(key), value)))
    return rows


# -- progress -----------------------------------------------------------------------------------


class SimProgress:
    """A tqdm bar on stderr advanced by simulated seconds, with day, mode and liquidations.

    `update(t_seconds, info)` takes the absolute simulated time (as the engine's progress hook
    passes it) and `info` such as {"mode": "step", "liquidations": 12}.
    """

    def __init__(self, total_seconds: int, *, enabled: bool | None = None, file: TextIO | None = None,
                 desc: str = "simulating"):
        from tqdm import tqdm

        self.total_seconds = int(total_seconds)
        self.t = 0
        self.info: dict = {}
        self._bar = tqdm(
            total=self.total_seconds,
            desc=desc,
            file=file if file is not None else sys.stderr,
            disable=None if enabled is None else not enabled,  # None: off when not a TTY
            bar_format="{desc} {percentage:3.0f}%|{bar}| {postfix} [{elapsed}<{remaining}]",
            dynamic_ncols=True,
            mininterval=0.25,
            leave=True,
        )

    @property
    def enabled(self) -> bool:
        return not self._bar.disable

    def update(self, t_seconds: int, info: Mapping | None = None) -> None:
        """Moves the bar to simulated time `t_seconds` (never backwards) and shows `info`."""
        t = min(max(int(t_seconds), self.t), self.total_seconds)
        advance, self.t = t - self.t, t
        if info:
            self.info = dict(info)
        if not self.enabled:
            return
        parts = [f"day {t / SECONDS_PER_DAY:.2f}/{self.total_seconds / SECONDS_PER_DAY:g}"]
        if "mode" in self.info:
            parts.append(str(self.info["mode"]))
        if "liquidations" in self.info:
            parts.append(f"{self.info['liquidations']} liquidations")
        self._bar.set_postfix_str(" | ".join(parts), refresh=False)
        self._bar.update(advance)

    def close(self) -> None:
        self._bar.close()

    def __enter__(self) -> "SimProgress":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def progress(total_seconds: int, *, enabled: bool | None = None, file: TextIO | None = None) -> SimProgress:
    """A progress bar over `total_seconds` of simulated time (see `SimProgress`).

    `enabled=None` shows it only when the output is a terminal (quiet in CI logs); False never
    shows it (tests); True always does. Use `bar.update(t, {"mode": ..., "liquidations": ...})`
    as the engine's progress hook and `bar.close()` at the end, or `with progress(...) as bar:`.
    """
    return SimProgress(total_seconds, enabled=enabled, file=file)


# -- figure -------------------------------------------------------------------------------------

_COLORS = {
    "true": "#1b7837", "oracle": "#2166ac", "amm": "#e08214", "stable": "#762a83",
    "liq": "#b2182b", "shock": "#d6604d", "routine": "#8c8c8c", "deficit": "#b2182b",
    "liquidatable": "#f4a582", "total": "#404040", "repaid": "#2166ac", "zoom": "#fee08b",
    "unrealised": "#8c510a",
}


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
        color = _COLORS["routine"] if routine else _COLORS["shock"]
        for ax in axes:
            ax.axvline(x, color=color, lw=0.9 if routine else 1.3, ls=":" if routine else "--", zorder=1)
        # Rotated labels left of the line; one line per kind when events coincide. Scheduled
        # events (NAV reports) at the bottom, shocks at the top, so they do not collide.
        label_ax.annotate(
            _tex_safe(text), xy=(x, 0.02 if routine else 0.98),
            xycoords=blended_transform_factory(label_ax.transData, label_ax.transAxes),
            xytext=(-3, 0), textcoords="offset points", rotation=90, ha="right",
            va="bottom" if routine else "top", fontsize=8 if routine else 9, linespacing=1.1,
            color=color if routine else "#7f0000", zorder=5,
            bbox={"boxstyle": "round,pad=0.15", "fc": "white", "ec": "none", "alpha": 0.8},
        )


def _tex_safe(text: str) -> str:
    """`text` with "$" escaped, so matplotlib does not read "$1 ... $2" as math."""
    return text.replace("$", r"\$")


def _price_formatter(low: float, high: float):
    """Tick labels "$0.95" for a price axis: 2 decimals, more when the axis spans under 5 cents."""
    from matplotlib.ticker import FuncFormatter

    span = high - low
    decimals = 2 if span <= 0 or span >= 0.05 else min(8, 2 + math.ceil(-math.log10(span / 0.05)))
    return FuncFormatter(lambda v, _: _tex_safe(f"${v:,.{decimals}f}"))


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
    the next row. Uses the Agg canvas directly: no display and no global pyplot state.
    """
    import numpy as np
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.lines import Line2D
    from matplotlib.ticker import FuncFormatter

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

    fig = Figure(figsize=(FIGURE_SIZE_PX[0] / FIGURE_DPI, FIGURE_SIZE_PX[1] / FIGURE_DPI), dpi=FIGURE_DPI)
    FigureCanvasAgg(fig)
    grid = fig.add_gridspec(3, 2, width_ratios=[1.35, 1], height_ratios=[2.1, 1, 1],
                            left=0.065, right=0.985, top=0.83, bottom=0.065, hspace=0.1, wspace=0.14)
    full = [fig.add_subplot(grid[0, 0])]
    full += [fig.add_subplot(grid[i, 0], sharex=full[0]) for i in (1, 2)]
    zoomed = [fig.add_subplot(grid[0, 1])]
    zoomed += [fig.add_subplot(grid[i, 1], sharex=zoomed[0]) for i in (1, 2)]

    run_span = float(t[-1] - t[0]) if len(t) > 1 else 0.0
    unit, unit_name = _time_unit(run_span)
    zoom = cascade_window(rows, liqs, events)
    usd_axis = FuncFormatter(lambda v, _: _tex_safe(format_usd_compact(v)))

    def draw(axes, to_x, lo_s, hi_s, *, marker_size):
        a, b, c = axes
        x = to_x(t)
        a.step(x, true_nav, where="post", color=_COLORS["true"], lw=2.2, label="true value (off-chain NAV)")
        a.step(x, oracle, where="post", color=_COLORS["oracle"], lw=1.6, label="oracle price (pool)")
        a.step(x, amm, where="post", color=_COLORS["amm"], lw=1.6, label="AMM price")
        if show_stable:
            a.step(x, stable, where="post", color=_COLORS["stable"], lw=1.2, ls="-.", label="stablecoin price")
        if liqs:
            a.plot(to_x(liq_t), liq_amm, ls="none", marker="o", ms=marker_size, mfc="none",
                   mec=_COLORS["liq"], mew=1.2, label="liquidation (on AMM price)", zorder=4)
        b.step(x, deficit, where="post", color=_COLORS["deficit"], lw=1.6, label="bad debt realised (pool deficit)")
        b.fill_between(x, deficit, step="post", color=_COLORS["deficit"], alpha=0.2)
        b.step(x, expected_loss, where="post", color=_COLORS["unrealised"], lw=1.3, ls="--",
               label="+ unrealised (debt over collateral at true value)")
        b.fill_between(x, deficit, expected_loss, step="post", color=_COLORS["unrealised"], alpha=0.15, lw=0)
        if np.nanmax(market_loss - expected_loss) > 0:
            b.step(x, market_loss, where="post", color=_COLORS["amm"], lw=1.1, ls=":",
                   label="+ unrealised at the AMM price (market view)")
        if not np.nanmax(np.maximum(expected_loss, market_loss)) > 0:
            b.text(0.5, 0.5, "no bad debt, realised or unrealised", transform=b.transAxes, ha="center",
                   va="center", fontsize=11, color=_COLORS["routine"])
            b.set_yticks([0.0])
        c.fill_between(x, liquidatable, step="post", color=_COLORS["liquidatable"], alpha=0.8,
                       label="liquidatable debt (HF < 1)")
        c.step(x, total_debt, where="post", color=_COLORS["total"], lw=1.4, label="total debt")
        if liqs:
            c.step(np.r_[x[0], to_x(liq_t)], np.r_[0.0, repaid_cum], where="post", color=_COLORS["repaid"],
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
    handles, labels = [], []
    for ax in full:
        h, lab = ax.get_legend_handles_labels()
        handles += h
        labels += lab
    handles += [Line2D([], [], color=_COLORS["shock"], lw=1.3, ls="--"),
                Line2D([], [], color=_COLORS["routine"], lw=0.9, ls=":")]
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
                       va="center", fontsize=12, color=_COLORS["routine"], transform=zoomed[0].transAxes)
    else:
        # The window is minutes wide on a months-long axis: widen its band to stay visible.
        middle, half = (zoom.lo + zoom.hi) / 2 / unit, (zoom.hi - zoom.lo) / 2 / unit
        narrow = half < 0.006 * (full_hi - full_lo) / unit
        half = max(half, 0.006 * (full_hi - full_lo) / unit)
        for ax in full:
            ax.axvspan(middle - half, middle + half, color=_COLORS["zoom"], alpha=0.8 if narrow else 0.35, lw=0,
                       zorder=0)
        full[0].annotate(
            "zoomed\nat right", xy=(middle + half, 0.5), xycoords=("data", "axes fraction"),
            xytext=(4, 0), textcoords="offset points", ha="left", va="center", fontsize=8.5, color="#7a5c00",
            bbox={"boxstyle": "round,pad=0.2", "fc": _COLORS["zoom"], "ec": "none", "alpha": 0.8},
        )
        draw(zoomed, zoom.x, zoom.lo, zoom.hi, marker_size=6)
        zoomed[0].set_xlim(zoom.x(zoom.lo), zoom.x(zoom.hi))
        day = zoom.anchor / SECONDS_PER_DAY
        zoomed[2].set_xlabel(f"{zoom.unit[1]} after the {zoom.anchor_label} (day {day:.2f})", fontsize=10)
        title = zoom.title if len(zoom.title) <= 72 else zoom.title.replace(", ", "\n", 1)
        zoomed[0].set_title(_tex_safe(title), fontsize=11, loc="left", linespacing=1.15)
        for ax in zoomed:
            ax.axvline(0, color="#7f0000", lw=0.6, alpha=0.4, zorder=1)
        if zoom.cascade is not None and zoom.cascade.trigger_seconds != zoom.anchor:
            trigger_x = zoom.x(zoom.cascade.trigger_seconds)
            for ax in zoomed:
                ax.axvline(trigger_x, color=_COLORS["liquidatable"], lw=1.4, zorder=1)
            zoomed[2].annotate("trigger: debt\nliquidatable", xy=(trigger_x, 0.97), xycoords=("data", "axes fraction"),
                               xytext=(3, 0), textcoords="offset points", ha="left", va="top", fontsize=8,
                               color="#b35806")

    suffix = "" if seed is None else f"  (seed {seed})"
    fig.suptitle(_tex_safe(f"{scenario_name}{suffix}"), fontsize=16, fontweight="bold", x=0.065, ha="left", y=0.985)
    fig.text(0.065, 0.943, _tex_safe(headline(rows, liqs)), fontsize=11.5, ha="left", va="center", color="#333333")

    out_path = Path(out_path)
    out_path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(out_path, dpi=FIGURE_DPI, metadata={"Software": None})
    return out_path
