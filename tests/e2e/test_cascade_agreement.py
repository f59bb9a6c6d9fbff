"""One cascade, one set of numbers: the summary, the terminal table and the figure agree on every
built-in scenario (`metrics.main_cascade` is the only definition)."""

import pytest

from rwa_testbed import metrics, report
from rwa_testbed import scenario as sc


def table_value(text: str, label: str) -> str:
    """The value printed beside `label` in `report.summary_table`'s text."""
    for line in text.splitlines():
        if line.strip().startswith(label + "  "):
            return line.strip().rsplit("  ", 1)[-1].strip()
    raise AssertionError(f"no {label!r} line in the table")


# Built-ins where nothing is liquidated: no shock, or a depeg of the debt that only helps borrowers.
NO_CASCADE = {"calm_market", "usdc_depeg_tbill_market", "usdc_depeg_tbill_fixed"}


@pytest.mark.parametrize("name", sc.builtin_names())
def test_main_cascade__builtin_scenario__summary_table_and_figure_agree(run_scenario, name):
    result = run_scenario(name)
    timing = result.summary["timing"]
    cascade = metrics.main_cascade(result.timeseries, result.liquidations)
    window = report.cascade_window(result.timeseries, result.liquidations, result.events)
    table = report.summary_table(result.summary, title=name)
    headline = report.headline(result.timeseries, result.liquidations)

    if cascade is None:
        assert name in NO_CASCADE
        assert (timing["onchain_cascade_seconds"], timing["main_cascade_liquidations"], timing["cascades"]) == (0, 0, 0)
        assert window is None or window.cascade is None
        assert headline.startswith("0 liquidations")
        return
    assert (timing["main_cascade_trigger_at_seconds"], timing["main_cascade_first_liquidation_at_seconds"],
            timing["main_cascade_last_liquidation_at_seconds"], timing["main_cascade_liquidations"],
            timing["cascades"], timing["onchain_cascade_seconds"]) == (
        cascade.trigger_seconds, cascade.first_liquidation_seconds, cascade.last_liquidation_seconds,
        cascade.liquidations, cascade.cascades, cascade.duration_seconds)
    duration = report.format_duration(cascade.duration_seconds)
    assert table_value(table, "onchain cascade") == duration
    assert table_value(table, "main cascade liquidations") == f"{cascade.liquidations:,}"
    assert window.cascade == cascade
    assert window.title.startswith(report.cascade_title(cascade))
    assert f"{cascade.liquidations} liquidation" in window.title and f" in {duration}" in window.title
    assert f" in {duration}" in headline
