"""Insolvent debt and the lenders' expected loss from hand-made views (no chain)."""

from types import SimpleNamespace

import pytest

from rwa_testbed import metrics

from .hand_made import account, view

def ctx(true_nav_usd: float, stable_usd: float = 1.0):
    world = SimpleNamespace(true_nav_at=lambda t: true_nav_usd, stable_price_usd=stable_usd)
    return SimpleNamespace(world=world, chain=SimpleNamespace(block_number_cached=1))


# -- insolvent_debt_usd ---------------------------------------------------------------------------


def test_insolvent_debt_usd__mixed_positions__sums_only_the_shortfalls():
    # 100 tokens at $0.5 against $80 (short $30); 300 tokens against $100 (covered); 50 tokens against $40 (short $15).
    insolvent = metrics.insolvent_debt_usd([100, 300, 50], [80, 100, 40], 0.5, 1.0)

    assert insolvent == pytest.approx(45.0)


def test_insolvent_debt_usd__no_collateral__left_to_realised_bad_debt():
    # Aave V3.0 leaves debt on a borrower whose collateral is gone: that is the venue's bad debt already.
    assert metrics.insolvent_debt_usd([0, 10], [1_000, 20], 1.0, 1.0) == pytest.approx(10.0)


def test_insolvent_debt_usd__debt_price__scales_the_debt():
    # A stablecoin at $1.10 makes $100 owed worth $110 against collateral worth $105.
    assert metrics.insolvent_debt_usd([105], [100], 1.0, 1.1) == pytest.approx(5.0)


def test_insolvent_debt_usd__no_borrowers__zero():
    assert metrics.insolvent_debt_usd([], [], 1.0, 1.0) == 0.0


def test_expected_lender_loss_usd__deficit_and_insolvent__added():
    assert metrics.expected_lender_loss_usd(12.5, 30.0) == 42.5


@pytest.mark.parametrize(("deficit", "insolvent", "solvent"), [(0, 0, True), (1.0, 0, False), (0, 0.01, False)])
def test_is_solvent__deficit_or_insolvent_debt__not_solvent(deficit, insolvent, solvent):
    assert metrics.is_solvent(deficit, insolvent) is solvent


# -- borrower_positions ---------------------------------------------------------------------------


def test_borrower_positions__account_data__tokens_and_stablecoins_recovered():
    v = view([account(50.0, 40.0)], oracle_usd=0.5, stable_usd=0.8)

    tokens, debt = metrics.borrower_positions(v)

    assert list(tokens) == [pytest.approx(100.0)]  # $50 of collateral at $0.5
    assert list(debt) == [pytest.approx(50.0)]  # $40 of debt at $0.8 per stablecoin


def test_borrower_positions__oracle_at_zero__last_known_tokens_kept():
    v = view([account(0.0, 40.0, hf=0)], oracle_usd=0.0)

    tokens, debt = metrics.borrower_positions(v, [123.0], [1.0])

    assert list(tokens) == [123.0]
    assert list(debt) == [pytest.approx(40.0)]


def test_borrower_positions__oracle_at_zero_never_seen__zero_tokens():
    tokens, _ = metrics.borrower_positions(view([account(0.0, 40.0, hf=0)], oracle_usd=0.0))

    assert list(tokens) == [0.0]


# -- Recorder.row: the three valuations -----------------------------------------------------------


def test_recorder_row__three_prices__insolvent_debt_per_valuation():
    # 200 tokens each; oracle $0.50, AMM $0.25, true value $0.40.
    accounts = [account(100.0, 90.0, hf=0.9), account(100.0, 20.0, hf=4.0)]
    v = view(accounts, oracle_usd=0.5, spv_reserve=4 * 10**24, stable_reserve=10**12, deficit_stable=7 * 10**6)
    rec = metrics.Recorder()

    row = rec.row(0, v, ctx(true_nav_usd=0.4), "start", 0, 0)

    assert row["insolvent_debt_at_oracle_usd"] == pytest.approx(0.0)  # $100 of collateral covers $90
    assert row["insolvent_debt_at_true_value_usd"] == pytest.approx(10.0)  # $80 against $90
    assert row["insolvent_debt_at_amm_usd"] == pytest.approx(40.0)  # $50 against $90
    assert row["deficit_usd"] == pytest.approx(7.0)
    assert row["expected_lender_loss_usd"] == pytest.approx(17.0)


def test_recorder_row__true_value_uses_world_stablecoin_price():
    v = view([account(100.0, 100.0, hf=0.8)], oracle_usd=1.0)
    rec = metrics.Recorder()

    row = rec.row(0, v, ctx(true_nav_usd=1.0, stable_usd=1.05), "start", 0, 0)

    assert row["insolvent_debt_at_true_value_usd"] == pytest.approx(5.0)
    assert row["insolvent_debt_at_oracle_usd"] == pytest.approx(0.0)


def test_recorder_row__oracle_drops_to_zero__tokens_from_the_last_row():
    rec = metrics.Recorder()
    rec.row(0, view([account(100.0, 60.0)], oracle_usd=1.0), ctx(0.5), "start", 0, 0)

    row = rec.row(12, view([account(0.0, 60.0, hf=0)], oracle_usd=0.0), ctx(0.5), "step", 0, 0)

    assert row["insolvent_debt_at_true_value_usd"] == pytest.approx(10.0)  # 100 tokens at $0.5 against $60
    assert row["insolvent_debt_at_oracle_usd"] == pytest.approx(60.0)  # the pool sees no collateral value


def test_insolvency_summary__rows__final_and_peak_per_valuation():
    rows = [
        {"insolvent_debt_at_true_value_usd": 0.0, "insolvent_debt_at_oracle_usd": 0.0,
         "insolvent_debt_at_amm_usd": 5.0, "expected_lender_loss_usd": 0.0},
        {"insolvent_debt_at_true_value_usd": 9.0, "insolvent_debt_at_oracle_usd": 3.0,
         "insolvent_debt_at_amm_usd": 20.0, "expected_lender_loss_usd": 12.0},
        {"insolvent_debt_at_true_value_usd": 4.0, "insolvent_debt_at_oracle_usd": 0.0,
         "insolvent_debt_at_amm_usd": 1.0, "expected_lender_loss_usd": 10.0},
    ]

    section = metrics.insolvency_summary(rows)

    assert section["at_true_value"] == {"final_usd": 4.0, "peak_usd": 9.0}
    assert section["at_oracle"] == {"final_usd": 0.0, "peak_usd": 3.0}
    assert section["at_amm"] == {"final_usd": 1.0, "peak_usd": 20.0}
    assert section["expected_lender_loss_usd"] == 10.0
    assert section["peak_expected_lender_loss_usd"] == 12.0
