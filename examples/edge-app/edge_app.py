#!/usr/bin/env python3
"""The demo's edge inference application: classifies images with the model the agent assigns.

It follows the local agent's WatchModel stream, loads each assigned ONNX file with onnxruntime
and confirms it with ModelLoaded. It classifies --count images from --images at --rate per
second, logs each prediction with LogInference, and sends the true label --label-delay seconds
later with LogLabels. Logs go to stderr. The last line on stdout is a JSON summary of what the agent
acknowledged, to compare with the server's inference log table.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import logging
import signal
import sys
import threading
import time
from pathlib import Path

import grpc
import numpy as np

import agent_stubs
from agent_client import AgentClient, StopRequested
from inference_log import InferenceLog
from model_watcher import ModelWatcher

log = logging.getLogger("edge-app")

# A schedule more than this far behind is restarted rather than caught up in a burst.
MAX_SCHEDULE_LAG_S = 1.0


def positive_float(text: str) -> float:
    value = float(text)
    if not value > 0:
        raise argparse.ArgumentTypeError(f"{text} is not a number above 0")
    return value


def non_negative_int(text: str) -> int:
    value = int(text)
    if value < 0:
        raise argparse.ArgumentTypeError(f"{text} is negative: pass 0 or more")
    return value


def parse_arguments(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--agent", default="127.0.0.1:7410",
                        help="host:port of the agent's local endpoint (default %(default)s)")
    parser.add_argument("--token-file", type=Path, required=True,
                        help="file with the agent's local token")
    parser.add_argument("--images", type=Path, required=True,
                        help="npz file with float32 `images` [N, features] and `labels` [N], "
                        "such as holdout.npz from scripts/train-model")
    parser.add_argument("--count", type=non_negative_int, default=100,
                        help="number of images to classify (default %(default)s)")
    parser.add_argument("--rate", type=positive_float, default=10.0,
                        help="images classified per second (default %(default)s)")
    parser.add_argument("--label-delay", type=float, default=5.0,
                        help="seconds between logging a record and sending its true label "
                        "(default %(default)s)")
    parser.add_argument("--seed", type=int, default=0,
                        help="seed of the order in which images are picked (default %(default)s)")
    parser.add_argument("--batch-size", type=int, default=16,
                        help="records per LogInference call at most (default %(default)s)")
    parser.add_argument("--flush-interval", type=positive_float, default=1.0,
                        help="seconds a record may wait for its batch to fill "
                        "(default %(default)s)")
    parser.add_argument("--timeout", type=positive_float, default=5.0,
                        help="deadline of each unary call to the agent, in seconds "
                        "(default %(default)s)")
    parser.add_argument("--stubs", type=Path,
                        help="folder with pregenerated edgecat/agent/v1 stubs; generated from "
                        "--proto into a temporary folder when left out")
    parser.add_argument("--proto", type=Path, default=agent_stubs.DEFAULT_PROTO_ROOT,
                        help="proto folder of the repository (default %(default)s)")
    parser.add_argument("--log-level", default="info",
                        choices=["debug", "info", "warning", "error"])
    arguments = parser.parse_args(argv)
    if arguments.label_delay < 0:
        parser.error(f"--label-delay {arguments.label_delay} is negative: pass 0 or more")
    if arguments.batch_size < 1:
        parser.error(f"--batch-size {arguments.batch_size} must be 1 or more")
    return arguments


def load_images(path: Path) -> tuple[np.ndarray, np.ndarray]:
    try:
        with np.load(path) as data:
            images = np.ascontiguousarray(data["images"], dtype=np.float32)
            labels = np.asarray(data["labels"])
    except (OSError, ValueError) as error:
        raise RuntimeError(f"cannot read images from {path}: {error}") from error
    except KeyError as error:
        raise RuntimeError(f"{path} has no array {error}. It needs `images` and `labels`, as "
                           "scripts/train-model writes them") from error
    if images.ndim != 2 or len(images) == 0 or len(images) != len(labels):
        raise RuntimeError(f"{path} has images of shape {images.shape} and {len(labels)} "
                           "labels, but expected [N, features] with N > 0 and N labels")
    return images, labels


def image_order(image_count: int, count: int, seed: int) -> np.ndarray:
    """Return `count` image indices: shuffled passes over all images, each once per pass."""
    rng = np.random.default_rng(seed)
    passes = -(-count // image_count)
    return np.concatenate([rng.permutation(image_count) for _ in range(passes)] or [[]])[:count]


class EdgeApp:
    def __init__(self, arguments: argparse.Namespace, stop: threading.Event) -> None:
        self.arguments = arguments
        self.stop = stop
        self.images, self.labels = load_images(arguments.images)
        agent_pb2, agent_pb2_grpc = agent_stubs.load(arguments.stubs, arguments.proto)
        self.pb2 = agent_pb2
        self.client = AgentClient(arguments.agent, arguments.token_file, agent_pb2,
                                  agent_pb2_grpc, arguments.timeout, stop)
        self.inference_log = InferenceLog(self.client, arguments.batch_size,
                                          arguments.flush_interval, arguments.label_delay)
        self.watcher = ModelWatcher(self.client, self.images.shape[1], stop,
                                    self.inference_log.lock, self.inference_log.flush)
        self.classified = 0
        self.error = ""

    def run(self) -> int:
        """Classify, drain the labels, and return the exit code: 0 unless a fatal error."""
        log.info("edge app started agent=%s images=%d count=%d rate=%.1f", self.arguments.agent,
                 len(self.images), self.arguments.count, self.arguments.rate)
        self.watcher.start()
        try:
            self._classify()
            with self.inference_log.lock:
                self.inference_log.flush()
            self._drain_labels()
        except StopRequested:
            pass
        except grpc.RpcError as error:
            self.error = (f"agent rejected the call with {error.code().name}: {error.details()}. "
                          "Check --token-file and the agent's log")
        if self.watcher.fatal_error is not None and not self.error:
            self.error = self.watcher.fatal_error
        self._shut_down()
        if self.error:
            log.error("edge app failed error=%r", self.error)
        return 1 if self.error else 0

    def _classify(self) -> None:
        interval = 1.0 / self.arguments.rate
        next_at = time.monotonic()
        order = image_order(len(self.images), self.arguments.count, self.arguments.seed)
        for index in order:
            if not self._classify_one(int(index)):
                return
            self.classified += 1
            next_at += interval
            delay = next_at - time.monotonic()
            if delay < -MAX_SCHEDULE_LAG_S:
                next_at = time.monotonic()
            elif delay > 0 and self.stop.wait(delay):
                return

    def _classify_one(self, index: int) -> bool:
        """Classify one image with the current model, or return False when stopping."""
        image = self.images[index]
        while not self.stop.is_set():
            if self.watcher.wait_for_model() is None:
                return False
            with self.inference_log.lock:
                model = self.watcher.current
                if model is None:
                    continue
                timestamp_ms = int(time.time() * 1000)
                prediction = model.classifier.classify(image)
                record = self.pb2.InferenceRecord(
                    timestamp_ms=timestamp_ms, prediction=float(prediction.label),
                    confidence=prediction.confidence, latency_ms=prediction.latency_ms,
                    input_hash=hashlib.sha256(image.tobytes()).hexdigest())
                self.inference_log.add(model.full_name, record, float(self.labels[index]))
                self.inference_log.send_labels()
            return True
        return False

    def _drain_labels(self) -> None:
        while not self.stop.is_set():
            with self.inference_log.lock:
                due = self.inference_log.next_label_due()
                if due is None:
                    return
                self.inference_log.send_labels()
            self.stop.wait(max(0.0, due - time.monotonic()))

    def _shut_down(self) -> None:
        """Send what is still queued once, without retries, and stop the watcher."""
        self.stop.set()
        with self.inference_log.lock:
            try:
                self.inference_log.flush(retry=False)
                self.inference_log.send_labels(everything=True, retry=False)
            except (grpc.RpcError, StopRequested) as error:
                log.error("final send failed error=%r", str(error))
        self.watcher.cancel()
        self.watcher.join(timeout=self.arguments.timeout)
        self.client.close()

    def summary(self, stopped_by_signal: bool) -> dict:
        with self.inference_log.lock:
            summary = self.inference_log.summary()
        summary["classified"] = self.classified
        summary["generations_loaded"] = self.watcher.generations_loaded
        summary["generations_failed"] = self.watcher.generations_failed
        summary["stopped_by_signal"] = stopped_by_signal
        if self.error:
            summary["error"] = self.error
        return summary


def main(argv: list[str] | None = None) -> int:
    arguments = parse_arguments(argv)
    logging.basicConfig(stream=sys.stderr, level=arguments.log_level.upper(),
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    stop = threading.Event()
    signals: list[int] = []

    def request_stop(signum, frame) -> None:
        signals.append(signum)
        log.info("stopping signal=%s", signal.Signals(signum).name)
        stop.set()

    signal.signal(signal.SIGINT, request_stop)
    signal.signal(signal.SIGTERM, request_stop)
    try:
        app = EdgeApp(arguments, stop)
    except RuntimeError as error:
        log.error("edge app cannot start error=%r", str(error))
        return 2
    code = app.run()
    print(json.dumps(app.summary(stopped_by_signal=bool(signals)), sort_keys=True), flush=True)
    return code


if __name__ == "__main__":
    sys.exit(main())
