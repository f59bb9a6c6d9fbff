"""Run outputs: deterministic files, canonical rounding, the figure, the summary table, progress.

Pure Python (no chain): inputs are synthetic runs from `conftest.synthetic_run`.
"""

import csv
import io
import json
import math

import numpy as np
import pytest
from matplotlib import image as mpimg

from rwa_testbed import metrics, report

DAY = 86_400


def read_csv(path):
    with path.open(newline="", encoding="utf-8") as f:
        return list(csv.reader(f))


def png_pixels(path):
    pixels = mpimg.imread(path)  # (height, width, channels) floats in [0, 1]
    return pixels[..., :3]


# -- write_outputs --------------------------------------------------------------------------------


def test_write_outputs__synthetic_run__writes_every_file_with_headers_and_rows(tmp_path, run_data):
    files = report.write_outputs(tmp_path / "out", **run_data)

    assert set(files) == {"timeseries", "liquidations", "events", "unliquidated", "summary", "figure"}
    assert {p.name for p in files.values()} == {
        "timeseries.csv", "liquidations.csv", "events.csv", "unliquidated.csv", "summary.json", "figure.png"}
    assert all(p.parent == tmp_path / "out" and p.stat().st_size > 0 for p in files.values())
    timeseries = read_csv(files["timeseries"])
    assert tuple(timeseries[0]) == report.TIMESERIES_COLUMNS
    assert len(timeseries) - 1 == len(run_data["timeseries"])
    liquidations = read_csv(files["liquidations"])
    assert tuple(liquidations[0]) == report.LIQUIDATION_COLUMNS
    assert len(liquidations) - 1 == len(run_data["liquidations"]) > 0
    events = read_csv(files["events"])
    assert tuple(events[0]) == report.EVENT_COLUMNS
    assert len(events) - 1 == len(run_data["events"])
    unliquidated = read_csv(files["unliquidated"])
    assert tuple(unliquidated[0]) == report.UNLIQUIDATED_COLUMNS
    assert len(unliquidated) - 1 == len(run_data["unliquidated"]) > 0
    assert json.loads(files["summary"].read_text()) == report.canonical(run_data["summary"])


def test_write_outputs__figure_false__writes_no_png(tmp_path, run_data):
    files = report.write_outputs(tmp_path, **run_data, figure=False)

    assert "figure" not in files
    assert not (tmp_path / "figure.png").exists()
    assert files["summary"].exists()


def test_write_outputs__structured_products__products_png_then_removed_by_a_plain_run(tmp_path, run_data):
    """A run of structured products (its rows carry each product's prices) also gets `products.png`, a panel
    per product with its liquidations; a later plain run in the same folder leaves none behind."""
    rows = [dict(r) for r in run_data["timeseries"]]
    for i, r in enumerate(rows):
        for name, nav in (("index", 100.0), ("senior", 1.0), ("junior", 1.0)):
            r.update({f"{name}_true_usd": nav * (1 - 0.001 * i), f"{name}_oracle_usd": nav,
                      f"{name}_amm_usd": nav * (1 - 0.002 * i)})
    user = run_data["liquidations"][0]["user"]
    files = report.write_outputs(tmp_path, **{**run_data, "timeseries": rows}, products={user.lower(): "junior"})
    assert files["products"] == tmp_path / "products.png" and files["products"].stat().st_size > 0
    assert read_csv(files["timeseries"])[0][-1].startswith("senior_")  # extra columns appended, sorted

    plain = report.write_outputs(tmp_path, **run_data)
    assert "products" not in plain and not (tmp_path / "products.png").exists()


def test_write_outputs__equal_data__byte_identical_files(tmp_path, make_run):
    first = report.write_outputs(tmp_path / "a", **make_run())
    second = report.write_outputs(tmp_path / "b", **make_run())

    for kind in ("timeseries", "liquidations", "events", "unliquidated", "summary", "figure"):  # PNG: no timestamp
        assert first[kind].read_bytes() == second[kind].read_bytes(), kind


