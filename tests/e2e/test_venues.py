"""The same seeded scenario on our LendingPool and on the real Aave V3.0, from the same chain state.

Both venues take Aave V3.0's liquidation numbers, so the cascades match liquidation for
liquidation. They differ where the designs differ: when a liquidation takes a borrower's last
collateral, our pool writes the rest of the debt off into `deficit(asset)` (frozen from then on)
while Aave V3.0 leaves it on the borrower, where it keeps accruing variable interest.
"""

import json

import pytest

from rwa_testbed import compare
from rwa_testbed import scenario as sc

from .conftest import assert_no_agent_errors

SMALL = ["population.borrowers=12", "population.holders=8"]
VENUES = ["ours", "aave-v3"]


@pytest.fixture
def run_both(chain, tmp_path):
    """Runs a built-in scenario (small population) on both venues; returns {venue: RunResult}."""

    def run(name: str, *overrides: str, figure: bool = False):
        scenario = sc.load(name, [*SMALL, *overrides])
        results, files = compare.run_venues(scenario, chain.provider.uri, VENUES, tmp_path, figure=figure)
        for result, _ in results.values():
            assert_no_agent_errors(result)
        return {venue: result for venue, (result, _) in results.items()}, files

    return run


def liquidation_keys(result, *, drop=("block", "hf_before")):
    """Liquidation rows without what legitimately differs (block numbers: Aave's setup takes two
    more blocks; hf_before: Aave's event has none, we read it at the start of the block)."""
    return [{k: v for k, v in row.items() if k not in drop} for row in result.liquidations]


def test_credit_default_ripple__ours_and_aave_v3__same_liquidations_and_no_bad_debt(run_both, tmp_path):
    results, files = run_both("credit_default_ripple", figure=True)
    ours, aave = results["ours"], results["aave-v3"]

    assert ours.summary["liquidations"]["count"] > 0
    assert aave.summary["liquidations"] == ours.summary["liquidations"]
    # Row by row: same liquidator, user, time, debt repaid, collateral seized and protocol fee
    # (Aave's fee read from its aToken's transfer to the treasury).
    assert liquidation_keys(aave) == liquidation_keys(ours)
    for theirs, mine in zip(aave.liquidations, ours.liquidations):
        assert theirs["hf_before"] == pytest.approx(mine["hf_before"], rel=1e-6)
    assert ours.summary["bad_debt"]["usd"] == aave.summary["bad_debt"]["usd"] == 0
    assert aave.summary["venue"] == "aave-v3" and ours.summary["venue"] == "ours"
    # Outputs: one folder per venue, the comparison beside them.
    assert json.loads((tmp_path / "aave-v3" / "summary.json").read_text())["venue"] == "aave-v3"
    comparison = json.loads(files["comparison"].read_text())
    count = ours.summary["liquidations"]["count"]
    assert comparison["metrics"]["liquidations.count"] == {"ours": count, "aave-v3": count}
    assert files["figure"].stat().st_size > 0


def test_real_estate_flash_crash__aave_v3__bad_debt_stays_on_borrowers_and_accrues(run_both):
    results, _ = run_both("real_estate_flash_crash", "run.duration_days=25")
    ours, aave = results["ours"], results["aave-v3"]

    # The same cascade: same liquidations, same borrowers left without collateral.
    assert aave.summary["liquidations"]["count"] == ours.summary["liquidations"]["count"] > 0
    stranded = lambda result: {x["user"] for x in result.liquidations if x["deficit_created_usd"] > 0}  # noqa: E731
    assert stranded(aave) == stranded(ours) != set()
    # The same bad debt when it appears (our deficit, Aave's debt of borrowers without collateral)...
    first = next(i for i, row in enumerate(ours.timeseries) if row["deficit_usd"] > 0)
    assert aave.timeseries[first]["deficit_usd"] == pytest.approx(ours.timeseries[first]["deficit_usd"], abs=1.0)
    # ... then, once the last deficit is created, ours is frozen while Aave's keeps accruing
    # variable interest on the borrowers.
    ours_after = [row["deficit_usd"] for row in ours.timeseries[first:]]
    aave_after = [row["deficit_usd"] for row in aave.timeseries[first:]]
    last = max(i for i, row in enumerate(ours.timeseries) if row["deficit_usd"] != ours_after[-1]) + 1
    assert last < len(ours.timeseries) - 1, "the run must go on after its last deficit"
    assert len({row["deficit_usd"] for row in ours.timeseries[last:]}) == 1
    assert aave.timeseries[-1]["deficit_usd"] > aave.timeseries[last]["deficit_usd"]
    assert aave_after == sorted(aave_after) and aave_after[-1] > ours_after[-1]
    assert aave_after[-1] / ours_after[-1] - 1 < 0.001  # five days of interest: well under 0.1 %
    # Aave still counts the stranded debt in its total debt; our pool moved it to the deficit.
    s_ours, s_aave = ours.summary, aave.summary
    assert s_aave["pool"]["final_total_debt_usd"] == pytest.approx(
        s_ours["pool"]["final_total_debt_usd"] + s_aave["bad_debt"]["usd"], rel=1e-3)
    assert s_ours["pool"]["solvent"] is s_aave["pool"]["solvent"] is False
    # Debt its collateral does not cover is the same on both: Aave's stranded debt (no collateral
    # left) is its realised bad debt and is not counted again as insolvent.
    insolvent = lambda s: s["insolvency"]["at_true_value"]["final_usd"]  # noqa: E731
    assert insolvent(s_aave) == pytest.approx(insolvent(s_ours), rel=1e-3, abs=1.0)
    expected = lambda s: s["lenders"]["expected_loss_usd"]  # noqa: E731
    assert expected(s_ours) > 0
    assert expected(s_aave) == pytest.approx(expected(s_ours), rel=1e-3)
    assert s_aave["lenders"]["expected_loss_usd"] == pytest.approx(s_ours["lenders"]["expected_loss_usd"], rel=1e-3)
