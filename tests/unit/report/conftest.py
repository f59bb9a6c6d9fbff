"""Synthetic runs for the report tests: a months-long fast-forward with a minutes-long cascade.

No chain: `synthetic_run` builds the plain data the engine hands to `report.write_outputs`.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from rwa_testbed import metrics

DAY = 86_400
BLOCK = 12


def synthetic_run(
    *,
    seed: int = 7,
    duration_days: float = 40.0,
    shock_day: float = 20.0,
    cascade_minutes: int = 120,
    borrowers: int = 60,
    amm_floor_usd: float = 0.25,
    stable_depeg_usd: float | None = None,
) -> dict:
    """Keyword arguments for `write_outputs`: a flash crash on `shock_day` replayed block by block.

    Fast-forward rows at t=0, the day-5 NAV report and the shock; then one row per 12-s block for
    `cascade_minutes`; then fast-forward to a day-35 NAV report and the end. The AMM price decays
    towards `amm_floor_usd` (None-free floats throughout), the pool's oracle is a 30-minute TWAP of
    it, borrowers with liquidation prices spread over (0.5, 0.91) are liquidated a few blocks
    after the TWAP crosses their price, and those seized below their debt leave bad debt; those
    below their price and not yet liquidated are unliquidated rows (`step_limit` or `unprofitable`),
    and the insolvency columns come from `metrics.insolvent_debt_usd` on the borrowers left.
    `amm_floor_usd` >= 0.91 gives a run without liquidations.
    """
    rng = np.random.default_rng(seed)
    shock_t = round(shock_day * DAY)
    liq_price = np.sort(rng.uniform(0.5, 0.91, borrowers))[::-1]
    debt = rng.lognormal(math.log(2e6), 0.8, borrowers)
    collateral = debt / (liq_price * 0.75)  # tokens: HF = coll * price * LT / debt = 1 at liq_price
    liquidated_at = np.full(borrowers, -1)
    deficit = 0.0
    rows, liquidations, unliquidated = [], [], []
    amm_history: list[tuple[int, float]] = []
    times = [0, 5 * DAY, shock_t]
    times += [shock_t + BLOCK * k for k in range(1, cascade_minutes * 60 // BLOCK + 1)]
    times += [35 * DAY, round(duration_days * DAY)]

    def true_nav(t: int) -> float:
        base = 1.0 * 1.06 ** (t / (365 * DAY))
        return base * (0.7 * 0.65 if t >= shock_t else 1.0)

    def amm_price(t: int) -> float:
        if t < shock_t:
            return 0.995 * true_nav(t)
        minutes = (t - shock_t) / 60
        crash = amm_floor_usd + (0.995 - amm_floor_usd) * math.exp(-minutes / 9)
        recovery = 0.12 * (1 - math.exp(-max(minutes - 40, 0) / 25))  # arbitrageurs step in
        return crash + recovery if amm_floor_usd < 0.9 else crash

    for i, t in enumerate(times):
        price = amm_price(t)
        amm_history.append((t, price))
        oracle = 0.0 if t == 0 else twap(amm_history, t, 1_800)
        stable = 1.0
        if stable_depeg_usd is not None and shock_t <= t <= shock_t + 1_800:
            stable = stable_depeg_usd
        mode = "start" if i == 0 else ("step" if shock_t < t <= shock_t + cascade_minutes * 60 else "fast_forward")
        step_liqs = 0
        for b in range(borrowers):
            crossed = oracle and oracle < liq_price[b]
            if crossed and liquidated_at[b] < 0 and step_liqs < 1 and i % 3 == 0:  # one liquidator tx per 3 blocks
                liquidated_at[b] = t
                step_liqs += 1
                seized_usd = min(collateral[b] * oracle, debt[b] * 1.075)
                created = max(debt[b] - collateral[b] * oracle / 1.075, 0.0)
                deficit += created
                liquidations.append({
                    "t_seconds": t, "block": 1_000 + i, "liquidator": f"liquidator-{b % 3}",
                    "user": f"0x{b + 1:040x}", "atomic": bool(b % 2), "debt_repaid_usd": float(debt[b] - created),
                    "collateral_seized_tokens": float(seized_usd / oracle), "collateral_seized_usd": float(seized_usd),
                    "protocol_fee_tokens": float(0.1 * 0.075 * seized_usd / oracle),
                    "borrower_loss_usd": float(seized_usd * (1 + 0.1 * 0.075) - (debt[b] - created)),
                    "hf_before": float(oracle / liq_price[b]), "hf_after": 1e9, "deficit_created_usd": float(created),
                })
        alive = liquidated_at < 0
        liquidatable = float(debt[alive & (oracle > 0) & (oracle < liq_price)].sum()) if oracle else 0.0
        if oracle:
            for b in np.flatnonzero(alive & (oracle < liq_price)):  # left for a later block
                unliquidated.append({
                    "t_seconds": t, "user": f"0x{b + 1:040x}", "debt_usd": float(debt[b]),
                    "health_factor": float(oracle / liq_price[b]), "reason": "step_limit" if i % 3 else "unprofitable",
                })
        coll_alive, debt_alive = np.where(alive, collateral, 0.0), np.where(alive, debt, 0.0)
        insolvent_true = metrics.insolvent_debt_usd(coll_alive, debt_alive, true_nav(t), stable)
        rows.append({
            "t_seconds": t, "t_days": t / DAY, "block": 1_000 + i, "mode": mode,
            "true_nav_usd": true_nav(t), "oracle_price_usd": oracle, "amm_price_usd": price,
            "stable_price_usd": stable, "amm_spv_reserve": 5e7 / max(price, 1e-9) ** 0.5,
            "amm_stable_reserve": 5e7 * max(price, 1e-9) ** 0.5, "liquidatable_debt_usd": liquidatable,
            "total_debt_usd": float(debt[alive].sum()), "deficit_usd": deficit,
            "insolvent_debt_at_true_value_usd": insolvent_true,
            "insolvent_debt_at_oracle_usd": metrics.insolvent_debt_usd(coll_alive, debt_alive, oracle, stable),
            "insolvent_debt_at_amm_usd": metrics.insolvent_debt_usd(coll_alive, debt_alive, price, stable),
            "expected_lender_loss_usd": metrics.expected_lender_loss_usd(deficit, insolvent_true),
            "liquidations": len(liquidations), "txs": 2 * step_liqs + (3 if mode == "step" else 1),
            "reverted": step_liqs // 2,
            **dict.fromkeys(metrics.REDEMPTION_COLUMNS, 0.0), "redemption_pending_requests": 0,
            "spv_cash_reserve_usd": 1e8,
        })
    events = [
        {"t_seconds": 5 * DAY, "kind": "nav_report", "description": "custodian reports NAV $1.0000 as of day 0.0"},
        {"t_seconds": shock_t, "kind": "custodian_hack", "description": "custodian hacked: redemptions frozen, claim impaired, true value -30%"},
        {"t_seconds": shock_t, "kind": "natural_disaster", "description": "natural disaster: property value -35%"},
        {"t_seconds": shock_t, "kind": "rumor", "description": "rumor: 80% of holders rush to sell within 60 min"},
        {"t_seconds": shock_t + 864, "kind": "liquidity_withdrawal", "description": "LPs pull 70% of AMM depth"},
        {"t_seconds": 35 * DAY, "kind": "nav_report", "description": 'custodian reports NAV $0.4600 as of day 30.0, "impaired"'},
    ]
    if stable_depeg_usd is not None:
        events.append({"t_seconds": shock_t, "kind": "stablecoin_depeg", "description": f"stablecoin depegs to ${stable_depeg_usd:g}"})
        events.append({"t_seconds": shock_t + 1_800, "kind": "stablecoin_repeg", "description": "stablecoin back at $1"})
    borrowed = float(debt.sum())
    first, last = (liquidations[0]["t_seconds"], liquidations[-1]["t_seconds"]) if liquidations else (-1, -1)
    cascade = metrics.main_cascade(rows, liquidations)
    duration = cascade.duration_seconds if cascade else 0
    spans = metrics.UnliquidatedSpans()  # the per-step rows as the engine's Recorder keeps them
    for row in rows:
        spans.add(row["t_seconds"], [u for u in unliquidated if u["t_seconds"] == row["t_seconds"]])
    summary = {
        "scenario": "synthetic_flash_crash",
        "seed": seed,
        "population": {"borrowers": borrowers, "borrowed_usd": borrowed, "collateral_tokens": float(collateral.sum())},
        "liquidations": {
            "count": len(liquidations),
            "atomic": sum(x["atomic"] for x in liquidations),
            "debt_repaid_usd": sum(x["debt_repaid_usd"] for x in liquidations),
            "collateral_seized_tokens": sum(x["collateral_seized_tokens"] for x in liquidations),
        },
        "bad_debt": {"usd": deficit, "pct_of_borrowed": 100 * deficit / borrowed},
        "prices": {
            "final_true_nav_usd": rows[-1]["true_nav_usd"],
            "min_amm_usd": min(r["amm_price_usd"] for r in rows),
            "max_discount_amm_to_true_pct": 100 * max(1 - r["amm_price_usd"] / r["true_nav_usd"] for r in rows),
        },
        "timing": {
            "offchain_shock_seconds": 45 * DAY,
            "onchain_cascade_seconds": duration,
            "main_cascade_trigger_at_seconds": cascade.trigger_seconds if cascade else -1,
            "main_cascade_liquidations": cascade.liquidations if cascade else 0,
            "cascades": cascade.cascades if cascade else 0,
            "first_liquidation_seconds": first,
            "offchain_over_onchain": 45 * DAY / duration if duration else 0.0,
        },
        "lenders": {"loss_usd": deficit, "expected_loss_usd": rows[-1]["expected_lender_loss_usd"]},
        "insolvency": metrics.insolvency_summary(rows),
        "unliquidated": metrics.unliquidated_summary(spans.all(), rows[-1]["t_seconds"]),
        "chain": {
            "transactions": sum(r["txs"] for r in rows),
            "reverted_by_action": {"liquidation_atomic": 3, "swap": 1},
            "gas_used": 123_456_789,
            "steps": len(rows),
        },
        "pool": {"final_deficit_usd": deficit,
                 "solvent": metrics.is_solvent(deficit, rows[-1]["insolvent_debt_at_true_value_usd"])},
    }
    return {
        "scenario_name": "synthetic_flash_crash",
        "seed": seed,
        "timeseries": rows,
        "liquidations": liquidations,
        "events": events,
        "summary": summary,
        "unliquidated": spans.all(),
    }


def twap(history: list[tuple[int, float]], t: int, window: int) -> float:
    """Time-weighted mean over [t - window, t] of the step price in `history` ((t, price), sorted)."""
    start, total = t - window, 0.0
    for (s, p), (s_next, _) in zip(history, history[1:] + [(t, 0.0)]):
        lo, hi = max(s, start), min(s_next, t)
        if hi > lo:
            total += p * (hi - lo)
    covered = t - max(start, history[0][0])
    return total / covered if covered else history[-1][1]


@pytest.fixture
def make_run():
    """Factory: `make_run(**overrides)` -> keyword arguments for `write_outputs` (see `synthetic_run`)."""
    return synthetic_run


@pytest.fixture
def run_data():
    """The default synthetic flash crash: 40 days, a 2-hour block-by-block cascade on day 20."""
    return synthetic_run()
