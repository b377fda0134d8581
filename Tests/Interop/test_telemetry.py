"""A stock grpcio client against edgecat-telemetry, behind real policy, catalog and registry.

The binaries come from EDGECAT_POLICY_SERVER, EDGECAT_CATALOG_SERVER, EDGECAT_REGISTRY_SERVER
and EDGECAT_TELEMETRY_SERVER, or .build/debug of this repository. The kill test stops the
telemetry process with SIGKILL during a sustained ingest, starts it again on the same data
folder, sends again what was not acknowledged and counts the stored records.
"""

from __future__ import annotations

import os
import queue
import shutil
import signal
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Iterator

import grpc
import pytest

import interop_stubs
from test_catalog import CatalogProcess, catalog_pb2, catalog_pb2_grpc
from test_policy import CHANNEL_OPTIONS, bearer, policy_pb2, policy_pb2_grpc
from test_registry import DEFAULT_BINARY as DEFAULT_REGISTRY_BINARY
from test_registry import ServiceProcess, _binary, registry_pb2, registry_pb2_grpc
from test_policy import DEFAULT_BINARY as DEFAULT_POLICY_BINARY

DEFAULT_BINARY = interop_stubs.REPO_ROOT / ".build" / "debug" / "edgecat-telemetry"
TABLE = "production.edge_metrics.inference_logs"
DEVICES = {"line-1": "eu-west", "store-1": "us-east"}


def _stubs():
    out = Path(tempfile.mkdtemp(prefix="edgecat-telemetry-stubs-"))
    interop_stubs._protoc(interop_stubs.PROTO_ROOT, out, "edgecat/telemetry/v1/telemetry.proto")
    sys.path.insert(0, str(out))
    from edgecat.telemetry.v1 import telemetry_pb2, telemetry_pb2_grpc  # noqa: E402

    return telemetry_pb2, telemetry_pb2_grpc


telemetry_pb2, telemetry_pb2_grpc = _stubs()


