"""What the engine's fidelity work (issue 10) costs: the default scenario's run time on today's engine
against the engine before it, in one run on one machine.

"Before" is the package as of commit `BASELINE` (the last one before the stepping, sizing and
insolvency changes), exported from git into a temporary folder; "after" is this checkout. Both run
the same scenario and seed, each in its own process with its own fresh anvil, the variants
interleaved (before, after, before, after, ...) so that load on the machine hits both alike. The
figure is the engine's run time (`Engine.run`, after setup: the part the changes touch), median
and min–max of `--repeat` runs each, and the ratio of the medians (target: after / before <= 1.5).

    source toolchain/env.sh && python benchmarks/bench_fidelity_cost.py [--repeat 3] [--scenario NAME]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

import stats

ROOT = Path(__file__).resolve().parent.parent
BASELINE = "daa2661"  # main before issue 10

RUN_ONE = """
import json, sys, time
from rwa_testbed import scenario as scenarios
from rwa_testbed.engine import Engine
from rwa_testbed.node import local_chain
s = scenarios.load(sys.argv[1], seed=int(sys.argv[2]))
with local_chain() as uri:
    engine = Engine(s, uri)
    engine.setup()
    start = time.perf_counter()
    result = engine.run()
    elapsed = time.perf_counter() - start
print("RESULT " + json.dumps({"run_seconds": elapsed, "liquidations": result.summary["liquidations"]["count"],
                              "transactions": result.summary["chain"]["transactions"],
                              "steps": result.summary["chain"]["steps"]}))
"""


def export_baseline(into: Path) -> Path:
    """`src/` of the baseline commit, from git (the clone's history)."""
    archive = subprocess.run(["git", "archive", BASELINE, "src"], cwd=ROOT, capture_output=True)
    if archive.returncode != 0:
        sys.exit(f"cannot export baseline {BASELINE} from git: {archive.stderr.decode().strip()} "
                 "(a shallow clone has no history: git fetch --unshallow)")
    tar = into / "baseline.tar"
    tar.write_bytes(archive.stdout)
    with tarfile.open(tar) as t:
        t.extractall(into, filter="data")
    return into / "src"


def run_once(src: Path, scenario: str, seed: int) -> dict:
    env = {**os.environ, "PYTHONPATH": str(src)}
    done = subprocess.run([sys.executable, "-c", RUN_ONE, scenario, str(seed)], cwd=ROOT, env=env,
                          capture_output=True, text=True)
    line = next((x for x in done.stdout.splitlines() if x.startswith("RESULT ")), None)
    if done.returncode != 0 or line is None:
        sys.exit(f"run failed ({src}):\n{done.stderr[-2000:]}")
    return json.loads(line.removeprefix("RESULT "))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    stats.repeat_argument(parser, default=3)
    parser.add_argument("--scenario", default="credit_default_ripple")
    parser.add_argument("--seed", type=int, default=42)
    args = parser.parse_args()
    stats.check_repeat(parser, args.repeat)
    stats.header(f"{args.scenario} seed {args.seed}, engine run time", args.repeat)
    with tempfile.TemporaryDirectory() as tmp:
        variants = {"before": export_baseline(Path(tmp)), "after": ROOT / "src"}
        runs: dict[str, list[dict]] = {name: [] for name in variants}
        for i in range(args.repeat):
            for name, src in variants.items():
                r = run_once(src, args.scenario, args.seed)
                runs[name].append(r)
                print(f"  {name:6s} #{i + 1}: run {r['run_seconds']:.2f} s, {r['steps']} steps, "
                      f"{r['transactions']} txs, {r['liquidations']} liquidations", flush=True)
    times = {name: [r["run_seconds"] for r in rs] for name, rs in runs.items()}
    for name in variants:
        print(f"  {name:6s} {stats.spread(times[name], 's')}")
    print(f"after / before = {stats.ratio_text(times['after'], times['before'])} (target <= 1.5)")
    stats.footer()


if __name__ == "__main__":
    main()
