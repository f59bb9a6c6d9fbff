"""The real Aave V3.0 market as the engine's venue, deployed or found on the chain through `FastChain`.

Deployed from `@aave/core-v3`'s compiled artifacts (libraries linked by address) in two blocks: the
core market, then the reserves, each block one of `aave_v3`'s deployment plans (`core_plan`,
`listing_plan`), the same plans `aave_v3.deploy_aave_v3` runs through ape for tests. Or attached to an existing V3.0 market on a fork (`existing_pool`): its ACL admin is
impersonated once to make our admin a pool admin, then our reserves are listed on it and its
oracle is pointed at our feeds (assets it already lists keep their own parameters).

How the engine reads it, and what differs from our pool:

- Account data: Aave V3.0 has no batched read, so a step sends one `getUserAccountData(user)` per
  borrower, all in the same JSON-RPC batch.
- Bad debt: V3.0 has no deficit. When a liquidation takes a borrower's last collateral, the rest of
  the debt stays on the borrower, whose health factor is then 0 and who can no longer be liquidated.
  Here bad debt is the debt of borrowers whose collateral is worth 0 in Aave's base currency
  (converted to stablecoin units at the stablecoin feed's price): the same debt our pool writes off
  into `deficit(asset)`. It keeps accruing interest, as the borrower's debt.
- Liquidations: `LiquidationCall(collateral, debt, user, debtToCover, liquidatedCollateralAmount,
  liquidator, receiveAToken)` carries no prices and no health factors. Prices are the feeds' answers
  in the block (the AaveOracle reads the same feeds); the protocol fee is the collateral aToken's
  `Transfer(user -> treasury)` that precedes the event; health factors are rebuilt backwards from
  the borrower's account data at the end of the block plus what each liquidation moved (within
  1e-6 of our pool's on-chain values in the tests: base-currency rounding and interest).

An existing market must take V3.0's listing ABI (`initReserves` with stable-debt fields) and
V3.0 token implementations. Ethereum mainnet's Aave runs 3.3+, whose listing ABI differs: a
mainnet fork can use this venue with a freshly deployed V3.0 market, not with the live pool.
"""

from __future__ import annotations

from dataclasses import fields
from functools import lru_cache
from typing import TYPE_CHECKING, Any, Sequence

from eth_utils import keccak, to_checksum_address

from ..abi import Abi, Bound
from ..deployment import SetupError
from ..models.aave import base_value, health_factor
from ..units import STABLE_DECIMALS
from ..view import AccountData
from .aave_v3 import (DEPLOY_GAS, Deploy, Listing, Step, core_plan, libraries_of, link_bytecode, listing_plan,
                      load_artifact, resolve)
from .base import AccountDecoder, Call, LendingVenue, Liquidation, ReserveListing

if TYPE_CHECKING:
    from ..view import View
    from ..chain import TxRequest, TxResult
    from ..deployment import Actors, Setup
    from ..models.reserve import ReserveSpec

CONFIGURE_GAS = 300_000
TRANSFER_TOPIC = keccak(text="Transfer(address,address,uint256)")

AAVE_ERRORS = {
    "26": "INVALID_AMOUNT",
    "27": "RESERVE_INACTIVE",
    "28": "RESERVE_FROZEN",
    "29": "RESERVE_PAUSED",
    "30": "BORROWING_NOT_ENABLED",
    "32": "NOT_ENOUGH_AVAILABLE_USER_BALANCE",
    "34": "COLLATERAL_BALANCE_IS_ZERO",
    "35": "HEALTH_FACTOR_LOWER_THAN_LIQUIDATION_THRESHOLD",
    "36": "COLLATERAL_CANNOT_COVER_NEW_BORROW",
    "39": "NO_DEBT_OF_SELECTED_TYPE",
    "43": "UNDERLYING_BALANCE_ZERO",
    "45": "HEALTH_FACTOR_NOT_BELOW_THRESHOLD",
    "46": "COLLATERAL_CANNOT_BE_LIQUIDATED",
    "47": "SPECIFIED_CURRENCY_NOT_BORROWED_BY_USER",
    "50": "BORROW_CAP_EXCEEDED",
    "51": "SUPPLY_CAP_EXCEEDED",
    "57": "LTV_VALIDATION_FAILED",
    "61": "RESERVE_ALREADY_INITIALIZED",
}
"""Aave V3.0's numeric revert codes (`Errors.sol` of `@aave/core-v3`) for the engine's actions."""