class Suite:
    """Policy, catalog and registry processes, the namespace and the devices."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.tokens = {name: folder / f"{name}.token"
                       for name in ("admin", "catalog", "registry", "telemetry")}
        self.policy = ServiceProcess("policy", [
            str(_binary("EDGECAT_POLICY_SERVER", DEFAULT_POLICY_BINARY)),
            "--bootstrap-admin", "admin@example.com",
            "--bootstrap-token-file", str(self.tokens["admin"]),
            "--bootstrap-service", f"catalog={self.tokens['catalog']}",
            "--bootstrap-service", f"registry={self.tokens['registry']}",
            "--bootstrap-service", f"telemetry={self.tokens['telemetry']}",
        ], folder)
        self.policy.service_token_file = self.tokens["catalog"]
        self.catalog = CatalogProcess(self.policy)
        self.registry = ServiceProcess("registry", [
            str(_binary("EDGECAT_REGISTRY_SERVER", DEFAULT_REGISTRY_BINARY)),
            "--token-file", str(self.tokens["registry"]),
            "--policy-endpoint", f"127.0.0.1:{self.policy.port}",
            "--catalog-endpoint", f"127.0.0.1:{self.catalog.port}",
        ], folder)
        self.admin = bearer(self.tokens["admin"].read_text().strip())
        self.channels: list[grpc.Channel] = []
        self.policy_stub = policy_pb2_grpc.PolicyServiceStub(self.channel(self.policy.port))
        self.catalog_stub = catalog_pb2_grpc.CatalogServiceStub(self.channel(self.catalog.port))
        self.registry_stub = registry_pb2_grpc.ModelRegistryServiceStub(
            self.channel(self.registry.port))
        self.device_tokens: dict[str, list[tuple[str, str]]] = {}
        self._prepare()

    def channel(self, port: int) -> grpc.Channel:
        channel = grpc.insecure_channel(f"127.0.0.1:{port}", options=CHANNEL_OPTIONS)
        self.channels.append(channel)
        return channel

    def _prepare(self) -> None:
        self.catalog_stub.CreateCatalog(catalog_pb2.CreateCatalogRequest(name="production"),
                                        metadata=self.admin)
        self.catalog_stub.CreateSchema(catalog_pb2.CreateSchemaRequest(
            catalog_name="production", name="edge_metrics"), metadata=self.admin)
        self.grant("service:telemetry", ["USE_CATALOG"], policy_pb2.SECURABLE_TYPE_CATALOG,
                   "production")
        self.grant("service:telemetry", ["USE_SCHEMA", "CREATE_TABLE"],
                   policy_pb2.SECURABLE_TYPE_SCHEMA, "production.edge_metrics")
        for device, region in DEVICES.items():
            self.registry_stub.RegisterDevice(registry_pb2.RegisterDeviceRequest(
                device_id=device, location=f"site of {device}", region=region, group="test"),
                metadata=self.admin)
            principal = f"device:{device}"
            self.policy_stub.CreatePrincipal(policy_pb2.CreatePrincipalRequest(
                name=principal, type=policy_pb2.PRINCIPAL_TYPE_SERVICE_PRINCIPAL),
                metadata=self.admin)
            token = self.policy_stub.CreateToken(policy_pb2.CreateTokenRequest(
                principal=principal), metadata=self.admin)
            self.device_tokens[device] = bearer(token.token)
            self.grant(principal, ["USE_CATALOG"], policy_pb2.SECURABLE_TYPE_CATALOG,
                       "production")
            self.grant(principal, ["USE_SCHEMA"], policy_pb2.SECURABLE_TYPE_SCHEMA,
                       "production.edge_metrics")

    def grant(self, principal: str, privileges: list[str], kind: int, name: str) -> None:
        self.policy_stub.Grant(policy_pb2.UpdatePrivilegesRequest(
            principal=principal, privileges=privileges, securable_type=kind,
            securable_full_name=name), metadata=self.admin)

    def grant_table_access(self) -> None:
        """Lets the devices write the table once telemetry has registered it."""
        deadline = time.monotonic() + 30
        while True:
            try:
                for device in DEVICES:
                    self.grant(f"device:{device}", ["MODIFY", "SELECT"],
                               policy_pb2.SECURABLE_TYPE_TABLE, TABLE)
                return
            except grpc.RpcError as error:
                if time.monotonic() > deadline:
                    raise
                assert error.code() == grpc.StatusCode.NOT_FOUND, error.details()
                time.sleep(0.1)

    def telemetry(self, name: str, data: Path, *extra: str) -> ServiceProcess:
        return ServiceProcess(name, [
            str(_binary("EDGECAT_TELEMETRY_SERVER", DEFAULT_BINARY)),
            "--token-file", str(self.tokens["telemetry"]),
            "--policy-endpoint", f"127.0.0.1:{self.policy.port}",
            "--catalog-endpoint", f"127.0.0.1:{self.catalog.port}",
            "--registry-endpoint", f"127.0.0.1:{self.registry.port}",
            *extra,
        ], data)

    def close(self) -> None:
        for channel in self.channels:
            channel.close()
        self.registry.stop()
        self.catalog.stop()
        self.policy.stop()


@pytest.fixture(scope="module")
def suite() -> Iterator[Suite]:
    folder = Path(tempfile.mkdtemp(prefix="edgecat-telemetry-interop-"))
    suite = Suite(folder)
    yield suite
    suite.close()
    shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="module")
def telemetry(suite: Suite) -> Iterator[ServiceProcess]:
    process = suite.telemetry("telemetry", suite.folder, "--max-batch-records", "1000")
    suite.grant_table_access()
    yield process
    assert process.stop() == 0, process.log()


@pytest.fixture(scope="module")
def stub(suite: Suite, telemetry: ServiceProcess):
    return telemetry_pb2_grpc.TelemetryServiceStub(suite.channel(telemetry.port))


def record(device: str, seq: int, *, epoch: str = "epoch-a", confidence: float = 0.9,
           latency: float = 12.5, label: float | None = None) -> object:
    message = telemetry_pb2.InferenceLogRecord(
        device_id=device, epoch=epoch, seq=seq, timestamp_ms=int(time.time() * 1000) - 1000,
        model_full_name="production.ml_models.digits", model_version=1,
        prediction=float(seq % 10), confidence=confidence, latency_ms=latency,
        input_hash=f"{seq:064x}")
    if label is not None:
        message.label = label
    return message


def batch(batch_id: int, records: list, labels: list | None = None) -> object:
    return telemetry_pb2.IngestBatch(batch_id=batch_id, records=records, labels=labels or [])


def open_stream(stub, metadata):
    """A bidirectional ingest stream fed from a queue; None in the queue ends it."""
    outgoing: queue.Queue = queue.Queue()

    def requests():
        while (item := outgoing.get()) is not None:
            yield item

    return outgoing, stub.StreamInferenceLogs(requests(), metadata=metadata)


def wait_ready(stub, metadata) -> None:
    deadline = time.monotonic() + 30
    while True:
        outgoing, acks = open_stream(stub, metadata)
        outgoing.put(batch(0, []))
        outgoing.put(None)
        try:
            list(acks)
            return
        except grpc.RpcError as error:
            if error.code() != grpc.StatusCode.UNAVAILABLE or time.monotonic() > deadline:
                raise
            time.sleep(0.1)


def query(stub, metadata, sql: str) -> tuple[list[str], list[list]]:
    columns: list[str] = []
    rows: list[list] = []
    for page in stub.Query(telemetry_pb2.QueryRequest(sql=sql), metadata=metadata):
        columns = columns or list(page.columns)
        for row in page.rows:
            rows.append([getattr(value, value.WhichOneof("kind")) if value.WhichOneof("kind")
                         else None for value in row.values])
    return columns, rows


def test_ingest_acknowledges_each_batch_and_counts_duplicates(suite, stub) -> None:
    device = suite.device_tokens["line-1"]
    wait_ready(stub, device)
    outgoing, acks = open_stream(stub, device)
    first = [record("line-1", seq) for seq in range(100)]
    outgoing.put(batch(1, first))
    outgoing.put(batch(2, first[:10] + [record("line-1", 100)]))
    changed = record("line-1", 5, confidence=0.1)
    outgoing.put(batch(3, [changed]))
    outgoing.put(None)
    answers = list(acks)
    assert [ack.batch_id for ack in answers] == [1, 2, 3]
    assert all(ack.code == 0 for ack in answers), [ack.message for ack in answers]
    assert (answers[0].stored, answers[0].duplicates) == (100, 0)
    assert (answers[1].stored, answers[1].duplicates) == (1, 10)
    assert (answers[2].stored, answers[2].conflicts) == (0, 1)
    # The stream's audit event is committed before the call ends, so it is listed at once.
    from edgecat.audit.v1 import audit_pb2  # noqa: E402

    events = stub.ListAuditEvents(
        audit_pb2.ListAuditEventsRequest(action="StreamInferenceLogs", principal="device:line-1"),
        metadata=suite.admin).events
    stored = [event for event in events if '"stored":"101"' in event.parameters]
    assert stored, [event.parameters for event in events]
    assert stored[0].result == "OK"


def test_over_limit_batch_is_rejected_and_the_stream_goes_on(suite, stub) -> None:
    device = suite.device_tokens["store-1"]
    wait_ready(stub, device)
    outgoing, acks = open_stream(stub, device)
    outgoing.put(batch(7, [record("store-1", seq) for seq in range(1001)]))
    outgoing.put(batch(8, [record("store-1", seq) for seq in range(3)]))
    outgoing.put(None)
    rejected, accepted = list(acks)
    assert rejected.code == grpc.StatusCode.RESOURCE_EXHAUSTED.value[0]
    assert "split" in rejected.message
    assert rejected.stored == 0
    assert (accepted.code, accepted.stored) == (0, 3)


def test_device_may_not_write_for_another_device(suite, stub) -> None:
    outgoing, acks = open_stream(stub, suite.device_tokens["store-1"])
    outgoing.put(batch(1, [record("line-1", 999)]))
    outgoing.put(None)
    (ack,) = list(acks)
    assert ack.code == grpc.StatusCode.PERMISSION_DENIED.value[0]
    assert "line-1" in ack.message


def test_revoked_token_ends_the_ingest_stream(suite, stub) -> None:
    created = suite.policy_stub.CreateToken(policy_pb2.CreateTokenRequest(
        principal="device:store-1"), metadata=suite.admin)
    device = bearer(created.token)
    wait_ready(stub, device)
    outgoing, acks = open_stream(stub, device)
    outgoing.put(batch(1, []))
    first = next(acks)
    assert first.code == 0, first.message
    suite.policy_stub.RevokeToken(policy_pb2.RevokeTokenRequest(token_id=created.info.token_id),
                                  metadata=suite.admin)
    outgoing.put(batch(2, [record("store-1", 5001)]))
    try:
        with pytest.raises(grpc.RpcError) as raised:
            next(acks)
        assert raised.value.code() == grpc.StatusCode.UNAUTHENTICATED
        assert created.info.token_id in raised.value.details()
    finally:
        outgoing.put(None)


def test_record_without_device_id_is_invalid(suite, stub) -> None:
    outgoing, acks = open_stream(stub, suite.device_tokens["store-1"])
    outgoing.put(batch(1, [record("", 1)]))
    outgoing.put(None)
    (ack,) = list(acks)
    assert ack.code == grpc.StatusCode.INVALID_ARGUMENT.value[0]
    assert "empty device_id" in ack.message
    assert ack.stored == 0


def test_seed_queries_run_verbatim(suite, stub) -> None:
    columns, rows = query(stub, suite.admin, """
        SELECT device_id, model_version,
        COUNT(*) as predictions,
        AVG(confidence) as avg_confidence,
        AVG(latency_ms) as avg_latency,
        PERCENTILE(latency_ms, 0.99) as p99_latency
        FROM production.edge_metrics.inference_logs
        WHERE timestamp > current_timestamp() - INTERVAL 1 HOUR
        GROUP BY device_id, model_version;""")
    assert columns == ["device_id", "model_version", "predictions", "avg_confidence",
                       "avg_latency", "p99_latency"]
    counts = {row[0]: row[2] for row in rows}
    assert counts["line-1"] == 101
    columns, rows = query(stub, suite.admin, """
        SELECT date(timestamp) as day,
        AVG(confidence) as avg_confidence,
        STDDEV(confidence) as std_confidence
        FROM production.edge_metrics.inference_logs
        GROUP BY day
        ORDER BY day DESC LIMIT 30;""")
    assert columns == ["day", "avg_confidence", "std_confidence"]
    assert rows


def test_label_update_is_audited_with_its_rows(suite, stub) -> None:
    device = suite.device_tokens["line-1"]
    wait_ready(stub, device)
    outgoing, acks = open_stream(stub, device)
    outgoing.put(batch(1, [record("line-1", seq, epoch="epoch-labels") for seq in range(3)]))
    outgoing.put(None)
    assert [ack.stored for ack in acks] == [3]

    response = stub.UpdateLabels(telemetry_pb2.UpdateLabelsRequest(labels=[
        telemetry_pb2.LabelUpdate(device_id="line-1", epoch="epoch-labels", seq=seq, label=1.0)
        for seq in range(3)]), metadata=device)

    assert response.applied == 3
    from edgecat.audit.v1 import audit_pb2  # noqa: E402

    events = stub.ListAuditEvents(
        audit_pb2.ListAuditEventsRequest(action="UpdateLabels", principal="device:line-1"),
        metadata=suite.admin).events
    assert any('"labels":"3"' in event.parameters for event in events)


def test_query_that_escapes_is_refused(suite, stub) -> None:
    for sql in ("SELECT * FROM inference_logs", "SELECT * FROM sqlite_master",
                "SELECT count(*) FROM heartbeats", "SELECT count(*) FROM sqlite_master",
                "ATTACH DATABASE 'x.db' AS x",
                "WITH inference_logs AS (SELECT 1) SELECT * FROM inference_logs"):
        with pytest.raises(grpc.RpcError) as raised:
            query(stub, suite.admin, sql)
        assert raised.value.code() in (grpc.StatusCode.INVALID_ARGUMENT,
                                       grpc.StatusCode.PERMISSION_DENIED), sql


def test_query_text_over_the_cap_is_invalid(suite, stub) -> None:
    sql = f"SELECT count(*) FROM {TABLE} WHERE " + " OR ".join(
        f"seq = {n}" for n in range(8000))
    assert len(sql.encode()) > 65536
    with pytest.raises(grpc.RpcError) as raised:
        query(stub, suite.admin, sql)
    assert raised.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert raised.value.details().startswith(f"sql has {len(sql.encode())} bytes")


def test_cancelled_query_is_audited_as_cancelled(suite, stub, telemetry) -> None:
    from edgecat.audit.v1 import audit_pb2  # noqa: E402

    start = time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(time.time() - 1))
    endless = ("WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) "
               f"SELECT count(*) FROM c, {TABLE}")
    call = stub.Query(telemetry_pb2.QueryRequest(sql=endless, timeout_ms=8000),
                      metadata=suite.admin)
    threading.Timer(0.5, call.cancel).start()
    with pytest.raises(grpc.RpcError) as raised:
        list(call)
    assert raised.value.code() == grpc.StatusCode.CANCELLED

    # Query's audit event is queued, so it shows in the listing a moment later.
    deadline = time.monotonic() + 10
    events: list = []
    while not events and time.monotonic() < deadline:
        time.sleep(0.2)
        listed = stub.ListAuditEvents(audit_pb2.ListAuditEventsRequest(
            action="Query", principal="admin@example.com", start_time=start),
            metadata=suite.admin).events
        events = [event for event in listed if "RECURSIVE c(x)" in event.parameters]
    assert len(events) == 1, [event.result for event in events]
    assert events[0].result == "CANCELLED"
    assert "query was cancelled" not in telemetry.log()


def test_heartbeat_shows_in_the_fleet_view(suite, stub) -> None:
    device = suite.device_tokens["line-1"]
    response = stub.Heartbeat(telemetry_pb2.HeartbeatRequest(
        device_id="line-1", sent_at_ms=int(time.time() * 1000), agent_version="1.0.0",
        spool_bytes=2048, spool_records=3), metadata=device)
    assert response.next_heartbeat_ms > 0
    fleet = {entry.device_id: entry
             for entry in stub.GetFleet(telemetry_pb2.GetFleetRequest(),
                                        metadata=suite.admin).devices}
    assert fleet["line-1"].status == telemetry_pb2.DEVICE_STATUS_RUNNING
    assert fleet["line-1"].spool_records == 3
    assert fleet["line-1"].region == "eu-west"
    assert fleet["store-1"].status == telemetry_pb2.DEVICE_STATUS_OFFLINE


def test_fleet_figures_belong_to_reported_version(suite, stub) -> None:
    device = suite.device_tokens["line-1"]
    wait_ready(stub, device)
    outgoing, acks = open_stream(stub, device)
    outgoing.put(batch(1, [record("line-1", seq, epoch="epoch-fleet", label=1.0)
                           for seq in range(5)]))
    outgoing.put(None)
    assert [ack.code for ack in acks] == [0]

    def report(version: int, state: int) -> None:
        suite.registry_stub.ReportDeviceState(registry_pb2.ReportDeviceStateRequest(
            device_id="line-1", models=[registry_pb2.ReportedModel(
                model_full_name="production.ml_models.digits", version=version, state=state)]),
            metadata=device)

    # Version 2 failed to load and has no records, while every record is of version 1.
    report(2, registry_pb2.MODEL_RUN_STATE_FAILED)
    try:
        fleet = {entry.device_id: entry
                 for entry in stub.GetFleet(telemetry_pb2.GetFleetRequest(),
                                            metadata=suite.admin).devices}
    finally:
        report(1, registry_pb2.MODEL_RUN_STATE_RUNNING)
    entry = fleet["line-1"]
    assert entry.model_version == 2
    assert entry.record_count == 0
    assert entry.labelled_count == 0
    assert entry.p99_latency_ms == 0


def test_device_may_not_heartbeat_for_another_device(suite, stub) -> None:
    with pytest.raises(grpc.RpcError) as raised:
        stub.Heartbeat(telemetry_pb2.HeartbeatRequest(device_id="line-1"),
                       metadata=suite.device_tokens["store-1"])
    assert raised.value.code() == grpc.StatusCode.PERMISSION_DENIED
    assert "line-1" in raised.value.details()


def test_metrics_count_the_ingested_records(suite, stub) -> None:
    device = suite.device_tokens["store-1"]
    wait_ready(stub, device)
    outgoing, acks = open_stream(stub, device)
    records = [record("store-1", seq, epoch="epoch-metrics", latency=float(seq),
                      label=float(seq % 10) if seq % 2 == 0 else None) for seq in range(200)]
    outgoing.put(batch(1, records))
    outgoing.put(None)
    (ack,) = list(acks)
    assert (ack.code, ack.stored) == (0, 200)
    response = stub.GetMetrics(telemetry_pb2.GetMetricsRequest(device_id="store-1"),
                               metadata=suite.admin)
    assert response.from_rollups
    (metrics,) = [entry for entry in response.metrics if entry.device_id == "store-1"]
    assert metrics.count >= 200
    assert metrics.labelled_count >= 100
    assert metrics.accuracy == pytest.approx(1.0)


def test_negative_metrics_window_is_invalid(suite, stub) -> None:
    with pytest.raises(grpc.RpcError) as raised:
        stub.GetMetrics(telemetry_pb2.GetMetricsRequest(
            start="2026-01-02 00:00:00", end="2026-01-01 00:00:00"), metadata=suite.admin)
    assert raised.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert "2026-01-02" in raised.value.details()


@pytest.mark.parametrize("day", ["2026-13-01", "2026-02-30", "2026-1-1", "yesterday"])
def test_invalid_day_is_named_as_given(suite, stub, day: str) -> None:
    with pytest.raises(grpc.RpcError) as raised:
        stub.GetDailyMetrics(telemetry_pb2.GetDailyMetricsRequest(start_day=day),
                             metadata=suite.admin)
    assert raised.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert f'start_day "{day}" is not a day' in raised.value.details()
    assert "YYYY-MM-DD" in raised.value.details()


def create_region_readers(suite, regions: dict[str, str]) -> dict[str, list]:
    """Creates a user per name with the region attribute and SELECT on the hosted table's
    schema, and returns each user's call metadata."""
    tokens = {}
    for name, region in regions.items():
        suite.policy_stub.CreatePrincipal(policy_pb2.CreatePrincipalRequest(
            name=name, type=policy_pb2.PRINCIPAL_TYPE_USER), metadata=suite.admin)
        suite.policy_stub.SetPrincipalAttribute(policy_pb2.SetPrincipalAttributeRequest(
            principal=name, key="region", value=region), metadata=suite.admin)
        tokens[name] = bearer(suite.policy_stub.CreateToken(
            policy_pb2.CreateTokenRequest(principal=name), metadata=suite.admin).token)
        suite.grant(name, ["USE_CATALOG"], policy_pb2.SECURABLE_TYPE_CATALOG, "production")
        suite.grant(name, ["USE_SCHEMA", "SELECT"], policy_pb2.SECURABLE_TYPE_SCHEMA,
                    "production.edge_metrics")
    return tokens


