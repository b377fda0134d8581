"""An ONNX classifier run with onnxruntime, one image at a time."""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import onnxruntime

LABEL_OUTPUT = "label"
PROBABILITIES_OUTPUT = "probabilities"


class ModelLoadError(Exception):
    """The model file is missing, does not match its SHA-256, or is not a usable classifier."""


@dataclass(frozen=True)
class Prediction:
    label: int
    # Probability of the predicted class, from 0 to 1.
    confidence: float
    # Wall time of the onnxruntime call alone, in milliseconds.
    latency_ms: float


class OnnxClassifier:
    """A classifier with one float32 input [N, features] and the outputs `label` [N] and
    `probabilities` [N, classes], as skl2onnx writes them without a ZipMap."""

    def __init__(self, path: Path, expected_sha256: str, features: int) -> None:
        try:
            artifact = path.read_bytes()
        except OSError as error:
            raise ModelLoadError(f"cannot read model file {path}: {error.strerror}") from error
        digest = hashlib.sha256(artifact).hexdigest()
        if expected_sha256 and digest != expected_sha256.lower():
            raise ModelLoadError(f"model file {path} has SHA-256 {digest}, expected "
                                 f"{expected_sha256}")

        options = onnxruntime.SessionOptions()
        # One thread per application: an edge device runs the agent and other work beside it.
        options.intra_op_num_threads = 1
        options.inter_op_num_threads = 1
        try:
            self._session = onnxruntime.InferenceSession(
                artifact, options, providers=["CPUExecutionProvider"])
        except Exception as error:  # onnxruntime raises its own classes for bad models.
            raise ModelLoadError(f"onnxruntime cannot load {path}: {error}") from error
        self._input_name = self._check_input(features)
        self._check_outputs()

        # A first run proves the graph executes and keeps its set-up cost out of the latencies.
        self.classify(np.zeros(features, dtype=np.float32))

    def _check_input(self, features: int) -> str:
        inputs = self._session.get_inputs()
        if len(inputs) != 1:
            raise ModelLoadError(f"model has {len(inputs)} inputs, expected 1")
        node = inputs[0]
        if node.type != "tensor(float)" or len(node.shape) != 2:
            raise ModelLoadError(f"model input {node.name} is {node.type} {node.shape}, "
                                 f"expected tensor(float) [N, {features}]")
        if isinstance(node.shape[1], int) and node.shape[1] != features:
            raise ModelLoadError(f"model input {node.name} has {node.shape[1]} features, but "
                                 f"the images have {features}")
        return node.name

    def _check_outputs(self) -> None:
        names = [node.name for node in self._session.get_outputs()]
        for expected_name in (LABEL_OUTPUT, PROBABILITIES_OUTPUT):
            if expected_name not in names:
                raise ModelLoadError(f"model has no output named {expected_name} (outputs: "
                                     f"{', '.join(names)}). Export it with skl2onnx and "
                                     "zipmap=False")

    def classify(self, image: np.ndarray) -> Prediction:
        batch = image.reshape(1, -1)
        started = time.perf_counter()
        labels, probabilities = self._session.run(
            [LABEL_OUTPUT, PROBABILITIES_OUTPUT], {self._input_name: batch})
        latency_ms = (time.perf_counter() - started) * 1000.0
        # The predicted class is the one with the highest probability, so its probability is
        # the row's maximum.
        return Prediction(label=int(labels[0]), confidence=float(np.max(probabilities[0])),
                          latency_ms=latency_ms)
