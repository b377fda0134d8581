"""scripts/train-model and examples/edge-app/edge_app.py.

The edge app runs as a subprocess against FakeAgent, an in-process grpcio server of the agent's
local AgentService on 127.0.0.1. FakeAgent stores what it receives, numbers records with one
epoch, and stamps each record with the version of the last model confirmed with ModelLoaded.
"""

from __future__ import annotations

import hashlib
import json
import signal
import subprocess
import sys
import tempfile
import threading
import time
from concurrent import futures
from pathlib import Path
from typing import Callable, Iterator

import grpc
import numpy as np
import onnxruntime
import pytest

import interop_stubs

TRAIN_MODEL = interop_stubs.REPO_ROOT / "scripts" / "train-model"
EDGE_APP = interop_stubs.REPO_ROOT / "examples" / "edge-app" / "edge_app.py"
MODEL_NAME = "production.ml_models.edge_detector"
TOKEN = "local-token-for-tests"
EPOCH = "5f0c6a1e9b2d4c7a"
APP_TIMEOUT_S = 60
WAIT_TIMEOUT_S = 20


def _agent_stubs() -> tuple[Path, object, object]:
    out = Path(tempfile.mkdtemp(prefix="edgecat-agent-stubs-"))
    interop_stubs._protoc(interop_stubs.PROTO_ROOT, out, "edgecat/agent/v1/agent.proto")
    sys.path.insert(0, str(out))
    from edgecat.agent.v1 import agent_pb2, agent_pb2_grpc  # noqa: E402

    return out, agent_pb2, agent_pb2_grpc


STUBS_DIR, agent_pb2, agent_pb2_grpc = _agent_stubs()


class FakeAgent(agent_pb2_grpc.AgentServiceServicer):
    """AgentService as the edge agent serves it, keeping everything in memory.

    `fail_log_inference` maps a 1-based LogInference call number to the status that call gets
    instead of storing its records. `on_records` runs after each stored batch and
    `on_model_loaded` after each ModelLoaded, both with the lock held.
    """

    def __init__(self) -> None:
        self.lock = threading.Condition()
        self.assignment = agent_pb2.ModelAssignment()
        self.versions_by_generation: dict[int, int] = {}
        self.running_version = 0
        self.records: list[tuple[str, int, int, object]] = []
        self.labels: list[object] = []
        self.model_loaded: list[object] = []
        self.log_inference_calls = 0
        self.rejected_records = 0
        self.fail_log_inference: dict[int, grpc.StatusCode] = {}
        self.on_records: Callable[[], None] = lambda: None
        self.on_model_loaded: Callable[[object], None] = lambda request: None

    def assign(self, path: Path, version: int, generation: int, model_format: str = "onnx"
               ) -> None:
        with self.lock:
            self.assignment = agent_pb2.ModelAssignment(
                model_full_name=MODEL_NAME, version=version, path=str(path),
                sha256=hashlib.sha256(path.read_bytes()).hexdigest(), format=model_format,
                generation=generation)
            self.versions_by_generation[generation] = version
            self.lock.notify_all()

    def _authorize(self, context: grpc.ServicerContext) -> None:
        metadata = dict(context.invocation_metadata())
        if metadata.get("authorization") != f"Bearer {TOKEN}":
            context.abort(grpc.StatusCode.UNAUTHENTICATED, "invalid local token")

    def LogInference(self, request, context):
        self._authorize(context)
        with self.lock:
            self.log_inference_calls += 1
            failure = self.fail_log_inference.get(self.log_inference_calls)
            if failure is not None:
                self.rejected_records += len(request.records)
                context.abort(failure, "spool is full")
            acks = []
            for record in request.records:
                seq = len(self.records) + 1
                self.records.append((EPOCH, seq, self.running_version, record))
                acks.append(agent_pb2.InferenceAck(epoch=EPOCH, seq=seq,
                                                   model_full_name=MODEL_NAME,
                                                   model_version=self.running_version))
            self.on_records()
            self.lock.notify_all()
            return agent_pb2.LogInferenceResponse(acks=acks)

    def LogLabels(self, request, context):
        self._authorize(context)
        with self.lock:
            self.labels.extend(request.labels)
            self.lock.notify_all()
            return agent_pb2.LogLabelsResponse(stored=len(request.labels))

    def WatchModel(self, request, context):
        self._authorize(context)
        sent = None
        while context.is_active():
            with self.lock:
                if sent is self.assignment:
                    self.lock.wait(timeout=0.05)
                    continue
                sent = self.assignment
            yield sent

    def ModelLoaded(self, request, context):
        self._authorize(context)
        with self.lock:
            self.model_loaded.append(request)
            if request.loaded:
                self.running_version = self.versions_by_generation[request.generation]
            self.on_model_loaded(request)
            self.lock.notify_all()
        return agent_pb2.ModelLoadedResponse()

    def wait_for(self, condition: Callable[[], bool]) -> None:
        deadline = time.monotonic() + WAIT_TIMEOUT_S
        with self.lock:
            while not condition():
                remaining = deadline - time.monotonic()
                assert remaining > 0, "fake agent waited too long for the edge app"
                self.lock.wait(timeout=remaining)


