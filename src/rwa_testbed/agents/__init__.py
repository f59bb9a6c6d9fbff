"""Agents: each reads the per-step view and sends real, signed transactions.

Adding an agent kind means adding one class here and listing it in `build_agents`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .arbitrageur import Arbitrageur
from ..view import View
from .base import Agent
from .guardian import Guardian
from .keeper import Keeper
from .liquidator import Liquidator
from .liquidity_provider import LiquidityProvider
from .panic_seller import PanicSeller

if TYPE_CHECKING:
    from ..context import Context

__all__ = ["Agent", "View", "Keeper", "Liquidator", "Arbitrageur", "PanicSeller", "LiquidityProvider", "Guardian",
           "build_agents"]


def build_agents(ctx: "Context", keeper: Keeper) -> list[Agent]:
    """The keeper first (its reports land before anyone trades on them), then everyone else; the
    guardian only when a mechanism it runs is on (without one, a run sends exactly what it did before)."""
    a = ctx.actors
    agents: list[Agent] = [keeper]
    groups = ctx.scenario.agents.liquidators
    agents += [Liquidator(i, acct, groups[g], ctx) for i, (acct, g) in enumerate(zip(a.liquidators, a.liquidator_groups))]
    agents += [Arbitrageur(i, acct, ctx) for i, acct in enumerate(a.arbitrageurs)]
    agents += [PanicSeller(i, acct, ctx) for i, acct in enumerate(a.holders)]
    agents += [LiquidityProvider(i, acct, ctx) for i, acct in enumerate(a.lps)]
    if ctx.scenario.market.mitigations.needs_guardian:
        agents.append(Guardian(ctx))
    return agents
