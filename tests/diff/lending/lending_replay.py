"""Replay one declarative action list on a lending venue that has Aave V3's user ABI.

A venue is the real Aave V3.0 market or our `LendingPool`; the same actions at the same block
times give observations that must agree field by field. Actors and assets are named
("borrower", "stable", "rwa") and resolved through a `World`; every action runs at an explicit
block timestamp, so interest accrues over exactly the same seconds on both venues.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, fields
from typing import Any

from ape import chain
from fixtures.constants import MAX_UINT

VARIABLE_RATE = 2


# --- actions ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Supply:
    """`actor` supplies `amount` of `asset` (token decimals) for itself, from its funded balance."""

    actor: str
    asset: str
    amount: int


@dataclass(frozen=True)
class Borrow:
    """`actor` borrows `amount` of `asset` (token decimals) at the variable rate."""

    actor: str
    asset: str
    amount: int


@dataclass(frozen=True)
class Warp:
    """Block time moves `seconds` forward (an empty block is mined at the new time)."""

    seconds: int


@dataclass(frozen=True)
class SetPrice:
    """The feed of `asset` publishes `answer` (USD, 8 decimals)."""

    asset: str
    answer: int


@dataclass(frozen=True)
class Liquidate:
    """`actor` liquidates `user`, repaying up to `debt_to_cover` (MAX_UINT: as much as allowed)
    of `debt` and receiving `collateral` as tokens (not aTokens/shares)."""

    actor: str
    collateral: str
    debt: str
    user: str
    debt_to_cover: int = MAX_UINT


Action = Supply | Borrow | Warp | SetPrice | Liquidate


# --- venues and world ------------------------------------------------------------------------


@dataclass
class Venue:
    """A lending pool with Aave V3's user ABI plus how to read balances on it (token decimals)."""

    name: str
    pool: Any
    supply_balance: Callable[[Any, Any], int]
    """(asset, user) -> supplied amount with accrued interest."""
    debt_balance: Callable[[Any, Any], int]
    """(asset, user) -> variable debt with accrued interest."""
    deficit: Callable[[Any], int]
    """asset -> bad debt the venue took off users' books (always 0 on Aave V3.0)."""


@dataclass
class World:
    """Named actors, tokens and feeds shared by all venues.

    Actors are funded once (`fund`) and approve each venue once (`approve`) before any replay,
    so that a replay sends only the actions' own transactions.
    """

    actors: dict[str, Any]
    tokens: dict[str, Any]
    feeds: dict[str, Any]
    minter: Any
    """Holder of the stablecoin's MINTER_ROLE (other test tokens mint publicly); sets prices."""
    treasury: Any

    def fund(self, amounts: dict[str, int]) -> None:
        """Mint `amounts[asset]` (token decimals) of each asset to every actor."""
        for asset, amount in amounts.items():
            token = self.tokens[asset]
            role_minted = any(m.name == "MINTER_ROLE" for m in token.contract_type.view_methods)
            for actor in self.actors.values():
                token.mint(actor, amount, sender=self.minter if role_minted else actor)

    def approve(self, venue: Venue) -> None:
        """Every actor lets `venue` pull any amount of every token."""
        for token in self.tokens.values():
            for actor in self.actors.values():
                token.approve(venue.pool, MAX_UINT, sender=actor)


# --- observations ----------------------------------------------------------------------------


@dataclass(frozen=True)
class LiquidationResult:
    """Measured by balances around one liquidation (token decimals)."""

    debt_repaid: int
    """Liquidator's debt-token spend."""
    collateral_received: int
    """Liquidator's collateral-token gain."""
    protocol_fee: int
    """Treasury's collateral gain: supplied balance plus tokens."""


@dataclass(frozen=True)
class Observation:
    """State of the observed user and the debt reserve right after `action`."""

    action: Action
    account_data: tuple[int, ...]
    """`getUserAccountData(user)`: collateral, debt, available (USD 8 dec), threshold, ltv (bps), HF (WAD)."""
    debt_owed: int
    """User's debt plus the venue's deficit, in the debt asset: what the borrower still owes."""
    deficit: int
    collateral_supplied: int
    variable_debt_index: int
    """`getReserveNormalizedVariableDebt(debt asset)`, RAY."""
    liquidity_index: int
    """`getReserveNormalizedIncome(debt asset)`, RAY."""
    liquidation: LiquidationResult | None = None


