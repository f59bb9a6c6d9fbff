"""Metrics from chain state (the per-step view) and from logs (the mined receipts).

Rows of the time series are the state after each mined block, with the debt its collateral does
not cover valued three ways (true value, oracle, AMM: `insolvent_debt_usd`); liquidations come
from the venue's events (our pool's `LiquidationExecuted` and `DeficitCreated`, Aave's
`LiquidationCall`; see `venues`), so the cascade can be rebuilt from logs alone. `main_cascade`
is the one definition of the cascade that the summary, the table and the figure share;
`Recorder.unliquidated` records liquidatable positions that no liquidator attempted, and why.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from .agents.base import Agent
from .agents.liquidator import Liquidator
from .models.tranche import split as tranche_split
from .units import FEED_DECIMALS, SECONDS_PER_DAY, SPV_DECIMALS, STABLE_DECIMALS, WAD
from .view import View

if TYPE_CHECKING:
    from .chain import TxResult
    from .context import Context
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
    """Why a mined transaction reverted: its custom error or message (`explain_reverts` of one)."""
    return explain_reverts(ctx, [result])[0]


def explain_reverts(ctx: "Context", results: Sequence["TxResult"]) -> list[str]:
    """Why each mined transaction of `results` reverted: its custom error or message.

    Every transaction is traced (`debug_traceTransaction`, exact; one JSON-RPC batch); one whose
    trace carries no revert data is replayed as a call on the state before its block (one more
    batch): if it passes there, it lost a race to an earlier transaction of the same block.
    """
    if not results:
        return []
    traces = ctx.chain.rpc.batch(
        [("debug_traceTransaction", [r.tx_hash, {"tracer": "callTracer"}]) for r in results], raise_errors=False
    )
    reasons: list[str | None] = []
    for trace in traces:
        reason = None
        if isinstance(trace, dict):
            reason = _decode_error(ctx, bytes.fromhex((trace.get("output") or "0x")[2:]))
        reasons.append(reason)
    missing = [i for i, reason in enumerate(reasons) if not reason]
    calls = []
    for i in missing:
        req, block = results[i].request, results[i].block_number
        call = {"from": req.sender.address, "to": req.to, "data": "0x" + req.data.hex(), "gas": hex(req.gas)}
        calls.append(("eth_call", [call, hex(block - 1)]))
    answers = ctx.chain.rpc.batch(calls, raise_errors=False) if calls else []
    for i, answer in zip(missing, answers):
        reasons[i] = _replayed_reason(ctx, answer)
    return [str(reason) for reason in reasons]


def _replayed_reason(ctx: "Context", answer) -> str:
    if not isinstance(answer, Exception):
        return LOST_RACE
    text = str(answer)
    for word in text.replace(",", " ").split():
        if word.startswith("0x") and len(word) >= 10:
            reason = _decode_error(ctx, bytes.fromhex(word[2:].rstrip(".")))
            if reason:
                return reason
    return text[:200]


# -- reverts: market races and agents' own mistakes -----------------------------------------------

LOST_RACE = "lost a race: passes on the state before its block"
MARKET_RACE, AGENT_ERROR = "market_race", "agent_error"
REVERT_CLASSES = (MARKET_RACE, AGENT_ERROR)
MARKET_RACE_REASONS = frozenset({
    "lost a race",
    # the lending venue: the position is no longer (or not yet) liquidatable when the block runs
    "HealthyPosition", "NoDebt", "CollateralBalanceIsZero",
    "45 (HEALTH_FACTOR_NOT_BELOW_THRESHOLD)", "46 (COLLATERAL_CANNOT_BE_LIQUIDATED)",
    "47 (SPECIFIED_CURRENCY_NOT_BORROWED_BY_USER)",
    "StalePrice",
    # the lending pool's circuit breakers: a guardian's grace period or another liquidator's use of
    # the cap landing earlier in the same block
    "LiquidationGracePeriodActive", "LiquidationCapReached",
    # the AMM and the executor: slippage and profit guards against an AMM that moved in the block
    "InsufficientOutput", "InsufficientOutputAmount", "InsufficientAmountsOut", "InsufficientLiquidity",
    "executor: unprofitable", "executor: seized collateral cannot repay the flash swap",
    "executor: insufficient liquidity",
    # the SPV's liquidity rules, shared by every holder or set by the custodian in the same block
    "GateExceeded", "InsufficientCash", "RedemptionsFrozen", "SpvImpaired",
})


def revert_name(reason: str) -> str:
    """A revert reason without its arguments: "HealthyPosition(0x.., 1)" -> "HealthyPosition";
    "lost a race: …" -> "lost a race"; string reasons and Aave's "45 (NAME)" stay whole."""
    if reason.startswith("lost a race"):
        return "lost a race"
    head, paren, _ = reason.partition("(")
    if paren and head and head.isidentifier():
        return head
    return reason


