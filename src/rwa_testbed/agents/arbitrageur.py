"""Arbitrageurs: trade the AMM back towards their view of fair value, within their capital."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..amm_math import get_amount_out, input_to_reach_price
from ..market import SPV_DECIMALS, STABLE_DECIMALS, usd_to_stable
from .base import FAR_DEADLINE, Agent, View

if TYPE_CHECKING:
    from eth_account.signers.local import LocalAccount

    from ..chain import TxRequest
    from ..engine import Context

SWAP_GAS = 300_000
UNIT = 10**SPV_DECIMALS / 10**STABLE_DECIMALS  # SPV wei per stablecoin unit at a price of 1


class Arbitrageur(Agent):
    def __init__(self, index: int, account: "LocalAccount", ctx: "Context"):
        self.cfg = ctx.scenario.agents.arbitrageurs
        self.name = f"arbitrageur-{index}"
        self.account = account
        self.ctx = ctx
        self.inflow = 0  # stablecoin units arrived off-chain and not yet minted to the account
        self.last_t = 0

    def watch(self):
        m = self.ctx.market
        return [(m.stable, self.account.address), (m.spv, self.account.address)]

    def fair_value(self, view: View, ctx: "Context") -> float:
        """USD per token that this arbitrageur believes."""
        source = self.cfg.fair_value
        if source == "oracle":
            value = view.oracle_price_usd
        elif source == "true_value":
            value = ctx.world.true_nav
        else:
            value = view.nav_usd
        if view.impaired or ctx.world.impaired:
            value *= 1 - self.cfg.impaired_haircut_bps / 10_000
        return value

    def act(self, view: View, ctx: "Context") -> list["TxRequest"]:
        m = ctx.market
        t = ctx.world.t
        self.inflow += usd_to_stable(self.cfg.capital_inflow_usd_per_day * (t - self.last_t) / 86_400)
        self.last_t = t
        fair = self.fair_value(view, ctx)
        price = view.amm_price_usd
        if fair <= 0 or price <= 0:
            return []
        band = self.cfg.threshold_bps / 10_000
        stable_usd = view.stable_price_usd or 1.0
        max_trade = usd_to_stable(self.cfg.max_trade_usd)
        if price < fair * (1 - band):
            # Buy SPV with stablecoin until the price is back within half the band.
            target = fair * (1 - band / 2) / stable_usd  # stablecoin per token
            amount = input_to_reach_price(view.stable_reserve, view.spv_reserve, UNIT / target, self.amm_fee())
            amount = min(amount, view.balance(m.stable, self.account.address) + self.inflow, max_trade)
            token_in = m.stable
        elif price > fair * (1 + band):
            target = fair * (1 + band / 2) / stable_usd
            amount = input_to_reach_price(view.spv_reserve, view.stable_reserve, target / UNIT, self.amm_fee())
            amount = min(amount, view.balance(m.spv, self.account.address), int(max_trade * UNIT / target))
            token_in = m.spv
        else:
            return []
        if amount <= 0:
            return []
        min_trade = usd_to_stable(self.cfg.min_trade_usd)
        if (amount if token_in is m.stable else amount * target / UNIT) < min_trade:
            return []
        reserves = (view.stable_reserve, view.spv_reserve) if token_in is m.stable else (view.spv_reserve, view.stable_reserve)
        out = get_amount_out(amount, *reserves, self.amm_fee())
        if out <= 0:
            return []
        txs = []
        if token_in is m.stable and amount > view.balance(m.stable, self.account.address):
            # New capital arrives: the admin mints what reached the arbitrageur off-chain.
            txs.append(m.stable.tx(ctx.actors.admin, "mint", self.account.address, self.inflow, agent=self.name,
                                   action="capital_inflow", gas=100_000))
            self.inflow = 0
        return txs + [m.router.tx(self.account, "swapExactTokensForTokens", m.pair.address, token_in.address, amount,
                            out * 97 // 100, self.account.address, FAR_DEADLINE, agent=self.name,
                            action="arbitrage_buy" if token_in is m.stable else "arbitrage_sell", gas=SWAP_GAS)]

    def amm_fee(self) -> int:
        return self.ctx.scenario.market.amm.fee_bps
