"""A local stand-in for a mainnet RPC: an anvil on 127.0.0.1 (free port) with chain id 1.

Started and stopped by PID; `--prune-history 256` keeps the last 256 block states in memory, so a
fork can start from a recent block and nothing is written to disk.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from rwa_testbed.chain import NodeError, Rpc

MAINNET_CHAIN_ID = 1
KEPT_STATES = 256
START_TIMEOUT_SECONDS = 60


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def anvil_path() -> str:
    launcher = Path(__file__).resolve().parents[2] / "toolchain" / "bin" / "anvil"
    return str(launcher) if launcher.is_file() else (shutil.which("anvil") or "anvil")


@contextmanager
def local_upstream(chain_id: int = MAINNET_CHAIN_ID) -> Iterator[str]:
    """Yields the URL of a fresh anvil with `chain_id`; kills exactly that process on exit."""
    port = free_port()
    cmd = [anvil_path(), "--host", "127.0.0.1", "--port", str(port), "--chain-id", str(chain_id),
           "--prune-history", str(KEPT_STATES), "--accounts", "1", "--silent"]
    process = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + START_TIMEOUT_SECONDS
        while True:
            try:
                if int(Rpc(url, timeout=2).call("eth_chainId"), 16) == chain_id:
                    break
            except (OSError, NodeError):  # not listening yet (Rpc reports a refused connection as NodeError)
                pass
            if process.poll() is not None:
                raise RuntimeError(f"upstream anvil exited: {process.stderr.read().decode()[:500]}")
            if time.monotonic() > deadline:
                raise RuntimeError(f"upstream anvil not answering on {url} after {START_TIMEOUT_SECONDS}s")
            time.sleep(0.1)
        yield url
    finally:
        if process.poll() is None:
            os.kill(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.kill(process.pid, signal.SIGKILL)
                process.wait()


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
