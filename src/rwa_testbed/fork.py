"""Fork mode: where the upstream URL comes from, how it is printed, and the anvil cheats that let a
scenario reuse contracts already on a forked chain.

The upstream RPC URL is never in the repository: it comes from the environment variable
`RWA_FORK_URL` (an API key is usually part of it), read by ape through `ape-config.yaml`
(`node: ethereum: mainnet: uri: ${RWA_FORK_URL}`) or, without that line, handed to ape as
`WEB3_PROVIDER_URI` by `scripts/crash_scenario.py`. `RWA_FORK_BLOCK` (or `--fork-block`) pins the
block the fork starts from. Every log line shows the URL through `mask_url`.

The cheats (`anvil_impersonateAccount`, `anvil_setCode`, `anvil_setStorageAt`) change the fork
only; the upstream chain never sees a transaction.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from eth_abi import decode as abi_decode

from .abi import Abi, Bound
from .chain import RpcError
from .market import FEED_DECIMALS, SetupError

if TYPE_CHECKING:
    from .market import Setup

FORK_URL_ENV = "RWA_FORK_URL"
"""Environment variable holding the upstream RPC URL of a fork (never committed)."""
FORK_BLOCK_ENV = "RWA_FORK_BLOCK"
"""Environment variable pinning the upstream block number a fork starts from (optional)."""
MASK = "***"
"""What a fork URL prints as after its scheme: a key can sit in the host, path, query or credentials."""
MOCK_FEED = "MockAggregator"
MOCK_FEED_SLOTS = 3  # latestAnswer, latestTimestamp, latestRound: cleared before the first answer
IMPERSONATED_GAS = 2_000_000
ONE_ETHER = 10**18


def mask_url(url: str | None) -> str:
    """`url` safe to print: its scheme and a fixed placeholder, nothing else (an API key may be a
    subdomain, a path segment, a query value or a password).

    >>> mask_url("https://eth-mainnet.g.alchemy.com/v2/abcDEF123456")
    'https://***'
    """
    if not url:
        return "<unset>"
    scheme = urlsplit(url).scheme
    return f"{scheme}://{MASK}" if scheme.isalpha() else MASK


@dataclass(frozen=True)
class ForkSettings:
    url: str | None
    block: int | None

    def describe(self) -> str:
        pin = f" at block {self.block}" if self.block is not None else " at its latest block"
        return f"fork of {mask_url(self.url)}{pin}"


def settings_from_env(environ: dict[str, str] | None = None) -> ForkSettings:
    """`RWA_FORK_URL` and `RWA_FORK_BLOCK` (a decimal block number), read from `environ`."""
    env = os.environ if environ is None else environ
    block = env.get(FORK_BLOCK_ENV, "").strip()
    if block and not block.isdigit():
        raise ValueError(f"{FORK_BLOCK_ENV} must be a block number, got {block!r}")
    return ForkSettings(url=env.get(FORK_URL_ENV) or None, block=int(block) if block else None)


def is_fork(network_name: str) -> bool:
    return network_name.endswith("-fork")


# -- cheats -----------------------------------------------------------------------------------


def _receipt(setup: "Setup", tx_hash: str, timeout: float = 30.0) -> dict:
    deadline = time.monotonic() + timeout
    while True:
        receipt = setup.chain.rpc.call("eth_getTransactionReceipt", tx_hash)
        if receipt is not None:
            return receipt
        if time.monotonic() > deadline:
            raise SetupError(f"impersonated transaction {tx_hash} not mined after {timeout}s")
        time.sleep(0.01)


def send_as(setup: "Setup", sender: str, contract: Bound, fn: str, *args, gas: int = IMPERSONATED_GAS) -> dict:
    """Sends `contract.fn(*args)` from `sender` (any address, e.g. a governance contract) by
    impersonating it, mines it in its own block and returns the receipt; stops on a revert."""
    rpc = setup.chain.rpc
    balance = int(rpc.call("eth_getBalance", sender, "latest"), 16)
    calls = [("anvil_impersonateAccount", [sender])]
    if balance < ONE_ETHER:
        calls.append(("anvil_setBalance", [sender, hex(ONE_ETHER)]))  # gas money, on the fork only
    rpc.batch(calls)
    tx = {"from": sender, "to": contract.address, "data": "0x" + contract.abi.encode(fn, *args).hex(),
          "gas": hex(gas), "gasPrice": hex(1)}
    try:
        tx_hash = rpc.call("eth_sendTransaction", tx)
        setup.mine([])
        receipt = _receipt(setup, tx_hash)
    finally:
        rpc.call("anvil_stopImpersonatingAccount", sender)
    setup.gas_used += int(receipt["gasUsed"], 16)
    if int(receipt["status"], 16) != 1:
        raise SetupError(f"impersonated {contract.name}.{fn} from {sender} reverted (tx {tx_hash})")
    return receipt


@lru_cache(maxsize=None)
def _runtime(name: str) -> tuple[Abi, str]:
    """ABI and runtime code (0x-hex) of a contract of this ape project."""
    from ape import project

    contract_type = getattr(project, name).contract_type
    abi = [item.model_dump(mode="json", by_alias=True) for item in contract_type.abi]
    return Abi(abi), contract_type.runtime_bytecode.bytecode


def pin_feed(setup: "Setup", address: str, what: str) -> tuple[Bound, int]:
    """Takes over the Chainlink-style feed at `address`: reads its answer (rescaled to 8 decimals),
    installs a settable mock feed's runtime code there and clears the slots that code reads, so the
    first `setAnswer` starts a clean round history. Returns the feed and the answer to set first.
    `what` names the scenario field in errors."""
    rpc = setup.chain.rpc
    if rpc.call("eth_getCode", address, "latest") in (None, "0x"):
        raise SetupError(f"{what}: no contract at {address} on this chain")
    probe = [("eth_call", [{"to": address, "data": "0x" + sel}, "latest"]) for sel in ("feaf968c", "313ce567")]
    answers = rpc.batch(probe, raise_errors=False)  # latestRoundData(), decimals()
    if any(isinstance(a, RpcError) or a in (None, "0x") for a in answers):
        raise SetupError(f"{what}: the contract at {address} is not a Chainlink-style feed ({answers})")
    answer = abi_decode(["uint80", "int256", "uint256", "uint256", "uint80"], bytes.fromhex(answers[0][2:]))[1]
    decimals = int(answers[1], 16)
    answer = answer * 10**FEED_DECIMALS // 10**decimals
    abi, code = _runtime(MOCK_FEED)
    zero = "0x" + "00" * 32
    rpc.batch([("anvil_setCode", [address, code])]
              + [("anvil_setStorageAt", [address, hex(slot), zero]) for slot in range(MOCK_FEED_SLOTS)])
    return Bound(MOCK_FEED, address, abi), max(answer, 0)
