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
    and the share a `liquidity_withdrawal` shock names."""

    def __init__(self, index: int, account: "LocalAccount", ctx: "Context"):
        self.cfg = ctx.scenario.agents.liquidity_providers
        self.name = f"lp-{index}"
        self.account = account
        self.ctx = ctx
        self.last_withdrawal = -COOLDOWN_SECONDS

    def watch(self):
        return [(self.ctx.market.pair, self.account.address)]

    def wake_times(self, now: int) -> list[int]:
        """The end of the cooldown: a market still scared then makes it withdraw again."""
        end = self.last_withdrawal + COOLDOWN_SECONDS
        return [end] if end > now else []

    def act(self, view: View, ctx: "Context") -> list["TxRequest"]:
        world, t = ctx.world, ctx.world.t
        share = 0.0
        if world.forced_lp_withdrawal > 0:
            share = world.forced_lp_withdrawal
        elif t - self.last_withdrawal >= COOLDOWN_SECONDS:
            scared = ctx.amm_drawdown() >= self.cfg.withdraw_on_drawdown_bps / BPS or world.panic_until >= t
            if scared and self.cfg.withdraw_share_bps:
                share = self.cfg.withdraw_share_bps / BPS
        if share <= 0:
            return []
        liquidity = int(view.balance(ctx.market.pair, self.account.address) * share)
        if liquidity <= 0:
            return []
        self.last_withdrawal = t
        m = ctx.market
        return [m.router.tx(self.account, "removeLiquidity", m.pair.address, liquidity, 0, 0, self.account.address,
                            FAR_DEADLINE, agent=self.name, action="lp_withdraw", gas=SWAP_GAS)]
