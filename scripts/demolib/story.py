"""The phases of the demo, each run and shown through the admin CLI."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path
from typing import Callable

from .cli import EdgecatCLI, heading
from .suite import ADMIN, DEVICES, OFFLINE_DEVICE, Suite

MODEL = "production.ml_models.edge_detector"
TABLE = "production.edge_metrics.inference_logs"
TRAINING_TABLE = "production.feature_store.digits_training"
GROUPS = ["data-engineers", "ml-engineers", "edge-devices", "analysts", "global-admin",
          "pii-access"]
# name, groups, region
USERS = [
    ("dana@example.com", ["data-engineers"], "eu-west"),
    ("mike@example.com", ["ml-engineers"], "eu-west"),
    ("alice@example.com", ["analysts"], "eu-west"),
    ("bob@example.com", ["analysts"], "us-east"),
]


def wait_until(what: str, condition: Callable[[], object], timeout: float,
               interval: float = 0.5) -> object:
    """Polls `condition` until it returns a true value, or raises after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise TimeoutError(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(interval)


class Story:
    def __init__(self, suite: Suite, cli: EdgecatCLI, models: Path, images: int,
                 rate: float) -> None:
        self.suite = suite
        self.cli = cli
        self.models = models
        self.images = images
        self.rate = rate
        self.summary: dict = {}
        self.spool_depths: list[int] = []

    def identities(self) -> None:
        heading("Groups, users with regions, and one principal and token per device")
        for group in GROUPS:
            self.cli.run("group", "create", group, show=False)
        for name, groups, region in USERS:
            self.cli.run("principal", "create", name, "--attribute", f"region={region}",
                         show=False)
            for group in groups:
                self.cli.run("group", "add-member", group, name, show=False)
            self._token(name, name.split("@")[0])
        for device in DEVICES:
            principal = f"device:{device.device_id}"
            self.cli.run("principal", "create", principal, show=False)
            self.cli.run("group", "add-member", "edge-devices", principal, show=False)
            self._token(principal, f"device-{device.device_id}")
        self.cli.run("group", "add-member", "global-admin", ADMIN, show=False)
        self.cli.run("principal", "list")

    def _token(self, principal: str, file_name: str) -> None:
        secret = self.cli.json("token", "create", principal)
        token = secret["token"] if isinstance(secret, dict) else str(secret)
        path = self.suite.token_file(file_name)
        path.write_text(token + "\n")
        path.chmod(0o600)

    def namespace(self) -> None:
        repo = self.suite.repo
        heading("The seed's namespace, grants, row filter and column mask, through edgecat sql")
        self.cli.run("sql", str(repo / "examples/seed/tables.sql"),
                     str(repo / "examples/seed/setup.sql"))
        heading("The seed's grants alone leave ml-engineers without USE_CATALOG")
        self.cli.run("check", "ml-engineers", "USE_CATALOG", "catalog", "production", expect=1)
        wait_until("edgecat-telemetry to adopt the inference log table", self._adopted, 30)
        heading("The missing grants, the services' grants and the region filter on the log")
        self.cli.run("sql", str(repo / "examples/seed/grants.sql"))
        self.cli.run("check", "ml-engineers", "USE_CATALOG", "catalog", "production")
        self.cli.run("sql", "-e", "SHOW GRANTS ON SCHEMA production.edge_metrics")

    def _adopted(self) -> bool:
        table = self.cli.json("table", "get", TABLE)
        return any(column.get("name") == "region" for column in table.get("columns", []))

    def champion(self) -> None:
        heading("Train the champion and the challenger on scikit-learn's handwritten digits")
        subprocess.run([sys.executable, str(self.suite.repo / "scripts/train-model"),
                        str(self.models)], check=True)
        heading("Register the champion with lineage to its training table")
        self.cli.run("model", "create", MODEL, "--comment", "digit classifier for edge cameras")
        self._version("champion")
        self.cli.run("alias", "set", MODEL, "champion", "1")

    def _version(self, name: str) -> str:
        version = self.cli.json(
            "model-version", "create", MODEL, "--source", f"scripts/train-model:{name}",
            "--training-table", TRAINING_TABLE,
            "--signature-file", str(self.models / f"{name}.signature.json"),
            "--input-example-file", str(self.models / "input-example.json"))
        number = str(version["version"])
        artifact = self.models / f"{name}.onnx"
        uploaded = self.cli.json("model-version", "upload", MODEL, number, str(artifact))
        print(f"$ edgecat model-version upload {MODEL} {number} {artifact}\n"
              f"    version {number}: {uploaded.get('status')}, trained on "
              f"{', '.join(uploaded.get('training_tables', []))}")
        return number

    def fleet(self, stubs: Path) -> None:
        heading("Register the five devices and start an agent and an edge app on each")
        for device in DEVICES:
            self.cli.run("device", "register", device.device_id, "--location", device.location,
                         "--region", device.region, "--group", device.group, show=False)
        self.cli.run("device", "list")
        for index, device in enumerate(DEVICES):
            self.suite.start_agent(device)
            self.suite.start_app(device, self.models, stubs, count=self.images,
                                 rate=self.rate, seed=index)
        heading("Deploy the champion to every device")
        self.cli.run("deployment", "create", MODEL, "--alias", "champion")
        wait_until("every device to run version 1", lambda: self._running(1), 120)
        wait_until("labelled records from every device", self._labelled_everywhere, 120)
        heading("The fleet at work")
        self.cli.run("fleet", "status")
        self.cli.run("metrics", "--window", "10m")
        print("The Offline alerts below fired while the devices were registered but their")
        print("agents had not sent a heartbeat yet, and resolved at the first one.")
        self.cli.run("alert", "list")

    def _running(self, version: int) -> bool:
        devices = self.cli.json("device", "list")
        return all(any(model.get("version") == version and str(model.get("state")).lower() == "running"
                       for model in device.get("reported_models", []))
                   for device in devices)

    def _labelled_everywhere(self) -> bool:
        metrics = self.cli.json("metrics", "--window", "10m")
        counted = {entry["device_id"] for entry in metrics
                   if entry.get("labelled_count", 0) >= 10}
        return counted >= {device.device_id for device in DEVICES}

    def challenger(self) -> None:
        heading("Promote the weaker challenger with a staged rollout")
        number = self._version("challenger")
        self.cli.run("alias", "set", MODEL, "champion", number)
        self.cli.run("deployment", "create", MODEL, "--alias", "champion", "--staged",
                     "--stages", "40,100", "--soak-seconds", "3",
                     "--stage-timeout-seconds", "60")
        heading("The accuracy alert fires and rolls the fleet and the alias back")
        wait_until("the accuracy alert to roll version 2 back", self._rolled_back, 180, 1.0)
        self.cli.run("alert", "list")
        self._show_champion()
        wait_until("every device to run version 1 again", lambda: self._running(1), 120)
        self.cli.run("fleet", "status")
        self.cli.run("deployment", "list", "--model", MODEL)

    def _show_champion(self) -> None:
        alias = self.cli.json("alias", "get", MODEL, "champion")
        print(f"$ edgecat alias get {MODEL} champion\n    champion -> version "
              f"{alias.get('version')} ({alias.get('source')})")

    def _rolled_back(self) -> bool:
        version = self.cli.json("model-version", "get", MODEL, "2")
        return bool(version.get("rolled_back_at") or version.get("rolled_back"))

    def offline(self) -> None:
        heading(f"{OFFLINE_DEVICE} loses its uplink; its agent keeps spooling")
        assert self.suite.uplink
        self.suite.uplink.cut()
        wait_until("the offline alert", lambda: self._alert_firing("offline", OFFLINE_DEVICE),
                   60, 1.0)
        self.cli.run("alert", "list")
        self.cli.run("fleet", "status")
        heading(f"{OFFLINE_DEVICE} is back and its spool drains")
        self.suite.uplink.restore()
        wait_until("the spool to drain", self._spool_drained, 120, 0.25)
        print(f"{OFFLINE_DEVICE}'s spool as its heartbeats reported it: "
              + " -> ".join(str(depth) for depth in self.spool_depths) + " records")
        self.cli.run("fleet", "status")

    def _alert_firing(self, metric_word: str, subject: str) -> bool:
        alerts = self.cli.json("alert", "list", "--state", "firing")
        return any(alert.get("subject") == subject
                   and metric_word in alert.get("rule_name", "").lower() for alert in alerts)

    def _spool_drained(self) -> bool:
        fleet = self.cli.json("fleet", "status")
        entry = next(entry for entry in fleet if entry["device_id"] == OFFLINE_DEVICE)
        depth = entry.get("spool_records", 0)
        if not self.spool_depths or self.spool_depths[-1] != depth:
            self.spool_depths.append(depth)
        return str(entry.get("status")).lower() == "running" and depth == 0

    def finish(self) -> None:
        heading("Stop the edge apps and let the agents forward what they spooled")
        self.summary["apps"] = self.suite.stop_apps()
        expected = sum(app.get("records_ok", 0) for app in self.summary["apps"].values())
        self.summary["records_ok"] = expected
        wait_until("every acknowledged record in the inference log",
                   lambda: self._stored() >= expected and self._spools_empty(), 120, 1.0)
        self.summary["rows"] = self._stored()
        heading("The same query as two analysts: the region filter decides the rows")
        sql = f"SELECT region, COUNT(*) AS records FROM {TABLE} GROUP BY region ORDER BY region"
        for user in ("alice", "bob"):
            self.cli.run("query", sql, token_file=self.suite.token_file(user))
        self.cli.run("query", f"""SELECT device_id, model_version,
COUNT(*) as predictions,
AVG(confidence) as avg_confidence,
AVG(latency_ms) as avg_latency,
PERCENTILE(latency_ms, 0.99) as p99_latency
FROM {TABLE}
WHERE timestamp > current_timestamp() - INTERVAL 1 HOUR
GROUP BY device_id, model_version""")
        heading("Lineage from the training table to the predictions")
        self.cli.run("lineage", "get", TRAINING_TABLE, "--direction", "downstream",
                     "--depth", "4")
        heading("The audit trail of the rollback")
        self.cli.run("audit", "list", "--action", "RollbackDeployment")
        self.cli.run("alert", "transitions", "--max-results", "10")
        self._record_end_state()

    def _stored(self) -> int:
        rows = self.cli.json("query", f"SELECT COUNT(*) AS n FROM {TABLE}")
        return int(rows[0]["n"]) if rows else 0

    def _spools_empty(self) -> bool:
        return all(entry.get("spool_records", 0) == 0
                   for entry in self.cli.json("fleet", "status"))

    def _record_end_state(self) -> None:
        alias = self.cli.json("alias", "get", MODEL, "champion")
        version = self.cli.json("model-version", "get", MODEL, "2")
        self.summary["champion_version"] = alias.get("version")
        self.summary["version_2_rolled_back"] = bool(
            version.get("rolled_back_at") or version.get("rolled_back"))
        self.summary["devices_on_version_1"] = self._running(1)
