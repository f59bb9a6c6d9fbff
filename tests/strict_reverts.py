"""`reverts(error, **inputs)`: a custom-error assertion that cannot pass vacuously.

With eth-ape 0.8.51 and anvil, `ape.reverts(Contract.Error, **inputs)` checks nothing when ape did
not decode the revert (every eth_call, i.e. view functions, and failed deployments: the test passes
whatever the error), never compares the error type for errors taken from a ContractContainer
(`project.X.Error`), and ignores expected inputs that the actual error does not have.
`reverts` compares the error signature and every input exactly, decoding raw revert data itself.
"""

from contextlib import contextmanager

from ape.exceptions import ContractLogicError, CustomError
from eth_abi import decode
from eth_utils import is_hex_address, keccak, to_checksum_address


def normalise(value):
    """Accounts, contracts and hex address strings as checksummed strings; other values as they are."""
    if hasattr(value, "address"):
        value = value.address
    if isinstance(value, str) and is_hex_address(value):
        return to_checksum_address(value)
    return value


def decode_error(error_abi, data: bytes) -> dict:
    """Inputs of custom error `error_abi` from revert `data`; AssertionError if the selector differs."""
    selector = keccak(text=error_abi.selector)[:4]
    if data[:4] != selector:
        raise AssertionError(f"expected custom error {error_abi.selector}, got revert data 0x{data.hex()}")
    values = decode([i.canonical_type for i in error_abi.inputs], data[4:])
    return {i.name: normalise(v) for i, v in zip(error_abi.inputs, values)}


def _raw_revert_data(err: ContractLogicError) -> bytes:
    """Revert data of an error ape did not decode: bare hex (deployments) or the call's trace."""
    message = str(err.revert_message)
    if message.startswith("0x"):
        return bytes.fromhex(message[2:])
    returned = err.trace.return_value  # eth_call: anvil words the data as text, the trace has the bytes
    if isinstance(returned, str):
        return bytes.fromhex(returned.removeprefix("0x"))
    return bytes(returned)


@contextmanager
def reverts(error, **inputs):
    """The block must revert with custom error `error` (a contract's or container's error class)
    and exactly `inputs` (every input of the error, by name)."""
    abi = error.abi
    try:
        yield
    except ContractLogicError as err:
        if isinstance(err, CustomError):
            if err.abi.selector != abi.selector:
                raise AssertionError(f"expected custom error {abi.selector}, got {err.abi.selector}") from err
            actual = {name: normalise(value) for name, value in err.inputs.items()}
        else:
            actual = decode_error(abi, _raw_revert_data(err))
        expected = {name: normalise(value) for name, value in inputs.items()}
        if actual != expected:
            raise AssertionError(f"{abi.name}: expected inputs {expected}, got {actual}") from err
    else:
        raise AssertionError(f"did not revert; expected custom error {abi.selector}")
