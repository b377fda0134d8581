"""Batches inference records for LogInference and sends their true labels later with LogLabels."""

from __future__ import annotations

import collections
import logging
import threading
import time
from dataclasses import dataclass

import grpc

from agent_client import AgentClient, StopRequested

log = logging.getLogger("edge-app")

MAX_LABELS_PER_CALL = 1000
# A full spool rejects every batch until the agent forwards it, so only every Nth rejection is
# logged after the first.
REJECTION_LOG_EVERY = 100


@dataclass
class ModelCounts:
    records_ok: int = 0
    labels_ok: int = 0
    # Labelled records whose prediction equals the label.
    correct: int = 0


@dataclass(frozen=True)
class PendingLabel:
    # time.monotonic() at which the label is due.
    due: float
    epoch: str
    seq: int
    label: float
    correct: bool
    model: tuple[str, int]


class InferenceLog:
    """Records waiting for LogInference, labels waiting for their delay, and the counts of what
    the agent acknowledged.

    Callers hold `lock` around every method, so that the model watcher can flush the records of
    the old model before it confirms a new one. A record counts as ok only when LogInference
    returned OK for its batch, and it is counted under the model name and version in its ack.
    """

    def __init__(self, client: AgentClient, batch_size: int, flush_interval_s: float,
                 label_delay_s: float) -> None:
        self.lock = threading.RLock()
        self._client = client
        self._batch_size = batch_size
        self._flush_interval_s = flush_interval_s
        self._label_delay_s = label_delay_s
        self._pending: list[tuple[object, float]] = []
        self._pending_model_name = ""
        self._pending_since = 0.0
        self._labels: collections.deque[PendingLabel] = collections.deque()
        self.records_ok = 0
        self.rejected: collections.Counter[str] = collections.Counter()
        self.labels_ok = 0
        self.labels_stored = 0
        self.labels_rejected: collections.Counter[str] = collections.Counter()
        self.models: dict[tuple[str, int], ModelCounts] = {}
        self._rejected_batches = 0

    def add(self, model_full_name: str, record, true_label: float) -> None:
        """Queue one record and send the queue when it is full or its oldest record is due."""
        if self._pending and self._pending_model_name != model_full_name:
            self.flush()
        if not self._pending:
            self._pending_since = time.monotonic()
            self._pending_model_name = model_full_name
        self._pending.append((record, true_label))
        full = len(self._pending) >= self._batch_size
        if full or time.monotonic() - self._pending_since >= self._flush_interval_s:
            self.flush()

    def flush(self, retry: bool = True) -> None:
        """Send the queued records as one LogInference batch.

        A batch the agent rejects, such as RESOURCE_EXHAUSTED from a full spool, is counted as
        rejected and dropped. UNAUTHENTICATED is raised. On StopRequested the batch stays queued.
        """
        if not self._pending:
            return
        batch = self._pending
        self._pending = []
        request = self._client.pb2.LogInferenceRequest(
            model_full_name=self._pending_model_name, records=[record for record, _ in batch])
        try:
            response = self._client.log_inference(request, retry=retry)
        except StopRequested:
            self._pending = batch + self._pending
            raise
        except grpc.RpcError as error:
            if error.code() == grpc.StatusCode.UNAUTHENTICATED:
                raise
            self._count_rejected(len(batch), error)
            return
        if len(response.acks) != len(batch):
            # NOTE: records past the last ack may still be in the spool, so the server can count
            # more records than records_ok here.
            log.error("LogInference returned %d acks for %d records", len(response.acks),
                      len(batch))
        due = time.monotonic() + self._label_delay_s
        for (record, true_label), ack in zip(batch, response.acks):
            model = (ack.model_full_name, ack.model_version)
            self.models.setdefault(model, ModelCounts()).records_ok += 1
            self.records_ok += 1
            self._labels.append(PendingLabel(due, ack.epoch, ack.seq, true_label,
                                             record.prediction == true_label, model))
        log.debug("records logged count=%d records_ok=%d", len(response.acks), self.records_ok)

    def _count_rejected(self, count: int, error: grpc.RpcError) -> None:
        code = error.code().name
        self.rejected[code] += count
        self._rejected_batches += 1
        if self._rejected_batches % REJECTION_LOG_EVERY == 1:
            log.warning("LogInference rejected, dropping the batch status=%s records=%d "
                        "rejected_total=%d rejected_batches=%d message=%r", code, count,
                        sum(self.rejected.values()), self._rejected_batches, error.details())

    @property
    def labels_waiting(self) -> int:
        return len(self._labels)

    def next_label_due(self) -> float | None:
        return self._labels[0].due if self._labels else None

    def send_labels(self, everything: bool = False, retry: bool = True) -> None:
        """Send the labels that are due, or all waiting labels when `everything` is set.

        Labels the agent rejects are counted in `labels_rejected` and dropped.
        """
        now = time.monotonic()
        due: list[PendingLabel] = []
        while self._labels and (everything or self._labels[0].due <= now):
            due.append(self._labels.popleft())
        for start in range(0, len(due), MAX_LABELS_PER_CALL):
            chunk = due[start:start + MAX_LABELS_PER_CALL]
            request = self._client.pb2.LogLabelsRequest(labels=[
                self._client.pb2.Label(epoch=item.epoch, seq=item.seq, label=item.label)
                for item in chunk])
            try:
                response = self._client.log_labels(request, retry=retry)
            except StopRequested:
                self._labels.extendleft(reversed(due[start:]))
                raise
            except grpc.RpcError as error:
                if error.code() == grpc.StatusCode.UNAUTHENTICATED:
                    raise
                self.labels_rejected[error.code().name] += len(chunk)
                log.warning("LogLabels rejected, dropping the labels status=%s labels=%d "
                            "message=%r", error.code().name, len(chunk), error.details())
                continue
            self.labels_ok += len(chunk)
            self.labels_stored += response.stored
            for item in chunk:
                counts = self.models[item.model]
                counts.labels_ok += 1
                counts.correct += int(item.correct)

    def summary(self) -> dict:
        models = []
        for (name, version), counts in sorted(self.models.items()):
            entry = {"model_full_name": name, "model_version": version,
                     "records_ok": counts.records_ok, "labels_ok": counts.labels_ok,
                     "correct": counts.correct}
            if counts.labels_ok:
                entry["accuracy"] = round(counts.correct / counts.labels_ok, 4)
            models.append(entry)
        return {
            "records_ok": self.records_ok,
            "labels_ok": self.labels_ok,
            "labels_stored": self.labels_stored,
            "rejected": sum(self.rejected.values()),
            "rejected_by_status": dict(self.rejected),
            "labels_rejected": sum(self.labels_rejected.values()),
            "unsent": len(self._pending),
            "labels_unsent": len(self._labels),
            "models": models,
        }
