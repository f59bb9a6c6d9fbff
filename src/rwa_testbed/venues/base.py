"""The lending venue as the engine sees it: a small adapter around a pool with Aave V3's user ABI.

Both venues take the same transactions from agents (`supply`, `borrow`, `repay`, `withdraw`,
`liquidationCall`, all on `venue.pool`); they differ in how they are deployed, how the engine reads
every borrower's account data in one step, how bad debt is measured and which events record a
liquidation. A venue implements:

- `deploy(setup, actors, batch)`: contracts created in the market's first block (our pool);
- `finish(setup, actors, reserves)`: after that block (the feeds and tokens exist): deploy or
  attach to the real market and list the reserves; returns the pool users call;
- `configure(setup, actors, reserves, batch)`: listing transactions that ride with funding;
- `grant_guardian(setup, actors, batch)` / `reconfigure_txs(...)`: the guardian's role and its
  reserve changes (`agents.guardian`);
- `view_calls(users, stable)` / `decode_view(answers, stable_answer)`: the per-step read, as
  eth_calls for the engine's batch, and its decoding into `AccountData` and bad debt
  (`start_accounts` / `observe_block`: for a venue that keeps account data between steps);
- `liquidations(results, after, borrowers)`: venue-neutral `Liquidation` records from
  one mined block's logs.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Sequence

from ..view import AccountData

if TYPE_CHECKING:
    from ..abi import Bound
    from ..view import View
    from ..chain import TxRequest, TxResult
    from ..deployment import Actors, Setup
    from ..models.reserve import ReserveSpec
    from ..scenario import ReserveConfig

Call = tuple[str, bytes]  # (to, calldata) of one eth_call


def word(data: bytes, i: int = 0) -> int:
    """The i-th 32-byte word of ABI-encoded `data`, as an unsigned integer."""
    return int.from_bytes(data[32 * i: 32 * i + 32], "big")

ACCOUNT_BYTES = 6 * 32  # one AccountData as ABI words: getUserAccountData's six uint256


class AccountDecoder:
    """Decodes every borrower's `AccountData` from its six ABI words, step after step, reusing the
    previous step's (immutable) record of a borrower whose bytes did not change: at tens of
    thousands of borrowers building the records is a good part of a step's Python time."""

    def __init__(self) -> None:
        self._last: list[tuple[bytes, AccountData]] = []

    def decode(self, chunks: Sequence[bytes]) -> list[AccountData]:
        last, out = self._last, []
        for k, raw in enumerate(chunks):
            if k < len(last) and last[k][0] == raw:
                out.append(last[k][1])
                continue
            out.append(AccountData(*(int.from_bytes(raw[i: i + 32], "big") for i in range(0, ACCOUNT_BYTES, 32))))
        self._last = list(zip(chunks, out))
        return out


@dataclass(frozen=True)
class ReserveListing:
    """One reserve a venue lists: the token, its USD feed (8 decimals) and the scenario's parameters."""

    asset: "Bound"
    feed: "Bound"
    config: "ReserveConfig"
    symbol: str
    decimals: int
    max_price_age_seconds: int = 0  # the pool's staleness limit for `feed` (0: unchecked, as Aave V3.0)
    collateral: bool = False  # the scenario's collateral (the SPV token): the reserve the mitigations guard
    supply_cap_tokens: int = 0  # whole tokens, 0: none (`market.mitigations.collateral`)
    borrow_cap_tokens: int = 0

    def spec(self) -> "ReserveSpec":
        """The reserve's parameters as listed: the scenario's, with the caps."""
        return replace(self.config.spec(self.asset.address, self.feed.address),
                       supply_cap_tokens=self.supply_cap_tokens, borrow_cap_tokens=self.borrow_cap_tokens)


@dataclass
class Liquidation:
    """One liquidation, whatever the venue; amounts in token units, prices in USD with 8 decimals,
    health factors in WAD. `deficit_created` (debt-token units) is the debt the liquidation left
    without any collateral: written off on-chain by our pool, left on the borrower by Aave V3.0."""

    user: str
    debt_repaid: int
    collateral_seized: int  # to the liquidator (the protocol fee excluded)
    protocol_fee: int  # collateral to the treasury
    collateral_price: int
    debt_price: int
    hf_before: int
    hf_after: int
    deficit_created: int = 0