def test_write_outputs__different_data__different_summary(tmp_path, make_run):
    base = report.write_outputs(tmp_path / "a", **make_run(seed=7), figure=False)
    other = report.write_outputs(tmp_path / "b", **make_run(seed=8), figure=False)
    bumped = make_run(seed=7)
    bumped["summary"]["bad_debt"]["usd"] += 0.01  # one cent on ~$17M: inside 10 significant digits
    cent = report.write_outputs(tmp_path / "c", **bumped, figure=False)

    assert base["summary"].read_bytes() != other["summary"].read_bytes()
    assert base["summary"].read_bytes() != cent["summary"].read_bytes()


def test_write_outputs__summary_json__sorted_indented_newline_terminated(tmp_path, run_data):
    text = report.write_outputs(tmp_path, **run_data, figure=False)["summary"].read_text()

    data = json.loads(text)
    assert text == json.dumps(data, indent=2, sort_keys=True) + "\n"
    assert list(data) == sorted(data)
    assert text.startswith('{\n  "bad_debt": {')


def test_write_outputs__timeseries_floats__fixed_significant_digits(tmp_path, run_data):
    rows = run_data["timeseries"]
    rows[1]["true_nav_usd"] = 0.1 + 0.2  # 0.30000000000000004
    rows[1]["deficit_usd"] = -0.0
    rows[1]["amm_price_usd"] = 1 / 3

    files = report.write_outputs(tmp_path, **run_data, figure=False)

    header, second = read_csv(files["timeseries"])[:3:2]
    cells = dict(zip(header, second))
    assert cells["true_nav_usd"] == "0.3"
    assert cells["deficit_usd"] == "0"
    assert cells["amm_price_usd"] == "0.3333333333"
    assert cells["t_seconds"] == str(rows[1]["t_seconds"])
    assert cells["mode"] == rows[1]["mode"]


def test_write_outputs__liquidations_and_events__derive_t_days_and_quote_text(tmp_path, run_data):
    files = report.write_outputs(tmp_path, **run_data, figure=False)

    events = read_csv(files["events"])
    by_kind = {row[2]: row for row in events[1:]}
    assert by_kind["custodian_hack"][1] == "20"
    last_report = [row for row in events[1:] if row[2] == "nav_report"][-1]
    assert last_report[3] == 'custodian reports NAV $0.4600 as of day 30.0, "impaired"'  # comma, quotes survive
    liquidations = read_csv(files["liquidations"])
    first = dict(zip(liquidations[0], liquidations[1]))
    assert float(first["t_days"]) == pytest.approx(run_data["liquidations"][0]["t_seconds"] / DAY)
    assert first["atomic"] in ("true", "false")


def test_write_outputs__extra_keys__appended_sorted_after_known_columns(tmp_path, run_data):
    for row in run_data["timeseries"]:
        row["zeta"], row["alpha"] = 1, 2.5

    files = report.write_outputs(tmp_path, **run_data, figure=False)

    header = read_csv(files["timeseries"])[0]
    assert header == [*report.TIMESERIES_COLUMNS, "alpha", "zeta"]


def test_write_outputs__row_missing_column__raises_value_error(tmp_path, run_data):
    del run_data["timeseries"][3]["deficit_usd"]

    with pytest.raises(ValueError, match="timeseries row 3 lacks deficit_usd"):
        report.write_outputs(tmp_path, **run_data, figure=False)


def test_write_outputs__no_liquidations__header_only(tmp_path, make_run):
    data = make_run(amm_floor_usd=0.95)
    assert data["liquidations"] == []

    files = report.write_outputs(tmp_path, **data, figure=False)

    assert read_csv(files["liquidations"]) == [list(report.LIQUIDATION_COLUMNS)]
    assert read_csv(files["unliquidated"]) == [list(report.UNLIQUIDATED_COLUMNS)]


