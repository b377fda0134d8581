"""A client of the edge agent's local AgentService that authenticates and retries."""

from __future__ import annotations

import logging
import threading
from pathlib import Path
from types import ModuleType

import grpc

log = logging.getLogger("edge-app")

# Codes that mean the agent is restarting or busy, so the same call can succeed later.
RETRYABLE_CODES = frozenset({grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.DEADLINE_EXCEEDED})
INITIAL_BACKOFF_S = 0.1
MAX_BACKOFF_S = 5.0
# grpc core routes through http_proxy when it is set, but the agent is always on this device.
CHANNEL_OPTIONS = [("grpc.enable_http_proxy", 0)]


class StopRequested(Exception):
    """The application is stopping, so a call that was waiting to retry gives up."""


def read_token(token_file: Path) -> str:
    try:
        token = token_file.read_text().strip()
    except OSError as error:
        message = (f"cannot read the agent's local token from {token_file}: "
                   f"{error.strerror}. Pass the path of the agent's --token-file")
        raise RuntimeError(message) from error
    if not token:
        raise RuntimeError(f"token file {token_file} is empty. Pass the path of the agent's "
                           "--token-file")
    return token


class AgentClient:
    """Calls AgentService with `authorization: Bearer <token>` on every call.

    Unary calls that fail with UNAVAILABLE or DEADLINE_EXCEEDED are retried with exponential
    backoff until they succeed or `stop` is set. UNAUTHENTICATED rereads the token file once,
    since a restarted agent may have written a new token, and otherwise is raised like every
    other code. Thread-safe.
    """

    def __init__(self, target: str, token_file: Path, agent_pb2: ModuleType,
                 agent_pb2_grpc: ModuleType, timeout_s: float, stop: threading.Event) -> None:
        self.pb2 = agent_pb2
        self._token_file = token_file
        self._token = read_token(token_file)
        self._token_lock = threading.Lock()
        self._timeout_s = timeout_s
        self._stop = stop
        self._channel = grpc.insecure_channel(target, options=CHANNEL_OPTIONS)
        self._stub = agent_pb2_grpc.AgentServiceStub(self._channel)

    def close(self) -> None:
        self._channel.close()

    def metadata(self) -> list[tuple[str, str]]:
        with self._token_lock:
            return [("authorization", f"Bearer {self._token}")]

    def reload_token(self) -> bool:
        """Reread the token file and return whether the token changed."""
        token = read_token(self._token_file)
        with self._token_lock:
            changed = token != self._token
            self._token = token
        if changed:
            log.info("token reloaded token_file=%s", self._token_file)
        return changed

    def watch_model(self):
        """Open the WatchModel stream: an iterator of ModelAssignment that `cancel()` ends."""
        return self._stub.WatchModel(self.pb2.WatchModelRequest(), metadata=self.metadata())

    def log_inference(self, request, retry: bool = True):
        return self._call("LogInference", request, retry)

    def log_labels(self, request, retry: bool = True):
        return self._call("LogLabels", request, retry)

    def model_loaded(self, generation: int, loaded: bool, message: str = ""):
        request = self.pb2.ModelLoadedRequest(generation=generation, loaded=loaded,
                                              message=message)
        return self._call("ModelLoaded", request, retry=True)

    def _call(self, method: str, request, retry: bool):
        """Run one unary call. Raises grpc.RpcError, or StopRequested while backing off."""
        backoff = INITIAL_BACKOFF_S
        token_reloaded = False
        attempt = 1
        while True:
            try:
                return getattr(self._stub, method)(request, metadata=self.metadata(),
                                                   timeout=self._timeout_s)
            except grpc.RpcError as error:
                code = error.code()
                if code == grpc.StatusCode.UNAUTHENTICATED and not token_reloaded:
                    token_reloaded = True
                    if self.reload_token():
                        continue
                if code not in RETRYABLE_CODES or not retry or self._stop.is_set():
                    raise
                # NOTE: a LogInference that the agent stored before the connection dropped is
                # stored again by the retry, under a new seq, because the API has no request id.
                log.warning("agent call failed, retrying rpc.method=%s status=%s attempt=%d "
                            "backoff_s=%.1f message=%r", method, code.name, attempt, backoff,
                            error.details())
            if self._stop.wait(backoff):
                raise StopRequested(f"stopped while retrying {method}")
            backoff = min(backoff * 2, MAX_BACKOFF_S)
            attempt += 1
