"""A stock grpcio client against edgecat-agent's local AgentService, as an inference
application on the device calls it.

The binary comes from EDGECAT_AGENT or .build/debug of this repository. No registry or
telemetry runs: the agent keeps retrying them, and its spool database is seeded with the
model the device runs, as a confirmed load leaves it.
"""

from __future__ import annotations

import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Iterator

import grpc
import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc

import interop_stubs
from test_policy import CHANNEL_OPTIONS, bearer

DEFAULT_BINARY = interop_stubs.REPO_ROOT / ".build" / "debug" / "edgecat-agent"
START_TIMEOUT_S = 30


def _stubs():
    out = Path(tempfile.mkdtemp(prefix="edgecat-agent-stubs-"))
    interop_stubs._protoc(interop_stubs.PROTO_ROOT, out, "edgecat/agent/v1/agent.proto")
    sys.path.insert(0, str(out))
    from edgecat.agent.v1 import agent_pb2, agent_pb2_grpc  # noqa: E402

    return agent_pb2, agent_pb2_grpc


agent_pb2, agent_pb2_grpc = _stubs()


class AgentProcess:
    """edgecat-agent on a kernel-chosen loopback port, with a seeded running model."""

    def __init__(self, folder: Path, relative_data_dir: bool = False) -> None:
        """Starts the agent. With `relative_data_dir` it runs in `folder` with --data-dir
        ./data, as an operator who starts it from its own folder would."""
        binary = Path(os.environ.get("EDGECAT_AGENT", DEFAULT_BINARY)).resolve()
        if not binary.is_file():
            pytest.fail(f"no binary at {binary}; run swift build or set EDGECAT_AGENT",
                        pytrace=False)
        data = folder / "data"
        self._seed(binary, folder, data)
        port_file = folder / "agent.port"
        self.log_path = folder / "agent.log"
        self._log = self.log_path.open("wb")
        self.process = subprocess.Popen(
            [str(binary), "--device-id", "dev-1", "--token-file", str(folder / "device.token"),
             "--listen", "127.0.0.1:0", "--port-file", str(port_file),
             "--data-dir", "./data" if relative_data_dir else str(data),
             "--registry-endpoint", "127.0.0.1:1", "--telemetry-endpoint", "127.0.0.1:1"],
            stdout=subprocess.DEVNULL, stderr=self._log, cwd=folder)
        deadline = time.monotonic() + START_TIMEOUT_S
        while not port_file.exists() or not port_file.read_text().endswith("\n"):
            if time.monotonic() > deadline or self.process.poll() is not None:
                raise RuntimeError(f"edgecat-agent did not start; log:\n{self.log()}")
            time.sleep(0.05)
        self.port = int(port_file.read_text().strip())
        self.token = (data / "local-token").read_text().strip()

    @staticmethod
    def _seed(binary: Path, folder: Path, data: Path) -> None:
        """Starts the agent once to create its database, then records a running model."""
        data.mkdir(parents=True)
        port_file = folder / "seed.port"
        (folder / "device.token").write_text("device-token\n")
        seed = subprocess.Popen(
            [str(binary), "--device-id", "dev-1", "--token-file", str(folder / "device.token"),
             "--listen", "127.0.0.1:0", "--port-file", str(port_file), "--data-dir", str(data),
             "--registry-endpoint", "127.0.0.1:1", "--telemetry-endpoint", "127.0.0.1:1"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + START_TIMEOUT_S
        while not port_file.exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        seed.send_signal(signal.SIGTERM)
        seed.wait(timeout=15)
        with sqlite3.connect(data / "agent.db") as database:
            database.execute(
                "INSERT INTO model_slots (slot, model_full_name, version, sha256, format,"
                " desired_generation) VALUES ('running', 'main.ml.defects', 7, ?, 'onnx', 1)",
                ("c" * 64,))

    def log(self) -> str:
        self._log.flush()
        return self.log_path.read_text(errors="replace")

    def stop(self) -> int:
        self.process.send_signal(signal.SIGTERM)
        code = self.process.wait(timeout=15)
        self._log.close()
        return code


@pytest.fixture(scope="module")
def agent() -> Iterator[AgentProcess]:
    folder = Path(tempfile.mkdtemp(prefix="edgecat-agent-interop-"))
    process = AgentProcess(folder)
    yield process
    assert process.stop() == 0, process.log()
    shutil.rmtree(folder)


@pytest.fixture(scope="module")
def stub(agent: AgentProcess) -> Iterator[agent_pb2_grpc.AgentServiceStub]:
    with grpc.insecure_channel(f"127.0.0.1:{agent.port}", options=CHANNEL_OPTIONS) as channel:
        yield agent_pb2_grpc.AgentServiceStub(channel)


def test_local_token_is_private(agent: AgentProcess) -> None:
    mode = (agent.log_path.parent / "data" / "local-token").stat().st_mode & 0o777
    assert mode == 0o600


def test_calls_need_the_local_token(stub, agent: AgentProcess) -> None:
    request = agent_pb2.LogInferenceRequest(records=[agent_pb2.InferenceRecord(prediction=1)])
    with pytest.raises(grpc.RpcError) as missing:
        stub.LogInference(request, timeout=10)
    assert missing.value.code() == grpc.StatusCode.UNAUTHENTICATED
    with pytest.raises(grpc.RpcError) as wrong:
        stub.LogInference(request, metadata=bearer("not-the-token"), timeout=10)
    assert wrong.value.code() == grpc.StatusCode.UNAUTHENTICATED


def test_log_inference_returns_identity(stub, agent: AgentProcess) -> None:
    records = [agent_pb2.InferenceRecord(prediction=index, confidence=0.9, latency_ms=2.5,
                                         input_hash="ab" * 32) for index in range(3)]
    first = stub.LogInference(agent_pb2.LogInferenceRequest(records=records),
                              metadata=bearer(agent.token), timeout=10)
    second = stub.LogInference(agent_pb2.LogInferenceRequest(records=records[:1]),
                               metadata=bearer(agent.token), timeout=10)
    assert [ack.seq for ack in first.acks] == [1, 2, 3]
    assert second.acks[0].seq == 4
    assert len({ack.epoch for ack in first.acks}) == 1
    assert len(first.acks[0].epoch) == 32
    assert all(ack.model_full_name == "main.ml.defects" for ack in first.acks)
    assert all(ack.model_version == 7 for ack in first.acks)

    labels = stub.LogLabels(
        agent_pb2.LogLabelsRequest(labels=[agent_pb2.Label(epoch=first.acks[1].epoch,
                                                           seq=first.acks[1].seq, label=1)]),
        metadata=bearer(agent.token), timeout=10)
    assert labels.stored == 1


def test_log_inference_rejects_what_telemetry_rejects(stub, agent: AgentProcess) -> None:
    good = agent_pb2.InferenceRecord(prediction=1, confidence=0.5, input_hash="ab" * 32)
    bad = agent_pb2.InferenceRecord(prediction=1, confidence=7, input_hash="zz")
    with pytest.raises(grpc.RpcError) as rejected:
        stub.LogInference(agent_pb2.LogInferenceRequest(records=[good, bad]),
                          metadata=bearer(agent.token), timeout=10)
    assert rejected.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert rejected.value.details().startswith("records[1].confidence 7.0 is out of range")

    # The rejected call stored nothing, so it took no seq.
    before = stub.LogInference(agent_pb2.LogInferenceRequest(records=[good]),
                               metadata=bearer(agent.token), timeout=10)
    with pytest.raises(grpc.RpcError):
        stub.LogInference(agent_pb2.LogInferenceRequest(records=[good, bad]),
                          metadata=bearer(agent.token), timeout=10)
    after = stub.LogInference(agent_pb2.LogInferenceRequest(records=[good]),
                              metadata=bearer(agent.token), timeout=10)
    assert after.acks[0].seq == before.acks[0].seq + 1


def test_watch_model_starts_with_the_running_model(stub, agent: AgentProcess) -> None:
    stream = stub.WatchModel(agent_pb2.WatchModelRequest(), metadata=bearer(agent.token),
                             timeout=10)
    assignment = next(stream)
    stream.cancel()
    assert assignment.model_full_name == "main.ml.defects"
    assert assignment.version == 7
    assert assignment.path.endswith("/models/" + "c" * 64)
    assert assignment.generation >= 1


def test_watch_model_path_absolute_for_relative_data_dir() -> None:
    # The application may run in another folder than the agent, so the path must not depend
    # on the agent's working folder.
    folder = Path(tempfile.mkdtemp(prefix="edgecat-agent-relative-")).resolve()
    process = AgentProcess(folder, relative_data_dir=True)
    try:
        with grpc.insecure_channel(f"127.0.0.1:{process.port}",
                                   options=CHANNEL_OPTIONS) as channel:
            stream = agent_pb2_grpc.AgentServiceStub(channel).WatchModel(
                agent_pb2.WatchModelRequest(), metadata=bearer(process.token), timeout=10)
            assignment = next(stream)
            stream.cancel()
    finally:
        code = process.stop()
    assert code == 0, process.log()
    assert assignment.path == str(folder / "data" / "models" / ("c" * 64))
    shutil.rmtree(folder)


def test_health_reports_serving(agent: AgentProcess) -> None:
    with grpc.insecure_channel(f"127.0.0.1:{agent.port}", options=CHANNEL_OPTIONS) as channel:
        health = health_pb2_grpc.HealthStub(channel)
        response = health.Check(
            health_pb2.HealthCheckRequest(service="edgecat.agent.v1.AgentService"), timeout=10)
    assert response.status == health_pb2.HealthCheckResponse.SERVING
