"""Fork mode: where the upstream URL comes from, how it is printed, and the anvil cheats that let a
scenario reuse contracts already on a forked chain.

The upstream RPC URL is never in the repository: it comes from the environment variable
`RWA_FORK_URL` (an API key is usually part of it), read by ape through `ape-config.yaml`
(`node: ethereum: mainnet: uri: ${RWA_FORK_URL}`) or, without that line, handed to ape as
`WEB3_PROVIDER_URI` by `scripts/crash_scenario.py`. `RWA_FORK_BLOCK` (or `--fork-block`) pins the
block the fork starts from. Every log line shows the URL through `mask_url`.

The URL is a secret (an API key sits in it), so it never reaches a command line, a log or a file:
`guard_fork_provider()` (called by `scripts/crash_scenario.py` and the fork tests before ape
connects) makes ape-foundry's fork provider start anvil *unforked* (`--fork-url` and
`--fork-block-number` are dropped from the command it builds, which ape also writes to
`.local/ape/processes/nodes.json`) and then switch it to the fork over the local RPC with
`anvil_reset {"forking": {"jsonRpcUrl": URL, "blockNumber": N}}` (`switch_to_fork`). Errors on the
way are re-raised with the URL replaced by its mask, and a log-record factory (`redact`) does the
same for every log record of every library. `toolchain/bin/anvil` refuses a `--fork-url` argument, so an unguarded start fails
instead of showing the key in `ps`.

The cheats (`anvil_impersonateAccount`, `anvil_setCode`, `anvil_setStorageAt`) change the fork
only; the upstream chain never sees a transaction.
"""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
import time
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from eth_abi import decode as abi_decode

from .abi import Abi, Bound
from .chain import RpcError
from .deployment import SetupError
from .units import FEED_DECIMALS

if TYPE_CHECKING:
    from .deployment import Setup

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


# -- keeping the URL secret ---------------------------------------------------------------------

_SECRETS: set[str] = set()
"""Fork URLs seen by the guard this process: `redact` replaces them (and their key-bearing parts)."""
FORK_ARGS = ("--fork-url", "-f", "--rpc-url", "--fork-block-number")
HOME_ARG = "--rwa-home"
"""Launcher-only flag (`toolchain/bin/anvil` removes it and sets HOME): a forked anvil caches upstream
state under `~/.foundry/cache/rpc/<chain>/<block>` forever, and `--no-storage-caching` needs
`--fork-url`; so a fork's anvil gets a private, temporary HOME, deleted when ape disconnects."""
_HOMES: dict[int, str] = {}
RESET_TIMEOUT_SECONDS = 120.0


try:  # ape prints its own errors as one line, without a traceback
    from ape.exceptions import ProviderError as _ProviderError
except ImportError:  # pragma: no cover - ape is a dependency
    _ProviderError = RuntimeError


class ForkSwitchError(_ProviderError):
    """anvil could not switch to the fork (upstream unreachable, bad block...); message redacted."""


def _secret_parts(url: str) -> list[str]:
    """The substrings of `url` that may carry its key, longest first: the URL itself, without its
    scheme, its credentials and host, its path and query (as an HTTP library prints them)."""
    parts = urlsplit(url)
    found = {url, url.rstrip("/"), url.split("://", 1)[-1]}
    if parts.netloc:
        found.add(parts.netloc)
    host = parts.hostname or ""
    if host and host != "localhost" and not host.replace(".", "").isdigit() and ":" not in host:
        found.add(host)  # a key may be a subdomain; loopback hosts would mask the local node too
    path_query = parts.path + (f"?{parts.query}" if parts.query else "")
    if len(path_query.strip("/")) > 0:
        found.update({path_query, path_query.rstrip("/")})
    if parts.query:
        found.add(parts.query)
    if parts.fragment:
        found.add(parts.fragment)
    if parts.username:
        found.add(parts.username)
    if parts.password:
        found.add(parts.password)
    return sorted((f for f in found if len(f) > 3), key=len, reverse=True)


def redact(text: str, urls: "set[str] | list[str] | None" = None) -> str:
    """`text` with every known fork URL (and any part of it that may hold its key) replaced by its
    mask."""
    for url in (urls if urls is not None else list(_SECRETS)):
        masked = mask_url(url)
        for part in _secret_parts(url):
            text = text.replace(part, masked)
    return text


def remember_secret(url: str | None) -> None:
    if url:
        _SECRETS.add(url)
        _install_log_filter()


_base_factory = None


def _redacting_record_factory(*args, **kwargs) -> logging.LogRecord:
    """Every log record, from any logger (ape's, web3's `Making request HTTP. URI: ...`, urllib3's),
    is created with the fork URL already replaced by its mask, message and traceback alike."""
    record = _base_factory(*args, **kwargs)
    if _SECRETS:
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001 - a bad format string: leave it to the handler
            return record
        clean = redact(message)
        if clean != message:
            record.msg, record.args = clean, None
        if record.exc_info and record.exc_info[1] is not None:
            record.exc_text = redact(logging.Formatter().formatException(record.exc_info))
            record.exc_info = None
    return record


def _install_log_filter() -> None:
    global _base_factory
    if _base_factory is None:
        _base_factory = logging.getLogRecordFactory()
        logging.setLogRecordFactory(_redacting_record_factory)


def strip_fork_args(cmd: list[str]) -> list[str]:
    """`cmd` without the fork's URL and block (`--fork-url URL`, `--fork-block-number N`, `=` forms)."""
    out, skip = [], False
    for arg in cmd:
        if skip:
            skip = False
            continue
        if arg in FORK_ARGS:
            skip = True
            continue
        if any(arg.startswith(f"{flag}=") for flag in FORK_ARGS):
            continue
        out.append(arg)
    return out