def ingest_region_rows(suite, stub, *, epoch: str) -> None:
    """Ingest three records each from line-1 (eu-west) and store-1 (us-east) under `epoch`,
    so that a test reads rows of both regions whatever ran before it."""
    for device in ("line-1", "store-1"):
        outgoing, acks = open_stream(stub, suite.device_tokens[device])
        outgoing.put(batch(1, [record(device, seq, epoch=epoch) for seq in range(3)]))
        outgoing.put(None)
        assert [ack.code for ack in acks] == [0]


def test_region_filter_limits_queries_and_metrics(suite, stub) -> None:
    """Two analysts in different regions read the table through a region row filter."""
    ingest_region_rows(suite, stub, epoch="region-rows")
    readers = {"ana@example.com": "eu-west", "ben@example.com": "us-east"}
    tokens = create_region_readers(suite, readers)
    suite.catalog_stub.CreateFunction(catalog_pb2.CreateFunctionRequest(
        catalog_name="production", schema_name="edge_metrics", name="region_filter",
        parameters=[policy_pb2.FunctionParameter(name="region", type="STRING")],
        body="region = current_user_region() OR is_account_group_member('global-admin')"),
        metadata=suite.admin)
    suite.catalog_stub.SetRowFilter(catalog_pb2.SetRowFilterRequest(
        table_full_name=TABLE, function_full_name="production.edge_metrics.region_filter",
        input_columns=["region"]), metadata=suite.admin)
    try:
        for name, region in readers.items():
            _, rows = query(stub, tokens[name],
                            f"SELECT DISTINCT region FROM {TABLE} ORDER BY region")
            assert rows == [[region]], name
            response = stub.GetMetrics(telemetry_pb2.GetMetricsRequest(),
                                       metadata=tokens[name])
            assert not response.from_rollups
            expected = "line-1" if region == "eu-west" else "store-1"
            assert {entry.device_id for entry in response.metrics} <= {expected}, name
    finally:
        suite.catalog_stub.DropRowFilter(catalog_pb2.DropRowFilterRequest(
            table_full_name=TABLE), metadata=suite.admin)