def classify_revert(reason: str) -> str:
    """`MARKET_RACE` or `AGENT_ERROR`: the one rule for what a reverted transaction says.

    A **market race** (`MARKET_RACE_REASONS`, matched on `revert_name`) is a transaction that was
    right on the view its agent acted on and met a market that moved in the same block, or a rule
    of the market that other participants share:

    - `lost a race` (no revert data; the call passes on the state before its block);
    - `HealthyPosition`, `NoDebt`, `CollateralBalanceIsZero` (our pool) and Aave's `45`
      HEALTH_FACTOR_NOT_BELOW_THRESHOLD, `46` COLLATERAL_CANNOT_BE_LIQUIDATED, `47`
      SPECIFIED_CURRENCY_NOT_BORROWED_BY_USER: another liquidator took the position first (a
      health factor of 2^256-1 means no debt is left), or the price moved back;
    - `StalePrice`: the pool refused an old oracle answer;
    - `LiquidationGracePeriodActive`, `LiquidationCapReached` (our pool's circuit breakers): a
      guardian started a grace period, or other liquidations used the window's cap, earlier in the
      same block (the liquidators skip both when their view shows them);
    - `InsufficientOutput` (router), `InsufficientOutputAmount`, `InsufficientAmountsOut`,
      `InsufficientLiquidity` (pair): slippage limits against an AMM moved by earlier
      transactions of the block;
    - `executor: unprofitable`, `executor: seized collateral cannot repay the flash swap`,
      `executor: insufficient liquidity`: the liquidation executor's own guards, for the same reason;
    - `GateExceeded`, `InsufficientCash`, `RedemptionsFrozen`, `SpvImpaired`: the SPV's gate (its
      cap is shared by every holder of the window), its cash reserve (drained by others'
      settlements), a freeze or impairment that lands in the block (the shares are counted as
      gated for `GateExceeded`).

    Everything else is an **agent error**: the agent could have known from its own view, e.g.
    `ERC20InsufficientBalance` / `ERC20InsufficientAllowance` (the sender's tokens or approval),
    `RedemptionNotClaimable`, `RedemptionNotPending`, `UnknownRedemptionRequest`, `NotRequester`,
    `ZeroAmount`, `Expired`, `InvalidAmount`, `LiquidatorNotAllowed` (the allowlist is set up
    before the run: a liquidator knows whether it is on it), an unknown reason or a call that failed without data
    (out of gas). Unknown reasons count as errors so that a new kind of revert is looked at.
    """
    return MARKET_RACE if revert_name(reason) in MARKET_RACE_REASONS else AGENT_ERROR


def reverts_summary(counts: Mapping[tuple[str, str, str], int]) -> dict:
    """The summary's `reverts` section from counts per (class, action, reason name): per class
    its `count`, `by_action` and `by_reason`, both sorted by key."""
    section: dict = {}
    for cls in REVERT_CLASSES:
        by_action: dict[str, int] = {}
        by_reason: dict[str, int] = {}
        for (c, action, name), n in counts.items():
            if c == cls:
                by_action[action] = by_action.get(action, 0) + n
                by_reason[name] = by_reason.get(name, 0) + n
        section[cls] = {"count": sum(by_action.values()), "by_action": dict(sorted(by_action.items())),
                        "by_reason": dict(sorted(by_reason.items()))}
    return section


# -- redemptions: the SPV's queue, from its logs ---------------------------------------------------

REDEMPTION_COLUMNS = (
    "redemption_pending_requests", "redemption_pending_shares", "redemption_requested_shares",
    "redemption_paid_shares", "redemption_paid_usd", "redemption_gated_shares", "spv_cash_reserve_usd",
)
"""The time-series columns of the SPV's redemption queue: pending requests (count, shares in escrow
as the SPV reads them), cumulative shares requested, paid (and the stablecoin paid, in USD at $1
per unit), refused by the gate (`GateExceeded` reverts), and the cash reserve."""


@dataclass
class RedemptionTally:
    """The SPV's redemption queue rebuilt from its events (`RedemptionRequested`, `RedemptionSettled`,
    `RedemptionCancelled`) and from `GateExceeded` reverts, in token and stablecoin units."""

    requests: int = 0
    requested_shares: int = 0
    settled: int = 0
    paid_shares: int = 0
    paid_stable: int = 0
    cancelled: int = 0
    cancelled_shares: int = 0
    gated_requests: int = 0
    gated_shares: int = 0
    EVENTS = frozenset({"RedemptionRequested", "RedemptionSettled", "RedemptionCancelled"})

    @property
    def pending_requests(self) -> int:
        return self.requests - self.settled - self.cancelled

    def log(self, name: str, fields: Mapping) -> None:
        """One decoded SPV event."""
        if name == "RedemptionRequested":
            self.requests += 1
            self.requested_shares += int(fields["shares"])
        elif name == "RedemptionSettled":
            self.settled += 1
            self.paid_shares += int(fields["shares"])
            self.paid_stable += int(fields["paid"])
        elif name == "RedemptionCancelled":
            self.cancelled += 1
            self.cancelled_shares += int(fields["shares"])

    def gated(self, reason: str) -> None:
        """A reverted transaction's reason: a `GateExceeded(requested, remaining)` counts its shares."""
        if revert_name(reason) == "GateExceeded":
            self.gated_requests += 1
            self.gated_shares += int(reason[len("GateExceeded("):].split(",")[0])

    @property
    def any(self) -> bool:
        return bool(self.requests or self.gated_requests)


