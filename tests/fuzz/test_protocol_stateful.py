"""The protocol state machine (tests/fuzz/protocol_machine.py) under the loaded hypothesis profile.

    ape test tests/fuzz/test_protocol_stateful.py                          # "ci": 40 examples x <= 30 steps
    HYPOTHESIS_PROFILE=deep ape test tests/fuzz/test_protocol_stateful.py  # "deep": 400 x <= 50 steps

The number of steps actually run (hypothesis may end an example early) is printed in the terminal
summary ("protocol state machine" section) and, with -s, by the test itself.
"""

import os

from hypothesis import settings
from hypothesis.stateful import run_state_machine_as_test

from protocol_machine import STATS

# Examples x maximum steps per example, by profile. ci: about 1,000 steps (~1 min on a 2-core
# machine); deep: about 20,000 steps.
BUDGET = {"ci": (40, 30), "deep": (400, 50)}


def test_protocol_state_machine(protocol_machine):
    examples, steps = BUDGET.get(os.environ.get("HYPOTHESIS_PROFILE", "ci"), BUDGET["ci"])
    before = STATS.copy()
    run_state_machine_as_test(protocol_machine, settings=settings(max_examples=examples, stateful_step_count=steps))
    ran = STATS - before
    print(f"\nprotocol state machine: {ran['steps']} steps in {ran['examples']} examples, "
          f"{ran['liquidations']} liquidations, {ran['deficits']} deficits")
    assert ran["steps"] >= examples, "the machine ran fewer steps than examples"
