"""`ape run compare_mitigations` as a user runs it (a subprocess in the project): the baseline and two
mechanisms on 2 seeds of a small real_estate_flash_crash write every output and a table whose
figures are the runs' own; the same command again runs nothing; `--list` and bad options."""

import csv
import json
import subprocess
from pathlib import Path

import numpy as np
import pytest

from rwa_testbed import mitigations, sweep
from rwa_testbed import scenario as scenarios

ROOT = Path(__file__).resolve().parents[2]
BASE = ("population.borrowers=12", "population.holders=8", "run.duration_days=20.2")  # ~6 s a run
COMPARE = ["ape", "run", "compare_mitigations", "--scenario", "real_estate_flash_crash", "--seed", "3",
           *(a for s in BASE for a in ("--set", s))]


def _compare(*args: str, timeout: float = 1_200) -> subprocess.CompletedProcess:
    return subprocess.run([*COMPARE, *args], cwd=ROOT, capture_output=True, text=True, timeout=timeout)


def test_compare_mitigations__baseline_and_two_mechanisms_x_2_seeds__table_of_the_runs(tmp_path):
    out = tmp_path / "out"
    first = _compare("--only", "liquidation_cap,max_change_freeze", "--seeds", "2", "--workers", "2", "--out", str(out))
    assert first.returncode == 0, first.stderr
    assert (f"real_estate_flash_crash: 3 variants x 2 seeds = 6 runs; 0 already in {out / sweep.JOURNAL}, 6 to run"
            in first.stderr)
    assert {p.name for p in out.iterdir()} >= {"runs.csv", "runs.jsonl", "runs.parquet", "comparison.csv",
                                               "comparison.json", "comparison.txt", "comparison.png"}
    assert "6 runs this time, 0 of 6 failed" in first.stdout

    with open(out / "runs.csv", newline="") as f:
        runs = list(csv.DictReader(f))
    seeds = sweep.derive_seeds(3, 2)
    assert [(r["variant"], int(r["seed"])) for r in runs] == [
        (v, s) for v in ("baseline", "max_change_freeze", "liquidation_cap") for s in seeds]
    doc = json.loads((out / "comparison.json").read_text())
    table = {e["variant"]: e for e in doc["table"]}
    assert list(table) == ["baseline", "max_change_freeze", "liquidation_cap"]
    for name, entry in table.items():  # the table's means are the runs' own figures
        for key in ("bad_debt.usd", "liquidations.count", "liquidations.borrowers_loss_usd"):
            values = [float(r[key]) for r in runs if r["variant"] == name]
            assert entry[f"{key}:mean"] == pytest.approx(np.mean(values), rel=1e-5), (name, key)
            assert entry[f"{key}:p95"] == pytest.approx(np.percentile(values, 95), rel=1e-5), (name, key)
        base = table["baseline"]["bad_debt.usd:mean"]
        assert entry["bad_debt.usd:vs_baseline"] == pytest.approx(entry["bad_debt.usd:mean"] - base, abs=1e-6)
    # each mechanism did something in each run (it is not a no-op): the capped runs hit the cap or
    # liquidated differently, the freeze held the price through the crash
    base_runs = {r["seed"]: r for r in runs if r["variant"] == "baseline"}
    assert all(float(r["liquidations.count"]) > 0 for r in base_runs.values())
    for name in ("max_change_freeze", "liquidation_cap"):
        changed = [r for r in runs if r["variant"] == name
                   and (r["liquidations.count"], r["liquidations.debt_repaid_usd"])
                   != (base_runs[r["seed"]]["liquidations.count"], base_runs[r["seed"]]["liquidations.debt_repaid_usd"])]
        assert changed, f"{name} changed no run's liquidations"
    # the terminal table: a line per variant, the variants described
    text = (out / "comparison.txt").read_text()
    assert text.strip() in first.stdout
    chosen = mitigations.choose(mitigations.variants(scenarios.load("real_estate_flash_crash", list(BASE))),
                                ["liquidation_cap", "max_change_freeze"])
    for v in chosen:
        assert f"  {v.name}: {v.description}" in text

    journal = (out / sweep.JOURNAL).read_text()
    again = _compare("--only", "liquidation_cap,max_change_freeze", "--seeds", "2", "--out", str(out), "--no-figure")
    assert again.returncode == 0, again.stderr
    assert "6 runs; 6 already in" in again.stderr and "0 runs this time" in again.stdout
    assert (out / sweep.JOURNAL).read_text() == journal


def test_compare_mitigations__list__prints_each_variant_and_its_settings():
    run = _compare("--list", timeout=300)
    assert run.returncode == 0, run.stderr
    lines = run.stdout.splitlines()
    assert "baseline: the scenario as it is" in lines
    assert "    --set market.mitigations.oracle.min_nav_twap=true" in lines


@pytest.mark.parametrize("args, message", [
    (["--only", "grace_period,nope"], "unknown variant(s) nope"),
    (["--set", "market.mitigations.oracle.max_change_bps=20000"], "market.mitigations.oracle.max_change_bps"),
    (["--workers", "2", "--scheduler", "tcp://127.0.0.1:1"], "--workers and --scheduler exclude each other"),
    (["--variant", "stall"], "expected NAME=KEY.PATH=VALUE"),
    (["--variant", "x=shocks.+={kind: oracle_outage, at_days: 9999, duration_days: 1}"], "is after the end of the run"),
])
def test_compare_mitigations__bad_options__usage_error_exit_2(tmp_path, args, message):
    run = _compare(*args, "--out", str(tmp_path / "out"), timeout=300)
    assert run.returncode == 2, (run.stdout, run.stderr)
    assert "Usage:" in run.stderr and message in run.stderr
    assert "Traceback" not in run.stderr
    assert not (tmp_path / "out" / sweep.JOURNAL).exists()


def _compare_rwa_squared(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(["ape", "run", "compare_mitigations", "--scenario", "rwa_squared", *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=300)


def test_compare_mitigations__structured_scenario_without_variants__usage_error_names_the_option():
    run = _compare_rwa_squared("--list")
    assert run.returncode == 2 and "compare shared-dependency failures with --variant" in run.stderr


def test_compare_mitigations__own_variants__listed_with_their_settings():
    run = _compare_rwa_squared("--list",
                               "--variant", "stall=shocks.+={kind: oracle_outage, at_days: 100, duration_days: 50}",
                               "--variant", "drought=shocks.+={kind: liquidity_withdrawal, at_days: 119, share_pct: 85};"
                               "run.seed=3")
    assert run.returncode == 0, run.stderr
    lines = run.stdout.splitlines()
    assert lines[0] == "baseline: the scenario as it is"
    assert "    --set shocks.+={kind: oracle_outage, at_days: 100, duration_days: 50}" in lines
    assert "    --set run.seed=3" in lines
