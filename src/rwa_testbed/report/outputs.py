"""A run's output files: the CSV columns, `summary.json` and the figure, written by `write_outputs`.

The top of the package: imports `files` (the deterministic writers) and `figure` (`plot`).
"""

from __future__ import annotations

from pathlib import Path

from ..metrics import REDEMPTION_COLUMNS
from .figure import has_products, plot, plot_products
from .files import csv_text, summary_json, write_text

TIMESERIES_COLUMNS = (
    "t_seconds", "t_days", "block", "mode", "true_nav_usd", "oracle_price_usd", "amm_price_usd",
    "stable_price_usd", "amm_spv_reserve", "amm_stable_reserve", "liquidatable_debt_usd",
    "total_debt_usd", "deficit_usd", "insolvent_debt_at_true_value_usd", "insolvent_debt_at_oracle_usd",
    "insolvent_debt_at_amm_usd", "expected_lender_loss_usd", "liquidations", "txs", "reverted",
    *REDEMPTION_COLUMNS,  # the SPV's redemption queue and cash reserve
)
# `t_days` is derived from `t_seconds` when a liquidation or an event row lacks it.
LIQUIDATION_COLUMNS = (
    "t_seconds", "t_days", "block", "liquidator", "user", "atomic", "debt_repaid_usd",
    "collateral_seized_tokens", "collateral_seized_usd", "protocol_fee_tokens", "borrower_loss_usd", "hf_before",
    "hf_after", "deficit_created_usd",
)
EVENT_COLUMNS = ("t_seconds", "t_days", "kind", "description")
UNLIQUIDATED_COLUMNS = ("user", "reason", "from_seconds", "from_days", "to_seconds", "to_days", "steps",
                        "first_debt_usd", "last_debt_usd", "min_health_factor")


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
    draws: list[dict] | None = None,
    figure: bool = True,
    products: dict[str, str] | None = None,
) -> dict[str, Path]:
    """Writes a run's outputs into `out_dir` (created if needed) and returns their paths.

    Files (keys of the returned dict): `timeseries` -> timeseries.csv (one row per engine step,
    columns `TIMESERIES_COLUMNS`), `liquidations` -> liquidations.csv (`LIQUIDATION_COLUMNS`),
    `events` -> events.csv (`EVENT_COLUMNS`), `unliquidated` -> unliquidated.csv (one row per
    span of consecutive steps at which a liquidatable position got no attempt, for one reason,
    `UNLIQUIDATED_COLUMNS`, from `metrics.UnliquidatedSpans`; header only when there are none), `summary` -> summary.json (`summary_json`), `draws` -> draws.json
    (when `draws` is given: the shocks the scenario's stochastic processes drew, as scenario
    `shocks` entries, `stochastic.Draws.record`), and,
    when `figure` is true, `figure` -> figure.png (`plot`) and, for a run of structured products,
    `products` -> products.png (`plot_products`; `products`: each borrower's product by lowercase
    address, for its liquidations). Keys beyond the known columns are
    appended in sorted order. Equal input gives byte-identical CSV and JSON files.
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    texts = {
        "timeseries": ("timeseries.csv", csv_text(timeseries, TIMESERIES_COLUMNS, name="timeseries")),
        "liquidations": ("liquidations.csv", csv_text(liquidations, LIQUIDATION_COLUMNS, name="liquidations")),
        "events": ("events.csv", csv_text(events, EVENT_COLUMNS, name="events")),
        "unliquidated": ("unliquidated.csv", csv_text(unliquidated, UNLIQUIDATED_COLUMNS, name="unliquidated")),
        "summary": ("summary.json", summary_json(summary)),
    }
    if draws is not None:
        texts["draws"] = ("draws.json", summary_json({"seed": seed, "shocks": draws}))
    else:  # never leave an earlier run's draws beside this run's outputs
        (out_dir / "draws.json").unlink(missing_ok=True)
    paths: dict[str, Path] = {}
    for key, (filename, text) in texts.items():
        paths[key] = write_text(out_dir / filename, text)
    if figure:
        paths["figure"] = plot(
            out_dir / "figure.png",
            scenario_name=scenario_name,
            seed=seed,
            timeseries=timeseries,
            liquidations=liquidations,
            events=events,
        )
    if figure and has_products(timeseries):
        paths["products"] = plot_products(out_dir / "products.png", scenario_name=scenario_name, seed=seed,
                                          timeseries=timeseries, liquidations=liquidations, products=products or {})
    else:  # never leave an earlier run's figure of products beside this run's outputs
        (out_dir / "products.png").unlink(missing_ok=True)
    return paths
