"""`make lint`'s Solidity half: slither on our contracts, every High/Medium finding triaged.

crytic-compile has no ape framework (`slither .` here silently analyses 0 contracts and exits 0),
so the input is ape-solidity's own standard JSON (sources, remappings, optimizer, EVM version:
what `ape compile` gives solc), without `settings.outputSelection` (crytic-compile asks for its
own), compiled by our solc-js adapter (`toolchain/solcx/solc-v<version>`) through
`--compile-force-framework solc-json`. OpenZeppelin's sources are compiled but their findings are
filtered out (`filter_paths`): the library is not ours to change.

Fails (exit 1) when no contract of `contracts/` was analysed, when a High or Medium finding has no
entry in `toolchain/slither-triage.yaml` (detector + location `file: Contract.function[.variable]`
+ why it is safe), or when an entry matches nothing any more (stale triage). Vyper is not covered:
crytic-compile cannot read Vyper 0.4 (see the triage file's note on the executor).

    python toolchain/lint_contracts.py            # from the repository root, in the venv
"""

from __future__ import annotations

import inspect
import json
import logging
import sys
from collections import defaultdict
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
TRIAGE = ROOT / "toolchain" / "slither-triage.yaml"
WORK = ROOT / ".local" / "lint"
GATED = ("High", "Medium")


def standard_input() -> tuple[str, dict]:
    """ape-solidity's standard JSON input for every .sol file under contracts/ (one solc version)."""
    from ape import compilers, project

    solidity = compilers.registered_compilers[".sol"]
    paths = sorted(p.resolve() for p in (ROOT / "contracts").rglob("*.sol"))
    inputs = solidity.get_standard_input_json(paths, project=project)
    if len(inputs) != 1:
        sys.exit(f"lint: expected one solc version, ape-solidity chose {sorted(map(str, inputs))}")
    ((version, data),) = inputs.items()
    data["settings"].pop("outputSelection", None)
    return f"{version.major}.{version.minor}.{version.micro}", data


def location(finding: dict) -> str:
    """`file: Contract.function[.variable]` of a finding's first element (stable across line moves)."""
    element = finding["elements"][0]
    names = [element["name"]]
    parent = element.get("type_specific_fields", {}).get("parent")
    while parent:
        names.insert(0, parent["name"])
        parent = parent.get("type_specific_fields", {}).get("parent")
    return f"{element['source_mapping']['filename_relative']}: {'.'.join(names)}"


def main() -> int:
    from slither import Slither
    from slither.detectors import all_detectors
    from slither.detectors.abstract_detector import AbstractDetector

    logging.getLogger("CryticCompile").setLevel(logging.ERROR)  # solc's warnings on OpenZeppelin
    version, data = standard_input()
    WORK.mkdir(parents=True, exist_ok=True)
    target = WORK / "solc-input.json"
    target.write_text(json.dumps(data))
    solc = ROOT / "toolchain" / "solcx" / f"solc-v{version}"

    slither = Slither(str(target), compile_force_framework="solc-json", solc=str(solc),
                      filter_paths=["node_modules"], export_dir=str(WORK / "crytic-export"))
    ours = sorted({c.name for c in slither.contracts
                   if c.source_mapping.filename.relative.startswith("contracts/")})
    print(f"slither: {len(slither.contracts)} contracts analysed, {len(ours)} of them in contracts/")
    if not ours:
        print("lint: slither analysed none of our contracts (wrong input or compiler?)", file=sys.stderr)
        return 1

    for detector in vars(all_detectors).values():
        if inspect.isclass(detector) and issubclass(detector, AbstractDetector):
            slither.register_detector(detector)
    findings = [f for per_detector in slither.run_detectors() for f in per_detector
                if f["impact"] in GATED and "node_modules" not in location(f)]

    triage = yaml.safe_load(TRIAGE.read_text())["findings"]
    untriaged, stale, problems = compare(findings, triage)
    places = {(f["check"], location(f)) for f in findings}
    high = sum(f["impact"] == "High" for f in findings)
    print(f"slither: {high} High, {len(findings) - high} Medium findings in {len(places)} places; "
          f"{len(places) - len(untriaged)} triaged in {TRIAGE.relative_to(ROOT)}")
    for (check, where), fs in sorted(untriaged.items()):
        print(f"\nUNTRIAGED {fs[0]['impact']} {check} at {where}", file=sys.stderr)
        for f in fs:
            print("  " + f["description"].strip().replace("\n", "\n  "), file=sys.stderr)
    for check, where in stale:
        print(f"STALE triage entry (no such finding any more): {check} at {where}", file=sys.stderr)
    for problem in problems:
        print(f"BAD triage entry: {problem}", file=sys.stderr)
    return 1 if untriaged or stale or problems else 0


def compare(findings: list[dict], triage: list[dict]):
    """(untriaged findings by (detector, location), stale triage entries, malformed entries)."""
    problems = [f"{t.get('detector')} at {t.get('location')}: needs detector, location and why"
                for t in triage if not all(str(t.get(k, "")).strip() for k in ("detector", "location", "why"))]
    accepted = {(t.get("detector"), t.get("location")) for t in triage}
    found: dict[tuple[str, str], list[dict]] = defaultdict(list)
    for f in findings:
        found[(f["check"], location(f))].append(f)
    untriaged = {key: fs for key, fs in found.items() if key not in accepted}
    stale = sorted(key for key in accepted - set(found) if all(key))
    return untriaged, stale, problems

if __name__ == "__main__":
    sys.exit(main())
