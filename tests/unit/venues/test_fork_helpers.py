"""Fork-mode helpers: upstream URLs never printed with their keys, settings from the environment,
scenario addresses as YAML writes them, Aave's error codes as its artifacts define them."""

import logging

import pytest
from eth_abi import decode
from eth_utils import keccak
from hypothesis import given
from hypothesis import strategies as st

from rwa_testbed import fork
from rwa_testbed import scenario as sc
from rwa_testbed.venues.aave import AAVE_ERRORS
from rwa_testbed.venues.aave_v3 import load_artifact


@pytest.mark.parametrize(
    "url, masked",
    [
        ("https://eth-mainnet.g.alchemy.com/v2/abcDEF123456", "https://***"),
        ("https://mainnet.infura.io/v3/0123456789abcdef0123", "https://***"),
        ("wss://x.quiknode.pro/SECRETTOKEN/", "wss://***"),
        ("http://user:pw@127.0.0.1:8545/?apikey=SECRET&x=1", "http://***"),
        ("https://SECRETKEY.rpc.example.org", "https://***"),
        ("http://127.0.0.1:8545", "http://***"),
        (None, "<unset>"),
        ("not a url", "***"),
    ],
)
def test_mask_url__only_the_scheme_and_a_placeholder(url, masked):
    assert fork.mask_url(url) == masked


WHERE = ["path", "query", "password", "user", "fragment", "host"]


def url_with_secret(secret: str, where: str) -> str:
    """An upstream URL carrying `secret` in one of its parts (`WHERE`)."""
    return {
        "path": f"https://rpc.example.org/v2/{secret}",
        "query": f"https://rpc.example.org/?key={secret}",
        "password": f"https://me:{secret}@rpc.example.org/",
        "user": f"https://{secret}@rpc.example.org/",
        "fragment": f"https://rpc.example.org/#{secret}",
        "host": f"https://{secret}.rpc.example.org/",
    }[where]


SECRET = st.text(alphabet="abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-", min_size=1, max_size=64)


@given(secret=SECRET, where=st.sampled_from(WHERE))
def test_mask_url__a_secret_anywhere__never_in_the_output(secret, where):
    url = url_with_secret(secret, where)
    assert fork.mask_url(url) == "https://***"


@given(secret=st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789", min_size=8, max_size=40),
       where=st.sampled_from(WHERE))
def test_redact__a_url_quoted_whole_or_in_parts__key_never_survives(secret, where):
    url = url_with_secret(secret, where)
    parts = url.split("://", 1)[1]
    text = (f"POST {url} failed; Max retries exceeded with url: /{parts.split('/', 1)[-1]} "
            f"(host='{parts.split('/')[0]}'); URI: {url.rstrip('/')}/[hidden]")
    assert secret not in fork.redact(text, [url])
    assert "https://***" in fork.redact(text, [url])


def test_redact__loopback_host__local_node_addresses_kept():
    url = "http://127.0.0.1:9999/SECRETKEY123"
    assert fork.redact(f"anvil at http://127.0.0.1:8545, upstream {url}", [url]) == \
        "anvil at http://127.0.0.1:8545, upstream http://***"


def test_strip_fork_args__url_and_block_dropped_in_both_spellings():
    cmd = ["anvil", "--port", "1", "--fork-url", "http://k/KEY", "--fork-block-number", "7", "--rpc-url=http://k/KEY",
           "-f", "http://k/KEY", "--fork-block-number=8", "--hardfork", "cancun"]
    assert fork.strip_fork_args(cmd) == ["anvil", "--port", "1", "--hardfork", "cancun"]


def test_log_records__any_logger_after_the_url_is_known__message_and_traceback_masked(caplog):
    key = "LOG" + "SECRET42"  # (a traceback quotes its source lines)
    url = f"http://127.0.0.1:9/{key}?key={key}"
    fork.remember_secret(url)
    try:
        raise ConnectionError(f"Max retries exceeded with url: /{key}?key={key} ({url})")
    except ConnectionError:
        with caplog.at_level("DEBUG"), caplog.at_level("DEBUG", logger="web3.providers.HTTPProvider"):
            logging.getLogger("web3.providers.HTTPProvider").debug("Making request HTTP. URI: %s", url)
            logging.getLogger("some.library").exception("failed")
    assert "LOGSECRET42" not in caplog.text
    assert "URI: http://***" in caplog.text