def test_region_filter_limits_alerts(suite, stub) -> None:
    """Alerts of devices, and of a model version, whose rows a filtered reader cannot see are
    left out of ListAlerts, ListAlertTransitions and WatchAlerts. The Offline alert of a device
    without records shows to every reader."""
    model_version = "production.ml_models.digits/1"
    suite.registry_stub.RegisterDevice(registry_pb2.RegisterDeviceRequest(
        device_id="idle-1", location="shelf", region="eu-west", group="test"),
        metadata=suite.admin)
    ingest_region_rows(suite, stub, epoch="alert-rows")
    rules = []
    for name, scope in [("any device latency", telemetry_pb2.ALERT_SCOPE_DEVICE),
                        ("any version latency", telemetry_pb2.ALERT_SCOPE_MODEL_VERSION)]:
        stub.CreateAlertRule(telemetry_pb2.CreateAlertRuleRequest(rule=telemetry_pb2.AlertRule(
            name=name, metric=telemetry_pb2.ALERT_METRIC_P99_LATENCY, scope=scope,
            condition=telemetry_pb2.ALERT_CONDITION_ABOVE, threshold=-1.0, window_seconds=3600,
            min_samples=1, severity=telemetry_pb2.ALERT_SEVERITY_INFO,
            action=telemetry_pb2.ALERT_ACTION_NOTIFY, enabled=True)), metadata=suite.admin)
        rules.append(name)
    stub.EvaluateAlerts(telemetry_pb2.EvaluateAlertsRequest(), metadata=suite.admin)
    every = stub.ListAlertTransitions(telemetry_pb2.ListAlertTransitionsRequest(
        page_size=1000), metadata=suite.admin).transitions
    assert model_version in {transition.subject for transition in every}

    readers = {"ada@example.com": ("eu-west", "line-1"), "bea@example.com": ("us-east", "store-1")}
    tokens = create_region_readers(
        suite, {name: region for name, (region, _) in readers.items()})
    suite.catalog_stub.CreateFunction(catalog_pb2.CreateFunctionRequest(
        catalog_name="production", schema_name="edge_metrics", name="alert_region_filter",
        parameters=[policy_pb2.FunctionParameter(name="region", type="STRING")],
        body="region = current_user_region()"), metadata=suite.admin)
    suite.catalog_stub.SetRowFilter(catalog_pb2.SetRowFilterRequest(
        table_full_name=TABLE, function_full_name="production.edge_metrics.alert_region_filter",
        input_columns=["region"]), metadata=suite.admin)
    try:
        # The records above are a second old, so none falls in a one-second window. A filtered
        # reader still gets the devices whose rows it may read, and only those.
        time.sleep(1.1)
        for name, (_, device) in readers.items():
            fleet = {entry.device_id for entry in stub.GetFleet(
                telemetry_pb2.GetFleetRequest(window_seconds=1), metadata=tokens[name]).devices}
            assert device in fleet, (name, fleet)
            assert not fleet & (set(suite.device_tokens) - {device}), (name, fleet)

        for name, (_, device) in readers.items():
            def own(subject: str) -> bool:
                return subject.split("/")[0] in (device, "idle-1")

            alerts = stub.ListAlerts(telemetry_pb2.ListAlertsRequest(page_size=1000),
                                     metadata=tokens[name]).alerts
            subjects = {alert.subject for alert in alerts}
            assert f"{device}/{model_version}" in subjects, (name, subjects)
            assert "idle-1" in subjects, (name, subjects)
            assert all(own(subject) for subject in subjects), (name, subjects)
            transitions = stub.ListAlertTransitions(telemetry_pb2.ListAlertTransitionsRequest(
                page_size=1000), metadata=tokens[name]).transitions
            subjects = {transition.subject for transition in transitions}
            assert f"{device}/{model_version}" in subjects, (name, subjects)
            assert all(own(subject) for subject in subjects), (name, subjects)

            # The watch replays in id order, so every stored transition up to the reader's last
            # visible one has passed the check once that one arrives.
            last = max(transition.transition_id for transition in transitions)
            watch = stub.WatchAlerts(telemetry_pb2.WatchAlertsRequest(after_transition_id=1),
                                     metadata=tokens[name], timeout=30)
            watched = []
            for transition in watch:
                watched.append(transition.subject)
                if transition.transition_id >= last:
                    break
            watch.cancel()
            assert all(own(subject) for subject in watched), (name, watched)
    finally:
        suite.catalog_stub.DropRowFilter(catalog_pb2.DropRowFilterRequest(
            table_full_name=TABLE), metadata=suite.admin)
        for rule in rules:
            stub.DeleteAlertRule(telemetry_pb2.DeleteAlertRuleRequest(name=rule),
                                 metadata=suite.admin)


