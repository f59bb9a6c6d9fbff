"""A local anvil for scripts and benchmarks, started and stopped by ape-foundry (our launcher adds
--prune-history), on 127.0.0.1 with a free port."""

from __future__ import annotations

from contextlib import contextmanager
from typing import Iterator


@contextmanager
def local_chain(network: str = "ethereum:local:foundry") -> Iterator[str]:
    """Yields the RPC URI of a fresh local chain; stops it on exit."""
    from ape import networks

    with networks.parse_network_choice(network) as provider:
        yield provider.uri
