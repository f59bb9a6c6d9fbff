"""`metrics.Recorder`: a row's fields from a hand-made view, and the block's results (counts, gas,
reverts, liquidations decoded by a stand-in venue, atomic profit from executor logs); no chain."""

from dataclasses import replace
from types import SimpleNamespace

import pytest
from eth_abi import encode

from rwa_testbed import metrics
from rwa_testbed.chain import TxRequest, TxResult
from rwa_testbed.venues.base import Liquidation

from .hand_made import E8, WAD, account, view

USERS = ["0xAbC1", "0xaBc2"]


class Venue:
    """Decodes the liquidations it is told to, and records what it was asked."""

    def __init__(self, found=()):
        self.found = list(found)
        self.asked = []

    def liquidations(self, results, view, borrowers):
        self.asked.append((list(results), borrowers))
        return [(results[i], liq) for i, liq in self.found]

    def describe_error(self, message):
        return f"venue says {message}"


class Rpc:
    def __init__(self, answer):
        self.answer = answer

    def batch(self, calls, raise_errors=True):
        return [self.answer] * len(calls)


def ctx(*, venue=None, executors=None, rpc_answer=None, t=0, true_nav=1.0, spv=None):
    world = SimpleNamespace(t=t, true_nav_at=lambda _: true_nav, stable_price_usd=1.0)
    market = SimpleNamespace(venue=venue or Venue(), executors=executors or {}, contracts=lambda: [], spv=spv)
    chain = SimpleNamespace(block_number_cached=42, rpc=Rpc(rpc_answer))
    return SimpleNamespace(world=world, market=market, chain=chain,
                           actors=SimpleNamespace(borrowers=[SimpleNamespace(address=u) for u in USERS]))


def result(action, *, gas=100, status=1, logs=(), agent="liquidator-0", block=7):
    request = TxRequest(sender=SimpleNamespace(address="0xsender"), to="0xpool", data=b"\x01\x02", agent=agent,
                        action=action, gas=500_000)
    return TxResult(request, "0xhash", status, gas, block, list(logs))


# -- row ------------------------------------------------------------------------------------------


def test_recorder_row__view__prices_reserves_debt_and_step_fields():
    accounts = [account(90.0, 100.0, hf=0.9), account(300.0, 50.0, hf=4.0)]
    v = view(accounts, oracle_usd=0.5, stable_usd=0.98, spv_reserve=2 * 10**24, stable_reserve=10**12)
    rec = metrics.Recorder()
    rec.liquidations = [{}, {}]

    row = rec.row(86_400 * 3, v, ctx(true_nav=0.75), "step", txs=5, reverted=1)

    assert row["t_seconds"] == 259_200 and row["t_days"] == 3.0
    assert (row["block"], row["mode"], row["txs"], row["reverted"], row["liquidations"]) == (42, "step", 5, 1, 2)
    assert row["true_nav_usd"] == 0.75
    assert row["oracle_price_usd"] == 0.5 and row["stable_price_usd"] == 0.98
    assert row["amm_price_usd"] == pytest.approx(0.5 * 0.98)  # 1e6 stablecoins per 2e6 tokens, at $0.98
    assert (row["amm_spv_reserve"], row["amm_stable_reserve"]) == (2_000_000.0, 1_000_000.0)
    assert row["liquidatable_debt_usd"] == pytest.approx(100.0)  # only the account under 1
    assert row["total_debt_usd"] == pytest.approx(150.0)
    assert rec.timeseries == [row]


def test_recorder_row__first_liquidatable_step__kept_once():
    rec = metrics.Recorder()
    healthy, sick = view([account(100.0, 50.0, hf=2.0)]), view([account(100.0, 90.0, hf=0.95)])

    rec.row(0, healthy, ctx(), "start", 0, 0)
    rec.row(12, sick, ctx(), "step", 0, 0)
    rec.row(24, sick, ctx(), "step", 0, 0)

    assert rec.first_liquidatable_t == 12


def test_recorder_row__no_collateral_left__debt_not_liquidatable():
    # Health factor 0 with nothing to seize: bad debt, not liquidatable debt.
    row = metrics.Recorder().row(0, view([account(0.0, 80.0, hf=0.0)]), ctx(), "step", 0, 0)

    assert row["liquidatable_debt_usd"] == 0.0 and row["total_debt_usd"] == pytest.approx(80.0)


# -- results --------------------------------------------------------------------------------------


