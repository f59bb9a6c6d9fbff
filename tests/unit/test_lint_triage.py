"""`make lint`'s triage rule (toolchain/lint_contracts.py) on hand-made slither findings, and the
committed triage file's shape. slither itself runs in `make lint`, not here (about 90 s)."""

import importlib.util
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
spec = importlib.util.spec_from_file_location("lint_contracts", ROOT / "toolchain" / "lint_contracts.py")
lint = importlib.util.module_from_spec(spec)
spec.loader.exec_module(lint)


def finding(check, name, contract, function=None, impact="Medium", file="contracts/x/X.sol"):
    """A slither finding whose first element is `contract.name` (or `contract.function.name`)."""
    parent = {"type": "contract", "name": contract}
    if function:
        parent = {"type": "function", "name": function, "type_specific_fields": {"parent": parent}}
    element = {"name": name, "source_mapping": {"filename_relative": file},
               "type_specific_fields": {"parent": parent}}
    return {"check": check, "impact": impact, "elements": [element], "description": f"{check} in {name}"}


def entry(detector, location, why="reason"):
    return {"detector": detector, "location": location, "why": why}


def test_location__function_and_local_variable():
    assert lint.location(finding("d", "f", "C")) == "contracts/x/X.sol: C.f"
    assert lint.location(finding("d", "v", "C", function="f")) == "contracts/x/X.sol: C.f.v"


def test_compare__triaged_findings_pass_one_entry_covers_a_place():
    findings = [finding("incorrect-equality", "mint", "Pair"), finding("incorrect-equality", "mint", "Pair")]
    assert lint.compare(findings, [entry("incorrect-equality", "contracts/x/X.sol: Pair.mint")]) == ({}, [], [])


def test_compare__new_finding__untriaged():
    untriaged, stale, problems = lint.compare([finding("unused-return", "f", "C", impact="High")], [])
    assert list(untriaged) == [("unused-return", "contracts/x/X.sol: C.f")] and not stale and not problems


def test_compare__entry_matching_nothing__stale_and_entry_without_reason__rejected():
    triage = [entry("unused-return", "contracts/x/X.sol: C.gone"), entry("d", "contracts/x/X.sol: C.f", why=" ")]
    untriaged, stale, problems = lint.compare([finding("d", "f", "C")], triage)
    assert not untriaged
    assert stale == [("unused-return", "contracts/x/X.sol: C.gone")]
    assert len(problems) == 1 and "C.f" in problems[0]


def test_triage_file__every_entry_complete_and_unique():
    entries = yaml.safe_load((ROOT / "toolchain" / "slither-triage.yaml").read_text())["findings"]
    assert entries
    assert lint.compare([], entries)[2] == []
    keys = [(e["detector"], e["location"]) for e in entries]
    assert len(keys) == len(set(keys))
    assert all(e["location"].startswith("contracts/") for e in entries)
