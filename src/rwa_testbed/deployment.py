"""Deployment plumbing shared by the market and the venues: contract artifacts of this ape project
(compiled once by a command before its Dask workers read them: `compile_contracts`),
the accounts a run uses (`Actors`, derived from the seed), and `Setup`, which sends setup
transactions block by block through `FastChain` and stops with a clear error on any revert.

Everything is sent from accounts derived from the scenario's seed, so a run on a fresh chain gives
the same addresses every time.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import rlp
from eth_account.signers.local import LocalAccount
from eth_utils import keccak, to_checksum_address

from .abi import Abi, Bound
from .chain import FastChain, TxRequest, TxResult, derive_account
from .scenario import Scenario


class SetupError(RuntimeError):
    """A setup transaction reverted: the scenario's numbers do not fit the contracts' rules."""


def compile_contracts() -> None:
    """Compiles this ape project's contracts here, once, before a command starts Dask workers, so
    that the workers only read the artifacts (no concurrent compiles)."""
    from ape import project

    project.load_contracts()


@lru_cache(maxsize=None)
def artifact(name: str) -> tuple[Abi, bytes]:
    """ABI and creation bytecode of a contract of this ape project (compiling if needed)."""
    from ape import project

    contract_type = getattr(project, name).contract_type
    abi = [item.model_dump(mode="json", by_alias=True) for item in contract_type.abi]
    return Abi(abi), bytes(contract_type.deployment_bytecode.bytecode and bytes.fromhex(
        contract_type.deployment_bytecode.bytecode.removeprefix("0x")
    ))


def create_address(sender: str, nonce: int) -> str:
    return to_checksum_address(keccak(rlp.encode([bytes.fromhex(sender[2:]), nonce]))[12:])


@dataclass
class Actors:
    """Every account a run uses, derived from the seed (same seed, same addresses)."""

    admin: LocalAccount
    custodian: LocalAccount
    keeper: LocalAccount
    treasury: LocalAccount
    lender: LocalAccount
    issuer: LocalAccount
    offchain: LocalAccount  # where the SPV's invested cash goes (the off-chain asset)
    lps: list[LocalAccount]
    borrowers: list[LocalAccount]
    holders: list[LocalAccount]
    liquidators: list[LocalAccount]
    liquidator_groups: list[int]  # index into scenario.agents.liquidators, per liquidator
    arbitrageurs: list[LocalAccount]
    guardian: LocalAccount  # the pool's risk steward (`agents.guardian`), granted its role only when it runs

    @classmethod
    def derive(cls, scenario: Scenario) -> "Actors":
        seed = scenario.run.seed
        one = lambda role: derive_account(seed, role, 0)  # noqa: E731
        many = lambda role, n: [derive_account(seed, role, i) for i in range(n)]  # noqa: E731
        agents = scenario.agents
        return cls(
            admin=one("admin"),
            custodian=one("custodian"),
            keeper=one("keeper"),
            treasury=one("treasury"),
            lender=one("lender"),
            issuer=one("issuer"),
            offchain=one("offchain"),
            lps=many("lp", agents.liquidity_providers.count),
            borrowers=many("borrower", len(scenario.population.positions) + scenario.population.borrowers),
            holders=many("holder", scenario.population.holders),
            liquidators=[derive_account(seed, f"liquidator-{g}", i)
                         for g, group in enumerate(agents.liquidators) for i in range(group.count)],
            liquidator_groups=[g for g, group in enumerate(agents.liquidators) for _ in range(group.count)],
            arbitrageurs=many("arbitrageur", agents.arbitrageurs.count),
            guardian=one("guardian"),
        )

    def all(self) -> list[LocalAccount]:
        singles = [self.admin, self.custodian, self.keeper, self.treasury, self.lender, self.issuer, self.offchain,
                   self.guardian]
        return singles + self.lps + self.borrowers + self.holders + self.liquidators + self.arbitrageurs


LOCAL_CHAIN_ID = 31337
"""anvil's chain id unless told otherwise: a local chain (a fork keeps its network's id)."""
LOCAL_START_TIME = 3_000_000_000
"""Chain time (2065-01-24T05:20:00Z) of a run's first setup block on a local chain whose latest block
is older. anvil's genesis takes the wall clock, and timestamps reach calldata (oracle reports,
deadlines), whose zero bytes cost less gas: starting every run at the same chain time makes its
transactions, and so `chain.gas_used`, the same whenever the node was started. Far enough ahead of
any wall clock, and timestamps stay far below 2^32."""


def start_time(chain: FastChain) -> int:
    """Chain time of a run's first setup block: `LOCAL_START_TIME` on a local chain not yet past it,
    else the latest block's (a fork starts at its block: pin the block for the same timestamps)."""
    latest = chain.timestamp()
    if chain.chain_id == LOCAL_CHAIN_ID and latest < LOCAL_START_TIME:
        return LOCAL_START_TIME
    return latest