def redemptions_summary(timeseries: Sequence[Mapping], tally: RedemptionTally) -> dict:
    """The summary's `redemptions` section: requests and shares requested, paid (and stablecoin
    paid), cancelled and gated over the run, the queue at the end and at its peak, the cash reserve
    at the start, its low and at the end (rows need `REDEMPTION_COLUMNS`)."""
    cash = [r["spv_cash_reserve_usd"] for r in timeseries]
    return {
        "requests": tally.requests,
        "requested_shares_tokens": tally.requested_shares / 10**SPV_DECIMALS,
        "settled_requests": tally.settled,
        "paid_shares_tokens": tally.paid_shares / 10**SPV_DECIMALS,
        "paid_usd": tally.paid_stable / 10**STABLE_DECIMALS,
        "cancelled_requests": tally.cancelled,
        "gated_requests": tally.gated_requests,
        "gated_shares_tokens": tally.gated_shares / 10**SPV_DECIMALS,
        "final_pending_requests": timeseries[-1]["redemption_pending_requests"],
        "final_pending_shares_tokens": timeseries[-1]["redemption_pending_shares"],
        "peak_pending_shares_tokens": max(r["redemption_pending_shares"] for r in timeseries),
        "start_cash_reserve_usd": cash[0],
        "min_cash_reserve_usd": min(cash),
        "final_cash_reserve_usd": cash[-1],
    }


def cascades(times: list[int], gap: int = CASCADE_GAP_SECONDS) -> list[tuple[int, int]]:
    """Index ranges [i, j] of liquidation times no more than `gap` apart from their neighbour."""
    groups, start = [], 0
    for i in range(1, len(times) + 1):
        if i == len(times) or times[i] - times[i - 1] > gap:
            groups.append((start, i - 1))
            start = i
    return groups


@dataclass(frozen=True)
class Cascade:
    """The run's main liquidation cascade: the one definition the summary, the table and the figure use.

    Liquidations less than `CASCADE_GAP_SECONDS` apart form one cascade; the main one repaid the
    most debt (the earliest on a tie). Its trigger is the last moment, at or before its first
    liquidation, when liquidatable debt went from zero to more than zero (a time-series row; the
    first liquidation itself when no row shows it). It lasts from the trigger to its last
    liquidation. Times are seconds since the start of the run.
    """

    trigger_seconds: int
    first_liquidation_seconds: int
    last_liquidation_seconds: int
    liquidations: int  # in this cascade
    debt_repaid_usd: float  # by this cascade's liquidations
    cascades: int  # cascades in the whole run (this one included)

    @property
    def duration_seconds(self) -> int:
        """From the trigger to the last liquidation."""
        return self.last_liquidation_seconds - self.trigger_seconds


def main_cascade(timeseries: Sequence[Mapping], liquidations: Sequence[Mapping],
                 gap: int = CASCADE_GAP_SECONDS) -> Cascade | None:
    """The main cascade (see `Cascade`) of a run's rows and liquidations; None without liquidations.

    Rows need `t_seconds` and `liquidatable_debt_usd`, liquidations `t_seconds` and
    `debt_repaid_usd` (and `block` to order liquidations of the same second); both may be in
    any order.
    """
    if not liquidations:
        return None
    liqs = sorted(liquidations, key=lambda x: (x["t_seconds"], x.get("block", 0)))
    times = [x["t_seconds"] for x in liqs]
    groups = cascades(times, gap)
    repaid = [sum(x["debt_repaid_usd"] for x in liqs[i:j + 1]) for i, j in groups]
    k = max(range(len(groups)), key=lambda g: (repaid[g], -g))  # most debt repaid; earliest on a tie
    i, j = groups[k]
    first, last = times[i], times[j]
    rows = sorted(timeseries, key=lambda r: (r["t_seconds"], r.get("block", 0)))
    trigger, before = first, 0.0
    for row in rows:
        if row["t_seconds"] > first:
            break
        if row["liquidatable_debt_usd"] > 0 and before == 0:
            trigger = row["t_seconds"]
        before = row["liquidatable_debt_usd"]
    return Cascade(trigger, first, last, j - i + 1, repaid[k], len(groups))


# -- insolvency: debt the collateral does not cover ----------------------------------------------


def borrower_positions(view: View, last_collateral_tokens: np.ndarray | None = None,
                       last_debt_stable: np.ndarray | None = None,
                       products: Sequence[str] | None = None) -> tuple[np.ndarray, np.ndarray]:
    """(collateral in whole SPV tokens, debt in whole stablecoin units) per borrower, as arrays in
    the view's order, from its account data (base currency, 8 decimals): tokens =
    collateral_base / oracle answer, stablecoins = debt_base / stablecoin answer (the pool's own
    conversion, undone). With `products` (each borrower's collateral product, structured products):
    tokens of that product, by its own feed's answer.

    The pool values collateral at the oracle: with an oracle answer of 0 every collateral_base is 0
    and the token amounts cannot be recovered, so the last known ones are kept
    (`last_collateral_tokens`, zeros when there are none); likewise the debt when the stablecoin
    feed answers 0.
    """
    n = len(view.accounts)
    if products:
        answers = np.array([view.line(p).answer for p in products], dtype=float)
        base = np.array([a.collateral_base for a in view.accounts], dtype=float)
        last = np.array(last_collateral_tokens if last_collateral_tokens is not None else np.zeros(n), dtype=float)
        tokens = np.where(answers > 0, base / np.where(answers > 0, answers, 1.0), last)
    elif view.oracle_answer > 0:
        tokens = np.array([a.collateral_base for a in view.accounts], dtype=float) / view.oracle_answer
    else:
        tokens = np.array(last_collateral_tokens if last_collateral_tokens is not None else np.zeros(n), dtype=float)
    if view.stable_answer > 0:
        debt = np.array([a.debt_base for a in view.accounts], dtype=float) / view.stable_answer
    else:
        debt = np.array(last_debt_stable if last_debt_stable is not None else np.zeros(n), dtype=float)
    return tokens, debt


