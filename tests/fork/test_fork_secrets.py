"""The fork URL is a secret (an API key sits in it): a fork run against a local upstream, with a
marker as its key in the path and the query, under `-v DEBUG`, reachable and unreachable, must not
show the marker in the process list (sampled during the run), its output, or any file under the
project's `.local/` and the run's output folder."""

from __future__ import annotations

import os
import shutil
import subprocess
import threading
import time
from pathlib import Path

import pytest

from rwa_testbed import fork
from rwa_testbed.chain import NodeError, Rpc

from .test_fork_mode import PROJECT, SMALL
from rwa_testbed.node import free_port

from .upstream import local_upstream, path_proxy

MARKER = "SECRETMARKER123"
LEAK = "SECRETMARKER"  # a truncated copy counts too
RPC_CACHE = Path.home() / ".foundry" / "cache" / "rpc"


def rpc_cache_folders() -> set[Path]:
    return {p for p in RPC_CACHE.glob("*/*")} if RPC_CACHE.is_dir() else set()


def files_holding(root: Path, needle: bytes) -> list[str]:
    found = []
    for path in root.rglob("*"):
        try:
            if path.is_file() and needle in path.read_bytes():
                found.append(str(path))
        except OSError:
            pass
    return found


def run_sampling_ps(cmd: list[str], env: dict, timeout: float = 600) -> tuple[subprocess.CompletedProcess, list[str]]:
    """Runs `cmd`; meanwhile samples `ps -eo args` every 0.2 s. Returns the run and every sampled
    process line holding the marker."""
    seen: list[str] = []
    samples = [0]
    anvils = [0]
    stop = threading.Event()

    def sample():
        while not stop.is_set():
            listing = subprocess.run(["ps", "-eo", "pid=,args="], capture_output=True, text=True).stdout
            seen.extend(line for line in listing.splitlines() if LEAK in line)
            for line in listing.splitlines():  # anvil's environment too (the launcher drops the URL)
                pid, _, args = line.strip().partition(" ")
                if "anvil" in args:
                    try:
                        environ = Path(f"/proc/{pid}/environ").read_bytes()
                    except OSError:
                        continue
                    if LEAK.encode() in environ:
                        seen.append(f"environment of {args}")
                    anvils[0] += b"HOME=/tmp/rwa-anvil-home-" in environ  # the fork's anvil
            samples[0] += 1
            stop.wait(0.2)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    try:
        done = subprocess.run(cmd, cwd=PROJECT, env=env, capture_output=True, text=True, timeout=timeout)
    finally:
        stop.set()
        sampler.join()
    assert samples[0] >= 3, "the process list was not sampled during the run"
    run_sampling_ps.anvil_samples = anvils[0]
    return done, seen


def fork_run(url: str, out: Path, *extra: str) -> tuple[subprocess.CompletedProcess, list[str]]:
    env = {k: v for k, v in os.environ.items() if k != "WEB3_PROVIDER_URI"} | {fork.FORK_URL_ENV: url}
    cmd = [shutil.which("ape") or "ape", "run", "crash_scenario", "--network", "ethereum:mainnet-fork:foundry",
           "--out", str(out), "--no-figure", "-v", "DEBUG", *extra,
           *(a for s in SMALL for a in ("--set", s))]
    return run_sampling_ps(cmd, env)


def assert_no_leak(done: subprocess.CompletedProcess, ps_lines: list[str], out: Path) -> None:
    output = done.stdout + done.stderr
    assert LEAK not in output, [line for line in output.splitlines() if LEAK in line][:5]
    assert ps_lines == []
    assert files_holding(PROJECT / ".local", LEAK.encode()) == []
    assert files_holding(out, LEAK.encode()) == []