def test_reader_without_select_is_denied(suite, stub) -> None:
    name = "carl@example.com"
    suite.policy_stub.CreatePrincipal(policy_pb2.CreatePrincipalRequest(
        name=name, type=policy_pb2.PRINCIPAL_TYPE_USER), metadata=suite.admin)
    token = bearer(suite.policy_stub.CreateToken(
        policy_pb2.CreateTokenRequest(principal=name), metadata=suite.admin).token)
    with pytest.raises(grpc.RpcError) as raised:
        query(stub, token, f"SELECT COUNT(*) FROM {TABLE}")
    assert raised.value.code() == grpc.StatusCode.PERMISSION_DENIED
    assert name in raised.value.details()


def test_unknown_token_is_unauthenticated(suite, stub) -> None:
    with pytest.raises(grpc.RpcError) as raised:
        query(stub, [("authorization", "Bearer not-a-token")], f"SELECT 1 FROM {TABLE}")
    assert raised.value.code() == grpc.StatusCode.UNAUTHENTICATED


def test_alert_rules_start_with_the_five_defaults(suite, stub) -> None:
    rules = stub.ListAlertRules(telemetry_pb2.ListAlertRulesRequest(),
                                metadata=suite.admin).rules
    assert len(rules) >= 5
    metrics = {rule.metric for rule in rules}
    assert telemetry_pb2.ALERT_METRIC_ACCURACY in metrics
    assert telemetry_pb2.ALERT_METRIC_OFFLINE in metrics


