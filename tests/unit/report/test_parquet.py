"""`report.write_parquet`: the CSV's columns in the CSV's order, typed columns, exact values, nulls
for missing values, written atomically; read back with pandas (pyarrow)."""

import io
import math

import pandas as pd
import pytest

from rwa_testbed import report

COLUMNS = ("point", "seed", "status", "error", "seconds", "x")


def _rows():
    return [
        {"point": "x=1", "seed": 2**52 + 1, "status": "ok", "error": None, "seconds": 1.25, "x": 1,
         "b.usd": 0.1 + 0.2, "a.count": 3, "a.flag": True, "c.ratio": "inf"},  # "inf": as the journal keeps it
        {"point": "x=2.5", "seed": 7, "status": "error", "error": "NodeError: boom", "seconds": 0.5, "x": 2.5},
        {"point": "x=2.5", "seed": 8, "status": "lost", "error": "KilledWorker", "seconds": None, "x": 2.5,
         "b.usd": 4, "a.count": 0, "a.flag": False, "c.ratio": 2.0},
    ]


def test_write_parquet__rows__csv_header_order_typed_columns_exact_values(tmp_path):
    rows = _rows()
    path = report.write_parquet(tmp_path / "runs.parquet", rows, COLUMNS)
    frame = pd.read_parquet(path)
    header = report.csv_text(rows, COLUMNS).splitlines()[0].split(",")
    assert list(frame.columns) == header == [*COLUMNS, "a.count", "a.flag", "b.usd", "c.ratio"]
    assert frame["seed"].tolist() == [2**52 + 1, 7, 8] and frame["seed"].dtype == "int64"
    assert frame["status"].tolist() == ["ok", "error", "lost"] and frame["point"].tolist()[1] == "x=2.5"
    assert frame["error"].tolist() == [None, "NodeError: boom", "KilledWorker"]
    assert frame["x"].dtype == "float64" and frame["x"].tolist() == [1.0, 2.5, 2.5]  # ints and floats: float64
    assert frame["b.usd"].iloc[0] == 0.1 + 0.2  # exact: not rounded as the CSV is
    assert math.isnan(frame["b.usd"].iloc[1]) and frame["b.usd"].iloc[2] == 4.0  # a missing metric is a null
    assert frame["c.ratio"].iloc[0] == math.inf and frame["c.ratio"].dtype == "float64"
    assert frame["a.flag"].tolist() == [True, None, False]
    assert math.isnan(frame["seconds"].iloc[2])


def test_write_parquet__same_cells_as_the_csv(tmp_path):
    rows = _rows()
    frame = pd.read_parquet(report.write_parquet(tmp_path / "t.parquet", rows, COLUMNS))
    table = pd.read_csv(io.StringIO(report.csv_text(rows, COLUMNS)))
    assert list(table.columns) == list(frame.columns)
    for column in frame.columns:
        for mine, theirs in zip(frame[column], table[column]):
            if isinstance(mine, float) and not isinstance(theirs, str):
                assert (math.isnan(mine) and math.isnan(theirs)) or theirs == report.round_significant(mine)
            elif mine is None or (isinstance(mine, float) and math.isnan(mine)):
                assert theirs != theirs  # an empty CSV cell: NaN in pandas
            else:
                assert str(theirs).lower() == str(mine).lower(), column


def test_write_parquet__text_grid_values_and_no_rows__string_and_null_columns(tmp_path):
    rows = [{"k": "a"}, {"k": 2}, {"k": None}]
    frame = pd.read_parquet(report.write_parquet(tmp_path / "a.parquet", rows, ("k",)))
    assert frame["k"].tolist() == ["a", "2", None]
    empty = pd.read_parquet(report.write_parquet(tmp_path / "b.parquet", [], ("point", "seed")))
    assert list(empty.columns) == ["point", "seed"] and len(empty) == 0


def test_write_parquet__row_missing_a_column__value_error_and_old_file_kept(tmp_path):
    path = report.write_parquet(tmp_path / "runs.parquet", _rows(), COLUMNS)
    before = path.read_bytes()
    with pytest.raises(ValueError, match="runs row 0 lacks x"):
        report.write_parquet(path, [{"point": "p", "seed": 1, "status": "ok", "error": None, "seconds": 1.0}], COLUMNS)
    assert path.read_bytes() == before and [p.name for p in tmp_path.iterdir()] == ["runs.parquet"]


def test_write_parquet__equal_rows__byte_identical_files(tmp_path):
    a = report.write_parquet(tmp_path / "a.parquet", _rows(), COLUMNS)
    b = report.write_parquet(tmp_path / "b.parquet", _rows(), COLUMNS)
    assert a.read_bytes() == b.read_bytes()


@pytest.mark.parametrize("values, kind", [
    ([True, None, False], "bool_"), ([1, None, 2**62], "int64"), ([1, 2.5], "float64"), ([2**64], "float64"),
    ([1, True], "string"), (["a", 1], "string"), ([None, None], "null"), ([], "null"),
])
def test_arrow_type__values__column_type(values, kind):
    from rwa_testbed.report.files import arrow_type

    assert arrow_type(values) == kind