def insolvent_debt_usd(collateral_tokens: Sequence[float], debt_stable: Sequence[float],
                       collateral_price_usd: float, debt_price_usd: float) -> float:
    """Debt no collateral backs: Σ over borrowers holding collateral of
    max(0, debt × debt_price − collateral × collateral_price), in USD.

    Borrowers with no collateral at all are left out: their debt is already realised bad debt
    (our pool writes it off into its `deficit`; Aave V3.0 leaves it on the borrower, and the venue
    counts it as its bad debt), so realised + insolvent never counts a dollar twice.
    """
    coll = np.asarray(collateral_tokens, dtype=float)
    debt = np.asarray(debt_stable, dtype=float)
    if not coll.size:
        return 0.0
    short = np.where(coll > 0, debt * debt_price_usd - coll * collateral_price_usd, 0.0)
    return float(np.maximum(short, 0.0).sum())


def product_prices(view: View, ctx: "Context", t: int, basket_units: Sequence[int]) -> dict[str, dict[str, float]]:
    """Each collateral product's three prices at `t` (USD per token): its true value, its oracle (the pool's
    feed) and its AMM price (the stablecoin's market price applied), for the SPV token, the index and the
    tranches; and each component SPV token's true value and NAV feed (no pair). True values: the index's
    is its basket at the basket tokens' true values (`basket_units` per share); a tranche's is the
    waterfall (`models.tranche`) on the vault's index at that value, with the senior's claim as the
    chain has it, per tranche token."""
    world, stable = ctx.world, view.stable_market_price_usd
    trues = [world.true_nav_at(t)] + [c.true_nav_at(t) for c in world.components]
    out = {"spv": {"true": trues[0], "oracle": view.oracle_price_usd, "amm": view.amm_price_usd}}
    index_true = sum(u / 10**SPV_DECIMALS * v for u, v in zip(basket_units, trues))
    true = {"index": index_true}
    vault = view.vault
    if vault is not None:
        # The vault's value at the true index value, USD with 8 decimals as the vault counts it, split.
        senior, junior = tranche_split(round(vault.index_balance / 10**SPV_DECIMALS * index_true * 10**FEED_DECIMALS),
                                       vault.senior_claim)
        per_token = lambda value, supply: value / 10**FEED_DECIMALS / (supply / 10**SPV_DECIMALS) if supply else 1.0  # noqa: E731
        true["senior"], true["junior"] = per_token(senior, vault.senior_supply), per_token(junior, vault.junior_supply)
    for name, line in view.products.items():
        out[name] = {"true": true[name], "oracle": line.answer / 10**FEED_DECIMALS, "amm": line.amm_price_usd(stable)}
    for component, value, answer in zip(world.components, trues[1:], view.component_answers):
        out[component.symbol] = {"true": value, "oracle": answer / 10**FEED_DECIMALS}
    return out


STRUCTURED_PRODUCTS = ("spv", "index", "senior", "junior")


def _price_column(product: str, key: str) -> str:
    """A product's price column in the rows: the SPV token's own columns, the others' `{product}_{key}_usd`."""
    if product == "spv":
        return {"true": "true_nav_usd", "oracle": "oracle_price_usd", "amm": "amm_price_usd"}[key]
    return f"{product}_{key}_usd"


def sample_rows(rows: Sequence[Mapping], start: int, end: int, every_seconds: int) -> list[Mapping]:
    """The row in force at `start`, `start + every_seconds`, ... up to `end`: the last row at or before each
    time (the chain state there). The same in both stepping modes for what moves only with transactions
    (AMM prices, feeds): the default mode skips only blocks where nothing changes."""
    ordered = sorted(rows, key=lambda r: r["t_seconds"])
    times, sampled, k = [r["t_seconds"] for r in ordered], [], 0
    for grid in range(start, end + 1, every_seconds):
        while k + 1 < len(times) and times[k + 1] <= grid:
            k += 1
        sampled.append(ordered[k])
    return sampled


def mean_return_correlation(series: Sequence[Sequence[float]]) -> float | None:
    """The mean pairwise Pearson correlation of log changes between consecutive samples (one list of values
    per sample, a column per asset), over the columns that move (a price that never changes has no
    correlation). None when fewer than 3 changes or fewer than two columns move."""
    series = np.maximum(np.array(series, dtype=float), 1e-300)
    if len(series) < 4:
        return None
    changes = np.diff(np.log(series), axis=0)
    changes = changes[:, changes.std(axis=0) > 0]
    if changes.shape[1] < 2:
        return None
    corr = np.corrcoef(changes, rowvar=False)
    n = changes.shape[1]
    return float(np.mean([corr[i, j] for i in range(n) for j in range(i + 1, n)]))