@lru_cache(maxsize=None)
def compiled(name: str, libraries: tuple[tuple[str, str], ...] = ()) -> tuple[Abi, bytes]:
    """ABI and creation code of Aave contract `name`, libraries linked (name -> address pairs)."""
    artifact = load_artifact(name)
    code = link_bytecode(artifact["bytecode"], artifact["linkReferences"], dict(libraries))
    return Abi(artifact["abi"]), bytes.fromhex(code[2:])


@lru_cache(maxsize=None)
def abi_of(name: str) -> Abi:
    return Abi(load_artifact(name)["abi"])


def at(name: str, address: str) -> Bound:
    """A deployed Aave contract of kind `name` (its ABI from the artifacts)."""
    return Bound(name, address, abi_of(name))


def read(setup: "Setup", contract: Bound, fn: str, *args) -> tuple:
    """One view call on `contract`, decoded."""
    return contract.abi.decode(fn, setup.chain.calls([contract.call(fn, *args)])[0])


class AaveV3Venue(LendingVenue):
    name = "aave-v3"

    def __init__(self, existing_pool: str | None = None, market_id: str = "RWA testbed"):
        self.existing_pool = to_checksum_address(existing_pool) if existing_pool else None
        self.market_id = market_id
        self.a_tokens: dict[str, Bound] = {}  # asset -> its aToken
        self.treasury = ""
        self.listed_here: list[str] = []  # assets this run listed (the rest were listed before)
        self.decimals: dict[str, int] = {}  # lowercase asset -> token decimals
        self.thresholds: dict[str, int] = {}  # lowercase asset -> liquidation threshold, bps
        self.stable_asset = ""  # lowercase address of the borrowed stablecoin
        self.decoder = AccountDecoder()

    # -- setup -----------------------------------------------------------------------------

    def finish(self, setup: "Setup", actors: "Actors", reserves: Sequence[ReserveListing]) -> Bound:
        if self.existing_pool:
            self._attach(setup, actors)
        else:
            self._deploy_core(setup, actors, reserves)
        self._list(setup, actors, reserves)
        return self.pool

    def _run(self, setup: "Setup", actors: "Actors", plan: list[Step], env: dict[str, Any]) -> None:
        """Executes `plan` as one block (addresses known in advance from the admin's nonce)."""
        batch: list["TxRequest"] = []
        for step in plan:
            if isinstance(step, Deploy):
                abi, code = compiled(step.name, tuple(sorted(libraries_of(step, env).items())))
                env[step.key] = setup.deploy_code(actors.admin, step.name, abi, code, *resolve(step.args, env),
                                                  batch=batch, gas=DEPLOY_GAS)
            else:
                batch.append(env[step.target.key].tx(actors.admin, step.fn, *resolve(step.args, env), agent="setup",
                                                     action=f"aave {step.fn}", gas=step.gas))
        if batch:
            setup.mine(batch)

    def _deploy_core(self, setup: "Setup", actors: "Actors", reserves: Sequence[ReserveListing]) -> None:
        """Addresses provider, ACL, Pool and configurator behind their proxies, oracle, data provider."""
        plan = core_plan(self.market_id, [r.asset.address for r in reserves], [r.feed.address for r in reserves])
        env: dict[str, Any] = {"admin": actors.admin.address}
        self._run(setup, actors, plan, env)
        self._bind(setup, env["provider"].address, actors.treasury.address)

    def _bind(self, setup: "Setup", provider_address: str, treasury: str) -> None:
        self.provider = at("PoolAddressesProvider", provider_address)
        self.pool = at("Pool", read(setup, self.provider, "getPool")[0])
        self.configurator = at("PoolConfigurator", read(setup, self.provider, "getPoolConfigurator")[0])
        self.oracle = at("AaveOracle", read(setup, self.provider, "getPriceOracle")[0])
        self.acl = at("ACLManager", read(setup, self.provider, "getACLManager")[0])
        self.data_provider = at("AaveProtocolDataProvider", read(setup, self.provider, "getPoolDataProvider")[0])
        self.treasury = treasury

    def _attach(self, setup: "Setup", actors: "Actors") -> None:
        """Binds to the market behind `existing_pool`; makes our admin a pool admin (impersonating the
        ACL admin: a fork's cheat, never possible on a live chain)."""
        from ..fork import send_as

        pool = at("Pool", self.existing_pool)
        code = setup.chain.rpc.call("eth_getCode", pool.address, "latest")
        if code in (None, "0x"):
            raise SetupError(f"venue.aave_pool_address: no contract at {pool.address} on this chain")
        provider = read(setup, pool, "ADDRESSES_PROVIDER")[0]
        self._bind(setup, provider, actors.treasury.address)
        if not read(setup, self.acl, "isPoolAdmin", actors.admin.address)[0]:
            acl_admin = read(setup, self.provider, "getACLAdmin")[0]
            send_as(setup, acl_admin, self.acl, "addPoolAdmin", actors.admin.address)

    def _list(self, setup: "Setup", actors: "Actors", reserves: Sequence[ReserveListing]) -> None:
        """Token implementations, one rate strategy per reserve, `initReserves`, risk parameters."""
        listed = {a.lower() for a in read(setup, self.pool, "getReservesList")[0]}
        new = [r for r in reserves if r.asset.address.lower() not in listed]
        listings = [Listing(r.spec(), r.symbol, r.decimals) for r in new]
        env: dict[str, Any] = {"admin": actors.admin.address, "treasury": self.treasury, "pool": self.pool,
                               "provider": self.provider, "configurator": self.configurator, "oracle": self.oracle}
        self._run(setup, actors, listing_plan(listings, set_sources=bool(self.existing_pool)), env)
        self.listed_here = [r.asset.address for r in new]
        self.decimals = {r.asset.address.lower(): r.decimals for r in reserves}
        self.thresholds = {r.asset.address.lower(): r.config.liquidation_threshold_bps for r in reserves}
        self.stable_asset = reserves[0].asset.address.lower()  # the market lists the stablecoin first
        for r in reserves:
            a_token_address = read(setup, self.data_provider, "getReserveTokensAddresses", r.asset.address)[0]
            self.a_tokens[r.asset.address] = at("AToken", a_token_address)

    def contracts(self) -> list[Bound]:
        return [self.pool, self.configurator, self.oracle, *self.a_tokens.values()]

    # -- the guardian ----------------------------------------------------------------------

    def grant_guardian(self, setup: "Setup", actors: "Actors", batch: list["TxRequest"], reconfigures: bool) -> None:
        """RISK_ADMIN (the PoolConfigurator's borrowing and collateral setters), from the ACL admin:
        our admin on a market deployed here, impersonated on a fork (a fork's cheat, as `_attach`).
        Aave V3.0 has no grace period: a guardian that only starts those is refused at load
        (`scenario.POOL_ONLY_MITIGATIONS`)."""
        if not reconfigures:
            raise SetupError("venue aave-v3: Aave V3.0 has no liquidation grace period")
        if self.existing_pool:
            from ..fork import send_as

            acl_admin = read(setup, self.provider, "getACLAdmin")[0]
            send_as(setup, acl_admin, self.acl, "addRiskAdmin", actors.guardian.address)
        else:
            batch.append(self.acl.tx(actors.admin, "addRiskAdmin", actors.guardian.address, agent="setup",
                                     action="grant guardian"))

    def reconfigure_txs(self, sender, old: "ReserveSpec", new: "ReserveSpec", agent: str,
                        action: str) -> list["TxRequest"]:
        """The PoolConfigurator's setters for what changed: `setReserveBorrowing`, and
        `configureReserveAsCollateral` (LTV, threshold, bonus; the threshold also kept here for the
        health factors around liquidations). Other parameters are not the guardian's to change."""
        changed = {f.name for f in fields(old) if getattr(old, f.name) != getattr(new, f.name)}
        collateral = {"ltv_bps", "liquidation_threshold_bps", "liquidation_bonus_bps"}
        if changed - collateral - {"borrowing_enabled"}:
            raise ValueError(f"aave-v3 venue: the guardian cannot change {sorted(changed - collateral)}")
        txs = []
        if "borrowing_enabled" in changed:
            txs.append(self.configurator.tx(sender, "setReserveBorrowing", new.asset, new.borrowing_enabled,
                                            agent=agent, action=action, gas=CONFIGURE_GAS))
        if changed & collateral:
            txs.append(self.configurator.tx(sender, "configureReserveAsCollateral", new.asset, new.ltv_bps,
                                            new.liquidation_threshold_bps, new.liquidation_bonus_bps,
                                            agent=agent, action=action, gas=CONFIGURE_GAS))
            self.thresholds[new.asset.lower()] = new.liquidation_threshold_bps
        return txs

    # -- reading ---------------------------------------------------------------------------

    def view_calls(self, users: Sequence[str], stable: Bound) -> list[Call]:
        return [self.pool.call("getUserAccountData", user) for user in users]

    def decode_view(self, answers: Sequence[bytes], stable_answer: int) -> tuple[list[AccountData], int]:
        accounts = self.decoder.decode(answers)
        return accounts, self.bad_debt(accounts, stable_answer)

    @staticmethod
    def bad_debt(accounts: Sequence[AccountData], stable_answer: int) -> int:
        """Debt (stablecoin units) of borrowers left with no collateral of any value."""
        if stable_answer <= 0:
            return 0
        stranded = sum(a.debt_base for a in accounts if a.collateral_base == 0 and a.debt_base > 0)
        return stranded * 10**STABLE_DECIMALS // stable_answer

    def liquidations(self, results: Sequence["TxResult"], after: "View",
                     borrowers: dict[str, int]) -> list[tuple["TxResult", Liquidation]]:
        pool = self.pool.address.lower()
        a_tokens = {t.address.lower() for t in self.a_tokens.values()}
        treasury_topic = "0x" + bytes(12).hex() + self.treasury[2:].lower()
        found: list[tuple["TxResult", Liquidation]] = []
        assets: list[tuple[str, str]] = []  # (collateral, debt) of each found liquidation
        for result in results:
            if result.reverted:
                continue
            fees: dict[str, int] = {}  # user -> collateral sent to the treasury, before its LiquidationCall
            for log in result.logs:
                address, topics = log["address"].lower(), log["topics"]
                if (address in a_tokens and len(topics) == 3 and topics[0] == "0x" + TRANSFER_TOPIC.hex()
                        and topics[2].lower() == treasury_topic):
                    user = "0x" + topics[1][-40:]
                    fees[user] = fees.get(user, 0) + int(log["data"], 16)
                    continue
                if address != pool:
                    continue
                decoded = self.pool.abi.decode_log(log)
                if decoded is None or decoded[0] != "LiquidationCall":
                    continue
                f = decoded[1]
                collateral, debt = f["collateralAsset"].lower(), f["debtAsset"].lower()
                found.append((result, Liquidation(
                    user=f["user"],
                    debt_repaid=f["debtToCover"],
                    collateral_seized=f["liquidatedCollateralAmount"],
                    protocol_fee=fees.pop(f["user"].lower(), 0),
                    collateral_price=self._price(collateral, after),
                    debt_price=self._price(debt, after),
                    hf_before=0,
                    hf_after=0,
                )))
                assets.append((collateral, debt))
        self._health_and_deficit(found, assets, after, borrowers)
        return found

    def _price(self, asset: str, view: "View") -> int:
        """The asset's feed answer in the block (8 decimals): the stablecoin's, else the SPV token's."""
        return view.stable_answer if asset == self.stable_asset else view.oracle_answer

    def _health_and_deficit(self, found: list[tuple["TxResult", Liquidation]], assets: list[tuple[str, str]],
                            after: "View", borrowers: dict[str, int]) -> None:
        """Health factors around each liquidation, rebuilt backwards from the borrower's account data
        at the end of the block plus what each later liquidation took (at the block's prices, in
        Aave's base currency, `models.aave.base_value` and `health_factor`); and, on the borrower's last
        liquidation of the block, the debt left without collateral."""
        by_user: dict[str, list[int]] = {}
        for k, (_, liq) in enumerate(found):
            by_user.setdefault(liq.user.lower(), []).append(k)
        for user, ks in by_user.items():
            i = borrowers.get(user)
            if i is None:
                continue
            end = after.accounts[i]
            collateral_base, debt_base, health = end.collateral_base, end.debt_base, end.health_factor
            for k in reversed(ks):
                liq = found[k][1]
                collateral, debt = assets[k]
                liq.hf_after = health
                seized = liq.collateral_seized + liq.protocol_fee
                collateral_base += base_value(seized, liq.collateral_price, self.decimals[collateral])
                debt_base += base_value(liq.debt_repaid, liq.debt_price, self.decimals[debt])
                health = health_factor(collateral_base, debt_base, self.thresholds[collateral])
                liq.hf_before = health
            if end.collateral_base == 0 and end.debt_base > 0 and after.stable_answer > 0:
                found[ks[-1]][1].deficit_created = end.debt_base * 10**STABLE_DECIMALS // after.stable_answer

    def describe_error(self, message: str) -> str:
        name = AAVE_ERRORS.get(message.strip())
        return f"{message} ({name})" if name else message
