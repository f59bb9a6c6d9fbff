"""Liquidators: scan health factors (one batched read), liquidate what pays, as much as pays.

Atomic liquidators use the Vyper `LiquidationExecutor` (flash swap, liquidate, repay the pair in
collateral, sell the rest: no capital, reverts when unprofitable). Capital-backed liquidators
repay from their own stablecoin and then either dump the seized collateral on the AMM in the
same block, request a (slow, gated) redemption at NAV, or hold it. Every liquidation is sized by
`liquidation_sizing` to the most profitable debt to cover at the AMM's exact reserves, the close
factor, the bonus and protocol fee, less `gas_cost_usd`; a whale whose collateral dwarfs the AMM is
liquidated in the partial slices the AMM's depth can absorb, block after block.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..models.aave import in_grace_period, price_is_stale
from ..models.amm import get_amount_out
from ..models.spv import stable_for_shares
from ..liquidation_sizing import (
    Liquidation,
    Pair,
    Position,
    Sale,
    amm_sale,
    best_atomic_liquidation,
    best_sold_liquidation,
    position_from_account_data,
    profit_upper_bound,
)
from ..units import BPS, FAR_DEADLINE, FEED_DECIMALS, MAX_UINT256, SECONDS_PER_DAY, SPV_DECIMALS, STABLE_DECIMALS, usd_to_stable
from ..view import View
from .base import Agent

if TYPE_CHECKING:
    from eth_account.signers.local import LocalAccount

    from ..chain import TxRequest, TxResult
    from ..context import Context
    from ..scenario import LiquidatorConfig

MAX_PER_STEP = 8
"""Liquidations one liquidator sends per block. Planned one after another on simulated reserves, so
later ones pay less; the cap bounds the planning work per step, and the borrowers it leaves out are
reported as `step_limit`."""
LIQUIDATION_GAS = 1_500_000
SWAP_GAS = 300_000
RETRY_SECONDS = SECONDS_PER_DAY
"""A `redeem` desk's wait after a refused redemption request or settlement (gate, cash, freeze)."""

SKIP_REASONS = ("oracle_zero", "stale_price", "unprofitable", "no_capital", "redemptions_frozen", "step_limit",
                "grace_period", "liquidation_cap", "not_allowlisted")
"""Why a liquidatable borrower got no liquidation from a liquidator this step (`Liquidator.skipped`):

- `oracle_zero`: the collateral or stablecoin feed answers 0, so nothing can be priced (the account
  data may be from an earlier block: the engine re-reads it only when something moved);
- `stale_price`: the collateral feed's answer is older than the pool's `maxPriceAge`
  (`market.oracle.max_age_seconds`), so `liquidationCall` would revert with `StalePrice`
  (`models.aave.price_is_stale`); the keeper's next publication wakes the engine;
- `unprofitable`: no size pays `gas_cost_usd` + `min_profit_usd`: at the AMM's depth for atomic
  liquidators (every size reverting in the executor included) and `amm` desks, at NAV or the oracle
  for `redeem` and `hold` desks;
- `no_capital`: a capital-backed desk's stablecoin would not cover a size that pays (or is spent);
- `redemptions_frozen`: a `redeem` desk while the SPV's redemptions are frozen or its claim impaired;
- `step_limit`: `MAX_PER_STEP` liquidations were already planned this step;
- `grace_period`: a liquidation grace period on the SPV or the stablecoin reserve
  (`market.mitigations.circuit_breakers.grace_period`, started by a guardian) runs past this block, so
  `liquidationCall` would revert with `LiquidationGracePeriodActive` (`models.aave.in_grace_period`);
  the liquidator asks to be woken when it ends;
- `liquidation_cap`: the SPV reserve's cap per window (`circuit_breakers.liquidation_cap`) has no room
  left in this block's window, or the room went to liquidations already planned this step (sizes are
  cut to the room, `models.aave.LiquidationCapState.room_debt`); the liquidator asks to be woken at
  the next window;
- `not_allowlisted`: the pool's liquidator allowlist is on and this liquidator (its executor, when
  atomic) is not on it (`collateral.liquidator_allowlist`), so it never sends a liquidation.
"""