def test_evaluation_fires_the_offline_alert(suite, stub) -> None:
    response = stub.EvaluateAlerts(telemetry_pb2.EvaluateAlertsRequest(), metadata=suite.admin)
    firing = {(alert.rule_name, alert.subject) for alert in response.alerts
              if alert.state == telemetry_pb2.ALERT_STATE_FIRING}
    assert any(subject == "store-1" for _, subject in firing), firing


def test_watch_streams_a_new_rules_firing(suite, stub) -> None:
    """A rule created over the API fires at the next evaluation, and WatchAlerts sends it."""
    received: queue.Queue = queue.Queue()
    watch = stub.WatchAlerts(telemetry_pb2.WatchAlertsRequest(), metadata=suite.admin)

    def read() -> None:
        try:
            for transition in watch:
                received.put(transition)
        except grpc.RpcError:
            pass

    threading.Thread(target=read, daemon=True).start()
    rule = telemetry_pb2.AlertRule(
        name="any latency", metric=telemetry_pb2.ALERT_METRIC_P99_LATENCY,
        scope=telemetry_pb2.ALERT_SCOPE_DEVICE, condition=telemetry_pb2.ALERT_CONDITION_ABOVE,
        threshold=-1.0, window_seconds=3600, min_samples=1,
        severity=telemetry_pb2.ALERT_SEVERITY_INFO, action=telemetry_pb2.ALERT_ACTION_NOTIFY,
        enabled=True)
    created = stub.CreateAlertRule(telemetry_pb2.CreateAlertRuleRequest(rule=rule),
                                   metadata=suite.admin)
    assert created.name == "any latency"
    try:
        stub.EvaluateAlerts(telemetry_pb2.EvaluateAlertsRequest(), metadata=suite.admin)
        transition = received.get(timeout=10)
        assert transition.rule_name == "any latency"
        assert transition.to_state == telemetry_pb2.ALERT_STATE_FIRING
    finally:
        watch.cancel()
        stub.DeleteAlertRule(telemetry_pb2.DeleteAlertRuleRequest(name="any latency"),
                             metadata=suite.admin)


