"""The engine's hot path: signed transactions and reads in JSON-RPC batches, blocks mined explicitly.

ape is used to deploy and for tests; once a run starts, agents' transactions go through this module
instead (ape's per-transaction overhead is ~12 RPC calls and ~45 ms). A step is:

1. every agent's transactions are signed locally (known keys, nonces read once per account in one
   batch and then tracked locally, fixed gas limits: no estimate round-trips; `sign_legacy` signs
   with libsecp256k1 directly, the same bytes as eth_account at a fifth of the cost) and sent in
   one JSON-RPC batch while automine is off;
2. one block is mined at the step's timestamp (`evm_mine`), so all of them land in it in send order;
3. receipts are fetched in one batch (polled: anvil answers null until the block is sealed).

Reads are `eth_call`s bundled into one batch as well.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any, Iterable, Sequence

import http.client
import json
from urllib.parse import urlsplit

import coincurve
from eth_account import Account
from eth_account.signers.local import LocalAccount
from eth_utils import keccak

DEFAULT_GAS_LIMIT = 2_000_000
BLOCK_GAS_LIMIT = 1_000_000_000  # raised so that one step's transactions always fit one block


DEFAULT_RPC_TIMEOUT = 60.0
"""Seconds a JSON-RPC request may wait for its answer before the node is taken for hung (the
scenario's `run.rpc_timeout_seconds`, the script's `--rpc-timeout`)."""


class RpcError(RuntimeError):
    """A JSON-RPC call answered with an error object."""


class NodeError(RuntimeError):
    """The node stopped answering: the connection was refused or lost (dead node), or a request got
    no answer within the timeout (hung node). The message is one line for people."""


@dataclass
class TxRequest:
    """One transaction an agent wants sent this step."""

    sender: LocalAccount
    to: str | None
    data: bytes
    agent: str
    action: str
    value: int = 0
    gas: int = DEFAULT_GAS_LIMIT
    meta: dict = field(default_factory=dict)


@dataclass
class TxResult:
    request: TxRequest
    tx_hash: str
    status: int
    gas_used: int
    block_number: int
    logs: list[dict]
    contract_address: str | None = None

    @property
    def reverted(self) -> bool:
        return self.status == 0


class Rpc:
    """Minimal JSON-RPC client with batching over one keep-alive HTTP session."""

    def __init__(self, uri: str, timeout: float = DEFAULT_RPC_TIMEOUT):
        self.uri = uri
        self.timeout = timeout
        parts = urlsplit(uri)
        self._host, self._port, self._path = parts.hostname, parts.port or 80, parts.path or "/"
        self._conn: http.client.HTTPConnection | None = None
        self._id = 0

    def _post(self, body: bytes, what: str = "a request") -> bytes:
        """POST over one keep-alive connection (reconnecting once if the node closed it); a node
        that is gone or does not answer within `timeout` raises `NodeError`."""
        for attempt in (0, 1):
            if self._conn is None:
                self._conn = http.client.HTTPConnection(self._host, self._port, timeout=self.timeout)
            try:
                self._conn.request("POST", self._path, body, {"Content-Type": "application/json"})
                response = self._conn.getresponse()
                data = response.read()
                if response.status != 200:
                    raise RpcError(f"HTTP {response.status}: {data[:200]!r}")
                return data
            except TimeoutError:  # socket.timeout: no retry, the node had its whole timeout
                self._close()
                raise NodeError(f"the node at {self.uri} did not answer {what} within {self.timeout:g} s "
                                "(hung? raise run.rpc_timeout_seconds / --rpc-timeout if it is only slow)") from None
            except (http.client.HTTPException, ConnectionError, OSError) as err:
                self._close()
                if attempt:
                    reason = str(err) or type(err).__name__
                    raise NodeError(f"lost the node at {self.uri} during {what}: {reason} (did it stop?)") from None
        raise AssertionError("unreachable")

    def _close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    def call(self, method: str, *params: Any) -> Any:
        return self.batch([(method, list(params))])[0]

    MAX_BATCH = 500  # anvil rejects very large batches ("Invalid request")

    def batch(self, calls: Sequence[tuple[str, list]], raise_errors: bool = True) -> list[Any]:
        if len(calls) > self.MAX_BATCH:
            out: list[Any] = []
            for i in range(0, len(calls), self.MAX_BATCH):
                out += self.batch(calls[i: i + self.MAX_BATCH], raise_errors)
            return out
        if not calls:
            return []
        payload = []
        for method, params in calls:
            self._id += 1
            payload.append({"jsonrpc": "2.0", "id": self._id, "method": method, "params": params})
        first_id = payload[0]["id"]
        what = payload[0]["method"] + (f" (+{len(payload) - 1} more)" if len(payload) > 1 else "")
        answers = json.loads(self._post(json.dumps(payload).encode(), what))
        if isinstance(answers, dict):  # a transport-level error answers with one object
            raise RpcError(str(answers.get("error", answers)))
        results: list[Any] = [None] * len(payload)
        for answer in answers:
            index = answer["id"] - first_id
            if "error" in answer:
                if raise_errors:
                    method = payload[index]["method"]
                    raise RpcError(f"{method}: {answer['error'].get('message', answer['error'])}")
                results[index] = RpcError(answer["error"].get("message", str(answer["error"])))
            else:
                results[index] = answer.get("result")
        return results


def derive_account(seed: int, role: str, index: int) -> LocalAccount:
    """A deterministic account for (seed, role, index): same seed, same addresses."""
    key = keccak(f"rwa-testbed/{seed}/{role}/{index}".encode())
    return Account.from_key(key)


def _rlp_length(length: int, offset: int) -> bytes:
    if length < 56:
        return bytes([offset + length])
    size = length.to_bytes((length.bit_length() + 7) // 8, "big")
    return bytes([offset + 55 + len(size)]) + size


def rlp_flat_list(items: Sequence[int | bytes]) -> bytes:
    """RLP of a flat list of unsigned integers and byte strings (a legacy transaction's fields): what
    `rlp.encode` gives, without its type inference (most of the cost of signing)."""
    out = []
    for item in items:
        if isinstance(item, int):
            item = item.to_bytes((item.bit_length() + 7) // 8, "big")
        out.append(item if len(item) == 1 and item[0] < 0x80 else _rlp_length(len(item), 0x80) + item)
    payload = b"".join(out)
    return _rlp_length(len(payload), 0xC0) + payload


def sign_legacy(key: coincurve.PrivateKey, chain_id: int, nonce: int, gas_price: int, gas: int, to: str | None,
                value: int, data: bytes) -> bytes:
    """A legacy EIP-155 transaction signed with `key`, RLP-encoded: byte for byte what eth_account's
    `sign_transaction` makes of the same fields (RFC 6979 nonce, low s; tests/unit/engine), without
    its dict validation and formatting (~5x faster, which counts at 100,000 setup transactions)."""
    to_bytes = bytes.fromhex(to[2:]) if to else b""
    fields = [nonce, gas_price, gas, to_bytes, value, data]
    signature = key.sign_recoverable(keccak(rlp_flat_list(fields + [chain_id, 0, 0])), hasher=None)
    r, s, recovery = signature[:32], signature[32:64], signature[64]
    return rlp_flat_list(fields + [recovery + 35 + 2 * chain_id, int.from_bytes(r, "big"), int.from_bytes(s, "big")])


class FastChain:
    """Sends agents' transactions in batches and mines one block per step."""

    def __init__(self, uri: str, timeout: float = DEFAULT_RPC_TIMEOUT):
        self.rpc = Rpc(uri, timeout)
        self.chain_id = int(self.rpc.call("eth_chainId"), 16)
        self._nonces: dict[str, int] = {}
        self._keys: dict[str, coincurve.PrivateKey] = {}  # sender address -> its signing key
        self.sent = 0
        self.block_number_cached = 0

    # -- setup -----------------------------------------------------------------------------

    def take_control(self) -> None:
        """Automine off, base fee 0, big blocks: from here on blocks are mined by `mine`."""
        self.rpc.batch(
            [
                ("evm_setAutomine", [False]),
                ("evm_setBlockGasLimit", [hex(BLOCK_GAS_LIMIT)]),
                ("anvil_setNextBlockBaseFeePerGas", ["0x0"]),
            ]
        )

    def release_control(self) -> None:
        self.rpc.call("evm_setAutomine", True)

    def fund(self, addresses: Iterable[str], wei: int) -> None:
        self.rpc.batch([("anvil_setBalance", [a, hex(wei)]) for a in addresses])

    def timestamp(self) -> int:
        block = self.rpc.call("eth_getBlockByNumber", "latest", False)
        return int(block["timestamp"], 16)

    def block_number(self) -> int:
        return int(self.rpc.call("eth_blockNumber"), 16)

    # -- transactions ----------------------------------------------------------------------

    def _nonce(self, address: str) -> int:
        if address not in self._nonces:
            self.load_nonces([address])
        return self._nonces[address]

    def load_nonces(self, addresses: Iterable[str]) -> None:
        """Reads the pending nonce of every address not tracked yet, in one batch (setup signs for
        thousands of new accounts: one round trip each would cost seconds)."""
        new = list(dict.fromkeys(a for a in addresses if a not in self._nonces))
        answers = self.rpc.batch([("eth_getTransactionCount", [a, "pending"]) for a in new])
        self._nonces.update((a, int(n, 16)) for a, n in zip(new, answers))

    def _sign(self, request: TxRequest, gas_price: int) -> bytes:
        sender = request.sender
        address = sender.address
        nonce = self._nonce(address)
        key = self._keys.get(address)
        if key is None:
            key = self._keys[address] = coincurve.PrivateKey(bytes(sender.key))
        raw = sign_legacy(key, self.chain_id, nonce, gas_price, request.gas, request.to, request.value, request.data)
        self._nonces[address] = nonce + 1
        return raw

    def _send(self, requests_: Sequence[TxRequest]) -> list[str]:
        """Signs and sends `requests_` in one batch (automine off); returns their hashes."""
        if not requests_:
            return []
        # anvil handles a batch's items concurrently, so arrival order is not send order; it
        # orders its mempool by fee, so strictly decreasing gas prices (a few wei, base fee
        # 0) make the block hold the transactions exactly in send order.
        n = len(requests_)
        self.load_nonces(r.sender.address for r in requests_)
        raws = ["0x" + self._sign(r, n - i).hex() for i, r in enumerate(requests_)]
        hashes = self.rpc.batch([("eth_sendRawTransaction", [raw]) for raw in raws])
        self.sent += len(raws)
        return hashes

    def step(self, requests_: Sequence[TxRequest], timestamp: int,
             reads: Sequence[tuple[str, bytes]] = ()) -> tuple[list[TxResult], list[bytes]]:
        """Sends `requests_` in order, mines one block at `timestamp`; returns their receipts and
        the answers of `reads` (eth_calls on the new block, fetched in the receipts' batch)."""
        hashes = self._send(requests_)
        self.rpc.call("evm_mine", timestamp)
        self.block_number_cached += 1
        read_calls = [("eth_call", [{"to": to, "data": "0x" + data.hex()}, "latest"]) for to, data in reads]
        answers = self.rpc.batch(read_calls + [("eth_getTransactionReceipt", [h]) for h in hashes])
        read_answers = [bytes.fromhex(a[2:]) for a in answers[: len(read_calls)]]
        first = answers[len(read_calls):]
        if not hashes:
            return [], read_answers
        return self._results(requests_, hashes, self._receipts(hashes, first)), read_answers

    def step_unlogged(self, requests_: Sequence[TxRequest], timestamp: int) -> tuple[int, list[TxResult]]:
        """`step` for big blocks whose receipts nobody reads (setup): sends `requests_`, mines one
        block at `timestamp`, and returns the block's gas used (the sum of its transactions') and
        the results of the transactions that left no log, the only ones that can have reverted (a
        reverted transaction leaves none).

        anvil builds each receipt in time proportional to the size of its block, so the receipts of
        a block of n transactions cost O(n²) (~2 s for 1,600, ~20 s for 3,200); the block and its
        logs cost O(n). Falls back to every receipt if the block does not hold exactly `requests_`."""
        hashes = self._send(requests_)
        self.rpc.call("evm_mine", timestamp)
        self.block_number_cached += 1
        block, logs = self.rpc.batch([("eth_getBlockByNumber", ["latest", False]),
                                      ("eth_getLogs", [{"fromBlock": "latest", "toBlock": "latest"}])])
        if block is None or block["transactions"] != hashes or any(log["blockHash"] != block["hash"] for log in logs):
            results = self._results(requests_, hashes, self._receipts(hashes, None)) if hashes else []
            return sum(r.gas_used for r in results), [r for r in results if not r.logs]
        logged = {log["transactionHash"] for log in logs}
        silent = [i for i, h in enumerate(hashes) if h not in logged]
        receipts = self._receipts([hashes[i] for i in silent], None) if silent else []
        results = self._results([requests_[i] for i in silent], [hashes[i] for i in silent], receipts)
        return int(block["gasUsed"], 16), results

    @staticmethod
    def _results(requests_: Sequence[TxRequest], hashes: Sequence[str], receipts: Sequence[dict]) -> list[TxResult]:
        return [
            TxResult(
                request=request,
                tx_hash=tx_hash,
                status=int(receipt["status"], 16),
                gas_used=int(receipt["gasUsed"], 16),
                block_number=int(receipt["blockNumber"], 16),
                logs=receipt["logs"],
                contract_address=receipt.get("contractAddress"),
            )
            for request, tx_hash, receipt in zip(requests_, hashes, receipts)
        ]

    def _receipts(self, hashes: list[str], first: list, timeout: float = 30.0) -> list[dict]:
        """Receipts of `hashes` (`first`: a first answer already fetched), polling: anvil answers
        null until the block is sealed."""
        receipts: list[dict | None] = [None] * len(hashes)
        deadline = time.monotonic() + timeout
        pending = list(range(len(hashes)))
        answers = first
        while pending:
            if answers is None:
                answers = self.rpc.batch([("eth_getTransactionReceipt", [hashes[i]]) for i in pending])
            still = []
            for i, receipt in zip(pending, answers):
                if receipt is None:
                    still.append(i)
                else:
                    receipts[i] = receipt
            if still and time.monotonic() > deadline:
                pool = self.rpc.call("txpool_status")
                raise RpcError(
                    f"{len(still)} transactions not mined after {timeout}s "
                    f"(first {hashes[still[0]]}; txpool {pool})"
                )
            if still:
                time.sleep(0.002)
            pending, answers = still, None
        return receipts  # type: ignore[return-value]

    # -- reads -----------------------------------------------------------------------------

    def calls(self, calls: Sequence[tuple[str, bytes]], block: str = "latest") -> list[bytes]:
        """`eth_call` each (to, data) at `block` in one batch; a reverted call raises."""
        answers = self.rpc.batch(
            [("eth_call", [{"to": to, "data": "0x" + data.hex()}, block]) for to, data in calls]
        )
        return [bytes.fromhex(a[2:]) for a in answers]

