"""Follows the agent's model assignment and keeps the assigned model loaded."""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import grpc

from agent_client import INITIAL_BACKOFF_S, MAX_BACKOFF_S, AgentClient, StopRequested
from onnx_classifier import ModelLoadError, OnnxClassifier

log = logging.getLogger("edge-app")


@dataclass(frozen=True)
class LoadedModel:
    full_name: str
    version: int
    generation: int
    path: str
    sha256: str
    classifier: OnnxClassifier


class ModelWatcher(threading.Thread):
    """A thread that reads WatchModel, loads each assigned model file and sends ModelLoaded.

    A switch holds `switch_lock` while it calls `before_switch`, confirms the new model with
    ModelLoaded and makes it current. The caller holds the same lock while it classifies and
    logs records, and `before_switch` logs the records of the old model, so every record the
    agent receives after ModelLoaded comes from the new model. A model that fails to load is
    reported with loaded=False and its reason, and the previous model, if any, stays in use.
    A broken stream is reopened with backoff, and an assignment that repeats the loaded model,
    as after an agent restart, is confirmed again without reloading.
    """

    def __init__(self, client: AgentClient, features: int, stop: threading.Event,
                 switch_lock: threading.RLock, before_switch: Callable[[], None]) -> None:
        super().__init__(name="model-watcher", daemon=True)
        self._client = client
        self._features = features
        self._stopping = stop
        self._switch_lock = switch_lock
        self._before_switch = before_switch
        self._lock = threading.Condition()
        self._current: LoadedModel | None = None
        self._call = None
        # Why the thread gave up, or None while it runs.
        self.fatal_error: str | None = None
        self.generations_loaded: list[int] = []
        self.generations_failed: list[int] = []

    @property
    def current(self) -> LoadedModel | None:
        with self._lock:
            return self._current

    def wait_for_model(self) -> LoadedModel | None:
        """Block until a model is loaded, and return None once `stop` is set or the thread
        failed."""
        with self._lock:
            while self._current is None and self.fatal_error is None:
                if self._stopping.is_set():
                    break
                self._lock.wait(timeout=0.2)
            return self._current

    def cancel(self) -> None:
        """End the WatchModel stream so that the thread can exit. Set `stop` first."""
        call = self._call
        if call is not None:
            call.cancel()

    def run(self) -> None:
        backoff = INITIAL_BACKOFF_S
        while not self._stopping.is_set():
            try:
                self._call = self._client.watch_model()
                for assignment in self._call:
                    backoff = INITIAL_BACKOFF_S
                    self._apply(assignment)
                log.warning("WatchModel stream ended, reopening")
            except StopRequested:
                return
            except grpc.RpcError as error:
                if self._stopping.is_set():
                    return
                code = error.code()
                if code == grpc.StatusCode.UNAUTHENTICATED and self._client.reload_token():
                    continue
                if code not in (grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.DEADLINE_EXCEEDED,
                                grpc.StatusCode.CANCELLED):
                    self._fail(f"WatchModel failed: {code.name}: {error.details()}")
                    return
                log.warning("WatchModel failed, reopening status=%s backoff_s=%.1f message=%r",
                            code.name, backoff, error.details())
            except Exception as error:  # A stray failure must not leave the app waiting forever.
                log.exception("model watcher failed")
                self._fail(f"model watcher failed: {error!r}")
                return
            if self._stopping.wait(backoff):
                return
            backoff = min(backoff * 2, MAX_BACKOFF_S)

    def _fail(self, message: str) -> None:
        with self._lock:
            self.fatal_error = message
            self._lock.notify_all()

    def _apply(self, assignment) -> None:
        if not assignment.path:
            log.info("no model assigned yet generation=%d", assignment.generation)
            with self._switch_lock:
                self._before_switch()
                with self._lock:
                    self._current = None
            return
        current = self.current
        if (current is not None and current.generation == assignment.generation
                and current.sha256 == assignment.sha256 and current.path == assignment.path):
            log.info("model assignment repeated, confirming again generation=%d",
                     assignment.generation)
            self._confirm(assignment.generation, True)
            return

        try:
            if assignment.format not in ("", "onnx"):
                raise ModelLoadError(f"model format {assignment.format!r} is not supported: "
                                     "this application runs only ONNX models")
            classifier = OnnxClassifier(Path(assignment.path), assignment.sha256, self._features)
        except ModelLoadError as error:
            log.error("model load failed model=%s version=%d generation=%d error=%r",
                      assignment.model_full_name, assignment.version, assignment.generation,
                      str(error))
            self.generations_failed.append(assignment.generation)
            self._confirm(assignment.generation, False, str(error))
            return
        loaded = LoadedModel(assignment.model_full_name, assignment.version,
                             assignment.generation, assignment.path, assignment.sha256,
                             classifier)
        with self._switch_lock:
            self._before_switch()
            if not self._confirm(assignment.generation, True):
                return
            with self._lock:
                self._current = loaded
                self._lock.notify_all()
        self.generations_loaded.append(assignment.generation)
        log.info("model loaded model=%s version=%d generation=%d path=%s",
                 loaded.full_name, loaded.version, loaded.generation, loaded.path)

    def _confirm(self, generation: int, loaded: bool, message: str = "") -> bool:
        """Send ModelLoaded and return whether the agent accepted it."""
        try:
            self._client.model_loaded(generation, loaded, message)
        except grpc.RpcError as error:
            log.error("ModelLoaded rejected generation=%d loaded=%s status=%s message=%r",
                      generation, loaded, error.code().name, error.details())
            return False
        return True
