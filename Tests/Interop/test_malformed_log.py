"""h2load sends malformed requests to the echo server, which must reject each with HTTP 400
and log them at warning level only once per connection and interval, so that a client cannot
flood the log."""

from __future__ import annotations

import shutil
import socket
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


@pytest.mark.skipif(target() != "swift", reason="checks the Swift server's log")
def test_protocol_error_logged_as_warning() -> None:
    server = ServerProcess()
    host, port = server.address.rsplit(":", 1)
    try:
        with socket.create_connection((host, int(port)), timeout=10) as connection:
            # The client preface, then a DATA frame on stream 0, which RFC 9113 section 6.1
            # makes a connection error of type PROTOCOL_ERROR.
            connection.sendall(b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n")
            connection.sendall(b"\x00\x00\x00\x04\x00\x00\x00\x00\x00")
            connection.sendall(b"\x00\x00\x01\x00\x00\x00\x00\x00\x00x")
            received = b""
            while True:
                chunk = connection.recv(65536)
                if not chunk:
                    break
                received += chunk
        lines = server.log_tail(100_000).splitlines()
    finally:
        assert server.stop() == 0, server.log_tail()
    # A GOAWAY frame (type 7) with PROTOCOL_ERROR (1) came back before the server closed.
    assert b"\x07\x00\x00\x00\x00\x00" in received
    warnings = [line for line in lines if "connection ended for a protocol error" in line]
    assert len(warnings) == 1, server.log_tail()
    assert "PROTOCOL_ERROR" in warnings[0], warnings[0]