def switch_to_fork(local_uri: str, url: str, block: int | None,
                   timeout: float = RESET_TIMEOUT_SECONDS) -> None:
    """Turns the (unforked) anvil at `local_uri` into a fork of `url` at `block` (latest if None)
    with `anvil_reset`, over our own JSON-RPC client (no library logs the request); on failure raises
    `ForkSwitchError` whose message holds only the masked URL."""
    from .chain import Rpc

    remember_secret(url)
    forking: dict[str, object] = {"jsonRpcUrl": url}
    if block is not None:
        forking["blockNumber"] = int(block)
    try:
        Rpc(local_uri, timeout=timeout).call("anvil_reset", {"forking": forking})
    except Exception as err:  # noqa: BLE001 - any error may quote the URL: re-raised redacted
        raise ForkSwitchError(
            f"cannot fork {mask_url(url)}" + (f" at block {block}" if block is not None else "")
            + f": {redact(f'{type(err).__name__}: {err}', [url])}") from None


def _environ_without_secrets() -> dict[str, str]:
    """`os.environ` without the variables whose value holds a remembered secret."""
    return {k: v for k, v in os.environ.items() if not any(s and s in v for s in _SECRETS)}


def guard_fork_provider() -> None:
    """Makes ape-foundry's `FoundryForkProvider` keep the upstream URL off anvil's command line
    (see the module docstring). Idempotent; a no-op without ape-foundry."""
    try:
        from ape_foundry.provider import FoundryForkProvider, FoundryProvider
    except ImportError:  # pragma: no cover - ape-foundry is a dependency
        return
    if getattr(FoundryForkProvider, "_rwa_guarded", False):
        return
    build_command = FoundryForkProvider.build_command
    disconnect = FoundryForkProvider.disconnect

    def guarded_build_command(self) -> list[str]:
        remember_secret(self.fork_url)
        if id(self) not in _HOMES:  # build_command runs more than once (ape's connection id)
            _HOMES[id(self)] = tempfile.mkdtemp(prefix="rwa-anvil-home-")
        return strip_fork_args(build_command(self)) + [HOME_ARG, _HOMES[id(self)]]

    def guarded_disconnect(self) -> None:
        try:
            disconnect(self)
        finally:
            home = _HOMES.pop(id(self), None)
            if home is not None:
                shutil.rmtree(home, ignore_errors=True)

    def guarded_connect(self) -> None:
        try:
            url = self.fork_url  # with WEB3_PROVIDER_URI, ape asks the upstream its chain id here
        except Exception as err:  # noqa: BLE001 - e.g. "Max retries exceeded with url: /KEY"
            where = " or ".join(sorted({mask_url(u) for u in _SECRETS})) or "the upstream"
            raise ForkSwitchError(f"cannot fork {where}: {redact(f'{type(err).__name__}: {err}')}") from None
        remember_secret(url)
        try:
            try:
                FoundryProvider.connect(self)
            except Exception as err:  # noqa: BLE001
                # Under `-v DEBUG` ape-foundry then polls stdout.log 10 times without sleeping for
                # anvil's "Listening on" line, which its reader thread may not have written yet,
                # although `start()` already saw anvil answer: not an error if anvil is up.
                if not ("begin listening" in str(err) and self.process is not None
                        and self.process.poll() is None and self._web3 is not None):
                    raise
            if self.process is not None:  # an anvil we started: unforked until now
                switch_to_fork(self.uri, url, self.fork_block_number)
                self.cached_chain_id = None
        except Exception as err:  # noqa: BLE001 - any error may quote the URL: re-raised redacted
            try:
                self.disconnect()  # no unforked anvil (nor its temporary HOME) left behind
            except Exception:  # noqa: BLE001
                pass
            if isinstance(err, ForkSwitchError):
                raise
            raise ForkSwitchError(f"cannot start a fork of {mask_url(url)}: "
                                  f"{redact(f'{type(err).__name__}: {err}', [url])}") from None

    def guarded_reset_fork(self, block_number: int | None = None):
        block = block_number if block_number is not None else self.fork_block_number
        switch_to_fork(self.uri, self.fork_url, block)
        self.cached_chain_id = None
        return True

    # Every node process ape starts gets an environment without the secret (RWA_FORK_URL and ape's
    # WEB3_PROVIDER_URI fallback stay in ours, where ape reads them): our launcher drops them too,
    # but only once bash runs it, and /proc/PID/environ of the launcher showed them until then.
    # (ape starts nodes through `ape.api.providers.popen`; ape-foundry runs `anvil --version` through
    # `ape_foundry.provider._call`.)
    import subprocess

    import ape.api.providers as ape_providers
    import ape_foundry.provider as foundry_module

    popen = ape_providers.popen

    def popen_without_secrets(cmd, **kwargs):
        kwargs["env"] = _environ_without_secrets() if kwargs.get("env") is None else kwargs["env"]
        return popen(cmd, **kwargs)

    def call_without_secrets(*args):
        return subprocess.call([*args], stderr=subprocess.PIPE, stdout=subprocess.PIPE, stdin=subprocess.PIPE,
                               env=_environ_without_secrets())

    ape_providers.popen = popen_without_secrets
    foundry_module._call = call_without_secrets
    FoundryForkProvider.build_command = guarded_build_command
    FoundryForkProvider.connect = guarded_connect
    FoundryForkProvider.disconnect = guarded_disconnect
    FoundryForkProvider.reset_fork = guarded_reset_fork
    FoundryForkProvider._rwa_guarded = True


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
