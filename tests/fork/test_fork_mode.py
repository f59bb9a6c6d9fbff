"""Fork mode against a local upstream (an anvil with chain id 1 standing in for mainnet): ape's
`ethereum:mainnet-fork:foundry` forks it at a pinned block, the scenario runs on the fork against
the upstream's Aave market and USDC feed, and the upstream is left exactly as it was."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from eth_utils import keccak

from rwa_testbed import fork
from rwa_testbed import scenario as sc
from rwa_testbed.chain import FastChain
from rwa_testbed.engine import Engine
from rwa_testbed.deployment import Actors, Setup

from .conftest import BLOCK_TIME, USDC_PRICE, WETH_PRICE, Upstream

SMALL = ["population.borrowers=12", "population.holders=8"]
PROJECT = Path(__file__).resolve().parents[2]


def read(chain: FastChain, contract, fn: str, *args):
    return contract.abi.decode(fn, chain.calls([contract.call(fn, *args)])[0])


def code_hash(chain: FastChain, address: str) -> bytes:
    return keccak(hexstr=chain.rpc.call("eth_getCode", address, "latest"))


def state(up: Upstream, engine_admin: str) -> dict:
    """What the scenario would change if its writes reached the upstream."""
    acl = up.chain.rpc.call("eth_call", {"to": up.pool.address, "data": "0x0542975c"}, "latest")  # ADDRESSES_PROVIDER()
    return {
        "block": up.chain.block_number(),
        "reserves": read(up.chain, up.pool, "getReservesList"),
        "usdc_feed_code": code_hash(up.chain, up.usdc_feed.address),
        "usdc_answer": read(up.chain, up.usdc_feed, "latestRoundData"),
        "weth_answer": read(up.chain, up.weth_feed, "latestAnswer"),
        "admin_nonce": up.chain.rpc.call("eth_getTransactionCount", up.admin.address, "latest"),
        "engine_admin_balance": up.chain.rpc.call("eth_getBalance", engine_admin, "latest"),
        "provider": acl,
    }


def move_upstream_on(up: Upstream) -> None:
    """A transaction after the pinned block: the WETH feed drops to 2,500 USD upstream."""
    setup = Setup(up.chain, up.chain.timestamp(), BLOCK_TIME)
    setup.mine([up.weth_feed.tx(up.admin, "setAnswer", 2_500 * 10**8, agent="upstream")])


@pytest.fixture
def mainnet_fork(networks):
    """Connects ape's `ethereum:mainnet-fork:foundry` to an upstream URL at a block, through the
    provider settings that `ape-config.yaml`'s `foundry: fork:` section would hold."""
    network_config = getattr(networks.ethereum.config, "mainnet-fork")
    configured = network_config.upstream_provider  # ape-foundry writes the ad-hoc upstream here

    def connect(url: str, block: int):
        settings = {"fork": {"ethereum": {"mainnet": {"upstream_provider": url, "block_number": block}}}}
        return networks.ethereum.mainnet_fork.use_provider("foundry", provider_settings=settings,
                                                           disconnect_after=True)

    yield connect
    network_config.upstream_provider = configured


def test_fork__existing_aave_pool_and_usdc_feed__reads_upstream_at_the_pin_and_leaves_it_unchanged(
        upstream, mainnet_fork):
    pin = upstream.chain.block_number()
    move_upstream_on(upstream)
    scenario = sc.load("credit_default_ripple", [
        *SMALL, "venue.kind=aave-v3", f"venue.aave_pool_address={upstream.pool.address}",
        f"market.existing.stable_feed_address={upstream.usdc_feed.address}"])
    engine_admin = Actors.derive(scenario).admin.address
    before = state(upstream, engine_admin)

    with mainnet_fork(upstream.url, pin) as provider:
        on_fork = FastChain(provider.uri)
        # The fork reads the upstream's state as of the pinned block.
        assert on_fork.chain_id == 1
        assert list(read(on_fork, upstream.pool, "getReservesList")[0]) == [upstream.weth.address.lower()]
        assert read(on_fork, upstream.weth_feed, "latestAnswer")[0] == WETH_PRICE  # not the later 2,500
        assert code_hash(on_fork, upstream.usdc_feed.address) == before["usdc_feed_code"]

        result = Engine(scenario, provider.uri).run()

        # The run used the upstream's market: our two reserves listed beside its WETH.
        assert result.summary["liquidations"]["count"] > 0
        reserves = read(on_fork, upstream.pool, "getReservesList")[0]
        assert len(reserves) == 3 and reserves[0] == upstream.weth.address.lower()
        # The USDC feed was taken over on the fork, starting from the upstream's answer.
        assert code_hash(on_fork, upstream.usdc_feed.address) != before["usdc_feed_code"]
        assert result.timeseries[0]["stable_price_usd"] == USDC_PRICE / 10**8

    # Nothing reached the upstream: same block, same reserves, same feed code and answers.
    assert state(upstream, engine_admin) == before
    assert before["weth_answer"] == (2_500 * 10**8,)


def test_crash_scenario_cli__mainnet_fork__upstream_from_env_key_masked_block_pinned(upstream, tmp_path):
    url = f"{upstream.url}/?key=SECRETKEY123"  # anvil ignores the query; a real provider's key sits there
    pin = upstream.chain.block_number()
    env = {k: v for k, v in os.environ.items() if k != "WEB3_PROVIDER_URI"} | {fork.FORK_URL_ENV: url}
    before = upstream.chain.block_number()
    cmd = [shutil.which("ape") or "ape", "run", "crash_scenario", "--network", "ethereum:mainnet-fork:foundry",
           "--fork-block", str(pin), "--venue", "both", "--out", str(tmp_path), "--no-figure", *(
               a for s in [*SMALL, f"venue.aave_pool_address={upstream.pool.address}"] for a in ("--set", s))]

    done = subprocess.run(cmd, cwd=PROJECT, env=env, capture_output=True, text=True, timeout=600)

    output = done.stdout + done.stderr
    assert done.returncode == 0, output[-3000:]
    assert "SECRETKEY123" not in output
    assert f"fork of {fork.mask_url(url)} at block {pin}" in output
    comparison = json.loads((tmp_path / "comparison.json").read_text())
    counts = comparison["metrics"]["liquidations.count"]
    assert counts["aave-v3"] == counts["ours"] > 0
    assert upstream.chain.block_number() == before
