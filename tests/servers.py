"""Start a real server for a test on loopback, and wait until it answers."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


def free_port() -> int:
    """A loopback port nobody listens on now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def running(
    command: list[str], ready_url: str, timeout: float = 120.0, env: dict[str, str] | None = None
) -> Iterator[None]:
    """Run `command` until the block ends; enter once GET `ready_url` succeeds."""
    server = subprocess.Popen(
        command,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**os.environ, **(env or {})},
    )
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                urllib.request.urlopen(ready_url, timeout=2).read()
                break
            except OSError:
                assert server.poll() is None, f"{command[0]} exited"
                assert time.monotonic() < deadline, f"{command[0]} did not start"
                time.sleep(0.2)
        yield
    finally:
        server.terminate()
        server.wait(timeout=30)


@contextmanager
def chroma_server(path: str) -> Iterator[str]:
    """A real `chroma run` on loopback storing under `path`; yields its URL."""
    port = free_port()
    chroma = Path(sys.executable).parent / "chroma"
    command = [str(chroma), "run", "--path", path, "--host", "127.0.0.1", "--port", str(port)]
    url = f"http://127.0.0.1:{port}"
    with running(command, f"{url}/api/v2/heartbeat", env={"ANONYMIZED_TELEMETRY": "False"}):
        yield url


def reset_chroma_server(url: str) -> None:
    """Drop every collection on the server: the next client starts from an empty store."""
    import chromadb

    client = chromadb.HttpClient(host="127.0.0.1", port=int(url.rsplit(":", 1)[1]))
    for collection in client.list_collections():
        client.delete_collection(collection.name)