def test_settings_from_env__url_and_block__read_and_described_masked():
    environ = {fork.FORK_URL_ENV: "https://n.example/v2/KEY12345", fork.FORK_BLOCK_ENV: "19000000"}
    settings = fork.settings_from_env(environ)

    assert (settings.url, settings.block) == ("https://n.example/v2/KEY12345", 19_000_000)
    assert settings.describe() == "fork of https://*** at block 19000000"
    assert fork.settings_from_env({}).url is None


def test_settings_from_env__block_not_a_number__raises_naming_the_variable():
    with pytest.raises(ValueError, match=fork.FORK_BLOCK_ENV):
        fork.settings_from_env({fork.FORK_BLOCK_ENV: "latest"})


def test_scenario__unquoted_hex_address_from_yaml__kept_as_an_address():
    address = "0x87870Bca3F3fD6335C3F4ce8392D69350B4fA4E2"
    s = sc.load("credit_default_ripple", ["venue.kind=aave-v3", f"venue.aave_pool_address={address}",
                                          f"market.existing.stable_feed_address={address}"])

    assert s.venue.aave_pool_address.lower() == address.lower()
    assert s.market.existing.stable_feed_address.lower() == address.lower()


@pytest.mark.parametrize(
    "override, path",
    [("venue.kind=compound", "venue.kind"), ("venue.aave_pool_address='0x1234'", "venue.aave_pool_address"),
     ("market.existing.stable_feed_address=feed", "market.existing.stable_feed_address")],
)
def test_scenario__bad_venue_or_address__error_names_the_field(override, path):
    with pytest.raises(sc.ScenarioError, match=path.replace(".", r"\.")):
        sc.load("credit_default_ripple", [override])


def test_aave_error_codes__names_match_the_v30_artifacts(chain):
    # Errors.sol's public constants, executed from the artifact's runtime code (eth_call override).
    errors = load_artifact("Errors")
    where = "0x" + "e0" * 20
    for code, name in AAVE_ERRORS.items():
        data = "0x" + keccak(text=f"{name}()")[:4].hex()
        answer = chain.provider.make_request(
            "eth_call", [{"to": where, "data": data}, "latest", {where: {"code": errors["deployedBytecode"]}}])
        assert decode(["string"], bytes.fromhex(answer[2:]))[0] == code, name


def test_guarded_spawns__node_processes_never_inherit_a_remembered_secret(monkeypatch):
    """ape starts nodes through `ape.api.providers.popen` and ape-foundry checks `anvil --version`
    through `ape_foundry.provider._call`: after `guard_fork_provider` both hand the child an
    environment without any variable holding the fork URL (even the launcher's first milliseconds,
    before it drops them itself, would show it in /proc/PID/environ)."""
    import subprocess

    import ape.api.providers as ape_providers
    import ape_foundry.provider as foundry_module

    secret = "http://127.0.0.1:1/SPAWNKEY?key=SPAWNKEY"
    fork.remember_secret(secret)
    fork.guard_fork_provider()
    monkeypatch.setenv(fork.FORK_URL_ENV, secret)
    monkeypatch.setenv("WEB3_PROVIDER_URI", secret)
    monkeypatch.setenv("RWA_HARMLESS", "kept")

    child = ape_providers.popen(["env"], stdout=subprocess.PIPE, text=True)
    environment = child.communicate()[0]
    assert "SPAWNKEY" not in environment and "RWA_HARMLESS=kept" in environment
    assert foundry_module._call("sh", "-c", 'case "$RWA_FORK_URL$WEB3_PROVIDER_URI" in *SPAWNKEY*) exit 7;; esac') == 0
