"""Arbitrageurs: trade the AMM back towards their view of fair value, within their capital.

With structured products (`market.structured`) they also trade each product's pair back towards the
product's NAV feed (the index's, a tranche's: their published value), with the stablecoin left after the
SPV trade and the product tokens they bought; the off-chain inflow funds the SPV trade alone."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..models.amm import get_amount_out, input_to_reach_price
from ..units import BPS, FAR_DEADLINE, FEED_DECIMALS, SECONDS_PER_DAY, SPV_DECIMALS, STABLE_DECIMALS, USDC, usd_to_stable
from ..view import View
from .base import Agent

if TYPE_CHECKING:
    from eth_account.signers.local import LocalAccount

    from ..chain import TxRequest
    from ..context import Context

SWAP_GAS = 300_000
UNIT = 10**SPV_DECIMALS / 10**STABLE_DECIMALS  # SPV wei per stablecoin unit at a price of 1
BAND_HORIZON_SECONDS = 30 * SECONDS_PER_DAY  # how far ahead a true-value arbitrageur looks for its band's crossing
BAND_PROBE_SECONDS = 3_600  # probe spacing of that search (then bisected to the second)


class Arbitrageur(Agent):
    def __init__(self, index: int, account: "LocalAccount", ctx: "Context"):
        self.cfg = ctx.scenario.agents.arbitrageurs
        self.name = f"arbitrageur-{index}"
        self.account = account
        self.ctx = ctx
        self.minted = 0  # stablecoin units of the off-chain inflow already minted to the account
        self.wake_at: int | None = None  # when the inflow will have brought a trade's worth of capital

    def watch(self):
        m = self.ctx.market
        products = [(p.token, self.account.address) for p in m.structured.products.values()] if m.structured else []
        return [(m.stable, self.account.address), (m.spv, self.account.address)] + products

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
            value *= 1 - self.cfg.impaired_haircut_bps / BPS
        return value

    def arrived(self, t: int) -> int:
        """Stablecoin units of inflow arrived off-chain by run time `t` (a function of time alone, so
        the same whatever the engine's steps)."""
        return usd_to_stable(self.cfg.capital_inflow_usd_per_day * t / SECONDS_PER_DAY)

    def _capital_wake(self, t: int, needed: int) -> int | None:
        """First second after `t` by which `needed` more units of inflow have arrived."""
        rate = self.cfg.capital_inflow_usd_per_day
        if rate <= 0 or needed <= 0:
            return None
        target = self.arrived(t) + needed
        at = max(t + 1, int(target / USDC * SECONDS_PER_DAY / rate) - 2)
        while self.arrived(at) < target:
            at += 1
        return at

    def wake_times(self, now: int) -> list[int]:
        times = [self.wake_at] if self.wake_at is not None and self.wake_at > now else []
        if self.cfg.fair_value == "true_value":
            # The fair value moves with the true value between transactions: wake when it leaves the
            # band around the (unchanged) AMM price.
            crossing = self._band_crossing(now)
            if crossing is not None:
                times.append(crossing)
        return times

    def _band_crossing(self, now: int) -> int | None:
        view = getattr(self, "last_view", None)
        if view is None or view.amm_price_usd <= 0:
            return None
        world, price, band = self.ctx.world, view.amm_price_usd, self.cfg.threshold_bps / BPS
        haircut = 1 - self.cfg.impaired_haircut_bps / BPS if (view.impaired or world.impaired) else 1.0

        def outside(t: int) -> bool:
            fair = world.true_nav_at(t) * haircut
            return fair > 0 and (price < fair * (1 - band) or price > fair * (1 + band))

        if outside(now):
            return None  # already outside: it acts (or is capital-bound and has its own wake)
        return world.first_time(outside, now, now + BAND_HORIZON_SECONDS, BAND_PROBE_SECONDS)

    def act(self, view: View, ctx: "Context") -> list["TxRequest"]:
        self.spent = 0  # stablecoin the SPV trade spends (units)
        txs = self._act_spv(view, ctx)
        if ctx.market.structured is not None:
            txs += self._act_products(view, ctx, view.balance(ctx.market.stable, self.account.address) - self.spent)
        return txs

    def _act_products(self, view: View, ctx: "Context", capital: int) -> list["TxRequest"]:
        """Each product's pair traded back within half the band of its NAV feed's answer: bought with the
        stablecoin `capital` left (product by product, in listing order), sold from the tokens held."""
        m, txs = ctx.market, []
        band, stable_usd = self.cfg.threshold_bps / BPS, view.stable_market_price_usd or 1.0
        max_trade, min_trade = usd_to_stable(self.cfg.max_trade_usd), usd_to_stable(self.cfg.min_trade_usd)
        for name, product in m.structured.products.items():
            line = view.products[name]
            fair, price = line.answer / 10**FEED_DECIMALS, line.amm_price_usd(stable_usd)
            if fair <= 0 or price <= 0:
                continue
            if price < fair * (1 - band):
                target = fair * (1 - band / 2) / stable_usd
                amount = min(input_to_reach_price(line.stable_reserve, line.token_reserve, UNIT / target, self.amm_fee()),
                             capital, max_trade)
                token_in, reserves, value = m.stable, (line.stable_reserve, line.token_reserve), amount
            elif price > fair * (1 + band):
                target = fair * (1 + band / 2) / stable_usd
                amount = min(input_to_reach_price(line.token_reserve, line.stable_reserve, target / UNIT, self.amm_fee()),
                             view.balance(product.token, self.account.address), int(max_trade * UNIT / target))
                token_in, reserves, value = product.token, (line.token_reserve, line.stable_reserve), amount * target / UNIT
            else:
                continue
            if amount <= 0 or value < min_trade:
                continue
            out = get_amount_out(amount, *reserves, self.amm_fee())
            if out <= 0:
                continue
            if token_in is m.stable:
                capital -= amount
            txs.append(m.router.tx(self.account, "swapExactTokensForTokens", product.pair.address, token_in.address,
                                   amount, out * 97 // 100, self.account.address, FAR_DEADLINE, agent=self.name,
                                   action="arbitrage_buy" if token_in is m.stable else "arbitrage_sell", gas=SWAP_GAS))
        return txs

    def _act_spv(self, view: View, ctx: "Context") -> list["TxRequest"]:
        m = ctx.market
        t = ctx.world.t
        self.last_view = view
        self.wake_at = None
        inflow = self.arrived(t) - self.minted
        fair = self.fair_value(view, ctx)
        price = view.amm_price_usd
        if fair <= 0 or price <= 0:
            return []
        band = self.cfg.threshold_bps / BPS
        stable_usd = view.stable_market_price_usd or 1.0
        max_trade = usd_to_stable(self.cfg.max_trade_usd)
        if price < fair * (1 - band):
            # Buy SPV with stablecoin until the price is back within half the band.
            target = fair * (1 - band / 2) / stable_usd  # stablecoin per token
            amount = input_to_reach_price(view.stable_reserve, view.spv_reserve, UNIT / target, self.amm_fee())
            wanted = amount
            amount = min(amount, view.balance(m.stable, self.account.address) + inflow, max_trade)
            token_in = m.stable
            if amount < min(wanted, max_trade) and amount < usd_to_stable(self.cfg.min_trade_usd):
                # Capital-bound: come back when the inflow has brought a trade's worth.
                self.wake_at = self._capital_wake(t, usd_to_stable(self.cfg.min_trade_usd) - amount)
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
            txs.append(m.stable.tx(ctx.actors.admin, "mint", self.account.address, inflow, agent=self.name,
                                   action="capital_inflow", gas=100_000))
            self.minted += inflow
        self.spent = amount if token_in is m.stable else 0
        return txs + [m.router.tx(self.account, "swapExactTokensForTokens", m.pair.address, token_in.address, amount,
                            out * 97 // 100, self.account.address, FAR_DEADLINE, agent=self.name,
                            action="arbitrage_buy" if token_in is m.stable else "arbitrage_sell", gas=SWAP_GAS)]

    def amm_fee(self) -> int:
        return self.ctx.scenario.market.amm.fee_bps