def test_device_may_not_change_alert_rules(suite, stub) -> None:
    rule = telemetry_pb2.AlertRule(
        name="device rule", metric=telemetry_pb2.ALERT_METRIC_OFFLINE,
        scope=telemetry_pb2.ALERT_SCOPE_DEVICE, condition=telemetry_pb2.ALERT_CONDITION_ABOVE,
        threshold=60, severity=telemetry_pb2.ALERT_SEVERITY_INFO,
        action=telemetry_pb2.ALERT_ACTION_NOTIFY, enabled=True)
    with pytest.raises(grpc.RpcError) as raised:
        stub.CreateAlertRule(telemetry_pb2.CreateAlertRuleRequest(rule=rule),
                             metadata=suite.device_tokens["line-1"])
    assert raised.value.code() == grpc.StatusCode.PERMISSION_DENIED
    assert "MANAGE" in raised.value.details()


def test_batches_sent_ahead_are_acknowledged_in_order(suite, stub) -> None:
    """Sends 20 batches before reading an acknowledgement, more than the server reads ahead."""
    device = suite.device_tokens["line-1"]
    wait_ready(stub, device)
    outgoing, acks = open_stream(stub, device)
    for number in range(1, 21):
        records = [record("line-1", number * 50 + index, epoch="epoch-ahead")
                   for index in range(50)]
        if number == 5:
            records = [record("line-1", seq, epoch="epoch-ahead") for seq in range(1001)]
        elif number == 9:
            records.append(record("store-1", 1, epoch="epoch-ahead"))
        outgoing.put(batch(number, records))
    outgoing.put(None)
    answers = list(acks)
    assert [ack.batch_id for ack in answers] == list(range(1, 21))
    assert answers[4].code == grpc.StatusCode.RESOURCE_EXHAUSTED.value[0]
    assert answers[8].code == grpc.StatusCode.PERMISSION_DENIED.value[0]
    accepted = [ack for ack in answers if ack.batch_id not in (5, 9)]
    assert all(ack.code == 0 for ack in accepted), [ack.message for ack in accepted]
    assert all(ack.stored == 50 for ack in accepted)
    _, rows = query(stub, suite.admin, f"""
        SELECT COUNT(*) FROM {TABLE} WHERE epoch = 'epoch-ahead'""")
    assert rows == [[18 * 50]]