def test_recorder_results__mined_transactions__counts_and_gas_per_action():
    rec = metrics.Recorder()

    rec.results([result("oracle_poke", gas=30), result("panic_sell", gas=70), result("panic_sell", gas=80)],
                ctx(), view([]))

    assert (rec.tx_count, rec.gas_used, rec.reverted) == (3, 180, 0)
    assert rec.gas_by_action == {"oracle_poke": 30, "panic_sell": 150}


def test_recorder_results__revert__counted_and_reason_sampled_from_the_trace():
    output = "0x08c379a0" + encode(["string"], ["HF ok"]).hex()
    rec = metrics.Recorder()
    c = ctx(rpc_answer={"output": output})

    rec.results([result("liquidation", status=0, gas=20)] * 2, c, view([]))

    assert (rec.tx_count, rec.reverted, rec.gas_used) == (2, 2, 40)
    assert rec.reverted_by_action == {"liquidation": 2}
    assert rec.revert_samples == {"liquidation": ["venue says HF ok"]}  # the same reason once
    assert rec.revert_counts == {("agent_error", "liquidation", "venue says HF ok"): 2}
    assert rec.liquidations == []


def test_recorder_results__every_revert__classified_by_its_reason():
    output = "0x08c379a0" + encode(["string"], ["executor: unprofitable"]).hex()
    rec = metrics.Recorder()

    venue = SimpleNamespace(describe_error=lambda message: message, liquidations=lambda *args: [])

    rec.results([result("liquidation_atomic", status=0)] * 4, ctx(venue=venue, rpc_answer={"output": output}),
                view([]))

    assert rec.revert_counts == {("market_race", "liquidation_atomic", "executor: unprofitable"): 4}
    assert metrics.reverts_summary(rec.revert_counts)["market_race"] == {
        "count": 4, "by_action": {"liquidation_atomic": 4}, "by_reason": {"executor: unprofitable": 4}}


class SpvAbi:
    """The SPV's events by topic0 (a hand-made log names its event in `topics[0]`)."""

    def __init__(self, decoded):
        self.decoded = decoded
        self.events = {bytes.fromhex(k[2:]): SimpleNamespace(name=v[0]) for k, v in decoded.items()}

    def decode_log(self, log):
        return self.decoded[log["topics"][0]]


def test_recorder_results__spv_redemption_logs__queue_tallied_and_row_columns():
    decoded = {"0x01": ("RedemptionRequested", {"shares": 5 * WAD}), "0x02": ("RedemptionRequested", {"shares": WAD}),
               "0x03": ("RedemptionSettled", {"shares": 5 * WAD, "paid": 4 * 10**6}),
               "0x04": ("RedemptionCancelled", {"shares": WAD}), "0x05": ("Transfer", {})}
    spv = SimpleNamespace(address="0xSpv", abi=SpvAbi(decoded))
    log = lambda k: {"address": "0xspv", "topics": [k], "data": "0x"}  # noqa: E731
    rec = metrics.Recorder()
    c = ctx(spv=spv)

    rec.results([result("redeem_request", logs=[log("0x01"), log("0x05")]), result("redeem_request", logs=[log("0x02")])],
                c, view([]))
    row = rec.row(0, replace(view([]), cash_reserve=7 * 10**6, pending_redemption_shares=6 * WAD), c, "step", 2, 0)
    rec.results([result("redeem_settle", logs=[log("0x03")]), result("redeem_cancel", logs=[log("0x04")])], c,
                view([]))
    after = rec.row(12, replace(view([]), cash_reserve=3 * 10**6), c, "step", 2, 0)

    assert {k: row[k] for k in metrics.REDEMPTION_COLUMNS} == {
        "redemption_pending_requests": 2, "redemption_pending_shares": 6.0, "redemption_requested_shares": 6.0,
        "redemption_paid_shares": 0.0, "redemption_paid_usd": 0.0, "redemption_gated_shares": 0.0,
        "spv_cash_reserve_usd": 7.0}
    assert (after["redemption_pending_requests"], after["redemption_paid_shares"], after["redemption_paid_usd"],
            after["spv_cash_reserve_usd"]) == (0, 5.0, 4.0, 3.0)
    summary = metrics.redemptions_summary([row, after], rec.redemptions)
    assert (summary["requests"], summary["settled_requests"], summary["cancelled_requests"]) == (2, 1, 1)
    assert (summary["peak_pending_shares_tokens"], summary["min_cash_reserve_usd"]) == (6.0, 3.0)


