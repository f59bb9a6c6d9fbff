"""ABI encoding and decoding for the engine's hot path (eth_abi directly, types parsed once)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Sequence

from eth_abi import decode as abi_decode
from eth_abi import encode as abi_encode
from eth_utils import keccak, to_checksum_address

from .chain import DEFAULT_GAS_LIMIT, TxRequest


def _type_str(param: dict) -> str:
    kind = param["type"]
    if kind.startswith("tuple"):
        inner = ",".join(_type_str(c) for c in param["components"])
        return f"({inner}){kind[5:]}"
    return kind


@dataclass(frozen=True)
class _Function:
    name: str
    selector: bytes
    inputs: tuple[str, ...]
    outputs: tuple[str, ...]


@dataclass(frozen=True)
class _Event:
    name: str
    indexed: tuple[tuple[str, str], ...]
    data: tuple[tuple[str, str], ...]


class Abi:
    """Functions by name (first overload wins unless named `name(types)`), events by topic0."""

    def __init__(self, abi: Sequence[dict]):
        self.functions: dict[str, _Function] = {}
        self.events: dict[bytes, _Event] = {}
        self.errors: dict[bytes, tuple[str, tuple[str, ...]]] = {}
        self.constructor_inputs: tuple[str, ...] = ()
        self._outputs: dict[str, list[dict]] = {}  # a function's output parameters as in the JSON ABI
        for item in abi:
            kind = item.get("type")
            if kind == "function":
                inputs = tuple(_type_str(p) for p in item["inputs"])
                outputs = tuple(_type_str(p) for p in item.get("outputs", []))
                signature = f"{item['name']}({','.join(inputs)})"
                fn = _Function(item["name"], keccak(text=signature)[:4], inputs, outputs)
                self.functions.setdefault(item["name"], fn)
                self._outputs.setdefault(item["name"], item.get("outputs", []))
                self.functions[signature] = fn
            elif kind == "event":
                types = [_type_str(p) for p in item["inputs"]]
                topic = keccak(text=f"{item['name']}({','.join(types)})")
                self.events[topic] = _Event(
                    item["name"],
                    tuple((p["name"], t) for p, t in zip(item["inputs"], types) if p.get("indexed")),
                    tuple((p["name"], t) for p, t in zip(item["inputs"], types) if not p.get("indexed")),
                )
            elif kind == "error":
                types = tuple(_type_str(p) for p in item["inputs"])
                self.errors[keccak(text=f"{item['name']}({','.join(types)})")[:4]] = (item["name"], types)
            elif kind == "constructor":
                self.constructor_inputs = tuple(_type_str(p) for p in item["inputs"])

    def encode(self, fn: str, *args: Any) -> bytes:
        f = self.functions[fn]
        return f.selector + abi_encode(f.inputs, args)

    def decode(self, fn: str, data: bytes) -> tuple:
        return abi_decode(self.functions[fn].outputs, data)

    def output_word(self, fn: str, field: str) -> int:
        """Index of the 32-byte word holding `field` in `fn`'s answer, when the answer is static
        (value types and structs of them, flattened in order): read one field without decoding all."""
        def walk(params: list[dict], start: int) -> tuple[int | None, int]:
            index = start
            for p in params:
                if p.get("name") == field and p["type"] != "tuple":
                    return index, index
                if p["type"] == "tuple":
                    found, index = walk(p["components"], index)
                    if found is not None:
                        return found, index
                elif p["type"].endswith("]") or p["type"] in ("bytes", "string"):
                    raise ValueError(f"{fn}: answer is not static")
                else:
                    index += 1
            return None, index

        found, _ = walk(self._outputs[fn], 0)
        if found is None:
            raise KeyError(f"{fn} has no output field {field}")
        return found

    def constructor(self, bytecode: bytes, *args: Any) -> bytes:
        return bytecode + abi_encode(self.constructor_inputs, args)

    def decode_log(self, log: dict) -> tuple[str, dict] | None:
        """(event name, fields) for a receipt log of this ABI, else None."""
        topics = log["topics"]
        if not topics:
            return None
        event = self.events.get(bytes.fromhex(topics[0][2:]))
        if event is None or len(topics) - 1 != len(event.indexed):
            return None
        fields: dict[str, Any] = {}
        for (name, kind), topic in zip(event.indexed, topics[1:]):
            fields[name] = abi_decode([kind], bytes.fromhex(topic[2:]))[0]
        values = abi_decode([k for _, k in event.data], bytes.fromhex(log["data"][2:]))
        fields.update({name: v for (name, _), v in zip(event.data, values)})
        return event.name, fields


class Bound:
    """A deployed contract: builds calls for batched reads and TxRequests for agents."""

    def __init__(self, name: str, address: str, abi: Abi):
        self.name = name
        self.address = to_checksum_address(address)
        self.abi = abi

    def call(self, fn: str, *args: Any) -> tuple[str, bytes]:
        return self.address, self.abi.encode(fn, *args)

    def tx(self, sender, fn: str, *args: Any, agent: str, action: str | None = None,
           gas: int = DEFAULT_GAS_LIMIT, meta: dict | None = None) -> TxRequest:
        return TxRequest(
            sender=sender,
            to=self.address,
            data=self.abi.encode(fn, *args),
            agent=agent,
            action=action or fn,
            gas=gas,
            meta=meta or {},
        )

    def __repr__(self) -> str:
        return f"<{self.name} {self.address}>"
