"""Liquidators: scan health factors (one batched read), liquidate what pays.

Atomic liquidators use the Vyper `LiquidationExecutor` (flash swap, liquidate, repay the pair in
collateral, sell the rest: no capital, reverts when unprofitable). Capital-backed liquidators
repay from their own stablecoin and then either dump the seized collateral on the AMM in the
same block or request a (slow, gated) redemption at NAV.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..amm_math import get_amount_in, get_amount_out
from ..market import FEED_DECIMALS, SPV_DECIMALS, STABLE_DECIMALS, usd_to_stable
from .base import FAR_DEADLINE, MAX_UINT, WAD, Agent, View

if TYPE_CHECKING:
    from eth_account.signers.local import LocalAccount

    from ..chain import TxRequest, TxResult
    from ..engine import Context
    from ..scenario import LiquidatorConfig

CLOSE_FACTOR_HF_THRESHOLD = 95 * WAD // 100
FRACTIONS = (1.0, 0.75, 0.5, 0.35, 0.25, 0.15, 0.1, 0.05, 0.025, 0.01)
MAX_PER_STEP = 8
LIQUIDATION_GAS = 1_500_000
SWAP_GAS = 300_000


@dataclass
class Plan:
    user_index: int
    debt_to_cover: int  # stablecoin units
    seized: int  # SPV wei to the liquidator
    expected_profit: int  # stablecoin units
    takes_all_collateral: bool = False


class Liquidator(Agent):
    def __init__(self, index: int, account: "LocalAccount", cfg: "LiquidatorConfig", ctx: "Context"):
        self.name = f"liquidator-{index}"
        self.account = account
        self.atomic = cfg.atomic
        self.disposal = cfg.disposal
        self.min_profit = usd_to_stable(cfg.min_profit_usd)
        coll = ctx.scenario.market.lending.collateral
        self.bonus_bps = coll.liquidation_bonus_bps
        self.fee_bps = coll.liquidation_protocol_fee_bps
        self.amm_fee = ctx.scenario.market.amm.fee_bps
        self.ctx = ctx
        self.redemptions: list[tuple[int, int]] = []  # (request id, claimable at, run seconds)

    def watch(self):
        m = self.ctx.market
        return [(m.stable, self.account.address), (m.spv, self.account.address)]

    # -- liquidation arithmetic (Aave V3 amounts at oracle prices, then the AMM) -------------

    def _seize(self, debt: int, collateral: int, view: View) -> tuple[int, int]:
        """(debt actually covered, collateral to the liquidator) for covering `debt`."""
        coll_price, debt_price = view.oracle_answer, view.stable_answer
        base = debt * debt_price * 10**SPV_DECIMALS // (coll_price * 10**STABLE_DECIMALS)
        seized = base * self.bonus_bps // 10_000
        if seized > collateral:
            seized = collateral
            debt = collateral * coll_price * 10**STABLE_DECIMALS // (debt_price * 10**SPV_DECIMALS)
            debt = debt * 10_000 // self.bonus_bps
        bonus_part = seized - seized * 10_000 // self.bonus_bps
        return debt, seized - bonus_part * self.fee_bps // 10_000

    def _profit_atomic(self, debt: int, seized: int, r_spv: int, r_stable: int) -> int:
        if debt >= r_stable:
            return -1
        owed = get_amount_in(debt, r_spv, r_stable, self.amm_fee)
        left = seized - owed
        if left < 0:
            return -1
        return get_amount_out(left, r_spv + owed, r_stable - debt, self.amm_fee)

    def _profit_capital(self, debt: int, seized: int, r_spv: int, r_stable: int, view: View) -> int:
        if self.disposal == "redeem":
            if view.redemptions_frozen or view.impaired:
                return -1
            return seized * view.nav_per_token // 10**SPV_DECIMALS - debt
        if self.disposal == "hold":
            # Keeps the collateral, valued at the oracle price: the bonus is the profit.
            value = seized * view.oracle_answer * 10**STABLE_DECIMALS // (10**SPV_DECIMALS * 10**FEED_DECIMALS)
            return value - debt
        return get_amount_out(seized, r_spv, r_stable, self.amm_fee) - debt

    def plan(self, i: int, view: View, r_spv: int, r_stable: int, capital: int) -> Plan | None:
        acct = view.accounts[i]
        if view.oracle_answer <= 0 or view.stable_answer <= 0:
            return None
        debt_total = acct.debt_base * 10**STABLE_DECIMALS // view.stable_answer
        collateral = acct.collateral_base * 10**SPV_DECIMALS // view.oracle_answer
        if debt_total == 0 or collateral == 0:
            return None
        close = debt_total if acct.health_factor <= CLOSE_FACTOR_HF_THRESHOLD else debt_total // 2
        close = close * 999 // 1000  # interest accrues until the block lands; stay under the cap
        best: Plan | None = None
        for fraction in FRACTIONS:
            wanted = int(close * fraction)
            if wanted <= 0:
                continue
            debt, seized = self._seize(wanted, collateral * 999 // 1000, view)
            if debt <= 0:
                continue
            capped = debt < wanted
            if self.atomic:
                profit = self._profit_atomic(debt, seized, r_spv, r_stable)
            else:
                if debt > capital:
                    continue
                profit = self._profit_capital(debt, seized, r_spv, r_stable, view)
            if profit >= self.min_profit and (best is None or profit > best.expected_profit):
                best = Plan(i, debt, seized, profit, capped)
        return best

    # -- agent protocol --------------------------------------------------------------------

    def act(self, view: View, ctx: "Context") -> list["TxRequest"]:
        m = ctx.market
        txs: list["TxRequest"] = []
        txs += self._settle_redemptions(view, ctx)
        candidates = [i for i, a in enumerate(view.accounts) if a.liquidatable]
        if not candidates or not self._can_profit(view):
            return txs
        ctx.rng.shuffle(candidates)
        candidates.sort(key=lambda i: -view.accounts[i].debt_base)
        r_spv, r_stable = view.spv_reserve, view.stable_reserve
        capital = view.balance(m.stable, self.account.address)
        planned = 0
        for i in candidates:
            if planned >= MAX_PER_STEP or (not self.atomic and capital <= 0):
                break
            plan = self.plan(i, view, r_spv, r_stable, capital)
            if plan is None:
                continue
            planned += 1
            user = ctx.actors.borrowers[i].address
            meta = {"user": user, "expected_profit": plan.expected_profit}
            if self.atomic:
                min_profit = max(self.min_profit, plan.expected_profit // 2)
                txs.append(m.executors[self.account.address].tx(self.account, "liquidate", m.pair.address, m.spv.address,
                                         m.stable.address, user, plan.debt_to_cover, self.amm_fee,
                                         min_profit, agent=self.name, action="liquidation_atomic",
                                         gas=LIQUIDATION_GAS, meta=meta))
                owed = get_amount_in(plan.debt_to_cover, r_spv, r_stable, self.amm_fee)
                r_spv, r_stable = r_spv + owed, r_stable - plan.debt_to_cover
                sold = plan.seized - owed
                out = get_amount_out(sold, r_spv, r_stable, self.amm_fee)
                r_spv, r_stable = r_spv + sold, r_stable - out
            else:
                capital -= plan.debt_to_cover
                # When the collateral is the limit, ask for everything: the pool caps the debt to
                # what the whole collateral pays for, so the position's collateral really ends at 0.
                cover = MAX_UINT if plan.takes_all_collateral else plan.debt_to_cover
                txs.append(m.pool.tx(self.account, "liquidationCall", m.spv.address, m.stable.address,
                                     user, cover, False, agent=self.name,
                                     action="liquidation", gas=LIQUIDATION_GAS, meta=meta))
                if self.disposal == "hold":
                    pass
                elif self.disposal == "amm":
                    out = get_amount_out(plan.seized, r_spv, r_stable, self.amm_fee)
                    txs.append(m.router.tx(self.account, "swapExactTokensForTokens", m.pair.address,
                                           m.spv.address, plan.seized, out * 97 // 100,
                                           self.account.address, FAR_DEADLINE, agent=self.name,
                                           action="dump_collateral", gas=SWAP_GAS))
                    r_spv, r_stable = r_spv + plan.seized, r_stable - out
                else:
                    txs.append(m.spv.tx(self.account, "requestRedemption", plan.seized, agent=self.name,
                                        action="redeem_request", gas=SWAP_GAS))
        return txs

    def _can_profit(self, view: View) -> bool:
        """Cheap test before sizing any liquidation: selling seized collateral at the AMM's marginal
        price (the best it can get) must beat the oracle price the pool charges, bonus included."""
        if self.disposal in ("hold", "redeem") and not self.atomic:
            return True
        if view.oracle_price_usd <= 0:
            return False
        net_bonus = 1 + (self.bonus_bps - 10_000) * (1 - self.fee_bps / 10_000) / 10_000
        return view.amm_price_usd * net_bonus * (1 - self.amm_fee / 10_000) > view.oracle_price_usd

    def _settle_redemptions(self, view: View, ctx: "Context") -> list["TxRequest"]:
        if not self.redemptions or view.redemptions_frozen:
            return []
        due = [rid for rid, at in self.redemptions if at <= ctx.world.t]
        self.redemptions = [(rid, at) for rid, at in self.redemptions if at > ctx.world.t]
        return [ctx.market.spv.tx(self.account, "settleRedemption", rid, agent=self.name,
                                  action="redeem_settle", gas=SWAP_GAS, meta={"request_id": rid})
                for rid in due]

    def wake_times(self, now: int) -> list[int]:
        return [at for _, at in self.redemptions if at > now]

    def observe(self, results: list["TxResult"], ctx: "Context") -> None:
        spv_abi = ctx.market.spv.abi
        for result in results:
            if result.request.action == "redeem_settle" and result.reverted:
                # Cash short or gate: the request stays queued; try again a day later.
                self.redemptions.append((result.request.meta["request_id"], ctx.world.t + 86_400))
                continue
            if result.request.action != "redeem_request" or result.reverted:
                continue
            for log in result.logs:
                if log["address"].lower() != ctx.market.spv.address.lower():
                    continue
                decoded = spv_abi.decode_log(log)
                if decoded and decoded[0] == "RedemptionRequested":
                    fields = decoded[1]
                    claimable = int(fields.get("claimableAt", 0)) - ctx.chain_time(0)
                    self.redemptions.append((int(fields["requestId"]), max(claimable, ctx.world.t)))