@dataclass
class Replay:
    """Observations of one action list on one venue."""

    venue: str
    observations: list[Observation] = field(default_factory=list)

    @property
    def liquidations(self) -> list[LiquidationResult]:
        return [o.liquidation for o in self.observations if o.liquidation is not None]


def replay(
    venue: Venue,
    world: World,
    actions: list[Action],
    *,
    start: int,
    user: str = "borrower",
    collateral: str = "rwa",
    debt: str = "stable",
) -> Replay:
    """Run `actions` on `venue` from block time `start`, observing `user` after each action."""
    result = Replay(venue.name)
    now = start
    observed = world.actors[user]
    collateral_token, debt_token = world.tokens[collateral], world.tokens[debt]

    def at_now() -> None:
        chain.pending_timestamp = now

    for action in actions:
        liquidation = None
        match action:
            case Supply(actor, asset, amount):
                account = world.actors[actor]
                at_now()
                venue.pool.supply(world.tokens[asset], amount, account, 0, sender=account)
            case Borrow(actor, asset, amount):
                account = world.actors[actor]
                at_now()
                venue.pool.borrow(world.tokens[asset], amount, VARIABLE_RATE, 0, account, sender=account)
            case Warp(seconds):
                now += seconds
                chain.mine(timestamp=now)
            case SetPrice(asset, answer):
                at_now()
                world.feeds[asset].setAnswer(answer, sender=world.minter)
            case Liquidate():
                liquidation = _liquidate(venue, world, action, at_now)
            case _:
                raise TypeError(f"unknown action {action!r}")
        result.observations.append(
            Observation(
                action=action,
                account_data=tuple(venue.pool.getUserAccountData(observed)),
                debt_owed=venue.debt_balance(debt_token, observed) + venue.deficit(debt_token),
                deficit=venue.deficit(debt_token),
                collateral_supplied=venue.supply_balance(collateral_token, observed),
                variable_debt_index=venue.pool.getReserveNormalizedVariableDebt(debt_token),
                liquidity_index=venue.pool.getReserveNormalizedIncome(debt_token),
                liquidation=liquidation,
            )
        )
    return result


def _liquidate(venue: Venue, world: World, action: Liquidate, at_now: Callable[[], None]) -> LiquidationResult:
    liquidator, victim = world.actors[action.actor], world.actors[action.user]
    collateral, debt = world.tokens[action.collateral], world.tokens[action.debt]
    treasury = world.treasury
    debt_before, collateral_before = debt.balanceOf(liquidator), collateral.balanceOf(liquidator)
    treasury_before = venue.supply_balance(collateral, treasury) + collateral.balanceOf(treasury)
    at_now()
    venue.pool.liquidationCall(collateral, debt, victim, action.debt_to_cover, False, sender=liquidator)
    return LiquidationResult(
        debt_repaid=debt_before - debt.balanceOf(liquidator),
        collateral_received=collateral.balanceOf(liquidator) - collateral_before,
        protocol_fee=venue.supply_balance(collateral, treasury)
        + collateral.balanceOf(treasury)
        - treasury_before,
    )


def first_difference(ours: Replay, theirs: Replay) -> str | None:
    """Human-readable first differing field between two replays of the same actions, or None."""
    for step, (a, b) in enumerate(zip(ours.observations, theirs.observations, strict=True)):
        for f in fields(Observation):
            if f.name == "deficit":
                continue  # compared through debt_owed; Aave V3.0 has no deficit
            va, vb = getattr(a, f.name), getattr(b, f.name)
            if f.name == "account_data" and (a.deficit or b.deficit):
                # Once a venue books a deficit the user's debt lives elsewhere on it (Aave V3.0
                # leaves it on the user): only the collateral value stays comparable.
                va, vb = va[:1], vb[:1]
            if va != vb:
                return (
                    f"step {step} ({a.action}): {f.name} differs\n"
                    f"  {ours.venue}: {va}\n  {theirs.venue}: {vb}"
                )
    return None