class LendingVenue(ABC):
    """A lending market with Aave V3's user ABI, deployed and read through the engine's fast path."""

    name: str = "venue"
    pool: "Bound"

    def deploy(self, setup: "Setup", actors: "Actors", batch: list["TxRequest"]) -> None:
        """Adds to the market's first block whatever needs no other contract (default: nothing)."""

    @abstractmethod
    def finish(self, setup: "Setup", actors: "Actors", reserves: Sequence[ReserveListing]) -> "Bound":
        """Deploys or attaches to the market once tokens and feeds exist; returns the pool users call."""

    def configure(self, setup: "Setup", actors: "Actors", reserves: Sequence[ReserveListing],
                  batch: list["TxRequest"], liquidators: Sequence[str] = ()) -> None:
        """Adds reserve-listing transactions to the funding block (default: nothing). `liquidators`:
        the address each liquidator calls `liquidationCall` from (its executor contract when atomic),
        in `Actors.liquidators` order, for a venue that keeps an allowlist."""

    def contracts(self) -> list["Bound"]:
        """Every venue contract whose ABI helps decode reverts and balances."""
        return [self.pool]

    def grant_guardian(self, setup: "Setup", actors: "Actors", batch: list["TxRequest"], reconfigures: bool) -> None:
        """Adds to `batch` what gives `actors.guardian` its role: the right to reconfigure reserves if
        `reconfigures`, else to start liquidation grace periods."""
        raise NotImplementedError(f"venue {self.name}: no guardian role")

    def grant_proof_of_reserve(self, setup: "Setup", actors: "Actors", batch: list["TxRequest"], executor: str) -> None:
        """Adds to `batch` what lets the `ProofOfReserveExecutor` at `executor` freeze the collateral."""
        raise NotImplementedError(f"venue {self.name}: no proof-of-reserve executor")

    def grace_period_txs(self, sender, asset: str, until: int, agent: str) -> list["TxRequest"]:
        """The transactions that block liquidations against `asset` until chain time `until`."""
        raise NotImplementedError(f"venue {self.name}: no liquidation grace period")

    def reconfigure_txs(self, sender, old: "ReserveSpec", new: "ReserveSpec", agent: str,
                        action: str) -> list["TxRequest"]:
        """The transactions that take a listed reserve from `old` to `new` parameters (same asset)."""
        raise NotImplementedError(f"venue {self.name}: reserves cannot be reconfigured")

    def start_accounts(self, chain, users: Sequence[str], full: bool) -> None:
        """Called once before the run's first read: a venue that keeps account data between steps
        (our pool's `AccountBook`) reads its starting state from `chain`; with `full` it reads every
        borrower every step instead (the engine's every-block reference). Default: always full."""

    def observe_block(self, chain, results: Sequence["TxResult"]) -> None:
        """Called after each mined block, before the view is decoded: what the block's transactions
        (`results`) changed that the step's fixed reads do not cover. Default: nothing."""

    @abstractmethod
    def view_calls(self, users: Sequence[str], stable: "Bound") -> list[Call]:
        """The eth_calls that read every borrower's account data and the bad debt."""

    @abstractmethod
    def decode_view(self, answers: Sequence[bytes], stable_answer: int) -> tuple[list[AccountData], int]:
        """(account data per borrower, bad debt in stablecoin units) from `view_calls`' answers."""

    @abstractmethod
    def liquidations(self, results: Sequence["TxResult"], after: "View",
                     borrowers: dict[str, int]) -> list[tuple["TxResult", Liquidation]]:
        """The liquidations in one mined block, in order, each with its transaction. `after` is the
        view at the end of the block; `borrowers` maps lowercase addresses to their index in its
        accounts."""

    def rate_call(self, stable: "Bound") -> Call:
        """The eth_call that reads the stablecoin reserve's state (Aave's `getReserveData` on both venues)."""
        return self.pool.call("getReserveData", stable.address)

    def decode_rate(self, answer: bytes) -> tuple[int, int]:
        """(current variable borrow rate in RAY per year, chain time of the reserve's last update) from
        `rate_call`'s answer: with them interest, the only thing that moves health factors between
        transactions, is known ahead (`models.aave.debt_growth_reaches`)."""
        at = lambda field: self.pool.abi.output_word("getReserveData", field)  # noqa: E731
        return word(answer, at("currentVariableBorrowRate")), word(answer, at("lastUpdateTimestamp"))

    def describe_error(self, message: str) -> str:
        """A revert message as the venue names it (Aave's numeric codes get their names)."""
        return message
