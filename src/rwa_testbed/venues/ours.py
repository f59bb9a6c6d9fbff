"""Our `LendingPool` as a venue: Aave V3.0's numbers, V3.3-style on-chain deficit, batched reads.

- Deployed in the market's first block; reserves listed with `initReserve(asset, feed, params)`.
- Every borrower's account data, each step: by default from an `AccountBook` (the reserves read every
  step, a borrower re-read only after a block whose pool logs name it, the numbers computed as the
  pool computes them); with `full_account_reads` (the engine's every-block reference) one eth_call
  per 2,000 borrowers reads them all, `getUsersAccountData(users)`. Plus `deficit(stablecoin)`.
- Bad debt is the pool's own `deficit(asset)`: debt written off when a liquidation takes a
  borrower's last collateral (`DeficitCreated`, emitted just before that `LiquidationExecuted`).
- `LiquidationExecuted` carries prices and health factors before and after: records are exact.
- The pool-only mitigations (`market.mitigations`, off by default) are set up in `configure`: the
  liquidator allowlist (LIQUIDATOR_ROLE to the first N liquidators, their executor when atomic) and
  the liquidation cap on the SPV reserve. The grace period is started at run time by a guardian.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Sequence

from eth_utils import keccak

from ..scenario import MitigationsConfig
from ..units import usd_to_base
from ..view import AccountData
from .account_book import AccountBook
from .base import ACCOUNT_BYTES, AccountDecoder, Call, LendingVenue, Liquidation, ReserveListing, word

if TYPE_CHECKING:
    from ..abi import Bound
    from ..view import View
    from ..chain import TxRequest, TxResult
    from ..deployment import Actors, Setup
    from ..models.reserve import ReserveSpec

INIT_RESERVE_GAS = 1_000_000
CONFIGURE_GAS = 300_000
USERS_PER_READ = 2_000
"""Borrowers per `getUsersAccountData` call (the calls of a step go in one batch): one call for
100,000 borrowers would pass anvil's gas cap for calls and make a request of megabytes."""


LIQUIDATOR_ROLE = keccak(text="LIQUIDATOR")
"""`LendingPool.LIQUIDATOR_ROLE`: who may liquidate while the allowlist is on."""
POOL_ADMIN_ROLE = keccak(text="POOL_ADMIN")
"""`LendingPool.POOL_ADMIN_ROLE`: reserve listing and parameters (the guardian that reconfigures)."""
GUARDIAN_ROLE = keccak(text="GUARDIAN")
"""`LendingPool.GUARDIAN_ROLE`: liquidation grace periods only (the guardian that only starts those)."""


