"""The built `edgecat` CLI against a live telemetry service and the services behind it.

The suite of test_telemetry.py starts policy, catalog, registry and telemetry. These tests
ingest a few records as a device and run the telemetry nouns, checking exit codes, JSON
output and the chart files.
"""

from __future__ import annotations

import json
import os
import subprocess
import time
from pathlib import Path

import pytest

import interop_stubs
from test_telemetry import (TABLE, batch, open_stream, record, suite, telemetry,  # noqa: F401
                            telemetry_pb2,
                            stub, wait_ready)

CLI = Path(os.environ.get("EDGECAT_CLI", interop_stubs.REPO_ROOT / ".build" / "debug" / "edgecat"))


@pytest.fixture(scope="module")
def cli(suite, telemetry, stub, tmp_path_factory):  # noqa: F811
    if not CLI.exists():
        pytest.skip(f"build the CLI first: {CLI} is missing")
    device = suite.device_tokens["line-1"]
    wait_ready(stub, device)
    outgoing, acks = open_stream(stub, device)
    outgoing.put(batch(1, [record("line-1", seq, epoch="epoch-cli", latency=float(seq),
                                  label=float(seq % 10)) for seq in range(50)]))
    outgoing.put(None)
    assert [ack.code for ack in acks] == [0]
    home = tmp_path_factory.mktemp("cli-home")
    environment = dict(os.environ, HOME=str(home),
                       EDGECAT_TOKEN_FILE=str(suite.tokens["admin"]),
                       EDGECAT_POLICY_ENDPOINT=f"127.0.0.1:{suite.policy.port}",
                       EDGECAT_CATALOG_ENDPOINT=f"127.0.0.1:{suite.catalog.port}",
                       EDGECAT_REGISTRY_ENDPOINT=f"127.0.0.1:{suite.registry.port}",
                       EDGECAT_TELEMETRY_ENDPOINT=f"127.0.0.1:{telemetry.port}")

    def run(*arguments: str) -> subprocess.CompletedProcess:
        return subprocess.run([str(CLI), *arguments], env=environment, capture_output=True,
                              text=True, timeout=60)

    return run


def test_fleet_status_json_lists_the_devices(cli) -> None:
    completed = cli("--output", "json", "fleet", "status")
    assert completed.returncode == 0, completed.stderr
    devices = {entry["device_id"]: entry for entry in json.loads(completed.stdout)}
    assert set(devices) == {"line-1", "store-1"}
    assert devices["line-1"]["region"] == "eu-west"


def test_fleet_status_table_has_the_dashboard_columns(cli) -> None:
    completed = cli("fleet", "status")
    assert completed.returncode == 0, completed.stderr
    header = completed.stdout.splitlines()[0]
    for column in ("STATUS", "DEVICE", "LOCATION", "MODEL", "P99", "ACCURACY", "LAST_SYNC"):
        assert column in header


def test_metrics_json_counts_the_records(cli) -> None:
    completed = cli("--output", "json", "metrics", "--device", "line-1", "--window", "1h")
    assert completed.returncode == 0, completed.stderr
    (entry,) = [entry for entry in json.loads(completed.stdout)
                if entry["model_full_name"] == "production.ml_models.digits"]
    assert entry["count"] >= 50


def test_metrics_chart_writes_an_svg(cli, tmp_path) -> None:
    svg = tmp_path / "chart.svg"
    completed = cli("metrics", "--window", "1h", "--chart", "--buckets", "4", "--svg", str(svg))
    assert completed.returncode == 0, completed.stderr
    assert "line-1" in completed.stdout
    assert "<svg" in svg.read_text()


def test_query_returns_rows_as_json(cli) -> None:
    completed = cli("--output", "json", "query",
                    f"SELECT COUNT(*) AS n FROM {TABLE} WHERE epoch = 'epoch-cli'")
    assert completed.returncode == 0, completed.stderr
    assert json.loads(completed.stdout) == [{"n": 50}]