def structured_summary(rows: Sequence[Mapping], liquidations: Sequence[Mapping], borrowers: Sequence[str],
                       products: Sequence[str], true_values: Callable[[int], Sequence[float]],
                       cascade: tuple[int, int] | None, block_seconds: int) -> dict:
    """The RWA² figures: per collateral product its borrowers, liquidations, bad debt (the deficit its
    borrowers' liquidations wrote off) and insolvent debt at its true value at the end, its prices' start,
    end and extremes; the senior tranche's loss against the underlying index's (true and market); and the
    correlation of the products' market prices against that of the basket tokens' true values
    (`true_values(t)`: the SPV token's and each component's), over the whole run on a daily grid, and the
    market prices' over the main cascade `(from, to)` seconds block by block (`mean_return_correlation`
    over `sample_rows`: the same whichever way the engine steps)."""
    by_user = {address.lower(): product for address, product in zip(borrowers, products)}
    listed = [p for p in STRUCTURED_PRODUCTS if _price_column(p, "amm") in rows[0]]
    first, last = rows[0], rows[-1]
    out: dict = {"products": {}}
    for product in listed:
        mine = [x for x in liquidations if by_user.get(x["user"].lower()) == product]
        true0, amm = first[_price_column(product, "true")], [r[_price_column(product, "amm")] for r in rows]
        trues = [r[_price_column(product, "true")] for r in rows]
        out["products"][product] = {
            "borrowers": sum(1 for p in products if p == product),
            "liquidations": len(mine),
            "debt_repaid_usd": sum(x["debt_repaid_usd"] for x in mine),
            "bad_debt_usd": sum(x["deficit_created_usd"] for x in mine),
            "final_insolvent_debt_at_true_value_usd": last[f"{product}_insolvent_debt_at_true_value_usd"],
            "start_true_usd": true0,
            "final_true_usd": last[_price_column(product, "true")],
            "final_oracle_usd": last[_price_column(product, "oracle")],
            "min_amm_usd": min(amm),
            "true_change_pct": 100 * (last[_price_column(product, "true")] / true0 - 1) if true0 else 0.0,
            "max_amm_drop_from_true_start_pct": 100 * (1 - min(amm) / true0) if true0 else 0.0,
            "max_discount_amm_to_true_pct": 100 * max((1 - a / t for a, t in zip(amm, trues) if t > 0), default=0.0),
        }
    p = out["products"]
    if "senior" in p:
        out["senior_vs_underlying"] = {
            "senior_true_change_pct": p["senior"]["true_change_pct"],
            "index_true_change_pct": p["index"]["true_change_pct"],
            "senior_amm_max_drop_pct": p["senior"]["max_amm_drop_from_true_start_pct"],
            "index_amm_max_drop_pct": p["index"]["max_amm_drop_from_true_start_pct"],
        }
    market = [_price_column(x, "amm") for x in listed]
    days = range(first["t_seconds"], last["t_seconds"] + 1, SECONDS_PER_DAY)
    in_cascade = sample_rows(rows, *cascade, block_seconds) if cascade is not None else []
    out["correlation"] = {
        "market_prices_daily": mean_return_correlation(
            [[r[c] for c in market] for r in sample_rows(rows, first["t_seconds"], last["t_seconds"], SECONDS_PER_DAY)]),
        "basket_true_values_daily": mean_return_correlation([true_values(t) for t in days]),
        "market_prices_in_cascade": mean_return_correlation([[r[c] for c in market] for r in in_cascade]),
    }
    return out


def expected_lender_loss_usd(deficit_usd: float, insolvent_at_true_value_usd: float) -> float:
    """What lenders can expect to lose: the realised bad debt (the pool's deficit) plus the debt
    that the collateral, at its true value, does not cover. Liquidating an insolvent borrower at
    true value cannot recover more than the collateral, so this is a floor on the loss if the
    true value is right (liquidation costs and further falls come on top)."""
    return deficit_usd + insolvent_at_true_value_usd


def is_solvent(deficit_usd: float, insolvent_at_true_value_usd: float) -> bool:
    """Solvent: no realised bad debt and every borrower's collateral, at its true value, covers
    its debt."""
    return deficit_usd == 0 and insolvent_at_true_value_usd == 0


INSOLVENCY_VALUATIONS = {
    "at_true_value": "insolvent_debt_at_true_value_usd",
    "at_oracle": "insolvent_debt_at_oracle_usd",
    "at_amm": "insolvent_debt_at_amm_usd",
}
"""Summary key -> time-series column of insolvent debt, per valuation of the collateral."""

DEBT_PRICES = {
    "insolvent_debt_at_true_value_usd": "market",
    "insolvent_debt_at_amm_usd": "market",
    "insolvent_debt_at_oracle_usd": "pool",
    "deficit_usd": "market",
    "expected_lender_loss_usd": "market",
    "debt_repaid_usd": "pool",
}
"""Which stablecoin price values the debt in each column: 'market' (the off-chain world's, depegs
included) or 'pool' (the stablecoin feed's answer: with `market.stablecoin.pricing: fixed` the fixed
price). With pricing 'market' both are the feed's answer, as before the setting existed."""


def insolvency_summary(timeseries: Sequence[Mapping]) -> dict:
    """The summary's `insolvency` section: final and peak insolvent debt per valuation, and the
    lenders' expected loss (final and peak), from the time-series rows."""
    section: dict = {
        key: {"final_usd": timeseries[-1][column], "peak_usd": max(r[column] for r in timeseries)}
        for key, column in INSOLVENCY_VALUATIONS.items()
    }
    section["expected_lender_loss_usd"] = timeseries[-1]["expected_lender_loss_usd"]
    section["peak_expected_lender_loss_usd"] = max(r["expected_lender_loss_usd"] for r in timeseries)
    return section


# -- liquidatable debt nobody tried to liquidate -------------------------------------------------

NO_LIQUIDATOR = "no_liquidator"
UNLIQUIDATED_PRECEDENCE = ("step_limit", "liquidation_cap", "no_capital", "redemptions_frozen", "unprofitable",
                           "not_allowlisted", "grace_period", "stale_price", "oracle_zero")