def test_write_outputs__unliquidated_spans__days_derived_and_reason_kept(tmp_path, run_data):
    files = report.write_outputs(tmp_path, **run_data, figure=False)

    rows = read_csv(files["unliquidated"])
    first = dict(zip(rows[0], rows[1]))
    expected = run_data["unliquidated"][0]
    assert float(first["from_days"]) == pytest.approx(expected["from_seconds"] / DAY)
    assert float(first["to_days"]) == pytest.approx(expected["to_seconds"] / DAY)
    assert first["user"] == expected["user"]
    assert first["reason"] == expected["reason"]
    assert int(first["steps"]) == expected["steps"] > 0
    assert float(first["last_debt_usd"]) == pytest.approx(expected["last_debt_usd"], rel=1e-9)


# -- canonical ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (0.1 + 0.2, 0.3),
        (123_456_789.123456789, 123_456_789.1),
        (2_000_000_000.4, 2_000_000_000.0),
        (1 / 3, 0.3333333333),
        (1.23456789012e-9, 1.23456789e-9),
        (-0.0, 0.0),
        (float("nan"), None),
        (float("inf"), "inf"),
        (float("-inf"), "-inf"),
        (np.float64(1 / 3), 0.3333333333),
        (np.int64(7), 7),
        (True, True),
        (np.bool_(False), False),
        ("text", "text"),
        (None, None),
        (10**30, 10**30),
    ],
)
def test_canonical__scalar__rounded_or_converted(value, expected):
    result = report.canonical(value)

    assert result == expected
    assert type(result) is type(expected)


def test_canonical__negative_zero__prints_as_positive_zero():
    assert json.dumps(report.canonical({"x": -0.0})) == '{"x": 0.0}'


def test_canonical__float_noise__same_json_whatever_the_summation_order():
    values = [0.1, 0.2, 0.3]

    forward, backward = sum(values), sum(reversed(values))
    assert forward != backward  # the noise is real
    assert report.summary_json({"s": forward}) == report.summary_json({"s": backward})


def test_canonical__containers__nested_lists_and_str_keys():
    value = {1: (1.0000000000001, np.array([0.5, 2.0])), "set": {3, 1, 2}, "inner": {"b": np.float32(0.25)}}

    assert report.canonical(value) == {"1": [1.0, [0.5, 2.0]], "set": [1, 2, 3], "inner": {"b": 0.25}}


def test_canonical__digits_argument__controls_rounding():
    assert report.canonical(123_456.789, digits=6) == 123_457.0
    assert report.canonical({"x": 0.000123456789}, digits=3) == {"x": 0.000123}


def test_canonical__unknown_type__raises_type_error():
    with pytest.raises(TypeError, match="cannot make object JSON-canonical"):
        report.canonical({"x": object()})


def test_summary_json__nan_and_inf__strict_json():
    text = report.summary_json({"ratio": float("inf"), "missing": float("nan")})

    assert "NaN" not in text and "Infinity" not in text
    assert json.loads(text) == {"missing": None, "ratio": "inf"}


@pytest.mark.parametrize(
    ("value", "expected"),
    [(0.1 + 0.2, "0.3"), (1e-20, "1e-20"), (2_000_000_000.123, "2000000000"), (-0.0, "0"),
     (float("nan"), "nan"), (float("-inf"), "-inf"), (12.0, "12")],
)
def test_format_float__value__fixed_significant_digits(value, expected):
    assert report.format_float(value) == expected


# -- figure ---------------------------------------------------------------------------------------


def test_plot__synthetic_run__png_of_expected_size_and_not_blank(tmp_path, run_data):
    path = report.plot(tmp_path / "fig.png", scenario_name=run_data["scenario_name"], seed=7,
                       timeseries=run_data["timeseries"], liquidations=run_data["liquidations"],
                       events=run_data["events"])

    pixels = png_pixels(path)
    assert pixels.shape[:2] == (report.FIGURE_SIZE_PX[1], report.FIGURE_SIZE_PX[0])
    assert pixels.std() > 0.05
    drawn = (pixels < 0.9).any(axis=2).mean()  # share of non-white pixels: lines, fills, text
    assert 0.03 < drawn < 0.6


