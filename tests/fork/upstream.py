"""A local stand-in for a mainnet RPC: an anvil on 127.0.0.1 (free port) with chain id 1.

Started and stopped by PID; `--prune-history 256` keeps the last 256 block states in memory, so a
fork can start from a recent block and nothing is written to disk.
"""

from __future__ import annotations

from contextlib import contextmanager
from typing import Iterator

from rwa_testbed.chain import Rpc
from rwa_testbed.node import start_anvil, stop_process

MAINNET_CHAIN_ID = 1
KEPT_STATES = 256
START_TIMEOUT_SECONDS = 60


@contextmanager
def local_upstream(chain_id: int = MAINNET_CHAIN_ID) -> Iterator[str]:
    """Yields the URL of a fresh anvil with `chain_id`; stops exactly that process on exit."""
    process, url = start_anvil("--chain-id", str(chain_id), "--prune-history", str(KEPT_STATES), "--accounts", "1",
                               timeout=START_TIMEOUT_SECONDS)
    try:
        assert int(Rpc(url, timeout=2).call("eth_chainId"), 16) == chain_id
        yield url
    finally:
        stop_process(process)


@contextmanager
def path_proxy(target: str) -> Iterator[str]:
    """Yields `http://127.0.0.1:PORT`, a forwarder to the anvil at `target` that accepts any path and
    query (anvil answers on `/` only; a real provider's key often sits in the path)."""
    import http.client
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
    from urllib.parse import urlsplit

    parts = urlsplit(target)

    class Forward(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 - http.server's name
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=120)
            try:
                conn.request("POST", "/", body, {"Content-Type": "application/json"})
                response = conn.getresponse()
                data = response.read()
            finally:
                conn.close()
            self.send_response(response.status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args):  # silent: request lines hold the path
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Forward)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