def test_kill_during_ingest_keeps_every_acknowledged_record_once(suite, telemetry) -> None:
    """Kills the service with SIGKILL mid-stream, restarts it and resends the rest."""
    data = suite.folder / "kill"
    data.mkdir()
    device = suite.device_tokens["line-1"]
    epoch, batches, size = "epoch-kill", 60, 500
    planned = {number: [record("line-1", number * size + index, epoch=epoch)
                        for index in range(size)] for number in range(1, batches + 1)}

    process = suite.telemetry("telemetry-kill", data)
    stub = telemetry_pb2_grpc.TelemetryServiceStub(suite.channel(process.port))
    wait_ready(stub, device)
    acknowledged: set[int] = set()
    outgoing, acks = open_stream(stub, device)
    window = threading.Semaphore(8)

    def send() -> None:
        for number, records in planned.items():
            window.acquire()
            outgoing.put(batch(number, records))
        outgoing.put(None)

    sender = threading.Thread(target=send, daemon=True)
    sender.start()
    try:
        for ack in acks:
            assert ack.code == 0, ack.message
            acknowledged.add(ack.batch_id)
            window.release()
            if len(acknowledged) == 20:
                os.kill(process.process.pid, signal.SIGKILL)
    except grpc.RpcError as error:
        assert error.code() in (grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.CANCELLED,
                                grpc.StatusCode.INTERNAL, grpc.StatusCode.UNKNOWN)
    process.process.wait(timeout=15)
    assert process.process.returncode == -signal.SIGKILL
    for _ in range(batches):
        window.release()
    assert 20 <= len(acknowledged) < batches

    (data / "telemetry-kill.port").unlink()
    restarted = suite.telemetry("telemetry-kill", data)
    try:
        stub = telemetry_pb2_grpc.TelemetryServiceStub(suite.channel(restarted.port))
        wait_ready(stub, device)
        outgoing, acks = open_stream(stub, device)
        missing = [number for number in planned if number not in acknowledged]
        for number in missing:
            outgoing.put(batch(number, planned[number]))
        outgoing.put(None)
        answers = {ack.batch_id: ack for ack in acks}
        assert sorted(answers) == missing
        assert all(answers[number].code == 0 for number in missing)
        _, rows = query(stub, suite.admin, f"""
            SELECT COUNT(*), COUNT(DISTINCT seq), MIN(seq), MAX(seq)
            FROM {TABLE} WHERE epoch = '{epoch}'""")
        assert rows == [[batches * size, batches * size, size, (batches + 1) * size - 1]]
    finally:
        assert restarted.stop() == 0, restarted.log()
