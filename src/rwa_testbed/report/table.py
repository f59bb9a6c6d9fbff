"""Numbers and metrics for people, and the terminal tables (plain text, rendered by rich).

`format_*` turn durations, moments, USD amounts and summary metrics into text; `label` turns a
metric key into words; `summary_table` is a run's summary as a table; `new_table` / `render` give
every table of the project the same look (compare's venue table); `text_grid` aligns a small grid
(the fuzzer's frontier). Imports `files` only.
"""

from __future__ import annotations

import io
import math
from collections.abc import Mapping, Sequence
from typing import Any

from ..units import SECONDS_PER_DAY, SECONDS_PER_HOUR, SECONDS_PER_MINUTE
from .files import plain


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


def label(key: str) -> str:
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
    value = plain(value)
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


def format_period(seconds: int) -> str:
    """A configured period (an oracle delay, a TWAP window) in the largest unit that divides it
    exactly: "2 h", "30 min", "90 s" (0 gives "0 s")."""
    if seconds and seconds % SECONDS_PER_HOUR == 0:
        return f"{seconds // SECONDS_PER_HOUR} h"
    if seconds and seconds % SECONDS_PER_MINUTE == 0:
        return f"{seconds // SECONDS_PER_MINUTE} min"
    return f"{seconds} s"


def format_usd_millions(x: float) -> str:
    """"$25M", "$123.457M": USD in millions, 6 significant digits (grid axes of USD amounts)."""
    return f"${x / 1e6:g}M"


def new_table(title: str, **options: Any):
    """A rich `Table` in the project's look: simple head rule, bold title and header, no edge padding."""
    from rich import box
    from rich.table import Table

    return Table(title=title, box=box.SIMPLE_HEAD, header_style="bold", title_style="bold", pad_edge=False,
                 **options)


def render(table, *, width: int) -> str:
    """A rich renderable as plain text `width` columns wide (no colours, no styles)."""
    from rich.console import Console

    console = Console(record=True, width=width, file=io.StringIO(), color_system=None)
    console.print(table)
    return console.export_text(styles=False)


def text_grid(rows: Sequence[Sequence[str]]) -> list[str]:
    """Rows of cells as lines: every column right-aligned to its widest cell, two spaces between
    columns, a dashed rule under the first row (the header)."""
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(cell.rjust(w) for cell, w in zip(r, widths)) for r in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return lines


def summary_table(summary: dict, *, title: str) -> str:
    """The summary as a plain-text table (100 columns), one section per top-level key.

    Top-level scalars (scenario, seed) come first under "run"; nested dicts are indented under
    their key; values carry their units (see `format_metric`). Key order is the summary's own.
    """
    from rich.text import Text

    groups: list[tuple[str, list[tuple[str, str]]]] = []
    scalars = [(k, v) for k, v in summary.items() if not isinstance(v, Mapping)]
    if scalars:
        groups.append(("run", [(label(k), format_metric(k, v)) for k, v in scalars]))
    for group, content in summary.items():
        if isinstance(content, Mapping):
            groups.append((group.replace("_", " "), _rows(content, indent=0)))

    table = new_table(title, show_header=True)
    table.add_column("metric", min_width=36)
    table.add_column("value", justify="right", min_width=22)
    for i, (group, rows) in enumerate(groups):
        table.add_row(Text(group, style="bold"), "")
        for name, value in rows:
            table.add_row(Text(f"  {name}"), Text(value))  # Text: no markup parsing of "[...]"
        if i < len(groups) - 1:
            table.add_section()
    return render(table, width=100)


def _rows(content: Mapping, indent: int) -> list[tuple[str, str]]:
    rows: list[tuple[str, str]] = []
    pad = "  " * indent
    for key, value in content.items():
        if isinstance(value, Mapping):
            rows.append((f"{pad}{label(str(key))}", "none" if not value else ""))
            rows += _rows(value, indent + 1)
        else:
            rows.append((f"{pad}{label(str(key))}", format_metric(str(key), value)))
    return rows