@dataclass
class Plan:
    user_index: int
    liquidation: Liquidation
    takes_all_collateral: bool
    """It seizes all the collateral the view shows (a lower bound of the true amount)."""


class Liquidator(Agent):
    def __init__(self, index: int, account: "LocalAccount", cfg: "LiquidatorConfig", ctx: "Context"):
        self.name = f"liquidator-{index}"
        self.account = account
        self.atomic = cfg.atomic
        self.disposal = cfg.disposal
        self.min_profit = usd_to_stable(cfg.min_profit_usd)
        self.gas_cost = usd_to_stable(cfg.gas_cost_usd)
        coll = ctx.scenario.market.lending.collateral
        self.bonus_bps = coll.liquidation_bonus_bps
        self.fee_bps = coll.liquidation_protocol_fee_bps
        # Each collateral product's bonus and protocol fee (the SPV token's, and with `market.structured`
        # every listed product's): a borrower is liquidated in the product it supplies (`Context.product_of`).
        structured = ctx.scenario.market.structured
        self.terms = {"spv": (self.bonus_bps, self.fee_bps)}
        for name in structured.products() if structured is not None else ():
            reserve = structured.listing(name).reserve
            self.terms[name] = (reserve.liquidation_bonus_bps, reserve.liquidation_protocol_fee_bps)
        self.amm_fee = ctx.scenario.market.amm.fee_bps
        self.max_price_age = ctx.scenario.collateral_max_price_age_seconds()
        self.ctx = ctx
        self.redemptions: list[tuple[int, int]] = []  # (request id, claimable at, run seconds)
        self.request_after = 0
        """Run seconds before which a `redeem` desk sends no redemption request (a refused one waits
        `RETRY_SECONDS`)."""
        self.allowlisted = ctx.scenario.market.mitigations.collateral.allowlisted(index)
        self.skipped: dict[int, str] = {}
        """After `act`: borrower index -> reason (one of SKIP_REASONS) for every liquidatable borrower
        of the view this liquidator did not try to liquidate in that step."""
        self.breaker_wakes: list[int] = []
        """After `act`: run times a circuit breaker that held back a liquidation opens again (the end of
        a grace period, the cap's next window)."""

    def watch(self):
        m = self.ctx.market
        return [(m.stable, self.account.address), (m.spv, self.account.address)]

    # -- sizing ------------------------------------------------------------------------------

    def position(self, i: int, view: View) -> Position:
        """Borrower `i` in token units, from the view's account data (lower bounds, see
        `position_from_account_data`), priced by the feed of the product it supplies (each borrower
        supplies one product, so the account's collateral is all of it)."""
        acct, product = view.accounts[i], self.ctx.product_of(i)
        bonus_bps, fee_bps = self.terms[product]
        return position_from_account_data(
            collateral_base=acct.collateral_base,
            debt_base=acct.debt_base,
            health_factor=acct.health_factor,
            collateral_price=view.line(product).answer,
            debt_price=view.stable_answer,
            collateral_decimals=SPV_DECIMALS,
            debt_decimals=STABLE_DECIMALS,
            liquidation_bonus_bps=bonus_bps,
            protocol_fee_bps=fee_bps,
        )

    def _pair(self, view: View, product: str = "spv") -> Pair:
        line = view.line(product)
        return Pair(line.token_reserve, line.stable_reserve, self.amm_fee)

    def _sale(self, view: View, pair: Pair, product: str = "spv") -> Sale:
        """What a capital-backed desk's collateral is worth to it (stablecoin units x scale)."""
        if self.disposal == "redeem":
            return lambda amount, scale: stable_for_shares(amount * scale, view.nav_per_token)
        if self.disposal == "hold":
            # Keeps the collateral, valued at the oracle price: the bonus is the profit.
            unit, answer = 10**SPV_DECIMALS * 10**FEED_DECIMALS, view.line(product).answer
            return lambda amount, scale: amount * answer * 10**STABLE_DECIMALS * scale // unit
        return amm_sale(pair)

    def plan(self, i: int, view: View, pair: Pair, capital: int, room: int = MAX_UINT256) -> Plan | str:
        """The most profitable liquidation of borrower `i` on `pair`'s reserves (its product's pair) with
        `capital` (capital-backed desks) and at most `room` of debt (a liquidation cap's room left), or the
        reason (SKIP_REASONS) there is none worth sending."""
        product = self.ctx.product_of(i)
        reason = self._step_reason(view, product)
        if reason is not None:
            return reason
        position = self.position(i, view)
        cap = min(position.max_debt_to_cover, room)
        # Screen out hopeless positions before searching: the AMM sale's closed-form bound, or for a
        # linear valuation the first unit's margin times the largest size.
        if self.atomic or self.disposal == "amm":
            bound = profit_upper_bound(position, pair)
        else:
            bound = self._first_unit_margin(view, pair, product) * cap
        if bound * (1 + 1e-9) + 2 < self.min_profit + self.gas_cost:
            return "unprofitable"
        if self.atomic:
            best = best_atomic_liquidation(position, pair, limit=None if room == MAX_UINT256 else room)
        else:
            sale, linear = self._sale(view, pair, product), self.disposal != "amm"
            # The pool may take one unit more than planned in the collateral-capped branch.
            affordable = min(cap, capital - 1)
            best = best_sold_liquidation(position, sale, affordable, linear=linear)
            if (not self._pays(best) and affordable < cap
                    and self._pays(best_sold_liquidation(position, sale, cap, linear=linear))):
                return "no_capital"
        if not self._pays(best):
            return "unprofitable"
        return Plan(i, best, best.amounts.collateral_seized >= position.user_collateral)

    def _pays(self, liquidation: Liquidation | None) -> bool:
        return liquidation is not None and liquidation.profit - self.gas_cost >= self.min_profit

    # -- agent protocol --------------------------------------------------------------------

    def act(self, view: View, ctx: "Context") -> list["TxRequest"]:
        m = ctx.market
        txs: list["TxRequest"] = []
        txs += self._settle_redemptions(view, ctx)
        txs += self._request_redemption(view, ctx)
        self.skipped, self.breaker_wakes = {}, []
        candidates = [i for i, a in enumerate(view.accounts) if a.liquidatable]
        if not candidates:
            return txs
        # What holds every liquidation of a product back this step (each borrower supplies one product).
        reasons = {p: self._step_reason(view, p) for p in sorted({ctx.product_of(i) for i in candidates})}
        for reason in sorted({r for r in reasons.values() if r is not None}):
            self._note_breaker_wake(reason, view)
        self.skipped = {i: reasons[ctx.product_of(i)] for i in candidates if reasons[ctx.product_of(i)] is not None}
        candidates = [i for i in candidates if i not in self.skipped]
        if not candidates:
            return txs
        # The cap's room in this block's window (debt units at the stablecoin's price; no cap: unbounded).
        room = view.liquidation_cap.room_debt(self._block_time(), view.stable_answer, STABLE_DECIMALS)
        ctx.rng.shuffle(candidates)
        candidates.sort(key=lambda i: -view.accounts[i].debt_base)
        pairs = {p: self._pair(view, p) for p in reasons}  # each product's pair, as this step's plans leave it
        capital = view.balance(m.stable, self.account.address)
        planned = 0
        for i in candidates:
            product = ctx.product_of(i)
            pair = pairs[product]
            token, pair_contract = self._contracts(product)
            if planned >= MAX_PER_STEP:
                self.skipped[i] = "step_limit"
                continue
            if room < 1:
                self.skipped[i] = "liquidation_cap"
                continue
            if not self.atomic and capital <= 1:
                self.skipped[i] = "no_capital"
                continue
            plan = self.plan(i, view, pair, capital, room)
            if isinstance(plan, str):
                self.skipped[i] = plan
                continue
            planned += 1
            liq = plan.liquidation
            if room != MAX_UINT256:
                # one unit more: a capital-backed desk asking for everything may repay a unit more
                room = max(0, room - liq.debt_to_cover - (0 if self.atomic else 1))
            user = ctx.actors.borrowers[i].address
            meta = {"user": user, "expected_profit": liq.profit}
            if self.atomic:
                # Lost races (an earlier transaction of the block moved the AMM) revert here.
                min_profit = max(self.min_profit + self.gas_cost, liq.profit // 2)
                txs.append(m.executors[self.account.address].tx(
                    self.account, "liquidate", pair_contract.address, token.address, m.stable.address, user,
                    liq.debt_to_cover, self.amm_fee, min_profit, agent=self.name, action="liquidation_atomic",
                    gas=LIQUIDATION_GAS, meta=meta))
                pair = Pair(pair.collateral_reserve + liq.collateral_to_pair, pair.debt_reserve - liq.debt_to_cover,
                            self.amm_fee)
                if liq.proceeds > 0:  # the executor skips a sale that returns nothing
                    sold = liq.amounts.collateral_to_liquidator - liq.collateral_to_pair
                    pair = Pair(pair.collateral_reserve + sold, pair.debt_reserve - liq.proceeds, self.amm_fee)
                pairs[product] = pair
                continue
            capital -= liq.amounts.debt_repaid + 1
            # When the collateral is the limit, ask for everything: the pool caps the debt to what
            # the whole (exact) collateral pays for, so the position's collateral really ends at 0
            # (the capital kept back one unit for the unit more that may cost).
            cover = MAX_UINT256 if plan.takes_all_collateral else liq.debt_to_cover
            txs.append(m.pool.tx(self.account, "liquidationCall", token.address, m.stable.address,
                                 user, cover, False, agent=self.name,
                                 action="liquidation", gas=LIQUIDATION_GAS, meta=meta))
            seized = liq.amounts.collateral_to_liquidator
            if self.disposal == "amm":
                out = get_amount_out(seized, pair.collateral_reserve, pair.debt_reserve, self.amm_fee)
                txs.append(m.router.tx(self.account, "swapExactTokensForTokens", pair_contract.address,
                                       token.address, seized, out * 97 // 100,
                                       self.account.address, FAR_DEADLINE, agent=self.name,
                                       action="dump_collateral", gas=SWAP_GAS))
                pairs[product] = Pair(pair.collateral_reserve + seized, pair.debt_reserve - out, self.amm_fee)
            # A `redeem` desk requests the redemption of what it holds at its next step
            # (`_request_redemption`): the amount seized is known only once the block has run.
        if "liquidation_cap" in self.skipped.values():
            self._note_breaker_wake("liquidation_cap", view)
        return txs

    def _contracts(self, product: str):
        """The token and the pair (bound contracts) of a collateral product."""
        m = self.ctx.market
        if product == "spv":
            return m.spv, m.pair
        p = m.structured.products[product]
        return p.token, p.pair

    def _block_time(self) -> int:
        """Chain time of the block this step's transactions land in."""
        return self.ctx.chain_time(self.ctx.world.t)

    def _note_breaker_wake(self, reason: str, view: View) -> None:
        """For a skip a circuit breaker caused, the run time it opens again (`wake_times`): without it the
        engine's fast path would sleep past the moment an every-block watcher liquidates."""
        if reason == "grace_period":
            self.breaker_wakes.append(view.liquidation_grace_until + 1 - self.ctx.start_time)  # open after `until`
        elif reason == "liquidation_cap":
            self.breaker_wakes.append(view.liquidation_cap.next_window_start(self._block_time()) - self.ctx.start_time)

    def _first_unit_margin(self, view: View, pair: Pair, product: str = "spv") -> float:
        """Profit per stablecoin unit of the first unit of debt covered (the slope at size 0): the
        collateral the pool hands over per unit (bonus net of the protocol fee, at the oracle), valued
        at `pair`'s marginal price after its fee (atomic or `amm`), at NAV (`redeem`) or at the
        oracle (`hold`), less the unit repaid. Floats: it only screens, sizes come from the exact math."""
        bonus_bps, fee_bps = self.terms[product]
        price_usd = view.line(product).answer / 10**FEED_DECIMALS
        net_bonus = 1 + (bonus_bps - BPS) * (1 - fee_bps / BPS) / BPS
        tokens_per_unit = net_bonus * view.stable_price_usd / price_usd
        if self.atomic or self.disposal == "amm":
            if pair.collateral_reserve <= 0:
                return -1.0
            units_per_token = pair.debt_reserve / 10**STABLE_DECIMALS / (pair.collateral_reserve / 10**SPV_DECIMALS)
            amm_units_per_token = units_per_token * (1 - pair.fee_bps / BPS)
            return tokens_per_unit * amm_units_per_token - 1
        if self.disposal == "redeem":
            return tokens_per_unit * view.nav_usd - 1
        return tokens_per_unit * price_usd - 1  # `hold` values a token at the oracle's USD

    def _step_reason(self, view: View, product: str = "spv") -> str | None:
        """The reason (SKIP_REASONS) no borrower of `product` can be liquidated this step, checked before
        any sizing: not on the pool's allowlist, no price, a circuit breaker (grace period, no room under
        the cap) that holds for this block, frozen redemptions for a `redeem` desk, or a first unit that
        loses (profit is concave in the size, so then every size does)."""
        line = view.line(product)
        if not self.allowlisted:
            return "not_allowlisted"
        if line.answer <= 0 or view.stable_answer <= 0:
            return "oracle_zero"
        if price_is_stale(line.updated_at, self.max_price_age, self.ctx.chain_time(view.t)):
            return "stale_price"
        if in_grace_period(view.liquidation_grace_until, self._block_time()):
            return "grace_period"
        cap = view.liquidation_cap
        if cap.enabled and cap.room_debt(self._block_time(), view.stable_answer, STABLE_DECIMALS) < 1:
            return "liquidation_cap"
        if not self.atomic and self.disposal == "redeem" and (view.redemptions_frozen or view.impaired):
            return "redemptions_frozen"
        if self._first_unit_margin(view, self._pair(view, product), product) <= 0:
            return "unprofitable"
        return None

    def _request_redemption(self, view: View, ctx: "Context") -> list["TxRequest"]:
        """A `redeem` desk's request for every token its view shows it holding (the collateral seized
        in earlier blocks), unless redemptions are frozen or a refused request is still waiting."""
        if self.atomic or self.disposal != "redeem" or view.redemptions_frozen or ctx.world.t < self.request_after:
            return []
        held = view.balance(ctx.market.spv, self.account.address)
        if held <= 0:
            return []
        return [ctx.market.spv.tx(self.account, "requestRedemption", held, agent=self.name,
                                  action="redeem_request", gas=SWAP_GAS)]

    def _settle_redemptions(self, view: View, ctx: "Context") -> list["TxRequest"]:
        if not self.redemptions or view.redemptions_frozen:
            return []
        due = [rid for rid, at in self.redemptions if at <= ctx.world.t]
        self.redemptions = [(rid, at) for rid, at in self.redemptions if at > ctx.world.t]
        return [ctx.market.spv.tx(self.account, "settleRedemption", rid, agent=self.name,
                                  action="redeem_settle", gas=SWAP_GAS, meta={"request_id": rid})
                for rid in due]

    def wake_times(self, now: int) -> list[int]:
        times = [at for _, at in self.redemptions if at > now]
        times += [at for at in self.breaker_wakes if at > now]
        if self.disposal == "redeem" and self.request_after > now:
            times.append(self.request_after)
        return times

    def observe(self, results: list["TxResult"], ctx: "Context") -> None:
        spv_abi = ctx.market.spv.abi
        for result in results:
            if result.request.action == "redeem_settle" and result.reverted:
                # Cash short or gate: the request stays queued; try again a day later.
                self.redemptions.append((result.request.meta["request_id"], ctx.world.t + RETRY_SECONDS))
                continue
            if result.request.action != "redeem_request":
                continue
            if result.reverted:
                # Gate full or redemptions frozen in the block: the tokens stay; ask again a day later.
                self.request_after = ctx.world.t + RETRY_SECONDS
                continue
            for log in result.logs:
                if log["address"].lower() != ctx.market.spv.address.lower():
                    continue
                decoded = spv_abi.decode_log(log)
                if decoded and decoded[0] == "RedemptionRequested":
                    fields = decoded[1]
                    claimable = int(fields.get("claimableAt", 0)) - ctx.chain_time(0)
                    self.redemptions.append((int(fields["requestId"]), max(claimable, ctx.world.t)))
