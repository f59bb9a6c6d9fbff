"""The protocol machine's invariants are real checks: each one fails when its input is broken.

Every test subclasses `ProtocolMachine` with one deliberate fault in what an invariant reads (a
pool view that over-reports debt, a feed that answers before its delay, a liquidation that repaid
more than the close factor, ...), runs it, and asserts that exactly that invariant fails. The first
three run the machine through hypothesis (`run_state_machine_as_test`); the others need a
liquidation, a swap or a delayed observation, so they replay a fixed sequence of rules
(`protocol_machine.replay`, deterministic) with the invariants checked after every step.
"""

import pytest
from hypothesis import HealthCheck, Phase, settings
from hypothesis.stateful import run_state_machine_as_test

import protocol_strategies as S
from fixtures.constants import USDC
from protocol_machine import InvariantFailed, replay

QUICK = settings(max_examples=3, stateful_step_count=3, phases=[Phase.generate], report_multiple_bugs=False,
                 deadline=None, suppress_health_check=list(HealthCheck))


def faulty(machine_cls, tamper_view=None, tamper_liquidation=None):
    """A subclass of the machine whose view (dict) or latest liquidation record is tampered with."""

    class Faulty(machine_cls):
        def view(self):
            v = dict(super().view())
            if tamper_view is not None:
                tamper_view(self, v)
            return v

        def liquidate(self, **kwargs):
            super().liquidate(**kwargs)
            if tamper_liquidation is not None and self.liquidations:
                tamper_liquidation(self.liquidations[-1])

    Faulty.__name__ = f"Faulty{machine_cls.__name__}"
    return Faulty


def run_to_failure(machine_cls) -> str:
    """Runs the machine under hypothesis; returns the failure message (fails if nothing failed)."""
    with pytest.raises(AssertionError) as failure:
        run_state_machine_as_test(machine_cls, settings=QUICK)
    return str(failure.value)


def replay_to_failure(machine_cls, steps, rules=(0, 0, 0)) -> InvariantFailed:
    """Replays `steps` with the invariants checked after each; returns the failure."""
    with pytest.raises(InvariantFailed) as failure:
        replay(machine_cls, steps, rules)
    return failure.value


CRASH_AND_LIQUIDATE = [
    ("crash", {"drop_bps": 6_000}),  # borrower's HF 1.15 -> 0.46: a full liquidation with bad debt
    ("liquidate", {"user": "borrower", "mode": "max", "percent": 0, "receive_shares": False}),
]


def test_debt_view_over_reporting_total_debt__fails_total_debt_is_sum_of_user_debts(protocol_machine):
    def over_report(machine, v):
        v["total_debt"] += len(S.USERS) + 1

    assert "vs sum of user debts" in run_to_failure(faulty(protocol_machine, tamper_view=over_report))


def test_stray_supply_share__fails_supply_shares_add_up(protocol_machine):
    def stray_share(machine, v):
        v["scaled_supply_rwa"] = [*v["scaled_supply_rwa"][:-1], v["scaled_supply_rwa"][-1] + 1]

    assert "!= scaledTotalSupply" in run_to_failure(faulty(protocol_machine, tamper_view=stray_share))


def test_pool_missing_one_dollar_of_cash__fails_pool_cash_covers_supply(protocol_machine):
    def missing_cash(machine, v):
        v["cash_stable"] -= 1 * USDC

    assert "< supplied + treasury" in run_to_failure(faulty(protocol_machine, tamper_view=missing_cash))


def test_feed_answering_before_its_delay__fails_oracle_invariant(protocol_machine):
    def undelayed_feed(machine, v):
        # a broken feed: always the newest observation, whatever the 1-hour delay says
        answer, observed_at = machine.oracle.observations[-1]
        round_id = len(machine.oracle.observations)
        v["feed_round"] = (round_id, answer, observed_at, observed_at, round_id)

    failure = replay_to_failure(faulty(protocol_machine, tamper_view=undelayed_feed),
                                [("observe_price", {"move_bps": -500, "lag": 0, "out_of_order": False})],
                                rules=(3_600, 0, 0))
    assert failure.invariant == "oracle_publishes_only_what_its_rules_allow"
    assert "vs model" in str(failure)


def test_reserves_shrinking_across_a_swap__fails_amm_k_invariant(protocol_machine):
    class LeakyPair(protocol_machine):
        def _swap(self, seller, sell_rwa, amount):
            super()._swap(seller, sell_rwa, amount)
            k_before, _ = self.swaps[-1]  # as if the pair had paid out more than the curve allows
            self.swaps[-1] = (k_before, k_before - 1)

    failure = replay_to_failure(LeakyPair, [("swap", {"seller": "trader", "sell_rwa": True, "size_bps": 100})])
    assert failure.invariant == "amm_k_never_decreases_across_a_swap"


@pytest.mark.parametrize(
    "tamper, invariant",
    [
        (lambda liq: liq.update(pre_hf=10**18), "liquidations_hit_only_unhealthy_positions"),
        (lambda liq: liq["event"].update(collateralSeized=liq["pre_collateral"] + 1),
         "liquidations_seize_at_most_the_users_collateral"),
        (lambda liq: liq["event"].update(debtRepaid=liq["pre_debt"] + 1), "liquidations_repay_at_most_the_close_factor"),
    ],
    ids=["healthy_position_liquidated", "seized_more_than_collateral", "repaid_above_close_factor"],
)
def test_faulty_liquidation_record__fails_its_invariant(protocol_machine, tamper, invariant):
    failure = replay_to_failure(faulty(protocol_machine, tamper_liquidation=tamper), CRASH_AND_LIQUIDATE)
    assert failure.invariant == invariant


def test_deficit_while_collateral_remains__fails_deficit_invariant(protocol_machine):
    class KeepsCollateral(protocol_machine):
        def liquidate(self, **kwargs):
            super().liquidate(**kwargs)
            for d in self.deficit_events:  # as if the pool had written the debt off with collateral left
                d["post_collateral_base"] = 1

    failure = replay_to_failure(KeepsCollateral, CRASH_AND_LIQUIDATE)
    assert failure.invariant == "deficit_only_when_collateral_is_gone"
    assert "kept collateral" in str(failure)
