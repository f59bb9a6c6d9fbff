"""The incident library end to end on the real contracts (small populations): each built-in
scenario that replays a real incident keeps the incident's shape. Figures beside the reported ones
are in README.md, "Incident library"."""

import pytest

DEPEG_LOW = 0.877  # the path's low: USDC at ~$0.87-0.88 on 11 March 2023


@pytest.mark.parametrize("pricing", ["market", "fixed"])
def test_usdc_depeg__tbill_collateral__debt_side_shock_liquidates_nobody(run_scenario, pricing):
    result = run_scenario(f"usdc_depeg_tbill_{pricing}")
    s, rows = result.summary, result.timeseries
    start_debt = rows[0]["total_debt_usd"]
    feed = [r["stable_price_usd"] for r in rows]
    debt = [r["total_debt_usd"] for r in rows]

    if pricing == "market":
        # The pool's USDC feed follows the depeg down to the low and back to $1: the debt's value
        # (and so every borrower's health factor) moves with it, in the borrowers' favour.
        assert min(feed) == pytest.approx(DEPEG_LOW)
        assert feed[-1] == 1.0
        assert min(debt) < 0.9 * start_debt
    else:
        # The pool keeps USDC at $1: the depeg never reaches health factors or the debt's value.
        assert set(feed) == {1.0}
        assert min(debt) >= start_debt
    # The T-bill fund's NAV never falls (it only accrues its yield) and nothing is liquidatable:
    # the depeg is the lenders' problem (their USDC claims), not the collateral's.
    assert all(b["true_nav_usd"] >= a["true_nav_usd"] for a, b in zip(rows, rows[1:]))
    assert s["liquidations"]["count"] == 0
    assert s["liquidatable_debt"]["peak_usd"] == 0
    assert s["bad_debt"]["usd"] == 0 and s["pool"]["solvent"] is True
    # Arbitrageurs keep the fund token near its NAV in dollars on the AMM throughout.
    assert s["prices"]["min_amm_usd"] > 0.97


def test_maple_orthogonal_default__impaired_pool_token__liquidated_with_bad_debt(run_scenario):
    result = run_scenario("maple_orthogonal_default")
    s, rows = result.summary, result.timeseries
    day = 86_400
    writedown, notice, onchain = 19 * day, round(21.63 * day), 29 * day

    # The default is known off-chain on day 19 (true value -77.5 %), not reported: the oracle holds.
    hidden = [r for r in rows if writedown <= r["t_seconds"] < onchain]
    assert max(r["true_nav_usd"] for r in hidden) < 0.25
    assert min(r["oracle_price_usd"] for r in hidden) == pytest.approx(1.0, abs=0.01)
    # The public notice (day 21.63) crashes the AMM far below the stale oracle, yet nothing is
    # liquidatable: the pool prices the token at the old NAV.
    after_notice = [r for r in rows if notice <= r["t_seconds"] < onchain]
    assert min(r["amm_price_usd"] for r in after_notice) < 0.5
    assert all(r["liquidations"] == 0 for r in rows if r["t_seconds"] < onchain)
    # The on-chain default (day 29, net of the $2.5M recovery) moves the oracle down an hour later;
    # every position is liquidated within minutes and the pool is left with a deficit.
    assert s["prices"]["final_oracle_usd"] == pytest.approx(0.29, abs=0.01)
    assert s["liquidations"]["count"] > 0
    assert onchain <= s["timing"]["first_liquidation_seconds"] < onchain + 2 * 3_600
    assert s["timing"]["last_liquidation_seconds"] - s["timing"]["first_liquidation_seconds"] < 3_600
    assert s["bad_debt"]["usd"] > 0 and s["pool"]["solvent"] is False
    assert any(x["deficit_created_usd"] > 0 for x in result.liquidations)