"""The reason kept when every liquidator skipped a position, most telling first: the constraint
closest to a liquidation wins. A liquidator that wanted the position but ran out of its per-step
budget (`step_limit`) or of stablecoins (`no_capital`) says more about why the debt stayed than
one whose exit was closed (`redemptions_frozen`), which says more than one that found no profit
at the prices it saw (`unprofitable`); the pool's cap per window (`liquidation_cap`) is a budget
used up by liquidations, ranked with `step_limit`; a liquidator left off the pool's allowlist
(`not_allowlisted`) says less than any allowed liquidator's reason; `grace_period` (a guardian's
pause of liquidations), `stale_price` (the pool refuses the collateral feed's answer as too old)
and `oracle_zero` (the pool cannot price the collateral) are every liquidator's reason at once. Unknown codes rank after these, alphabetically;
`no_liquidator` when the scenario has none."""


def unliquidated_reason(reasons: Sequence[str]) -> str:
    """The most telling of the reasons the liquidators gave for one position (see
    `UNLIQUIDATED_PRECEDENCE`); `NO_LIQUIDATOR` for none."""
    if not reasons:
        return NO_LIQUIDATOR
    rank = {r: k for k, r in enumerate(UNLIQUIDATED_PRECEDENCE)}
    return min(reasons, key=lambda r: (rank.get(r, len(rank)), r))


class UnliquidatedSpans:
    """Unliquidated positions as spans: one row per borrower and run of consecutive engine steps at
    which it stayed liquidatable, unattempted, for the same reason (a per-step row for every
    position would make millions of rows on long, stuck runs)."""

    def __init__(self) -> None:
        self.closed: list[dict] = []
        self._open: dict[str, dict] = {}  # user -> its span still running at the last step

    def add(self, t: int, found: Sequence[Mapping]) -> None:
        """The positions `Recorder.unliquidated` found at step `t` (one dict each)."""
        seen = set()
        for p in found:
            user, span = p["user"], self._open.get(p["user"])
            seen.add(user)
            if span is not None and span["reason"] == p["reason"]:
                span.update(to_seconds=t, steps=span["steps"] + 1, last_debt_usd=p["debt_usd"],
                            min_health_factor=min(span["min_health_factor"], p["health_factor"]))
                continue
            if span is not None:
                self.closed.append(self._open.pop(user))
            self._open[user] = {"user": user, "reason": p["reason"], "from_seconds": t, "to_seconds": t,
                                "steps": 1, "first_debt_usd": p["debt_usd"], "last_debt_usd": p["debt_usd"],
                                "min_health_factor": p["health_factor"]}
        for user in [u for u in self._open if u not in seen]:
            self.closed.append(self._open.pop(user))

    def all(self) -> list[dict]:
        """Every span, closed and still open, ordered by start, then user."""
        return sorted([*self.closed, *self._open.values()], key=lambda x: (x["from_seconds"], x["user"]))


def unliquidated_summary(spans: Sequence[Mapping], last_t: int | None) -> dict:
    """The summary's `unliquidated` section from `UnliquidatedSpans.all()`: position-steps (one
    borrower skipped at one engine step) per reason, and per reason the debt left at the last step
    that was recorded (`last_t`)."""
    by_reason: dict[str, dict] = {}
    for p in spans:
        entry = by_reason.setdefault(p["reason"], {"position_steps": 0, "final_debt_usd": 0.0})
        entry["position_steps"] += p["steps"]
        if p["to_seconds"] == last_t:
            entry["final_debt_usd"] += p["last_debt_usd"]
    return {
        "position_steps": sum(e["position_steps"] for e in by_reason.values()),
        "final_debt_usd": sum((e["final_debt_usd"] for e in by_reason.values()), 0.0),
        "by_reason": dict(sorted(by_reason.items())),
    }


def oracle_freeze(fields: Mapping, ctx: "Context") -> dict:
    """A `ConservativeOracle.Frozen` event as a record: run time, rejected and held prices (USD), the
    freeze's end (run seconds)."""
    return {"t_seconds": ctx.world.t, "rejected_usd": fields["rejectedAnswer"] / 10**FEED_DECIMALS,
            "held_usd": fields["heldAnswer"] / 10**FEED_DECIMALS,
            "until_seconds": ctx.world.t + fields["frozenUntil"] - ctx.chain_time(ctx.world.t)}


def oracle_summary(freezes: Sequence[Mapping]) -> dict:
    """The conservative oracle's figures: how often it froze and the largest move it refused (% of
    the held price)."""
    moves = [100 * abs(f["rejected_usd"] - f["held_usd"]) / f["held_usd"] for f in freezes if f["held_usd"] > 0]
    return {"freezes": len(freezes), "max_rejected_move_pct": max(moves, default=0.0)}


MITIGATION_REASONS = ("grace_period", "liquidation_cap", "not_allowlisted")
"""Skip reasons a mitigation causes (`agents.liquidator.SKIP_REASONS`): a liquidatable position a
circuit breaker or the allowlist held back."""