@pytest.mark.parametrize(
    "variant",
    [{"amm_floor_usd": 0.95}, {"stable_depeg_usd": 0.93}, {"cascade_minutes": 600}],
    ids=["no-liquidation", "stablecoin-depeg", "ten-hours-block-by-block"],
)
def test_plot__variants__render_at_expected_size(tmp_path, make_run, variant):
    data = make_run(**variant)

    path = report.plot(tmp_path / "fig.png", scenario_name="variant", timeseries=data["timeseries"],
                       liquidations=data["liquidations"], events=data["events"])

    pixels = png_pixels(path)
    assert pixels.shape[:2] == (1000, 1600)
    assert pixels.std() > 0.05


def test_plot__short_run_without_events__renders(tmp_path, run_data):
    shock = 20 * DAY
    rows = [r for r in run_data["timeseries"] if r["t_seconds"] >= shock]
    for r in rows:
        r["t_seconds"] -= shock

    path = report.plot(tmp_path / "fig.png", scenario_name="two hours", timeseries=rows, liquidations=[],
                       events=[])

    assert png_pixels(path).shape[:2] == (1000, 1600)


def test_plot__single_row__renders(tmp_path, run_data):
    path = report.plot(tmp_path / "fig.png", scenario_name="one row", timeseries=run_data["timeseries"][:1],
                       liquidations=[], events=[])

    assert png_pixels(path).shape[:2] == (1000, 1600)


def test_plot__no_rows__raises_value_error(tmp_path):
    with pytest.raises(ValueError, match="at least one timeseries row"):
        report.plot(tmp_path / "fig.png", scenario_name="empty", timeseries=[], liquidations=[], events=[])


# -- cascade_window -------------------------------------------------------------------------------