def test_recorder_results__gate_exceeded__shares_counted_as_gated_market_race():
    # The trace carries no revert data: the reason comes from the replay's error text.
    rec = metrics.Recorder()
    c = ctx()
    c.chain.rpc = SimpleNamespace(batch=lambda calls, raise_errors=True: [
        {"output": "0x"} if calls[0][0] == "debug_traceTransaction" else
        RuntimeError(f"execution reverted: GateExceeded 0x{GATE_EXCEEDED}")] * len(calls))
    c.market.contracts = lambda: [SimpleNamespace(abi=SimpleNamespace(errors={
        bytes.fromhex(GATE_EXCEEDED[:8]): ("GateExceeded", ("uint256", "uint256"))}))]

    rec.results([result("redeem_request", status=0)], c, view([]))

    assert rec.revert_counts == {("market_race", "redeem_request", "GateExceeded"): 1}
    assert (rec.redemptions.gated_requests, rec.redemptions.gated_shares) == (1, 3 * WAD)


GATE_EXCEEDED = "abcdef01" + encode(["uint256", "uint256"], [3 * WAD, WAD]).hex()


def test_recorder_results__reverted_transaction__not_given_to_executors():
    executor = SimpleNamespace(address="0xExec", abi=SimpleNamespace(decode_log=lambda log: pytest.fail("decoded")))
    rec = metrics.Recorder()
    output = "0x08c379a0" + encode(["string"], ["no"]).hex()

    rec.results([result("liquidation_atomic", status=0, logs=[{"address": "0xexec"}])],
                ctx(executors={"0xliq": executor}, rpc_answer={"output": output}), view([]))

    assert rec.liquidator_profit_stable == 0


def test_recorder_results__executor_liquidated_logs__profit_summed():
    decoded = {"0x1": ("Liquidated", {"profit": 1_500_000}), "0x2": ("Other", {"profit": 9})}
    executor = SimpleNamespace(address="0xExec", abi=SimpleNamespace(decode_log=lambda log: decoded[log["data"]]))
    logs = [{"address": "0xEXEC", "data": "0x1"}, {"address": "0xexec", "data": "0x2"},
            {"address": "0xpool", "data": "0x3"}]
    rec = metrics.Recorder()

    rec.results([result("liquidation_atomic", logs=logs), result("liquidation_atomic", logs=logs[:1])],
                ctx(executors={"0xliq": executor}), view([]))

    assert rec.liquidator_profit_stable == 3_000_000


def test_recorder_results__venue_liquidation__row_in_usd_tokens_and_health_factors():
    liq = Liquidation(user="0xAbC1", debt_repaid=40 * 10**6, collateral_seized=90 * WAD, protocol_fee=WAD // 2,
                      collateral_price=E8 // 2, debt_price=99 * E8 // 100, hf_before=9 * WAD // 10,
                      hf_after=2**256 - 1, deficit_created=3 * 10**6)
    venue = Venue(found=[(1, liq)])
    rec = metrics.Recorder()
    results = [result("oracle_poke"), result("liquidation_atomic", agent="liquidator-2", block=9)]

    rec.results(results, ctx(venue=venue, t=600), view([], stable_usd=0.98))

    assert venue.asked == [(results, {"0xabc1": 0, "0xabc2": 1})]  # borrowers by lowercase address
    assert rec.liquidations == [{
        "t_seconds": 600, "block": 9, "liquidator": "liquidator-2", "user": "0xAbC1", "atomic": True,
        "debt_repaid_usd": pytest.approx(39.6), "collateral_seized_tokens": 90.0,
        "collateral_seized_usd": pytest.approx(45.0), "protocol_fee_tokens": 0.5,
        "borrower_loss_usd": pytest.approx((90.0 + 0.5) * 0.5 - 39.6),  # seized + fee at the oracle, less the debt repaid
        "hf_before": 0.9,
        "hf_after": 1e9,  # an infinite health factor (no debt left) is capped
        "deficit_created_usd": pytest.approx(2.94),  # at the view's stablecoin price
    }]


def test_recorder_results__non_atomic_liquidation_without_deficit__flags():
    liq = Liquidation(user="0xAbC2", debt_repaid=10**6, collateral_seized=WAD, protocol_fee=0,
                      collateral_price=E8, debt_price=E8, hf_before=WAD // 2, hf_after=WAD + WAD // 4)
    rec = metrics.Recorder()

    rec.results([result("liquidation")], ctx(venue=Venue(found=[(0, liq)])), view([]))

    (row,) = rec.liquidations
    assert (row["atomic"], row["deficit_created_usd"], row["hf_after"]) == (False, 0.0, 1.25)


def test_recorder_results__empty_block__venue_not_asked():
    venue = Venue()

    metrics.Recorder().results([], ctx(venue=venue), view([]))

    assert venue.asked == []