def mitigations_summary(active: Sequence[str], spans: Sequence[Mapping], turned_away_debt_usd: float,
                        guardian: Mapping[str, float]) -> dict:
    """The summary's `mitigations` section (only when some mechanism is on): which (`active`), the
    guardian's figures (pauses, grace periods, LTV haircuts), and the costs a comparison reads:
    `capacity_given_up_usd` (the debt of the borrowers the caps turned away plus the borrowing capacity
    the LTV haircut removed at its deepest and the proof of reserve's freeze removed), `delayed_borrowers` (borrowers whose liquidation a
    mechanism held back at some step: `MITIGATION_REASONS`). No per-step counts: a figure here must not
    depend on how the engine steps time (the default stepping visits fewer blocks than every-block)."""
    delayed = [p for p in spans if p["reason"] in MITIGATION_REASONS]
    return {
        "active": list(active),
        **guardian,
        "capacity_given_up_usd": (turned_away_debt_usd + guardian.get("borrow_capacity_removed_at_lowest_usd", 0.0)
                                  + guardian.get("reserve_freeze_capacity_removed_usd", 0.0)),
        "delayed_borrowers": len({p["user"] for p in delayed}),
    }


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
    # Every revert by (class, action, reason name) (`classify_revert`, `revert_name`).
    revert_counts: dict[tuple[str, str, str], int] = field(default_factory=dict)
    redemptions: RedemptionTally = field(default_factory=RedemptionTally)
    # Liquidatable positions no liquidator attempted, as spans of steps (`unliquidated`).
    unliquidated_spans: UnliquidatedSpans = field(default_factory=UnliquidatedSpans)
    # The conservative oracle's `Frozen` events: {t_seconds, rejected_usd, held_usd, until_seconds}.
    oracle_freezes: list[dict] = field(default_factory=list)
    last_unliquidated_t: int | None = None  # the last step `unliquidated` looked at
    _borrowers: dict[str, int] | None = None  # lowercase address -> index in the view's accounts
    # Per borrower: collateral tokens and stablecoin debt, the last known (`borrower_positions`),
    # and the (accounts, oracle answer, stablecoin answer) they were computed from.
    _positions: tuple[np.ndarray, np.ndarray] | None = None
    _positions_from: tuple[list, int, int, tuple] | None = None
    # With structured products: each borrower's collateral product (`Context.borrower_products`) and the
    # index's units per share (`products.basket_units`), set by the engine; empty without.
    products: list[str] = field(default_factory=list)
    basket_units: list[int] = field(default_factory=list)

    def positions(self, view: View) -> tuple[np.ndarray, np.ndarray]:
        """`borrower_positions` of `view`, the last known amounts kept through an oracle at 0;
        recomputed only when the account data or the feeds' answers changed."""
        # The accounts list itself is kept (not its id, which a new list could reuse) and compared by
        # identity: light steps carry the previous step's list over unchanged.
        old = self._positions_from
        answers = (view.oracle_answer, view.stable_answer, tuple(p.answer for p in view.products.values()))
        if (self._positions is None or old is None or old[0] is not view.accounts or old[1:] != answers):
            last = self._positions or (None, None)
            self._positions = borrower_positions(view, *last, products=self.products)
            self._positions_from = (view.accounts, *answers)
        return self._positions

    def row(self, t: int, view: View, ctx: "Context", mode: str, txs: int, reverted: int) -> dict:
        liquidatable = sum(a.debt_base for a in view.accounts if a.liquidatable)
        total_debt = sum(a.debt_base for a in view.accounts)
        if liquidatable and self.first_liquidatable_t is None:
            self.first_liquidatable_t = t
        tokens, debt = self.positions(view)
        true_nav = ctx.world.true_nav_at(t)
        # Each borrower's collateral price: the SPV token's, or with structured products its own product's.
        true_price, oracle_price, amm_price = true_nav, view.oracle_price_usd, view.amm_price_usd
        structured = {}
        if self.products:
            structured = product_prices(view, ctx, t, self.basket_units)
            true_price, oracle_price, amm_price = (np.array([structured[p][k] for p in self.products])
                                                   for k in ("true", "oracle", "amm"))
        # Debt prices (`market.stablecoin.pricing`): realised deficit, true value and AMM at the
        # stablecoin's market price; the oracle valuation at the pool's own feed (fixed or market).
        deficit_usd = view.deficit / 10**STABLE_DECIMALS * view.stable_market_price_usd
        insolvent_true = insolvent_debt_usd(tokens, debt, true_price, ctx.world.stable_price_usd)
        row = {
            "t_seconds": t,
            "t_days": t / SECONDS_PER_DAY,
            "block": ctx.chain.block_number_cached,
            "mode": mode,
            "true_nav_usd": true_nav,
            "oracle_price_usd": view.oracle_price_usd,
            "amm_price_usd": view.amm_price_usd,
            "stable_price_usd": view.stable_price_usd,
            "amm_spv_reserve": view.spv_reserve / 10**SPV_DECIMALS,
            "amm_stable_reserve": view.stable_reserve / 10**STABLE_DECIMALS,
            "liquidatable_debt_usd": liquidatable / BASE,
            "total_debt_usd": total_debt / BASE,
            "deficit_usd": deficit_usd,
            "insolvent_debt_at_true_value_usd": insolvent_true,
            "insolvent_debt_at_oracle_usd": insolvent_debt_usd(tokens, debt, oracle_price, view.stable_price_usd),
            "insolvent_debt_at_amm_usd": insolvent_debt_usd(tokens, debt, amm_price, view.stable_market_price_usd),
            "expected_lender_loss_usd": expected_lender_loss_usd(deficit_usd, insolvent_true),
            "liquidations": len(self.liquidations),
            "txs": txs,
            "reverted": reverted,
            "redemption_pending_requests": self.redemptions.pending_requests,
            "redemption_pending_shares": view.pending_redemption_shares / 10**SPV_DECIMALS,
            "redemption_requested_shares": self.redemptions.requested_shares / 10**SPV_DECIMALS,
            "redemption_paid_shares": self.redemptions.paid_shares / 10**SPV_DECIMALS,
            "redemption_paid_usd": self.redemptions.paid_stable / 10**STABLE_DECIMALS,
            "redemption_gated_shares": self.redemptions.gated_shares / 10**SPV_DECIMALS,
            "spv_cash_reserve_usd": view.cash_reserve / 10**STABLE_DECIMALS,
        }
        for product, prices in structured.items():  # each product's prices (a component's true and NAV feed)
            if product != "spv":  # the SPV token's are the columns above
                for key, value in prices.items():
                    row[f"{product}_{key}_usd"] = value
            if "amm" in prices:  # a collateral product: its borrowers' shortfall at its true value
                mine = np.array([p == product for p in self.products])
                row[f"{product}_insolvent_debt_at_true_value_usd"] = insolvent_debt_usd(
                    tokens[mine], debt[mine], prices["true"], ctx.world.stable_price_usd)
        if view.nav_side is not None or view.twap_side is not None:  # the conservative oracle's sides
            for name, side in (("nav_side_usd", view.nav_side), ("twap_side_usd", view.twap_side)):
                if side is not None:
                    row[name] = side.answer / 10**FEED_DECIMALS
        self.timeseries.append(row)
        return row

    def unliquidated(self, t: int, view: View, agents: Sequence[Agent], ctx: "Context") -> list[dict]:
        """Records the liquidatable positions of `view` that no liquidator attempted this step, each
        with the most telling of the liquidators' reasons (`unliquidated_reason`), and returns them.

        Call it after every agent's `act` on `view`. Each `Liquidator` lists the liquidatable
        borrowers it skipped in `skipped` (borrower index -> reason code); one it did not skip, it
        attempted, and a position attempted by any liquidator is not unliquidated.
        """
        liquidators = [a for a in agents if isinstance(a, Liquidator)]
        skips = [getattr(a, "skipped", {}) for a in liquidators]
        self.last_unliquidated_t = t
        if any(not s for s in skips):  # a liquidator that skipped nothing attempted every position
            self.unliquidated_spans.add(t, [])
            return []
        found = []
        for i, account in enumerate(view.accounts):
            if not account.liquidatable or not all(i in s for s in skips):
                continue
            found.append({
                "t_seconds": t,
                "user": ctx.actors.borrowers[i].address,
                "debt_usd": account.debt_base / BASE,
                "health_factor": account.health_factor / WAD,
                "reason": unliquidated_reason([s[i] for s in skips]),
            })
        self.unliquidated_spans.add(t, found)
        return found

    def results(self, results: list["TxResult"], ctx: "Context", view: View) -> None:
        """Counts, gas, reverts, liquidations decoded by the venue from the block's logs, and the
        atomic liquidators' profit from their executors' logs."""
        executors = {e.address.lower(): e for e in ctx.market.executors.values()}
        guard = getattr(ctx.market, "guard", None)
        guard_address = guard.address.lower() if guard is not None else None
        spv = getattr(ctx.market, "spv", None)
        spv_address = spv.address.lower() if spv is not None else None
        reverted = [r for r in results if r.reverted]
        reasons = dict(zip(map(id, reverted), explain_reverts(ctx, reverted)))
        for result in results:
            action = result.request.action
            self.tx_count += 1
            self.gas_used += result.gas_used
            self.gas_by_action[action] = self.gas_by_action.get(action, 0) + result.gas_used
            if result.reverted:
                self.reverted += 1
                self.reverted_by_action[action] = self.reverted_by_action.get(action, 0) + 1
                reason = reasons[id(result)]
                key = (classify_revert(reason), action, revert_name(reason))
                self.revert_counts[key] = self.revert_counts.get(key, 0) + 1
                self.redemptions.gated(reason)
                samples = self.revert_samples.setdefault(action, [])
                if len(samples) < REVERT_SAMPLES and reason not in samples:
                    samples.append(reason)
                continue
            for log in result.logs:
                address = log["address"].lower()
                if address == spv_address:
                    topics = log.get("topics") or []
                    event = spv.abi.events.get(bytes.fromhex(topics[0][2:])) if topics else None
                    if event is not None and event.name in RedemptionTally.EVENTS:
                        decoded = spv.abi.decode_log(log)
                        if decoded:
                            self.redemptions.log(*decoded)
                    continue
                if address == guard_address:
                    decoded = guard.abi.decode_log(log)
                    if decoded and decoded[0] == "Frozen":
                        self.oracle_freezes.append(oracle_freeze(decoded[1], ctx))
                    continue
                executor = executors.get(address)
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
        fee = liq.protocol_fee / 10**SPV_DECIMALS
        repaid = liq.debt_repaid / 10**STABLE_DECIMALS * debt_price
        deficit = liq.deficit_created / 10**STABLE_DECIMALS * view.stable_market_price_usd if liq.deficit_created else 0.0
        return {
            "t_seconds": ctx.world.t,
            "block": result.block_number,
            "liquidator": result.request.agent,
            "user": liq.user,
            "atomic": result.request.action == "liquidation_atomic",
            "debt_repaid_usd": repaid,
            "collateral_seized_tokens": seized,
            "collateral_seized_usd": seized * coll_price,
            "protocol_fee_tokens": fee,
            # the borrower's loss: the collateral it gave up (the liquidator's and the protocol's) less the
            # debt repaid, both at the pool's prices of that liquidation (the bonus, in USD)
            "borrower_loss_usd": (seized + fee) * coll_price - repaid,
            "hf_before": liq.hf_before / WAD,
            "hf_after": min(liq.hf_after / WAD, 1e9),
            "deficit_created_usd": deficit,
        }
