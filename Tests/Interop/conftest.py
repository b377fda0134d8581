"""Starts the echo server under test and hands out channels to it.

EDGECAT_INTEROP_TARGET picks the server:
  swift  (default) the binary at EDGECAT_ECHO_SERVER, or .build/debug/edgecat-echo-server
  python           Tests/Interop/echo_server.py, the grpcio reference, which checks the tests
Every server binds 127.0.0.1 on a port the kernel picks and reports it through --port-file.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Iterator

import grpc
import pytest

import interop_stubs

HERE = Path(__file__).resolve().parent
DEFAULT_BINARY = interop_stubs.REPO_ROOT / ".build" / "debug" / "edgecat-echo-server"
PYTHON_SERVER = HERE / "echo_server.py"
START_TIMEOUT_S = 30.0
STOP_TIMEOUT_S = 10.0
# grpc core routes through http_proxy when it is set; every call here stays on loopback.
CHANNEL_OPTIONS = [("grpc.enable_http_proxy", 0)]


def target() -> str:
    return os.environ.get("EDGECAT_INTEROP_TARGET", "swift")


def server_command(port_file: Path) -> list[str]:
    if target() == "python":
        return [sys.executable, str(PYTHON_SERVER), "--port-file", str(port_file)]
    if target() != "swift":
        raise pytest.UsageError(f"EDGECAT_INTEROP_TARGET must be swift or python, not {target()}")
    binary = Path(os.environ.get("EDGECAT_ECHO_SERVER", DEFAULT_BINARY))
    if not binary.is_file():
        pytest.fail(f"no echo server binary at {binary}; run swift build or set "
                    "EDGECAT_ECHO_SERVER", pytrace=False)
    return [str(binary), "--listen", "127.0.0.1:0", "--port-file", str(port_file),
            "--log-level", "debug"]


class ServerProcess:
    """One running echo server, its port and its stderr log."""

    def __init__(self) -> None:
        self.dir = Path(tempfile.mkdtemp(prefix="edgecat-interop-"))
        self.port_file = self.dir / "port"
        self.log_path = self.dir / "server.log"
        self._log = self.log_path.open("wb")
        self.process = subprocess.Popen(
            server_command(self.port_file), stdin=subprocess.DEVNULL,
            stdout=self._log, stderr=subprocess.STDOUT)
        self.port = self._wait_for_port()
        self.address = f"127.0.0.1:{self.port}"

    def _wait_for_port(self) -> int:
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"echo server exited with {self.process.returncode} before "
                                   f"listening; log:\n{self.log_tail()}")
            text = self.port_file.read_text() if self.port_file.exists() else ""
            if text.endswith("\n"):
                return int(text)
            time.sleep(0.02)
        self.process.kill()
        raise RuntimeError(f"no port file within {START_TIMEOUT_S}s; log:\n{self.log_tail()}")

    def log_tail(self, lines: int = 40) -> str:
        self._log.flush()
        text = self.log_path.read_text(errors="replace")
        return "\n".join(text.splitlines()[-lines:])

    def channel(self) -> grpc.Channel:
        return grpc.insecure_channel(self.address, options=CHANNEL_OPTIONS)

    def stop(self, signum: int = signal.SIGTERM) -> int | None:
        """Signal the server and return its exit code, or None when it did not exit."""
        if self.process.poll() is None:
            self.process.send_signal(signum)
        return self.wait()

    def wait(self) -> int | None:
        """Wait for the server to exit and return its exit code, or None when it did not exit.

        The temporary folder is removed when the server exits with 0, and kept with its log
        otherwise. A server that has not exited within STOP_TIMEOUT_S is killed.
        """
        try:
            code: int | None = self.process.wait(timeout=STOP_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
            code = None
        self._log.close()
        if code == 0:
            shutil.rmtree(self.dir, ignore_errors=True)
        return code


@pytest.fixture(scope="session")
def stubs() -> interop_stubs.Stubs:
    return interop_stubs.load()


@pytest.fixture(scope="module")
def server() -> Iterator[ServerProcess]:
    process = ServerProcess()
    yield process
    process.stop()


@pytest.fixture(scope="module")
def channel(server: ServerProcess) -> Iterator[grpc.Channel]:
    with server.channel() as opened:
        yield opened


@pytest.fixture(scope="module")
def echo(channel: grpc.Channel, stubs: interop_stubs.Stubs):
    return stubs.echo_pb2_grpc.EchoServiceStub(channel)


def pytest_sessionstart(session: pytest.Session) -> None:
    """Stop the run once, before any test, when the server binary under test is missing."""
    if target() != "swift":
        return
    binary = Path(os.environ.get("EDGECAT_ECHO_SERVER", DEFAULT_BINARY))
    if not binary.is_file():
        pytest.exit(f"no echo server binary at {binary}: run swift build or set "
                    "EDGECAT_ECHO_SERVER (or EDGECAT_INTEROP_TARGET=python)", returncode=1)


def pytest_report_header() -> str:
    return f"edgecat interop target: {target()}"
