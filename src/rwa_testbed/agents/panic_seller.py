"""Holders who panic: on a rumor (and when the market falls hard) they dump tokens on the AMM."""

from __future__ import annotations

import random
from typing import TYPE_CHECKING

from ..units import BPS, FAR_DEADLINE, usd_to_stable
from ..view import View
from .base import Agent

if TYPE_CHECKING:
    from eth_account.signers.local import LocalAccount

    from ..chain import TxRequest
    from ..context import Context

SWAP_GAS = 300_000


class PanicSeller(Agent):
    """A plain holder. Calm until a rumor picks it or the AMM price falls `drawdown_panic_bps`
    below its one-day high; then it sells `sell_share_bps` of its tokens in chunks of at most
    `max_trade_usd`, one per block, accepting any price."""

    def __init__(self, index: int, account: "LocalAccount", ctx: "Context"):
        self.cfg = ctx.scenario.agents.panic_sellers
        self.name = f"holder-{index}"
        self.account = account
        self.ctx = ctx
        self.to_sell = 0
        self.start_at = -1
        self.panicked = False
        self.drawn_for = -1  # the rumor (its end time) this holder has drawn its reaction to

    def watch(self):
        return [(self.ctx.market.spv, self.account.address)]

    def _panic(self, view: View, ctx: "Context", start_at: int) -> None:
        balance = view.balance(ctx.market.spv, self.account.address)
        self.to_sell = balance * self.cfg.sell_share_bps // BPS
        self.start_at = start_at
        self.panicked = True

    def act(self, view: View, ctx: "Context") -> list["TxRequest"]:
        world, t = ctx.world, ctx.world.t
        if not self.panicked:
            rumor = world.panic_until >= t and self.drawn_for != world.panic_until
            if rumor:
                # One draw per holder and rumor (seeded by both, not by the engine's steps): whether it
                # panics, and when within the rumor's window it starts selling.
                self.drawn_for = world.panic_until
                draw = random.Random(f"{ctx.scenario.run.seed}:{self.name}:rumor:{world.panic_until}")
                if draw.random() < world.panic_share:
                    self._panic(view, ctx, t + int(draw.random() * max(0, world.panic_until - t)))
            if not self.panicked and self.cfg.drawdown_panic_bps and ctx.amm_drawdown() >= self.cfg.drawdown_panic_bps / BPS:
                self._panic(view, ctx, t)
        if not self.panicked or t < self.start_at or self.to_sell <= 0:
            return []
        price = view.amm_price_usd
        if price <= 0 or price < view.nav_usd * self.cfg.floor_pct_of_nav / 100:
            return []
        chunk_tokens = int(usd_to_stable(self.cfg.max_trade_usd) / price * 10**12)
        amount = min(self.to_sell, chunk_tokens, view.balance(ctx.market.spv, self.account.address))
        if amount <= 0:
            return []
        self.to_sell -= amount
        m = ctx.market
        return [m.router.tx(self.account, "swapExactTokensForTokens", m.pair.address, m.spv.address, amount, 0,
                            self.account.address, FAR_DEADLINE, agent=self.name, action="panic_sell", gas=SWAP_GAS)]

    def wake_times(self, now: int) -> list[int]:
        return [self.start_at] if self.panicked and self.start_at > now else []
