"""Liquidity providers who pull AMM depth when the market turns or a shock forces them to."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..units import BPS, FAR_DEADLINE, SECONDS_PER_DAY
from ..view import View
from .base import Agent

if TYPE_CHECKING:
    from eth_account.signers.local import LocalAccount

    from ..chain import TxRequest
    from ..context import Context

SWAP_GAS = 400_000
COOLDOWN_SECONDS = SECONDS_PER_DAY


class LiquidityProvider(Agent):
    """Withdraws `withdraw_share_bps` of its liquidity when the AMM price is
    `withdraw_on_drawdown_bps` below its one-day high or a rumor is running (once a day at most),
    and the share a `liquidity_withdrawal` shock names. With structured products it also provided
    liquidity to every product's pair at setup: a `liquidity_withdrawal` (the market's liquidity drying
    up) pulls the share from every pair; a scare pulls it from the SPV token's pair alone."""

    def __init__(self, index: int, account: "LocalAccount", ctx: "Context"):
        self.cfg = ctx.scenario.agents.liquidity_providers
        self.name = f"lp-{index}"
        self.account = account
        self.ctx = ctx
        self.last_withdrawal = -COOLDOWN_SECONDS

    def pairs(self) -> list:
        """The pairs it provides liquidity to: the SPV token's, then each structured product's."""
        m = self.ctx.market
        return [m.pair] + ([p.pair for p in m.structured.products.values()] if m.structured is not None else [])

    def watch(self):
        return [(pair, self.account.address) for pair in self.pairs()]

    def wake_times(self, now: int) -> list[int]:
        """The end of the cooldown: a market still scared then makes it withdraw again."""
        end = self.last_withdrawal + COOLDOWN_SECONDS
        return [end] if end > now else []

    def act(self, view: View, ctx: "Context") -> list["TxRequest"]:
        world, t = ctx.world, ctx.world.t
        share, pairs = 0.0, [ctx.market.pair]
        if world.forced_lp_withdrawal > 0:
            share, pairs = world.forced_lp_withdrawal, self.pairs()
        elif t - self.last_withdrawal >= COOLDOWN_SECONDS:
            scared = ctx.amm_drawdown() >= self.cfg.withdraw_on_drawdown_bps / BPS or world.panic_until >= t
            if scared and self.cfg.withdraw_share_bps:
                share = self.cfg.withdraw_share_bps / BPS
        if share <= 0:
            return []
        txs = []
        for pair in pairs:
            liquidity = int(view.balance(pair, self.account.address) * share)
            if liquidity > 0:
                txs.append(ctx.market.router.tx(self.account, "removeLiquidity", pair.address, liquidity, 0, 0,
                                                self.account.address, FAR_DEADLINE, agent=self.name,
                                                action="lp_withdraw", gas=SWAP_GAS))
        if txs:
            self.last_withdrawal = t
        return txs
