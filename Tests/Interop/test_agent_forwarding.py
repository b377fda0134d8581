"""edgecat-agent forwarding its spool to a real telemetry service, killed at a crash point.

The agent spools records while its uplink is cut and forwards them once it is restored. The
crash point `before-ack-delete` makes it exit with status 137 right after telemetry
acknowledged a batch and before it deleted that batch from its spool. Started again on the same data folder, it
sends the batch again, and the table must hold every record exactly once.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import grpc

import interop_stubs
from test_agent import DEFAULT_BINARY as AGENT_BINARY
from test_agent import agent_pb2, agent_pb2_grpc
from test_policy import CHANNEL_OPTIONS, bearer
from test_telemetry import TABLE, query, suite, telemetry, stub  # noqa: F401

sys.path.insert(0, str(interop_stubs.REPO_ROOT / "scripts"))
from demolib.link import Uplink  # noqa: E402

DEVICE = "line-1"
RECORDS = 500


class Agent:
    """One edgecat-agent process for DEVICE on a kernel-chosen local port."""

    def __init__(self, folder: Path, telemetry_port: int, crash_point: str | None = None) -> None:
        binary = Path(os.environ.get("EDGECAT_AGENT", AGENT_BINARY))
        port_file = folder / "agent.port"
        port_file.unlink(missing_ok=True)
        environment = dict(os.environ)
        environment.pop("EDGECAT_CRASH_POINT", None)
        if crash_point:
            environment["EDGECAT_CRASH_POINT"] = crash_point
        self.log = open(folder / "agent.log", "ab")
        self.process = subprocess.Popen(
            [str(binary), "--device-id", DEVICE, "--token-file", str(folder / "device.token"),
             "--listen", "127.0.0.1:0", "--port-file", str(port_file),
             "--data-dir", str(folder / "data"), "--registry-endpoint", "127.0.0.1:1",
             "--telemetry-endpoint", f"127.0.0.1:{telemetry_port}", "--batch-records", "100",
             "--heartbeat-interval-ms", "500"],
            stdout=subprocess.DEVNULL, stderr=self.log, env=environment)
        deadline = time.monotonic() + 30
        while not port_file.exists() or not port_file.read_text().endswith("\n"):
            assert self.process.poll() is None, (folder / "agent.log").read_text()
            assert time.monotonic() < deadline, "edgecat-agent did not start"
            time.sleep(0.05)
        self.port = int(port_file.read_text())

    def stop(self) -> int:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        code = self.process.wait(timeout=15)
        self.log.close()
        return code


def seed_running_model(folder: Path) -> None:
    """Creates the agent's database and records a running model, as a confirmed load does."""
    first = Agent(folder, 1)
    assert first.stop() == 0
    with sqlite3.connect(folder / "data" / "agent.db") as database:
        database.execute(
            "INSERT INTO model_slots (slot, model_full_name, version, sha256, format,"
            " desired_generation) VALUES ('running', 'production.ml_models.digits', 1, ?,"
            " 'onnx', 1)", ("c" * 64,))


def stored(stub, admin, epoch: str) -> tuple[int, int]:  # noqa: F811
    _, rows = query(stub, admin, f"SELECT COUNT(*), COUNT(DISTINCT seq) FROM {TABLE}"
                                 f" WHERE device_id = '{DEVICE}' AND epoch = '{epoch}'")
    return rows[0][0], rows[0][1]


def test_agent_crash_after_ack_stores_once(  # noqa: F811
        suite, telemetry, stub, tmp_path) -> None:
    token = dict(suite.device_tokens[DEVICE])["authorization"].split(" ", 1)[1]
    (tmp_path / "device.token").write_text(token + "\n")
    seed_running_model(tmp_path)
    uplink = Uplink(telemetry.port)
    uplink.cut()
    agent = Agent(tmp_path, uplink.port, crash_point="before-ack-delete")
    local = bearer((tmp_path / "data" / "local-token").read_text().strip())
    epochs = set()
    with grpc.insecure_channel(f"127.0.0.1:{agent.port}", options=CHANNEL_OPTIONS) as channel:
        client = agent_pb2_grpc.AgentServiceStub(channel)
        for start in range(0, RECORDS, 100):
            response = client.LogInference(agent_pb2.LogInferenceRequest(records=[
                agent_pb2.InferenceRecord(prediction=float(index % 10), confidence=0.9,
                                          latency_ms=1.5, input_hash=f"{index:064x}")
                for index in range(start, start + 100)]), metadata=local, timeout=10)
            assert len(response.acks) == 100
            epochs |= {ack.epoch for ack in response.acks}
    (epoch,) = epochs
    uplink.restore()
    assert agent.process.wait(timeout=30) == 137
    agent.stop()
    uplink.close()

    restarted = Agent(tmp_path, telemetry.port)
    try:
        deadline = time.monotonic() + 30
        while stored(stub, suite.admin, epoch)[0] < RECORDS and time.monotonic() < deadline:
            time.sleep(0.2)
        time.sleep(1.0)
        count, distinct = stored(stub, suite.admin, epoch)
        assert count == RECORDS
        assert distinct == RECORDS
    finally:
        assert restarted.stop() == 0


def test_agent_with_admin_token_stops(suite, telemetry, tmp_path) -> None:  # noqa: F811
    """An agent given a token that is not its device's stops at its first heartbeat."""
    token = dict(suite.admin)["authorization"].split(" ", 1)[1]
    (tmp_path / "device.token").write_text(token + "\n")
    agent = Agent(tmp_path, telemetry.port)
    code = agent.process.wait(timeout=30)
    agent.stop()
    log = (tmp_path / "agent.log").read_text()
    assert code == 78, log
    assert f"token of device:{DEVICE}" in log
    assert "another principal" in log


def test_agent_with_other_device_token_stops(suite, telemetry, tmp_path) -> None:  # noqa: F811
    """An agent given another device's token stops at its first heartbeat, which is denied."""
    token = dict(suite.device_tokens["store-1"])["authorization"].split(" ", 1)[1]
    (tmp_path / "device.token").write_text(token + "\n")
    agent = Agent(tmp_path, telemetry.port)
    try:
        code = agent.process.wait(timeout=30)
    finally:
        agent.stop()
    log = (tmp_path / "agent.log").read_text()
    assert code == 78, log
    assert f"token of device:{DEVICE}" in log
    assert "telemetry denied the heartbeat" in log