def test_fork_secret__reachable_upstream_debug_run__marker_nowhere(upstream, tmp_path):
    pin = upstream.chain.block_number()
    caches = rpc_cache_folders()
    with path_proxy(upstream.url) as proxy:
        url = f"{proxy}/{MARKER}?key={MARKER}"

        done, ps_lines = fork_run(url, tmp_path / "out", "--fork-block", str(pin))

    output = done.stdout + done.stderr
    assert done.returncode == 0, fork.redact(output[-3000:], [url])
    assert f"fork of {fork.mask_url(url)} at block {pin}" in output
    assert "anvil_reset" not in output or "jsonRpcUrl" not in output
    assert (tmp_path / "out" / "summary.json").is_file()
    assert run_sampling_ps.anvil_samples > 0  # the forked anvil was seen (and its environment read)
    assert_no_leak(done, ps_lines, tmp_path / "out")
    assert rpc_cache_folders() == caches  # the fork's storage cache went to a temporary HOME


def test_fork_secret__unreachable_upstream__one_masked_error_marker_nowhere(tmp_path):
    url = f"http://127.0.0.1:{free_port()}/{MARKER}?key={MARKER}"  # nothing listens there

    started = time.monotonic()
    done, ps_lines = fork_run(url, tmp_path / "out", "--fork-block", "1")

    assert done.returncode != 0
    assert f"cannot fork {fork.mask_url(url)}" in done.stdout + done.stderr
    assert time.monotonic() - started < 300
    assert_no_leak(done, ps_lines, tmp_path / "out")


def test_switch_to_fork__upstream_unreachable_on_anvil_reset__error_holds_only_the_mask():
    """The other way an upstream fails: anvil itself cannot reach it when switched to the fork."""
    url = f"http://127.0.0.1:{free_port()}/{MARKER}?key={MARKER}"
    with local_upstream(chain_id=31337) as local:  # an unforked anvil, as ape starts it
        with pytest.raises(fork.ForkSwitchError) as raised:
            fork.switch_to_fork(local, url, 1, timeout=120)
    message = str(raised.value)
    assert LEAK not in message and message.startswith(f"cannot fork {fork.mask_url(url)} at block 1: ")
    assert raised.value.__cause__ is None and raised.value.__suppress_context__


def test_fork_provider__upstream_unreachable__masked_error_and_no_anvil_left(networks):
    """ape's fork provider with the URL in its settings (no `WEB3_PROVIDER_URI` check first): anvil
    starts unforked, `anvil_reset` fails, the unforked anvil is stopped, the error holds the mask."""
    from ape_foundry.provider import FoundryForkProvider

    url = f"http://127.0.0.1:{free_port()}/{MARKER}?key={MARKER}"
    network_config = getattr(networks.ethereum.config, "mainnet-fork")
    configured = network_config.upstream_provider
    started: list[FoundryForkProvider] = []
    connect = FoundryForkProvider.connect
    switched: list[str] = []
    switch = fork.switch_to_fork

    def recording_connect(self):
        started.append(self)
        connect(self)

    def recording_switch(local_uri, *args, **kwargs):
        switched.append(local_uri)
        return switch(local_uri, *args, **kwargs)

    settings = {"fork": {"ethereum": {"mainnet": {"upstream_provider": url, "block_number": 1}}}}
    try:
        FoundryForkProvider.connect = recording_connect
        fork.switch_to_fork = recording_switch
        with pytest.raises(fork.ForkSwitchError) as raised:
            with networks.ethereum.mainnet_fork.use_provider("foundry", provider_settings=settings,
                                                             disconnect_after=True):
                pass
    finally:
        FoundryForkProvider.connect = connect
        fork.switch_to_fork = switch
        network_config.upstream_provider = configured
    assert LEAK not in str(raised.value) and f"cannot fork {fork.mask_url(url)}" in str(raised.value)
    assert started and started[0].process is None and len(switched) == 1
    with pytest.raises(NodeError):  # the unforked anvil that was to be switched is gone (connection refused)
        Rpc(switched[0], timeout=5).call("eth_chainId")