def liquidation(t, repaid=1.0):
    return {"t_seconds": t, "block": t // 12, "debt_repaid_usd": repaid}


def event(t, kind):
    return {"t_seconds": t, "kind": kind, "description": kind}


def row(t, liquidatable):
    return {"t_seconds": t, "block": t // 12, "mode": "step", "liquidatable_debt_usd": liquidatable}


def test_cascade_window__shock_minutes_before__anchored_on_the_shock(run_data):
    window = report.cascade_window(run_data["timeseries"], run_data["liquidations"], run_data["events"])

    first = run_data["liquidations"][0]["t_seconds"]
    last = run_data["liquidations"][-1]["t_seconds"]
    assert 20 * DAY < first < 20 * DAY + 864  # before the LPs pull out: the shock is the trigger
    assert window.anchor == 20 * DAY
    assert window.anchor_label == "custodian hack"  # first of the three events at that second
    assert window.lo < window.anchor and window.hi > last
    assert window.unit == (60, "minutes")
    assert window.cascade.trigger_seconds <= first
    assert window.title.startswith(f"cascade: {len(run_data['liquidations'])} liquidations in "
                                   f"{report.format_duration(last - window.cascade.trigger_seconds)}, triggered ")


def test_cascade_window__two_cascades__zooms_on_the_one_that_repaid_most():
    liqs = [liquidation(10 * DAY + 60 * k, repaid=1.0) for k in range(5)]
    liqs += [liquidation(50 * DAY + 60 * k, repaid=10.0) for k in range(3)]
    rows = [row(0, 0.0), row(10 * DAY - 12, 5.0), row(11 * DAY, 0.0), row(50 * DAY - 60, 30.0)]

    window = report.cascade_window(rows, liqs, [event(50 * DAY - 120, "rumor")])

    assert window.anchor == 50 * DAY - 120
    assert window.lo < 50 * DAY - 120 < 50 * DAY + 120 < window.hi < 51 * DAY
    # From the trigger (liquidatable at 50 d - 60 s) to the last liquidation (50 d + 120 s).
    assert window.title == "largest of 2 cascades: 3 liquidations in 3 min 0 s, triggered 1 min 0 s after the rumor"


def test_cascade_window__trigger_at_the_event__triggered_0_s_after_it():
    rows = [row(0, 0.0), row(DAY, 7.0)]

    window = report.cascade_window(rows, [liquidation(DAY + 12)], [event(DAY, "nav_report")])

    assert window.anchor == DAY
    assert window.title == "cascade: 1 liquidation in 12 s, triggered 0 s after the nav report"


def test_cascade_window__event_older_than_lookback__anchored_on_trigger():
    liqs = [liquidation(30 * DAY), liquidation(30 * DAY + 600)]
    rows = [row(0, 0.0), row(30 * DAY - 120, 3.0)]

    window = report.cascade_window(rows, liqs, [event(20 * DAY, "default_wave")])

    assert window.anchor == 30 * DAY - 120
    assert window.anchor_label == "trigger"
    assert window.x(30 * DAY + 600) == 12.0  # minutes after the anchor


def test_cascade_window__no_rows__trigger_is_first_liquidation():
    window = report.cascade_window([], [liquidation(30 * DAY), liquidation(30 * DAY + 600)], [])

    assert window.anchor == 30 * DAY
    assert window.cascade.duration_seconds == 600


def test_cascade_window__no_liquidation__follows_first_shock_not_nav_report(run_data):
    events = [event(5 * DAY, "nav_report"), event(20 * DAY, "rumor")]

    window = report.cascade_window(run_data["timeseries"], [], events)

    assert window.anchor == 20 * DAY
    assert window.title == "after the rumor: no liquidation"
    assert window.hi >= 20 * DAY + 120 * 60  # covers the block-by-block steps after the shock


def test_cascade_window__cascade_over_hours__hours_axis():
    liqs = [liquidation(DAY + 1_800 * k) for k in range(10)]  # every 30 min for 4.5 h

    window = report.cascade_window([row(DAY, 1.0)], liqs, [])

    assert window.unit == (3_600, "hours")
    assert window.x(DAY + 4.5 * 3_600) == 4.5


def test_cascade_window__nothing_happened__none():
    rows = [{"t_seconds": 0, "mode": "start"}, {"t_seconds": 10 * DAY, "mode": "fast_forward"}]

    assert report.cascade_window(rows, [], [event(5 * DAY, "nav_report")]) is None


# -- summary_table and formatting -----------------------------------------------------------------


def test_summary_table__synthetic_summary__groups_labels_and_units(run_data):
    summary = run_data["summary"]
    summary["timing"]["first_liquidation_seconds"] = -1  # the engine's "never"

    text = report.summary_table(summary, title="synthetic_flash_crash - seed 7")

    assert "synthetic_flash_crash - seed 7" in text
    for group in ("run", "population", "liquidations", "bad debt", "prices", "timing", "chain", "pool"):
        assert f"\n {group} " in text or f"\n{group} " in text, group
    lines = {line.strip().rsplit("  ", 1)[0].strip(): line.strip().rsplit("  ", 1)[-1].strip()
             for line in text.splitlines() if "  " in line.strip()}
    assert lines["amount"] == report.format_usd(summary["bad_debt"]["usd"])
    assert lines["% of borrowed"] == f"{summary['bad_debt']['pct_of_borrowed']:.2f} %"
    assert lines["offchain shock"] == "45 d 0 h"
    assert lines["first liquidation"] == "n/a"
    assert lines["onchain cascade"] == report.format_duration(summary["timing"]["onchain_cascade_seconds"])
    assert lines["gas used"] == "123,456,789"
    assert lines["liquidation atomic"] == "3"
    assert lines["solvent"] == "no"
    assert lines["expected lender loss"] == report.format_usd(summary["insolvency"]["expected_lender_loss_usd"])
    assert lines["scenario"] == "synthetic_flash_crash"
    assert max(len(line) for line in text.splitlines()) <= 100


def test_summary_table__usd_amount__thousands_separators():
    text = report.summary_table({"bad_debt": {"usd": 17_208_786.6626}}, title="t")

    assert "$17,208,786.66" in text


def test_summary_table__brackets_in_keys_and_values__printed_verbatim():
    text = report.summary_table({"chain": {"reverted_by_action": {"[bold]swap": 2}}, "note": "[red]x"}, title="t")

    assert "[bold]swap" in text and "[red]x" in text


@pytest.mark.parametrize(
    ("seconds", "expected"),
    [(45 * DAY, "45 d 0 h"), (432, "7 min 12 s"), (3 * 3600 + 300, "3 h 5 min"), (12, "12 s"), (0, "0 s"),
     (DAY + 7199.6, "1 d 2 h"), (-1, "n/a"), (float("nan"), "n/a"), (None, "n/a")],
)
def test_format_duration__seconds__two_units_at_most(seconds, expected):
    assert report.format_duration(seconds) == expected


@pytest.mark.parametrize(
    ("key", "value", "expected"),
    [
        ("debt_repaid_usd", 1_234_567.891, "$1,234,567.89"),
        ("final_amm_usd", 0.45591, "$0.4559"),
        ("loss_usd", -12.5, "-$12.50"),
        ("max_discount_amm_to_true_pct", 43.3056, "43.31 %"),
        ("pct_of_borrowed", 12.3, "12.30 %"),
        ("onchain_cascade_seconds", 2124, "35 min 24 s"),
        ("first_liquidation_seconds", 20 * DAY + 588, "day 20 00:09:48"),
        ("last_liquidation_seconds", -1, "n/a"),
        ("shock_at_seconds", 3_600, "day 0 01:00:00"),
        ("collateral_seized_tokens", 1234.5, "1,234.50 tokens"),
        ("offchain_over_onchain", 2842.1, "2,842.1 x"),
        ("count", 1234, "1,234"),
        ("solvent", True, "yes"),
        ("solvent", np.bool_(False), "no"),
        ("count", np.int64(12_345), "12,345"),
        ("scenario", "calm", "calm"),
        ("hf", 1.23456789, "1.23457"),
        ("anything", None, "n/a"),
    ],
)
def test_format_metric__key_suffix__value_with_unit(key, value, expected):
    assert report.format_metric(key, value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [(0, "$0"), (1_250_000_000, "$1.25B"), (350e6, "$350M"), (12_500, "$12.5k"), (0.42, "$0.42"), (-2e6, "-$2M")],
)
def test_format_usd_compact__value__short_label(value, expected):
    assert report.format_usd_compact(value) == expected


# -- progress -------------------------------------------------------------------------------------


def test_progress__disabled__silent_but_tracks_time(capsys):
    bar = report.progress(40 * DAY, enabled=False)
    bar.update(20 * DAY, {"mode": "step", "liquidations": 3})
    bar.close()

    assert not bar.enabled
    assert bar.t == 20 * DAY and bar.info == {"mode": "step", "liquidations": 3}
    assert capsys.readouterr() == ("", "")


def test_progress__enabled__shows_day_mode_and_liquidations():
    out = io.StringIO()

    with report.progress(40 * DAY, enabled=True, file=out) as bar:
        bar.update(20 * DAY, {"mode": "step", "liquidations": 12})
        bar.update(40 * DAY, {"mode": "fast_forward", "liquidations": 60})

    text = out.getvalue()
    assert "100%" in text
    assert "day 40.00/40" in text and "fast_forward" in text and "60 liquidations" in text


def test_progress__time_going_back_or_past_total__clamped():
    bar = report.progress(1_000, enabled=False)

    bar.update(600)
    bar.update(300)
    assert bar.t == 600
    bar.update(5_000)
    assert bar.t == 1_000


def test_progress__auto_on_non_tty__disabled():
    out = io.StringIO()  # not a terminal, like a CI log

    bar = report.progress(1_000, file=out)
    bar.update(500, {"mode": "step"})
    bar.close()

    assert not bar.enabled
    assert out.getvalue() == ""


def test_progress__engine_hook_shape__update_as_callback():
    bar = report.progress(100, enabled=False)
    hook = bar.update if bar else None  # how runner.run wires it

    hook(50, {"mode": "step", "liquidations": 0})

    assert bar.t == 50 and math.isclose(bar.t / bar.total_seconds, 0.5)


def test_summary_table__list_values__joined_not_crashing():
    from rwa_testbed.report import summary_table

    text = summary_table({"chain": {"revert_reasons": {"swap": ["InsufficientOutput(1, 2)", "lost a race"]}}}, title="t")
    assert "InsufficientOutput(1, 2); lost a race" in text


# -- headline -------------------------------------------------------------------------------------


def test_headline__synthetic_run__main_cascade_and_realised_and_unrealised_bad_debt(run_data):
    rows, liqs = run_data["timeseries"], run_data["liquidations"]
    cascade = metrics.main_cascade(rows, liqs)
    final = rows[-1]
    final["insolvent_debt_at_true_value_usd"] = 12_345_678.0  # positions left underwater at the end

    text = report.headline(rows, liqs)

    assert text.startswith(f"{len(liqs)} liquidations in {report.format_duration(cascade.duration_seconds)}")
    assert (f"final bad debt {report.format_usd_compact(final['deficit_usd'])} realised + "
            f"{report.format_usd_compact(final['insolvent_debt_at_true_value_usd'])} unrealised at true value") in text


def test_headline__two_cascades__count_and_largest():
    rows = [{"t_seconds": t, "block": t, "liquidatable_debt_usd": 1.0, "deficit_usd": 0.0,
             "insolvent_debt_at_true_value_usd": 0.0, "amm_price_usd": 1.0, "true_nav_usd": 1.0} for t in (0, DAY)]
    rows.insert(1, {**rows[0], "t_seconds": 3_600, "block": 300, "liquidatable_debt_usd": 0.0})
    liqs = [{"t_seconds": 60, "block": 5, "debt_repaid_usd": 1.0},
            {"t_seconds": DAY + 60, "block": 9, "debt_repaid_usd": 5.0},
            {"t_seconds": DAY + 120, "block": 10, "debt_repaid_usd": 5.0}]

    text = report.headline(rows, liqs)

    assert text.startswith("3 liquidations in 2 cascades  \u00b7  largest: 2 in 2 min 0 s  \u00b7  debt repaid $11")
    assert "final bad debt $0 realised + $0 unrealised" in text


def test_plot__redemptions__inset_drawn_only_when_the_queue_was_used(tmp_path, run_data):
    from rwa_testbed.report.figure import has_redemptions

    rows = run_data["timeseries"]
    queued = [dict(r, redemption_requested_shares=5e6 if r["t_seconds"] > rows[len(rows) // 2]["t_seconds"] else 0.0,
                   redemption_pending_shares=5e6 if r["t_seconds"] > rows[len(rows) // 2]["t_seconds"] else 0.0)
              for r in rows]
    kwargs = dict(scenario_name=run_data["scenario_name"], seed=7, liquidations=run_data["liquidations"],
                  events=run_data["events"])

    plain = png_pixels(report.plot(tmp_path / "plain.png", timeseries=rows, **kwargs))
    again = png_pixels(report.plot(tmp_path / "again.png", timeseries=rows, **kwargs))
    inset = png_pixels(report.plot(tmp_path / "inset.png", timeseries=queued, **kwargs))

    assert not has_redemptions(rows) and has_redemptions(queued)
    assert (plain == again).all()  # without redemptions the figure is the one it always was
    assert inset.shape == plain.shape and (inset != plain).any()
