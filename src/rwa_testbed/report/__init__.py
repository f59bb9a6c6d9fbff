"""Run outputs: deterministic CSV and JSON files, the terminal tables, a progress bar, the figure.

Pure Python: every function takes the plain data a run produces (rows, liquidations, events,
summary) and never touches the chain, so reports can be rebuilt or restyled from saved data.

Modules, each importing only those before it (and `..metrics`): `files` (canonical values, float
formatting, the one CSV writer and its Parquet twin, JSON and text files) <- `table` (numbers and metrics for people,
the summary table) <- `figure` (the cascade figure and the figure conventions) <- `outputs` (a
run's files, `write_outputs`); `progress` (the progress bars) needs `table` only; `folder` (the
output folder checked writable and locked) imports nothing. This module only
re-exports their public names, for `from rwa_testbed import report; report.write_outputs(...)`.
"""

from .figure import (
    COLORS,
    FIGURE_DPI,
    FIGURE_SIZE_PX,
    ROUTINE_EVENT_KINDS,
    TRIGGER_LOOKBACK_SECONDS,
    CascadeWindow,
    cascade_title,
    cascade_window,
    headline,
    legend_entries,
    new_figure,
    plot,
    save_figure,
    six_panels,
    tex_safe,
    usd_formatter,
)
from .files import (
    SIGNIFICANT_DIGITS,
    append_jsonl,
    atomic_path,
    canonical,
    csv_text,
    flatten_numbers,
    format_cell,
    format_float,
    plain,
    plain_json,
    read_jsonl,
    round_significant,
    summary_json,
    table_rows,
    write_csv,
    write_json,
    write_parquet,
    write_text,
)
from .folder import OutputFolderError, OutputLock, check_writable
from .outputs import (
    EVENT_COLUMNS,
    LIQUIDATION_COLUMNS,
    TIMESERIES_COLUMNS,
    UNLIQUIDATED_COLUMNS,
    write_outputs,
)
from .progress import RunProgress, SimProgress, estimate, progress, wall_seconds
from .table import (
    format_duration,
    format_metric,
    format_period,
    format_time_point,
    format_usd,
    format_usd_compact,
    format_usd_millions,
    label,
    new_table,
    render,
    summary_table,
    text_grid,
)

__all__ = [
    "COLORS", "EVENT_COLUMNS", "FIGURE_DPI", "FIGURE_SIZE_PX", "LIQUIDATION_COLUMNS", "ROUTINE_EVENT_KINDS",
    "SIGNIFICANT_DIGITS", "TIMESERIES_COLUMNS", "append_jsonl", "flatten_numbers", "read_jsonl", "OutputFolderError", "OutputLock", "atomic_path", "check_writable",
    "TRIGGER_LOOKBACK_SECONDS", "UNLIQUIDATED_COLUMNS", "CascadeWindow", "RunProgress", "SimProgress", "canonical",
    "cascade_title", "cascade_window", "csv_text", "estimate", "format_cell", "format_duration", "format_float",
    "format_metric", "format_period", "format_time_point", "format_usd", "format_usd_compact",
    "format_usd_millions", "headline", "label", "legend_entries", "new_figure", "new_table", "plain",
    "plain_json", "plot", "progress", "render", "round_significant", "save_figure", "six_panels",
    "summary_json", "summary_table", "table_rows", "tex_safe", "text_grid", "usd_formatter", "write_csv",
    "wall_seconds", "write_json", "write_outputs", "write_parquet", "write_text",
]
