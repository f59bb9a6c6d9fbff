"""Metrics from chain state (the per-step view) and from logs (the mined receipts).

Rows of the time series are the state after each mined block; liquidations come from the venue's
events (our pool's `LiquidationExecuted` and `DeficitCreated`, Aave's `LiquidationCall`; see
`venues`), so the cascade can be rebuilt from logs alone.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from .agents.base import View
from .market import FEED_DECIMALS, SPV_DECIMALS, STABLE_DECIMALS
from .world import SECONDS_PER_DAY

if TYPE_CHECKING:
    from .chain import TxResult
    from .engine import Context
    from .venues.base import Liquidation

BASE = 10**FEED_DECIMALS
REVERT_SAMPLES = 3
CASCADE_GAP_SECONDS = 6 * 3600  # liquidations further apart belong to separate cascades
ERROR_STRING = bytes.fromhex("08c379a0")


def _decode_error(ctx: "Context", output: bytes) -> str | None:
    from eth_abi import decode

    if output[:4] == ERROR_STRING:
        message = decode(["string"], output[4:])[0]
        return ctx.market.venue.describe_error(message) if ctx.market.venue else message
    for contract in ctx.market.contracts():
        known = contract.abi.errors.get(output[:4])
        if known:
            args = decode(list(known[1]), output[4:]) if known[1] else ()
            return f"{known[0]}({', '.join(str(a) for a in args)})"
    return None


def explain_revert(ctx: "Context", result: "TxResult") -> str:
    """Why a mined transaction reverted: its custom error or message.

    The transaction is traced (`debug_traceTransaction`, exact); when the trace carries no revert
    data it is replayed as a call on the state before its block: if it passes there, it lost a
    race to an earlier transaction of the same block.
    """
    trace = ctx.chain.rpc.batch(
        [("debug_traceTransaction", [result.tx_hash, {"tracer": "callTracer"}])], raise_errors=False
    )[0]
    if isinstance(trace, dict):
        output = bytes.fromhex((trace.get("output") or "0x")[2:])
        reason = _decode_error(ctx, output)
        if reason:
            return reason
    req = result.request
    call = {"from": req.sender.address, "to": req.to, "data": "0x" + req.data.hex(), "gas": hex(req.gas)}
    answer = ctx.chain.rpc.batch([("eth_call", [call, hex(result.block_number - 1)])], raise_errors=False)[0]
    if not isinstance(answer, Exception):
        return "lost a race: passes on the state before its block"
    text = str(answer)
    for word in text.replace(",", " ").split():
        if word.startswith("0x") and len(word) >= 10:
            reason = _decode_error(ctx, bytes.fromhex(word[2:].rstrip(".")))
            if reason:
                return reason
    return text[:200]


def cascades(times: list[int], gap: int = CASCADE_GAP_SECONDS) -> list[tuple[int, int]]:
    """Index ranges [i, j] of liquidation times no more than `gap` apart from their neighbour."""
    groups, start = [], 0
    for i in range(1, len(times) + 1):
        if i == len(times) or times[i] - times[i - 1] > gap:
            groups.append((start, i - 1))
            start = i
    return groups


@dataclass
class Recorder:
    timeseries: list[dict] = field(default_factory=list)
    liquidations: list[dict] = field(default_factory=list)
    tx_count: int = 0
    reverted: int = 0
    reverted_by_action: dict[str, int] = field(default_factory=dict)
    gas_used: int = 0
    gas_by_action: dict[str, int] = field(default_factory=dict)
    first_liquidatable_t: int | None = None
    liquidator_profit_stable: int = 0
    revert_samples: dict[str, list[str]] = field(default_factory=dict)
    trigger_times: list[int] = field(default_factory=list)  # liquidatable debt went from 0 to > 0
    _borrowers: dict[str, int] | None = None  # lowercase address -> index in the view's accounts

    def row(self, t: int, view: View, ctx: "Context", mode: str, txs: int, reverted: int) -> dict:
        liquidatable = sum(a.debt_base for a in view.accounts if a.liquidatable)
        total_debt = sum(a.debt_base for a in view.accounts)
        if liquidatable and self.first_liquidatable_t is None:
            self.first_liquidatable_t = t
        if liquidatable and (not self.timeseries or self.timeseries[-1]["liquidatable_debt_usd"] == 0):
            self.trigger_times.append(t)
        row = {
            "t_seconds": t,
            "t_days": t / SECONDS_PER_DAY,
            "block": ctx.chain.block_number_cached,
            "mode": mode,
            "true_nav_usd": ctx.world.true_nav_at(t),
            "oracle_price_usd": view.oracle_price_usd,
            "amm_price_usd": view.amm_price_usd,
            "stable_price_usd": view.stable_price_usd,
            "amm_spv_reserve": view.spv_reserve / 10**SPV_DECIMALS,
            "amm_stable_reserve": view.stable_reserve / 10**STABLE_DECIMALS,
            "liquidatable_debt_usd": liquidatable / BASE,
            "total_debt_usd": total_debt / BASE,
            "deficit_usd": view.deficit / 10**STABLE_DECIMALS * view.stable_price_usd,
            "liquidations": len(self.liquidations),
            "txs": txs,
            "reverted": reverted,
        }
        self.timeseries.append(row)
        return row

    def results(self, results: list["TxResult"], ctx: "Context", view: View) -> None:
        """Counts, gas, reverts, liquidations decoded by the venue from the block's logs, and the
        atomic liquidators' profit from their executors' logs."""
        executors = {e.address.lower(): e for e in ctx.market.executors.values()}
        for result in results:
            action = result.request.action
            self.tx_count += 1
            self.gas_used += result.gas_used
            self.gas_by_action[action] = self.gas_by_action.get(action, 0) + result.gas_used
            if result.reverted:
                self.reverted += 1
                self.reverted_by_action[action] = self.reverted_by_action.get(action, 0) + 1
                samples = self.revert_samples.setdefault(action, [])
                if len(samples) < REVERT_SAMPLES:
                    reason = explain_revert(ctx, result)
                    if reason not in samples:
                        samples.append(reason)
                continue
            for log in result.logs:
                executor = executors.get(log["address"].lower())
                if executor is not None:
                    decoded = executor.abi.decode_log(log)
                    if decoded and decoded[0] == "Liquidated":
                        self.liquidator_profit_stable += decoded[1]["profit"]
        if not results:
            return
        if self._borrowers is None:
            self._borrowers = {b.address.lower(): i for i, b in enumerate(ctx.actors.borrowers)}
        for result, liquidation in ctx.market.venue.liquidations(results, view, self._borrowers):
            self.liquidations.append(self._liquidation(liquidation, result, ctx, view))

    def _liquidation(self, liq: "Liquidation", result: "TxResult", ctx: "Context", view: View) -> dict:
        coll_price = liq.collateral_price / BASE
        debt_price = liq.debt_price / BASE
        seized = liq.collateral_seized / 10**SPV_DECIMALS
        deficit = liq.deficit_created / 10**STABLE_DECIMALS * view.stable_price_usd if liq.deficit_created else 0.0
        return {
            "t_seconds": ctx.world.t,
            "block": result.block_number,
            "liquidator": result.request.agent,
            "user": liq.user,
            "atomic": result.request.action == "liquidation_atomic",
            "debt_repaid_usd": liq.debt_repaid / 10**STABLE_DECIMALS * debt_price,
            "collateral_seized_tokens": seized,
            "collateral_seized_usd": seized * coll_price,
            "protocol_fee_tokens": liq.protocol_fee / 10**SPV_DECIMALS,
            "hf_before": liq.hf_before / 10**18,
            "hf_after": min(liq.hf_after / 10**18, 1e9),
            "deficit_created_usd": deficit,
        }
