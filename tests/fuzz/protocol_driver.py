"""A thin JSON-RPC driver for the protocol state machine: transactions at chosen block times, reads
in one batch, custom errors and events decoded by name.

Why not ape for every step: an ape transaction costs ~45 ms (gas estimate, nonce, trace fetch on a
revert); here one costs ~3 ms. The accounts are ape's test accounts, which anvil holds unlocked, so
`eth_sendTransaction` from their addresses needs no key. Automine stays on (as in every ape test):
each transaction is one block, mined at the timestamp set just before it.

A reverted transaction is mined too (explicit gas, no estimate); its revert data comes from
`debug_traceTransaction` (anvil keeps the last 64 block states, see toolchain/bin/anvil) and is
decoded against every ABI the driver knows. Panics and string reverts decode as `Panic` / `Error`.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any, Sequence

from eth_abi import decode as abi_decode
from eth_utils import keccak, to_checksum_address

from rwa_testbed.abi import Abi, _type_str
from rwa_testbed.chain import Rpc

TX_GAS = 3_000_000
PANIC = keccak(text="Panic(uint256)")[:4]
ERROR_STRING = keccak(text="Error(string)")[:4]


@dataclass
class Outcome:
    """What one transaction did: success with its decoded events, or the custom error it raised."""

    ok: bool
    timestamp: int
    error: str | None = None  # custom error name, "Panic", "Error" or "Unknown"
    error_args: dict = field(default_factory=dict)
    events: list[tuple[str, str, dict]] = field(default_factory=list)  # (contract name, event, fields)
    gas_used: int = 0

    def named(self, contract: str, event: str) -> list[dict]:
        return [fields for c, e, fields in self.events if c == contract and e == event]


class Contract:
    """A deployed contract known to the driver: its name, address, ABI and output names."""

    def __init__(self, name: str, address: str, abi_json: Sequence[dict]):
        self.name = name
        self.address = to_checksum_address(address)
        self.abi = Abi(abi_json)
        self.abi_json = list(abi_json)
        self.output_names: dict[str, list[str]] = {}
        self.errors: dict[bytes, tuple[str, list[str], list[str]]] = {}
        for item in abi_json:
            if item.get("type") == "function":
                self.output_names.setdefault(item["name"], [o.get("name", "") for o in item.get("outputs", [])])
            elif item.get("type") == "error":
                types = [_type_str(p) for p in item["inputs"]]
                selector = keccak(text=f"{item['name']}({','.join(types)})")[:4]
                self.errors[selector] = (item["name"], [p["name"] for p in item["inputs"]], types)


class Driver:
    """Sends transactions from unlocked accounts at explicit block times and reads in batches."""

    def __init__(self, uri: str, contracts: Sequence[Contract]):
        self.rpc = Rpc(uri)
        self.contracts = {c.name: c for c in contracts}
        self.by_address = {c.address.lower(): c for c in contracts}
        self.errors: dict[bytes, tuple[str, list[str], list[str]]] = {}
        for c in contracts:
            self.errors.update(c.errors)
        self.sent = 0

    # -- time -------------------------------------------------------------------------------

    def head_timestamp(self) -> int:
        return int(self.rpc.call("eth_getBlockByNumber", "latest", False)["timestamp"], 16)

    def set_next_timestamp(self, timestamp: int) -> None:
        self.rpc.call("evm_setNextBlockTimestamp", hex(timestamp))

    # -- transactions ---------------------------------------------------------------------------

    def send(self, sender: str, contract: str, fn: str, *args: Any, timestamp: int) -> Outcome:
        """Mines `contract.fn(*args)` from `sender` in one block at `timestamp`."""
        target = self.contracts[contract]
        self.set_next_timestamp(timestamp)
        tx = {"from": sender, "to": target.address, "data": "0x" + target.abi.encode(fn, *args).hex(),
              "gas": hex(TX_GAS)}
        tx_hash = self.rpc.call("eth_sendTransaction", tx)
        receipt = self._receipt(tx_hash)
        self.sent += 1
        gas_used = int(receipt["gasUsed"], 16)
        if int(receipt["status"], 16) == 1:
            return Outcome(True, timestamp, events=self._events(receipt["logs"]), gas_used=gas_used)
        trace = self.rpc.call("debug_traceTransaction", tx_hash, {"tracer": "callTracer"})
        name, values = self.decode_error(bytes.fromhex((trace.get("output") or "0x")[2:]))
        return Outcome(False, timestamp, error=name, error_args=values, gas_used=gas_used)

    def _receipt(self, tx_hash: str, timeout: float = 30.0) -> dict:
        """The receipt, polled: anvil may answer null for a moment after automining the block."""
        deadline = time.monotonic() + timeout
        while (receipt := self.rpc.call("eth_getTransactionReceipt", tx_hash)) is None:
            if time.monotonic() > deadline:
                raise TimeoutError(f"transaction {tx_hash} not mined after {timeout} s")
            time.sleep(0.002)
        return receipt

    def decode_error(self, data: bytes) -> tuple[str, dict]:
        if data[:4] == PANIC:
            return "Panic", {"code": abi_decode(["uint256"], data[4:])[0]}
        if data[:4] == ERROR_STRING:
            return "Error", {"message": abi_decode(["string"], data[4:])[0]}
        if data[:4] in self.errors:
            name, names, types = self.errors[data[:4]]
            return name, dict(zip(names, abi_decode(types, data[4:])))
        return "Unknown", {"data": "0x" + data.hex()}

    def _events(self, logs: list[dict]) -> list[tuple[str, str, dict]]:
        out = []
        for log in logs:
            contract = self.by_address.get(log["address"].lower())
            if contract is None:
                continue
            decoded = contract.abi.decode_log(log)
            if decoded is not None:
                out.append((contract.name, decoded[0], decoded[1]))
        return out

    # -- reads --------------------------------------------------------------------------------

    def read(self, calls: Sequence[tuple[str, str, tuple]], block: str = "latest") -> list[Any]:
        """Answers of `(contract, fn, args)` calls, in one batch; single outputs are unwrapped."""
        encoded = []
        for contract, fn, args in calls:
            target = self.contracts[contract]
            encoded.append(("eth_call", [{"to": target.address, "data": "0x" + target.abi.encode(fn, *args).hex()},
                                         block]))
        answers = self.rpc.batch(encoded)
        out = []
        for (contract, fn, _), raw in zip(calls, answers):
            values = self.contracts[contract].abi.decode(fn, bytes.fromhex(raw[2:]))
            out.append(values[0] if len(values) == 1 else values)
        return out

    def read_named(self, contract: str, fn: str, *args: Any, block: str = "latest") -> dict:
        """One call whose single tuple output (or several outputs) comes back as a dict by name."""
        (value,) = self.read([(contract, fn, args)], block)
        names = self.contracts[contract].output_names[fn]
        if len(names) == 1:  # one struct output
            abi_item = next(i for i in self.contracts[contract].abi_json if i.get("name") == fn)
            names = [c["name"] for c in abi_item["outputs"][0]["components"]]
        return dict(zip(names, value))


def contract_from_ape(name: str, instance) -> Contract:
    """A driver Contract for an ape contract instance (ABI taken from its contract type)."""
    abi_json = [item.model_dump(mode="json", by_alias=True) for item in instance.contract_type.abi]
    return Contract(name, instance.address, abi_json)
