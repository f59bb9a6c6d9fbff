"""The agent protocol: what every agent implements and the engine calls."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..view import View

if TYPE_CHECKING:
    from ..abi import Bound
    from ..chain import TxRequest, TxResult
    from ..context import Context


class Agent:
    """An actor that reads the view and sends real transactions.

    Subclasses implement `act`; `watch` lists the (token, holder) balances they need read each
    step; `wake_times` lists future times they want the engine to stop at; `observe` sees the
    mined results of their own transactions.
    """

    name: str = "agent"

    def watch(self) -> list[tuple["Bound", str]]:
        return []

    def wake_times(self, now: int) -> list[int]:
        return []

    def act(self, view: View, ctx: "Context") -> list["TxRequest"]:
        raise NotImplementedError

    def observe(self, results: list["TxResult"], ctx: "Context") -> None:
        pass
