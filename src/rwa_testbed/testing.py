"""Strict test helpers: revert assertions and chain isolation that cannot pass vacuously.

`ape.reverts(Contract.Error, **inputs)` (ape 0.8.51 with anvil 1.x) passes vacuously in three
cases: (1) when the revert comes from an `eth_call` (view/pure functions), anvil words custom
errors as "custom error 0x<selector>: <data>", ape does not decode them and then skips the error
check altogether (likewise for failed deployments, reported as bare revert data); (2) for errors
taken from a ContractContainer it never compares the error type; (3) it ignores expected inputs
whose names the error does not have.
`reverts` below checks the selector and every input exactly, decoding the raw data if ape did not.

A failed deployment is worse: ape enriches its error with whatever contract type it has cached at
the address the deployment would get, and a test that restored an earlier snapshot may have put
another contract there (seen in full-suite runs: the revert decoded with another contract's
same-named error, or an `InvalidPointer` raised while decoding). Deploy through `deploy` below: it
recovers the revert data with an `eth_call` of the creation code, and `reverts` checks it.

`ape.chain.isolate()` swallows every exception raised in its block (`except Exception: pass`),
failed assertions included, so a test asserting inside it always passes. Use `isolated(chain)`.
"""

from __future__ import annotations

import re
from contextlib import contextmanager
from typing import Any, Iterator

from ape.exceptions import ContractLogicError, CustomError
from eth_abi import decode
from eth_utils import is_hex_address, keccak, to_checksum_address

# anvil's wording for calls, and the bare revert data ape reports for failed deployments
_RAW_CUSTOM_ERROR = re.compile(r"custom error 0x([0-9a-fA-F]{8}):?\s*([0-9a-fA-F]*)$")
_RAW_REVERT_DATA = re.compile(r"^0x([0-9a-fA-F]{8})([0-9a-fA-F]*)$")


def _normalise(value: Any) -> Any:
    """Addresses (strings, accounts, contracts) as checksummed strings; bytes as bytes."""
    if hasattr(value, "address"):
        value = value.address
    if isinstance(value, str) and is_hex_address(value):
        return to_checksum_address(value)
    if isinstance(value, (list, tuple)):
        return type(value)(_normalise(v) for v in value)
    return value


def _raw_revert_data(err: ContractLogicError) -> bytes | None:
    """The revert data behind an error ape did not decode, or None."""
    message = str(err.revert_message)
    if match := _RAW_REVERT_DATA.match(message):
        return bytes.fromhex(match.group(1) + match.group(2))
    # anvil prints the data after the selector as text when it is valid UTF-8, so prefer the
    # call's trace, which has the raw bytes.
    try:
        returned = err.trace.return_value if err.trace is not None else None
    except Exception:  # noqa: BLE001 - no trace for this error: fall back to the message
        returned = None
    if isinstance(returned, str) and returned.startswith("0x"):
        return bytes.fromhex(returned[2:])
    if isinstance(returned, (bytes, bytearray)):
        return bytes(returned)
    if match := _RAW_CUSTOM_ERROR.search(message):
        return bytes.fromhex(match.group(1) + match.group(2))
    return None


class DeploymentReverted(Exception):
    """A constructor reverted; `data` is its raw revert data (from an `eth_call` of the creation)."""

    def __init__(self, contract: str, data: bytes):
        super().__init__(f"deploying {contract} reverts with 0x{data.hex()}")
        self.contract = contract
        self.data = data


def creation_revert_data(sender, container, *args) -> bytes | None:
    """The revert data of deploying `container(*args)` from `sender` at the latest block, by an
    `eth_call` of the creation code (no transaction, no ape error handling), or None if it deploys."""
    from ape import chain

    code = container.constructor.serialize_transaction(*args).data
    response = chain.provider.web3.provider.make_request(
        "eth_call", [{"from": _normalise(sender), "data": "0x" + bytes(code).hex()}, "latest"])
    if "error" not in response:
        return None
    data = response["error"].get("data") or "0x"
    return bytes.fromhex(data.removeprefix("0x"))


def deploy(sender, container, *args, **kwargs):
    """`sender.deploy(container, *args, **kwargs)`; if the constructor reverts, raises
    `DeploymentReverted` with the raw revert data instead of whatever ape made of it."""
    try:
        return sender.deploy(container, *args, **kwargs)
    except Exception as err:  # noqa: BLE001 - ape's enrichment of a failed deployment raises anything
        data = creation_revert_data(sender, container, *args)
        if data is None:
            raise
        raise DeploymentReverted(container.contract_type.name, data) from err


def _decoded(err: Exception, abi) -> tuple[str, dict]:
    """(signature, inputs) of the custom error behind `err`, decoding raw data with `abi` if needed."""
    if isinstance(err, CustomError):
        return err.abi.selector, dict(err.inputs)
    data = err.data if isinstance(err, DeploymentReverted) else _raw_revert_data(err)
    if data is None or len(data) < 4:
        raise AssertionError(f"expected custom error {abi.selector}, got revert {err!r}")
    if data[:4] != keccak(text=abi.selector)[:4]:
        raise AssertionError(f"expected custom error {abi.selector}, got revert data 0x{data.hex()}")
    values = decode([i.canonical_type for i in abi.inputs], data[4:])
    return abi.selector, {i.name: v for i, v in zip(abi.inputs, values)}


@contextmanager
def isolated(chain) -> Iterator[None]:
    """Runs the block on a snapshot of `chain` and restores it afterwards; exceptions propagate."""
    snapshot = chain.snapshot()
    try:
        yield
    finally:
        chain.restore(snapshot)


@contextmanager
def reverts(error, **inputs: Any) -> Iterator[None]:
    """Asserts the block reverts with custom error `error` (an ape error class, from a contract
    instance or container) and exactly `inputs` (every input of the error, by name). A deployment in
    the block must go through `deploy` (see the module's docstring)."""
    abi = error.abi
    expected_names = {i.name for i in abi.inputs}
    if set(inputs) != expected_names:
        raise AssertionError(f"{abi.selector}: give exactly its inputs {sorted(expected_names)}, got {sorted(inputs)}")
    try:
        yield
    except (ContractLogicError, DeploymentReverted) as err:
        signature, actual = _decoded(err, abi)
        assert signature == abi.selector, f"expected {abi.selector}, reverted with {signature} {actual}"
        expected = {k: _normalise(v) for k, v in inputs.items()}
        actual = {k: _normalise(v) for k, v in actual.items()}
        assert actual == expected, f"{abi.name}: expected {expected}, got {actual}"
    else:
        raise AssertionError(f"did not revert (expected {abi.selector})")
