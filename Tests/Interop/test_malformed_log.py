"""h2load sends malformed requests to the echo server, which must reject each with HTTP 400
and log them at warning level only once per connection and interval, so that a client cannot
flood the log."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

from conftest import ServerProcess, target

REQUESTS = 50


@pytest.mark.skipif(target() != "swift", reason="checks the Swift server's log")
@pytest.mark.skipif(shutil.which("h2load") is None, reason="needs h2load (scripts/setup)")
def test_malformed_requests_warned_once_per_connection() -> None:
    server = ServerProcess()
    folder = Path(tempfile.mkdtemp(prefix="edgecat-malformed-"))
    body = folder / "body"
    body.write_bytes(b"\x00\x00\x00\x00\x00")
    try:
        result = subprocess.run(
            ["h2load", "-n", str(REQUESTS), "-c", "1", "-m", "1", "-d", str(body),
             "-H", "content-type: application/grpc", "-H", "te: gzip",
             f"http://{server.address}/grpc.health.v1.Health/Check"],
            capture_output=True, text=True, timeout=60, check=False)
        lines = server.log_tail(100_000).splitlines()
    finally:
        shutil.rmtree(folder)
        assert server.stop() == 0, server.log_tail()
    assert f"status codes: 0 2xx, 0 3xx, {REQUESTS} 4xx" in result.stdout, result.stdout
    # The server runs with --log-level debug, so every rejection has a line.
    rejected = [line for line in lines if "malformed request rejected" in line]
    warnings = [line for line in rejected if " warning " in line]
    assert len(rejected) == REQUESTS, "\n".join(rejected)
    assert len(warnings) == 1, "\n".join(warnings)
