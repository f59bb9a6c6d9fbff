"""Deterministic files: canonical JSON values, float formatting, the project's one CSV writer (and its
Parquet twin, `write_parquet`, for tables read by dataframes).

Files written here are byte-for-byte reproducible for equal input: floats are rounded to
`SIGNIFICANT_DIGITS` significant digits (see `canonical` and `format_float`; a writer may pass its
own float format), columns and keys have a fixed order, text is UTF-8 with "\\n" line ends, and
nothing depends on wall time, locale or platform line endings. A leaf: imports nothing of the project.
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import math
import os
import secrets
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

from ..units import SECONDS_PER_DAY

# 10 significant digits: a cent on $100M, a dollar on $10B, a millionth of a percent; and six
# orders of magnitude above binary floating-point noise (~1e-16 relative), so values an analyst
# reads are exact while the last-bit noise of a float sum does not reach the files.
SIGNIFICANT_DIGITS = 10


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


def plain(value: Any) -> Any:
    """A numpy scalar as the Python value it holds; anything else unchanged."""
    if type(value).__module__ == "numpy" and hasattr(value, "item"):
        return value.item()
    return value


def format_cell(value: Any, float_format: Callable[[float], str] = format_float) -> str:
    """A CSV cell: floats by `float_format` (`format_float`), bools as true/false, None as empty."""
    value = plain(value)
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return float_format(value)
    return str(value)


def table_rows(rows: Iterable[Mapping], columns: tuple[str, ...], *, name: str = "rows",
                extra_columns: bool = True) -> tuple[list[dict], list[str]]:
    """The rows of a table file (`csv_text`, `write_parquet`) and its header: `columns` first (in
    order), then any extra keys of the rows sorted (none with `extra_columns=False`). Every row must
    have every column (ValueError naming `name` and the row otherwise), except `t_days` /
    `from_days` / `to_days`, derived from the matching `*_seconds` when absent."""
    rows = [dict(r) for r in rows]
    for i, row in enumerate(rows):
        for days, seconds in (("t_days", "t_seconds"), ("from_days", "from_seconds"), ("to_days", "to_seconds")):
            if days in columns and days not in row and seconds in row:
                row[days] = row[seconds] / SECONDS_PER_DAY
        missing = [c for c in columns if c not in row]
        if missing:
            raise ValueError(f"{name} row {i} lacks {', '.join(missing)}")
    extra = sorted({k for row in rows for k in row} - set(columns)) if extra_columns else []
    return rows, [*columns, *extra]


def csv_text(rows: Iterable[Mapping], columns: tuple[str, ...], *, name: str = "rows",
             float_format: Callable[[float], str] = format_float, extra_columns: bool = True) -> str:
    """CSV text of `table_rows(rows, columns, ...)` (`columns` first, then any extra keys sorted; every
    row has every column); "\\n" line ends. Cells are `format_cell(value, float_format)`;
    `extra_columns=False` drops keys beyond `columns`.
    """
    rows, header = table_rows(rows, columns, name=name, extra_columns=extra_columns)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([format_cell(row.get(c), float_format) for c in header])
    return buffer.getvalue()


def plain_json(value: Any) -> str:
    """`value` as JSON as it is: keys in their order, floats as Python prints them, 2-space indent,
    final newline (files meant to be read back exactly, such as the fuzzer's `worst.json`)."""
    return json.dumps(value, indent=2) + "\n"


@contextlib.contextmanager
def atomic_path(path: Path) -> Iterator[Path]:
    """A temporary path beside `path` for a writer to create; renamed onto `path` when the block
    ends without error (removed otherwise), so a reader never sees a half-written file and a failed
    write leaves the previous file as it was. The temporary name keeps the suffix (matplotlib reads
    the format from it); the file gets the usual permissions (the writer creates it).
    Every file of a run goes through here (`write_text`, `figure.save_figure`)."""
    path = Path(path)
    tmp = path.with_name(f".{path.name}.{os.getpid()}-{secrets.token_hex(4)}.tmp{path.suffix}")
    try:
        yield tmp
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise


def write_text(path: Path, text: str) -> Path:
    """Writes `text` to `path` as UTF-8, line ends as they are (no platform translation), atomically
    (`atomic_path`)."""
    path = Path(path)
    with atomic_path(path) as tmp:
        with open(tmp, "x", encoding="utf-8", newline="") as f:
            f.write(text)
    return path


def write_csv(path: Path, rows: Iterable[Mapping], columns: tuple[str, ...], **options: Any) -> Path:
    """Writes `csv_text(rows, columns, **options)` to `path` (see `csv_text`)."""
    return write_text(path, csv_text(rows, columns, name=options.pop("name", Path(path).stem), **options))


def write_parquet(path: Path, rows: Iterable[Mapping], columns: tuple[str, ...], *, name: str | None = None,
                  extra_columns: bool = True) -> Path:
    """Writes `rows` as one Parquet table (pyarrow) to `path`, atomically (`atomic_path`): the
    header of `table_rows(rows, columns, ...)` (the CSV's columns, in the CSV's order), each column typed
    by `arrow_type` from its values, a missing or None value a null. Values are exact (no rounding:
    Parquet keeps the binary float)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    rows, header = table_rows(rows, columns, name=name or Path(path).stem, extra_columns=extra_columns)
    arrays = {}
    for column in header:
        values = [_from_exact(plain(row.get(column))) for row in rows]
        kind = arrow_type(values)
        if kind == "string":
            values = [None if v is None else str(v) for v in values]
        arrays[column] = pa.array(values, type=getattr(pa, kind)())
    with atomic_path(Path(path)) as tmp:
        pq.write_table(pa.table(arrays), tmp)
    return Path(path)


def arrow_type(values: Iterable[Any]) -> str:
    """The Parquet type of a table column (a `pyarrow` type's name) from its non-None values:
    `bool_` when all are bools, `int64` when all are ints within int64, `float64` when all are numbers
    (ints and floats mixed, or ints beyond int64), `string` otherwise (every value as `str`: a grid
    axis with text values), `null` when there is no value."""
    present = [v for v in values if v is not None]
    if not present:
        return "null"
    if all(isinstance(v, bool) for v in present):
        return "bool_"
    if any(isinstance(v, bool) or not isinstance(v, (int, float)) for v in present):
        return "string"
    if all(isinstance(v, int) and -2**63 <= v < 2**63 for v in present):
        return "int64"
    return "float64"


def write_json(path: Path, value: Any, *, canonical: bool = True) -> Path:
    """Writes `summary_json(value)` (canonical) or, with `canonical=False`, `plain_json(value)`."""
    return write_text(path, summary_json(value) if canonical else plain_json(value))


def flatten_numbers(value: Mapping, prefix: str = "") -> dict[str, int | float | bool]:
    """Every number of a nested mapping (a run's summary) under its dotted path, e.g.
    `{"bad_debt": {"usd": 1.0}}` -> `{"bad_debt.usd": 1.0}`; ints, floats and bools (numpy scalars
    as Python values), in the mapping's order. Strings, None, lists and other values are left out."""
    out: dict[str, int | float | bool] = {}
    for key, item in value.items():
        path = f"{prefix}{key}"
        item = plain(item)
        if isinstance(item, Mapping):
            out.update(flatten_numbers(item, f"{path}."))
        elif isinstance(item, (bool, int, float)):
            out[path] = item
    return out


def append_jsonl(path: Path, row: Mapping) -> None:
    """Appends `row` to a JSON Lines journal as one line (keys in order, floats exact, NaN as null,
    infinities as strings as `canonical` writes them) and flushes it to disk, so a crash loses at
    most the line being written; `read_jsonl` skips a torn last line."""
    line = json.dumps({str(k): _exact(v) for k, v in row.items()}, allow_nan=False)
    with open(path, "a", encoding="utf-8", newline="") as f:
        f.write(line + "\n")
        f.flush()
        os.fsync(f.fileno())


def _exact(value: Any) -> Any:
    value = plain(value)
    if isinstance(value, float) and not math.isfinite(value):
        return None if math.isnan(value) else ("inf" if value > 0 else "-inf")
    return value


def _from_exact(value: Any) -> Any:
    """A journal value back as written before `_exact`: the strings "inf" and "-inf" as floats."""
    if isinstance(value, str) and value in ("inf", "-inf"):
        return float(value)
    return value


def read_jsonl(path: Path) -> list[dict]:
    """The rows of a JSON Lines journal (`append_jsonl`); [] if it does not exist. A line that does
    not parse as a JSON object (a write cut short by a crash) is skipped."""
    path = Path(path)
    if not path.exists():
        return []
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            row = json.loads(line)
        except ValueError:
            continue
        if isinstance(row, dict):
            rows.append(row)
    return rows