def test_sql_select_goes_to_the_query(cli) -> None:
    completed = cli("sql", "-e", f"SELECT COUNT(*) AS n FROM {TABLE} WHERE epoch = 'epoch-cli'")
    assert completed.returncode == 0, completed.stderr
    assert "50" in completed.stdout


def test_query_row_cap_hint(cli) -> None:
    endless = "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT x FROM c"
    completed = cli("query", "--max-rows", "5", endless)
    assert completed.returncode == 0, completed.stderr
    assert "cut the result at 5 rows; add LIMIT or raise --max-rows" in completed.stderr
    # Without --max-rows the service's cap applies, which the flag cannot raise.
    completed = cli("query", endless)
    assert completed.returncode == 0, completed.stderr
    assert "cut the result at 100000 rows" in completed.stderr
    assert "--max-rows" not in completed.stderr


def test_query_of_another_table_fails_naming_it(cli) -> None:
    completed = cli("query", "SELECT * FROM production.ml_models.secrets")
    assert completed.returncode == 1
    assert "production.ml_models.secrets" in completed.stderr


def test_alert_rules_list_shows_the_defaults(cli) -> None:
    completed = cli("--output", "json", "alert", "rules", "list")
    assert completed.returncode == 0, completed.stderr
    names = {rule["name"] for rule in json.loads(completed.stdout)}
    assert {"Accuracy", "Offline"} <= names


def test_alert_evaluate_and_list(cli) -> None:
    evaluated = cli("alert", "evaluate")
    assert evaluated.returncode == 0, evaluated.stderr
    listed = cli("--output", "json", "alert", "list")
    assert listed.returncode == 0, listed.stderr
    assert any(alert["subject"] == "store-1" for alert in json.loads(listed.stdout))


def test_metrics_with_bad_window_is_a_usage_error(cli) -> None:
    completed = cli("metrics", "--window", "soon")
    assert completed.returncode == 2
    assert "soon" in completed.stderr


def test_alert_watch_names_resume_id_on_stop(suite, telemetry, tmp_path) -> None:  # noqa: F811
    """A watch that the service ends prints the --after id that continues it."""
    from test_telemetry import telemetry_pb2_grpc  # noqa: E402

    if not CLI.exists():
        pytest.skip(f"build the CLI first: {CLI} is missing")
    data = tmp_path / "watch"
    data.mkdir()
    process = suite.telemetry("telemetry-watch", data)
    stub = telemetry_pb2_grpc.TelemetryServiceStub(suite.channel(process.port))
    environment = dict(os.environ, HOME=str(tmp_path),
                       EDGECAT_TOKEN_FILE=str(suite.tokens["admin"]),
                       EDGECAT_TELEMETRY_ENDPOINT=f"127.0.0.1:{process.port}")
    watch = subprocess.Popen([str(CLI), "--output", "json", "alert", "watch"], env=environment,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 30
        while not list(stub.ListAlertTransitions(
                telemetry_pb2.ListAlertTransitionsRequest(), metadata=suite.admin).transitions):
            assert time.monotonic() < deadline, "no alert fired"
            time.sleep(0.5)
            stub.EvaluateAlerts(telemetry_pb2.EvaluateAlertsRequest(), metadata=suite.admin)
        first = json.loads(watch.stdout.readline())
        assert process.stop() == 0, process.log()
        # The rest of stdout is read through the same buffer as the first line, which may
        # already hold the lines after it.
        out = watch.stdout.read()
        err = watch.stderr.read()
        watch.wait(timeout=30)
    finally:
        if watch.poll() is None:
            watch.kill()
    printed = [first] + [json.loads(line) for line in out.splitlines() if line.strip()]
    last = max(int(entry["transition_id"]) for entry in printed)
    assert watch.returncode == 1, err
    assert f"--after {last}" in err, err
