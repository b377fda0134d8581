"""A stock grpcio client listing, resending and discarding edgecat-agent's quarantine.

No telemetry runs, so the test writes the quarantined entries into agent.db before the agent
starts, as the agent leaves them after telemetry rejected them.
"""

from __future__ import annotations

import shutil
import sqlite3
import tempfile
from pathlib import Path
from typing import Iterator

import grpc
import pytest

from test_agent import AgentProcess, agent_pb2, agent_pb2_grpc
from test_policy import CHANNEL_OPTIONS, bearer

EPOCH = "0123456789abcdef0123456789abcdef"
RECORD_BYTES = 64 + len("main.ml.defects") + 4
LABEL_BYTES = 32 + len(EPOCH)


class QuarantinedAgent(AgentProcess):
    """An agent whose spool has records 1 and 2 and one label in quarantine."""

    @staticmethod
    def _seed(binary: Path, folder: Path, data: Path) -> None:
        AgentProcess._seed(binary, folder, data)
        with sqlite3.connect(data / "agent.db") as database:
            for seq in (1, 2):
                database.execute(
                    "INSERT INTO quarantined_records VALUES (?, 1700000000000, 'main.ml.defects',"
                    " 7, 1, 0.5, 2, 'abcd', NULL, ?, 3, ?, 1700000000500)",
                    (seq, RECORD_BYTES, f"record seq {seq}: confidence is out of range"))
            database.execute(
                "INSERT INTO quarantined_labels VALUES (1, ?, 9, 1, ?, 3,"
                " 'label for seq 9: no such record', 1700000000600)", (EPOCH, LABEL_BYTES))
            database.execute(
                "UPDATE spool_state SET next_seq = 3, quarantined = 3, bytes = ?",
                (2 * RECORD_BYTES + LABEL_BYTES,))


@pytest.fixture(scope="module")
def agent() -> Iterator[QuarantinedAgent]:
    folder = Path(tempfile.mkdtemp(prefix="edgecat-agent-quarantine-"))
    process = QuarantinedAgent(folder)
    yield process
    assert process.stop() == 0, process.log()
    shutil.rmtree(folder)


@pytest.fixture(scope="module")
def stub(agent: QuarantinedAgent) -> Iterator[agent_pb2_grpc.AgentServiceStub]:
    with grpc.insecure_channel(f"127.0.0.1:{agent.port}", options=CHANNEL_OPTIONS) as channel:
        yield agent_pb2_grpc.AgentServiceStub(channel)


def spool_state(agent: QuarantinedAgent) -> tuple[int, int, int, int]:
    with sqlite3.connect(agent.log_path.parent / "data" / "agent.db") as database:
        return database.execute(
            "SELECT records, labels, quarantined, bytes FROM spool_state").fetchone()


def test_quarantine_calls(stub, agent: QuarantinedAgent) -> None:
    with pytest.raises(grpc.RpcError) as missing_token:
        stub.ListQuarantined(agent_pb2.ListQuarantinedRequest(), timeout=10)
    assert missing_token.value.code() == grpc.StatusCode.UNAUTHENTICATED

    first = stub.ListQuarantined(agent_pb2.ListQuarantinedRequest(page_size=2),
                                 metadata=bearer(agent.token), timeout=10)
    assert [record.seq for record in first.records] == [1, 2]
    assert first.records[0].status_code == 3
    assert first.records[0].status_message == "record seq 1: confidence is out of range"
    assert first.records[0].quarantined_ms == 1700000000500
    assert first.records[0].model_version == 7
    assert first.next_page_token == "records/2"
    second = stub.ListQuarantined(
        agent_pb2.ListQuarantinedRequest(page_size=2, page_token=first.next_page_token),
        metadata=bearer(agent.token), timeout=10)
    assert [label.id for label in second.labels] == [1]
    assert second.labels[0].epoch == EPOCH
    assert second.labels[0].seq == 9
    assert second.next_page_token == ""

    with pytest.raises(grpc.RpcError) as empty:
        stub.ResendQuarantined(agent_pb2.ResendQuarantinedRequest(),
                               metadata=bearer(agent.token), timeout=10)
    assert empty.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    with pytest.raises(grpc.RpcError) as unknown:
        stub.DiscardQuarantined(agent_pb2.DiscardQuarantinedRequest(seqs=[2, 9], label_ids=[4]),
                                metadata=bearer(agent.token), timeout=10)
    assert unknown.value.code() == grpc.StatusCode.NOT_FOUND
    assert "no quarantined record has seq 9" in unknown.value.details()
    assert "no quarantined label has id 4" in unknown.value.details()

    resent = stub.ResendQuarantined(agent_pb2.ResendQuarantinedRequest(seqs=[1]),
                                    metadata=bearer(agent.token), timeout=10)
    assert (resent.records, resent.labels) == (1, 0)
    assert spool_state(agent) == (1, 0, 2, 2 * RECORD_BYTES + LABEL_BYTES)

    discarded = stub.DiscardQuarantined(agent_pb2.DiscardQuarantinedRequest(all=True),
                                        metadata=bearer(agent.token), timeout=10)
    assert (discarded.records, discarded.labels) == (1, 1)
    assert discarded.bytes == RECORD_BYTES + LABEL_BYTES
    assert spool_state(agent) == (1, 0, 0, RECORD_BYTES)
    assert "quarantined entries discarded" in agent.log()
