"""`policy-search serve` in a child process on a free loopback port, for the scripts that measure or fuzz a live server."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def served(index: Path, env: dict[str, str] | None = None, args: list[str] = (), ready_s: float = 180) -> Iterator[str]:
    """Serve `index` until the block ends; yields the base URL once /readyz answers 200."""
    port = free_port()
    env = dict(os.environ, HF_HUB_OFFLINE="1", POLICY_SEARCH_LOG_LEVEL="WARNING") | (env or {})
    server = subprocess.Popen(
        [sys.executable, "-m", "cli", "serve", "--index", str(index), "--port", str(port), *args],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.time() + ready_s
        while True:
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(f"{base}/readyz", timeout=2).status_code == 200:
                    break
            if server.poll() is not None:
                raise SystemExit(f"server exited: {server.stderr.read().decode()[-2000:]}")
            if time.time() > deadline:
                raise SystemExit(f"server not ready after {ready_s:.0f} s")
            time.sleep(0.5)
        yield base
    finally:
        server.terminate()
        server.wait(timeout=30)