class OurPool(LendingVenue):
    name = "ours"

    def __init__(self, mitigations: MitigationsConfig | None = None) -> None:
        self.decoder = AccountDecoder()
        self.mitigations = mitigations or MitigationsConfig()
        self.book: AccountBook | None = None  # None: every borrower read from the chain each step

    def deploy(self, setup: "Setup", actors: "Actors", batch: list["TxRequest"]) -> None:
        self.pool = setup.deploy(actors.admin, "LendingPool", actors.admin.address, actors.treasury.address,
                                 batch=batch)

    def finish(self, setup: "Setup", actors: "Actors", reserves: Sequence[ReserveListing]) -> "Bound":
        return self.pool

    def configure(self, setup: "Setup", actors: "Actors", reserves: Sequence[ReserveListing],
                  batch: list["TxRequest"], liquidators: Sequence[str] = ()) -> None:
        for r in reserves:
            batch.append(self.pool.tx(actors.admin, "initReserve", r.asset.address, r.feed.address,
                                      r.spec().to_pool_params(), agent="setup", action=f"initReserve {r.asset.name}",
                                      gas=INIT_RESERVE_GAS))
            if r.max_price_age_seconds:
                batch.append(self.pool.tx(actors.admin, "setPriceSource", r.asset.address, r.feed.address,
                                          r.max_price_age_seconds, agent="setup",
                                          action=f"setPriceSource {r.asset.name}"))
        self._configure_mitigations(actors, reserves, batch, liquidators)

    def _configure_mitigations(self, actors: "Actors", reserves: Sequence[ReserveListing],
                               batch: list["TxRequest"], liquidators: Sequence[str]) -> None:
        """The pool-only mitigations that are set once: the allowlist and the liquidation cap."""
        admin, m = actors.admin, self.mitigations
        allow = m.collateral.liquidator_allowlist
        if allow is not None:
            for index, address in enumerate(liquidators):
                if m.collateral.allowlisted(index):
                    batch.append(self.pool.tx(admin, "grantRole", LIQUIDATOR_ROLE, address, agent="setup",
                                              action="grant liquidator"))
            batch.append(self.pool.tx(admin, "setLiquidatorAllowlistEnabled", True, agent="setup",
                                      action="liquidator allowlist"))
        cap = m.circuit_breakers.liquidation_cap
        if cap is not None:
            for r in reserves:
                if r.collateral:
                    batch.append(self.pool.tx(admin, "setLiquidationCap", r.asset.address,
                                              usd_to_base(cap.usd_per_window), cap.window_seconds,
                                              agent="setup", action=f"setLiquidationCap {r.asset.name}"))

    def grant_guardian(self, setup: "Setup", actors: "Actors", batch: list["TxRequest"], reconfigures: bool) -> None:
        """POOL_ADMIN_ROLE to reconfigure (`configureReserve` takes no narrower role), else GUARDIAN_ROLE
        (grace periods only)."""
        batch.append(self.pool.tx(actors.admin, "grantRole", POOL_ADMIN_ROLE if reconfigures else GUARDIAN_ROLE,
                                  actors.guardian.address, agent="setup", action="grant guardian"))

    def grant_proof_of_reserve(self, setup: "Setup", actors: "Actors", batch: list["TxRequest"], executor: str) -> None:
        """POOL_ADMIN_ROLE: `setReserveFrozen` and `configureReserve` take no narrower role."""
        batch.append(self.pool.tx(actors.admin, "grantRole", POOL_ADMIN_ROLE, executor, agent="setup",
                                  action="grant proof-of-reserve executor"))

    def grace_period_txs(self, sender, asset: str, until: int, agent: str) -> list["TxRequest"]:
        return [self.pool.tx(sender, "setLiquidationGracePeriod", asset, until, agent=agent, action="grace_period",
                             gas=CONFIGURE_GAS)]

    def reconfigure_txs(self, sender, old: "ReserveSpec", new: "ReserveSpec", agent: str,
                        action: str) -> list["TxRequest"]:
        """One `configureReserve` with every parameter (the pool replaces them all)."""
        return [self.pool.tx(sender, "configureReserve", new.asset, new.to_pool_params(), agent=agent, action=action,
                             gas=CONFIGURE_GAS)]

    def start_accounts(self, chain, users: Sequence[str], full: bool) -> None:
        """Incremental account reads (`AccountBook`, read from `chain` now) unless `full`."""
        self.book = None if full else AccountBook(self.pool, users)
        if self.book is not None:
            self.book.start(chain)

    def observe_block(self, chain, results: Sequence["TxResult"]) -> None:
        if self.book is not None:
            self.book.observe_block(chain, results)

    def view_calls(self, users: Sequence[str], stable: "Bound") -> list[Call]:
        if self.book is not None:
            return self.book.reserve_calls() + [self.pool.call("deficit", stable.address)]
        users = list(users)
        reads = [self.pool.call("getUsersAccountData", users[i: i + USERS_PER_READ])
                 for i in range(0, len(users), USERS_PER_READ)] or [self.pool.call("getUsersAccountData", [])]
        return reads + [self.pool.call("deficit", stable.address)]

    def decode_view(self, answers: Sequence[bytes], stable_answer: int) -> tuple[list[AccountData], int]:
        *reads, deficit_raw = answers
        if self.book is not None:
            return self.book.accounts(reads), word(deficit_raw)
        chunks = []
        for accounts_raw in reads:
            n = word(accounts_raw, 1)  # ABI: offset, length, then n structs of 6 words
            chunks += [accounts_raw[64 + ACCOUNT_BYTES * k: 64 + ACCOUNT_BYTES * (k + 1)] for k in range(n)]
        return self.decoder.decode(chunks), word(deficit_raw)

    def liquidations(self, results: Sequence["TxResult"], after: "View",
                     borrowers: dict[str, int]) -> list[tuple["TxResult", Liquidation]]:
        pool = self.pool.address.lower()
        found: list[tuple["TxResult", Liquidation]] = []
        for result in results:
            if result.reverted:
                continue
            written_off: dict[str, int] = {}  # user -> debt written off, waiting for its liquidation event
            for log in result.logs:
                if log["address"].lower() != pool:
                    continue
                decoded = self.pool.abi.decode_log(log)
                if decoded is None:
                    continue
                name, f = decoded
                if name == "DeficitCreated":
                    user = f["user"].lower()
                    written_off[user] = written_off.get(user, 0) + f["amountCreated"]
                elif name == "LiquidationExecuted":
                    found.append((result, Liquidation(
                        user=f["user"],
                        debt_repaid=f["debtRepaid"],
                        collateral_seized=f["collateralSeized"],
                        protocol_fee=f["protocolFee"],
                        collateral_price=f["collateralPrice"],
                        debt_price=f["debtPrice"],
                        hf_before=f["healthFactorBefore"],
                        hf_after=f["healthFactorAfter"],
                        deficit_created=written_off.pop(f["user"].lower(), 0),
                    )))
        return found