class Setup:
    """Sends setup transactions block by block and stops with a clear error on any revert."""

    def __init__(self, chain: FastChain, start_time: int, block_time: int):
        self.chain = chain
        self.time = start_time
        self.block_time = block_time
        self.nonces: dict[str, int] = {}
        self.abis: dict[str, Abi] = {}
        self.gas_used = 0

    def deploy(self, sender: LocalAccount, name: str, *args, batch: list[TxRequest]) -> Bound:
        abi, bytecode = artifact(name)
        return self.deploy_code(sender, name, abi, bytecode, *args, batch=batch)

    def deploy_code(self, sender: LocalAccount, name: str, abi: Abi, bytecode: bytes, *args,
                    batch: list[TxRequest], gas: int = 25_000_000) -> Bound:
        """Appends the creation of `name` (ABI and creation code given) to `batch`; returns its
        address, known in advance from the sender's nonce."""
        self.abis[name] = abi
        nonce = self.chain._nonce(sender.address) + sum(1 for r in batch if r.sender is sender)
        address = create_address(sender.address, nonce)
        batch.append(
            TxRequest(sender=sender, to=None, data=abi.constructor(bytecode, *args), agent="setup",
                      action=f"deploy {name}", gas=gas)
        )
        return Bound(name, address, abi)

    MAX_BLOCK_TXS = 400
    """Transactions per setup block. Every block costs anvil time in proportion to the whole state
    (thousands of borrowers' accounts and slots), so fewer, bigger blocks would be cheaper, but
    sending and mining a block grow faster than linearly with its size."""

    def mine(self, batch: list[TxRequest], advance: int | None = None) -> None:
        if len(batch) > self.MAX_BLOCK_TXS:
            for i in range(0, len(batch), self.MAX_BLOCK_TXS):
                self.mine(batch[i: i + self.MAX_BLOCK_TXS], advance if i == 0 else None)
            return
        self.time += self.block_time if advance is None else advance
        gas_used, unlogged = self.chain.step_unlogged(batch, self.time)
        self.gas_used += gas_used
        for result in unlogged:
            if result.reverted:
                raise SetupError(
                    f"setup transaction '{result.request.action}' from {result.request.sender.address} "
                    f"reverted{self._reason(result)}"
                )

    def _reason(self, result: TxResult) -> str:
        """Replays a reverted transaction as a call to decode its custom error, when possible."""
        req = result.request
        call = {"from": req.sender.address, "data": "0x" + req.data.hex(), "gas": hex(req.gas)}
        if req.to:
            call["to"] = req.to
        answer = self.chain.rpc.batch([("eth_call", [call, hex(result.block_number - 1)])], raise_errors=False)[0]
        text = str(answer)
        for abi in self.abis.values():
            for selector, (name, types) in abi.errors.items():
                if "0x" + selector.hex() in text:
                    return f": {name} ({text})"
        return f": {text}" if text and text != "None" else ""
