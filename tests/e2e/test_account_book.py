"""Our pool's borrowers kept step by step (`venues.account_book.AccountBook`: reserves read every step,
a borrower re-read only after a block whose pool logs name it, the numbers computed as the pool
computes them) give the same run as reading every borrower from the chain at every step.

Each case runs the scenario both ways from the same chain snapshot and asks for the same summary
(byte for byte), the same time series and the same liquidations. The cases cover what moves account
data: interest alone, oracle moves and a cascade with bad debt written off (the last collateral
seized), a whale's cascade, a guardian that reconfigures the collateral (LTV and threshold by AMM
depth), and a proof of reserve that sets the collateral's LTV to 0.
"""

import pytest

from rwa_testbed import report
from rwa_testbed import scenario as sc
from rwa_testbed.engine import Engine

from .conftest import SMALL, assert_no_agent_errors
from .test_stepping import INTEREST_ONLY

CASES = {
    "interest_only": ("calm_market", INTEREST_ONLY),
    "flash_crash_with_bad_debt": ("real_estate_flash_crash", [*SMALL, "run.duration_days=22"]),
    "whale": ("concentrated_whale", [*SMALL, "run.duration_days=12"]),
    "guardian_haircuts_threshold": ("real_estate_flash_crash", [
        *SMALL, "run.duration_days=22", "market.mitigations.collateral.liquidity_aware_ltv.haircut_threshold=true"]),
    "proof_of_reserve_ltv_zero": ("real_estate_flash_crash", [
        *SMALL, "run.duration_days=21", "market.mitigations.oracle.proof_of_reserve.report_every_hours=24"]),
}


@pytest.mark.parametrize("case", list(CASES))
def test_account_book__same_run_as_reading_every_borrower(case, chain):
    name, overrides = CASES[case]
    scenario = sc.load(name, overrides)
    runs = {}
    for full in (True, False):
        snapshot = chain.snapshot()
        result = Engine(scenario, chain.provider.uri, full_account_reads=full).run()
        chain.restore(snapshot)
        assert_no_agent_errors(result)
        runs[full] = result

    full, book = runs[True], runs[False]
    assert report.summary_json(book.summary) == report.summary_json(full.summary)
    assert book.timeseries == full.timeseries
    assert book.liquidations == full.liquidations
    if case != "interest_only":
        assert full.liquidations, "the case must exercise liquidations"