class AgentServer:
    """A grpcio server for one FakeAgent on a loopback port, which `restart` keeps."""

    def __init__(self, agent: FakeAgent) -> None:
        self.agent = agent
        self.port = 0
        self._start()

    def _start(self) -> None:
        self.server = grpc.server(futures.ThreadPoolExecutor(max_workers=8))
        agent_pb2_grpc.add_AgentServiceServicer_to_server(self.agent, self.server)
        self.port = self.server.add_insecure_port(f"127.0.0.1:{self.port}")
        self.server.start()

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    def restart(self, down_s: float) -> None:
        self.server.stop(grace=None).wait()
        time.sleep(down_s)
        self._start()

    def stop(self) -> None:
        self.server.stop(grace=None).wait()


@pytest.fixture(scope="module")
def trained(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("trained")
    result = subprocess.run([sys.executable, str(TRAIN_MODEL), str(out)], capture_output=True,
                            text=True, timeout=APP_TIMEOUT_S)
    assert result.returncode == 0, result.stderr
    return out


@pytest.fixture(scope="module")
def holdout(trained: Path) -> tuple[np.ndarray, np.ndarray]:
    with np.load(trained / "holdout.npz") as data:
        return data["images"], data["labels"]


@pytest.fixture
def agent() -> Iterator[AgentServer]:
    server = AgentServer(FakeAgent())
    yield server
    server.stop()


@pytest.fixture
def token_file(tmp_path: Path) -> Path:
    path = tmp_path / "token"
    path.write_text(TOKEN + "\n")
    path.chmod(0o600)
    return path


def session(path: Path) -> onnxruntime.InferenceSession:
    return onnxruntime.InferenceSession(str(path), providers=["CPUExecutionProvider"])


def start_app(agent: AgentServer, token_file: Path, trained: Path, *extra: str,
              stubs: bool = True) -> subprocess.Popen:
    command = [sys.executable, str(EDGE_APP), "--agent", agent.address,
               "--token-file", str(token_file), "--images", str(trained / "holdout.npz"),
               "--seed", "3", "--batch-size", "8", "--flush-interval", "0.2",
               "--timeout", "2", *extra]
    if stubs:
        command += ["--stubs", str(STUBS_DIR)]
    return subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def finish(process: subprocess.Popen) -> tuple[int, dict, str]:
    """Wait for the app; return its exit code, the JSON summary on stdout, and its log."""
    stdout, stderr = process.communicate(timeout=APP_TIMEOUT_S)
    lines = stdout.strip().splitlines()
    assert lines, f"edge app printed no summary; log:\n{stderr}"
    return process.returncode, json.loads(lines[-1]), stderr


def run_app(agent: AgentServer, token_file: Path, trained: Path, *extra: str,
            stubs: bool = True) -> tuple[int, dict, str]:
    return finish(start_app(agent, token_file, trained, *extra, stubs=stubs))


def counts_by_version(fake: FakeAgent) -> dict[int, int]:
    counts: dict[int, int] = {}
    for _, _, version, _ in fake.records:
        counts[version] = counts.get(version, 0) + 1
    return counts


def summary_by_version(summary: dict) -> dict[int, int]:
    return {entry["model_version"]: entry["records_ok"] for entry in summary["models"]}


def test_train_model_accuracies(trained: Path, holdout) -> None:
    manifest = json.loads((trained / "manifest.json").read_text())
    images, labels = holdout
    assert len(images) == manifest["holdout_images"]
    assert manifest["models"]["champion"]["accuracy"] > 0.95
    assert manifest["models"]["challenger"]["accuracy"] < 0.90
    for name in ("champion", "challenger"):
        predicted = session(trained / f"{name}.onnx").run(["label"], {"input": images})[0]
        onnx_accuracy = float(np.mean(predicted == labels))
        assert onnx_accuracy == manifest["models"][name]["accuracy"], name


def test_train_model_outputs(trained: Path, holdout) -> None:
    images, labels = holdout
    assert images.dtype == np.float32
    assert images.shape == (len(labels), 64)
    assert sorted(set(labels.tolist())) == list(range(10))
    for name in ("champion", "challenger"):
        model = session(trained / f"{name}.onnx")
        signature = json.loads((trained / f"{name}.signature.json").read_text())
        assert signature["inputs"] == [{"name": "input", "type": "float32", "shape": [-1, 64]}]
        assert signature["outputs"] == [
            {"name": "label", "type": "int64", "shape": [-1]},
            {"name": "probabilities", "type": "float32", "shape": [-1, 10]}]
        assert [node.name for node in model.get_outputs()] == ["label", "probabilities"]
        probabilities = model.run(["probabilities"], {"input": images[:5]})[0]
        assert probabilities.shape == (5, 10)
        assert np.allclose(probabilities.sum(axis=1), 1.0, atol=1e-5)
    rows = (trained / "training-data.csv").read_text().splitlines()
    assert len(rows) == 1 + 1797
    assert rows[0].startswith("sample_id,split,label,in_champion,in_challenger,pixel_0,")
    assert sum(row.split(",")[1] == "holdout" for row in rows[1:]) == len(labels)


def test_train_model_deterministic(trained: Path, tmp_path: Path) -> None:
    result = subprocess.run([sys.executable, str(TRAIN_MODEL), str(tmp_path)],
                            capture_output=True, text=True, timeout=APP_TIMEOUT_S)
    assert result.returncode == 0, result.stderr
    for name in ("champion.onnx", "challenger.onnx", "holdout.npz", "training-data.csv"):
        assert (tmp_path / name).read_bytes() == (trained / name).read_bytes(), name


def test_edge_app_logs_records_and_labels(agent, token_file, trained, holdout) -> None:
    fake = agent.agent
    fake.assign(trained / "champion.onnx", version=3, generation=1)
    images, labels = holdout
    label_by_hash = {hashlib.sha256(image.tobytes()).hexdigest(): int(label)
                     for image, label in zip(images, labels)}
    probabilities_by_hash = dict(zip(
        (hashlib.sha256(image.tobytes()).hexdigest() for image in images),
        session(trained / "champion.onnx").run(["probabilities"], {"input": images})[0]))
    started_ms = int(time.time() * 1000)

    code, summary, log = run_app(agent, token_file, trained, "--count", "60", "--rate", "300",
                                 "--label-delay", "0.2", stubs=False)

    finished_ms = int(time.time() * 1000)
    assert code == 0, log
    assert [(request.generation, request.loaded) for request in fake.model_loaded] == [(1, True)]
    assert summary["classified"] == 60
    assert summary["records_ok"] == len(fake.records) == 60
    assert summary["labels_ok"] == len(fake.labels) == 60
    assert summary["rejected"] == 0
    assert summary_by_version(summary) == {3: 60}
    for _, _, version, record in fake.records:
        assert version == 3
        assert started_ms <= record.timestamp_ms <= finished_ms
        assert record.prediction in range(10)
        assert record.input_hash in label_by_hash
        expected = probabilities_by_hash[record.input_hash]
        assert record.prediction == int(np.argmax(expected))
        assert record.HasField("confidence")
        assert record.confidence == pytest.approx(float(np.max(expected)), abs=1e-6)
        assert record.latency_ms > 0
        assert not record.HasField("label")
    records_by_seq = {seq: record for _, seq, _, record in fake.records}
    assert sorted(label.seq for label in fake.labels) == sorted(records_by_seq)
    for label in fake.labels:
        assert label.epoch == EPOCH
        assert label.label == label_by_hash[records_by_seq[label.seq].input_hash]
    correct = sum(label.label == records_by_seq[label.seq].prediction for label in fake.labels)
    assert summary["models"][0]["correct"] == correct


def test_edge_app_switches_model(agent, token_file, trained, holdout) -> None:
    fake = agent.agent
    fake.assign(trained / "champion.onnx", version=1, generation=1)

    def switch_to_challenger() -> None:
        if len(fake.records) >= 24 and fake.assignment.generation == 1:
            fake.assign(trained / "challenger.onnx", version=2, generation=2)

    fake.on_records = switch_to_challenger
    images, _ = holdout
    hashes = [hashlib.sha256(image.tobytes()).hexdigest() for image in images]
    predictions = {
        version: dict(zip(hashes, session(trained / name).run(["label"], {"input": images})[0]))
        for version, name in ((1, "champion.onnx"), (2, "challenger.onnx"))}

    code, summary, log = run_app(agent, token_file, trained, "--count", "80", "--rate", "200",
                                 "--label-delay", "0.1")

    assert code == 0, log
    assert [(request.generation, request.loaded) for request in fake.model_loaded] == [
        (1, True), (2, True)]
    assert summary["generations_loaded"] == [1, 2]
    assert summary_by_version(summary) == counts_by_version(fake)
    assert counts_by_version(fake)[2] > 0
    assert summary["records_ok"] == 80
    for _, _, version, record in fake.records:
        assert record.prediction == predictions[version][record.input_hash], version


@pytest.mark.parametrize(("content", "model_format", "reason"), [
    (b"not an onnx model", "onnx", "broken.onnx"),
    (None, "tflite", "'tflite' is not supported"),
])
def test_edge_app_reports_load_failure(agent, token_file, trained, tmp_path, content,
                                       model_format, reason) -> None:
    fake = agent.agent
    broken = tmp_path / "broken.onnx"
    broken.write_bytes(content or (trained / "champion.onnx").read_bytes())
    fake.assign(broken, version=5, generation=1, model_format=model_format)

    def fall_back(request) -> None:
        if not request.loaded:
            fake.assign(trained / "champion.onnx", version=4, generation=2)

    fake.on_model_loaded = fall_back

    code, summary, log = run_app(agent, token_file, trained, "--count", "20", "--rate", "200",
                                 "--label-delay", "0")

    assert code == 0, log
    first, second = fake.model_loaded
    assert (first.generation, first.loaded) == (1, False)
    assert reason in first.message
    assert (second.generation, second.loaded) == (2, True)
    assert summary["generations_failed"] == [1]
    assert summary_by_version(summary) == {4: 20}


def test_edge_app_counts_rejected_batches(agent, token_file, trained) -> None:
    fake = agent.agent
    fake.assign(trained / "champion.onnx", version=1, generation=1)
    fake.fail_log_inference = {2: grpc.StatusCode.RESOURCE_EXHAUSTED,
                               3: grpc.StatusCode.RESOURCE_EXHAUSTED}

    code, summary, log = run_app(agent, token_file, trained, "--count", "40", "--rate", "400",
                                 "--label-delay", "0", "--flush-interval", "30")

    assert code == 0, log
    assert fake.rejected_records == 16
    assert summary["rejected"] == 16
    assert summary["rejected_by_status"] == {"RESOURCE_EXHAUSTED": 16}
    assert summary["records_ok"] == len(fake.records) == 24
    assert summary["labels_ok"] == len(fake.labels) == 24


def test_edge_app_survives_agent_restart(agent, token_file, trained) -> None:
    fake = agent.agent
    fake.assign(trained / "champion.onnx", version=1, generation=1)
    process = start_app(agent, token_file, trained, "--count", "150", "--rate", "100",
                        "--label-delay", "0.1")
    fake.wait_for(lambda: len(fake.records) >= 16)

    agent.restart(down_s=0.5)
    code, summary, log = finish(process)

    assert code == 0, log
    assert summary["records_ok"] == 150
    distinct = {(record.timestamp_ms, record.input_hash) for _, _, _, record in fake.records}
    # A batch stored just before the restart whose response was lost is stored again on retry.
    assert len(distinct) == 150
    assert summary["labels_ok"] == 150
    assert [request.generation for request in fake.model_loaded] == [1, 1]


def test_edge_app_stops_on_sigterm(agent, token_file, trained) -> None:
    fake = agent.agent
    fake.assign(trained / "champion.onnx", version=1, generation=1)
    process = start_app(agent, token_file, trained, "--count", "100000", "--rate", "200",
                        "--label-delay", "30")
    fake.wait_for(lambda: len(fake.records) >= 24)

    process.send_signal(signal.SIGTERM)
    code, summary, log = finish(process)

    assert code == 0, log
    assert summary["stopped_by_signal"] is True
    assert summary["records_ok"] == len(fake.records)
    assert summary["labels_ok"] == len(fake.labels) == summary["records_ok"]
    assert summary["classified"] == summary["records_ok"]


def test_edge_app_rejected_token(agent, tmp_path, trained) -> None:
    agent.agent.assign(trained / "champion.onnx", version=1, generation=1)
    wrong = tmp_path / "token"
    wrong.write_text("not-the-token\n")

    code, summary, log = run_app(agent, wrong, trained, "--count", "5")

    assert code == 1
    assert "UNAUTHENTICATED" in summary["error"]
    assert summary["records_ok"] == 0
