"""The protocol state machine (tests/fuzz/protocol_machine.py) under the loaded hypothesis profile.

    ape test tests/fuzz/test_protocol_stateful.py                          # "ci": 60 examples x <= 40 steps
    HYPOTHESIS_PROFILE=deep ape test tests/fuzz/test_protocol_stateful.py  # "deep": 400 x <= 50 steps

The number of steps actually run (hypothesis may end an example early) is printed in the terminal
summary ("protocol state machine" section) and, with -s, by the test itself.
"""

import os

from hypothesis import settings
from hypothesis.stateful import run_state_machine_as_test

from protocol_machine import OUTCOMES, STATS

# Examples x maximum steps per example, by profile. ci: about 2,400 steps (~30 s on a busy
# 2-core machine); deep: about 20,000 steps (~5 min).
BUDGET = {"ci": (60, 40), "deep": (400, 50)}


def test_protocol_state_machine(protocol_machine):
    examples, steps = BUDGET.get(os.environ.get("HYPOTHESIS_PROFILE", "ci"), BUDGET["ci"])
    before = STATS.copy()
    run_state_machine_as_test(protocol_machine, settings=settings(max_examples=examples, stateful_step_count=steps))
    ran = STATS - before
    print("\noutcomes:", *sorted(OUTCOMES.items()), sep="\n  ")
    print(f"\nprotocol state machine: {ran['steps']} steps in {ran['examples']} examples, "
          f"{ran['liquidations']} liquidations, {ran['deficits']} deficits")
    assert ran["steps"] >= examples, "the machine ran fewer steps than examples"
