"""The four services, the five agents with an edge app each, and their folders under ./var."""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from pathlib import Path

from .link import Uplink
from .processes import Process, ProcessGroup

ADMIN = "admin@example.com"


@dataclass(frozen=True)
class Device:
    device_id: str
    location: str
    region: str
    group: str


# The fleet: two lines in Factory A, one in Factory B and two retail stores.
DEVICES = [
    Device("edge-001", "Factory A - Line 1", "eu-west", "factory-a"),
    Device("edge-002", "Factory A - Line 2", "eu-west", "factory-a"),
    Device("edge-003", "Factory B - Line 1", "eu-central", "factory-b"),
    Device("edge-004", "Retail Store 1", "us-east", "retail"),
    Device("edge-005", "Retail Store 2", "us-east", "retail"),
]
# The device whose uplink the demo cuts.
OFFLINE_DEVICE = "edge-005"


@dataclass
class Timers:
    """Every timer of the services, short enough that the story runs in minutes."""

    heartbeat_ms: int = 1000
    offline_after_ms: int = 6000
    alert_interval_ms: int = 1000
    accuracy_window_ms: int = 20000
    accuracy_min_labels: int = 40
    rollout_tick_ms: int = 200


class Suite:
    """Starts and stops everything; `data` is the demo's data folder, made fresh."""

    def __init__(self, repo: Path, bin_dir: Path, data: Path, timers: Timers) -> None:
        self.repo = repo
        self.bin = bin_dir
        self.data = data
        self.timers = timers
        self.tokens = data / "tokens"
        self.logs = data / "logs"
        for folder in (self.tokens, self.logs):
            folder.mkdir(parents=True, exist_ok=True)
        self.group = ProcessGroup(self.logs)
        self.ports: dict[str, int] = {}
        self.uplink: Uplink | None = None
        self.agents: dict[str, Process] = {}
        self.agent_ports: dict[str, int] = {}
        self.apps: dict[str, Process] = {}

    def token_file(self, name: str) -> Path:
        return self.tokens / f"{name}.token"

    def start_services(self) -> None:
        self._start("policy", [
            "--bootstrap-admin", ADMIN, "--bootstrap-token-file", str(self.token_file("admin")),
            *[argument for service in ("catalog", "registry", "telemetry")
              for argument in ("--bootstrap-service", f"{service}={self.token_file(service)}")],
        ])
        self._start("catalog", [])
        self._start("registry", ["--rollout-tick-ms", str(self.timers.rollout_tick_ms)])
        timers = self.timers
        self._start("telemetry", [
            "--catalog-name", "production",
            "--heartbeat-interval-ms", str(timers.heartbeat_ms),
            "--offline-after-ms", str(timers.offline_after_ms),
            "--alert-interval-ms", str(timers.alert_interval_ms),
            "--accuracy-window-ms", str(timers.accuracy_window_ms),
            "--accuracy-min-labels", str(timers.accuracy_min_labels),
        ])
        self.uplink = Uplink(self.ports["telemetry"])

    def _start(self, service: str, extra: list[str]) -> None:
        command = [str(self.bin / f"edgecat-{service}"), "--listen", "127.0.0.1:0",
                   "--data-dir", str(self.data / service)]
        if service != "policy":
            command += ["--token-file", str(self.token_file(service))]
        for other, port in self.ports.items():
            command += [f"--{other}-endpoint", f"127.0.0.1:{port}"]
        _, port = self.group.start_listening(
            service, [*command, *extra], self.data / f"{service}.port")
        self.ports[service] = port
        print(f"started edgecat-{service} on 127.0.0.1:{port}")

    def start_agent(self, device: Device) -> None:
        folder = self.data / "agents" / device.device_id
        folder.mkdir(parents=True, exist_ok=True)
        telemetry = (self.uplink.port if device.device_id == OFFLINE_DEVICE and self.uplink
                     else self.ports["telemetry"])
        _, port = self.group.start_listening(f"agent-{device.device_id}", [
            str(self.bin / "edgecat-agent"), "--device-id", device.device_id,
            "--token-file", str(self.token_file(f"device-{device.device_id}")),
            "--listen", "127.0.0.1:0", "--local-token-file", str(folder / "local.token"),
            "--registry-endpoint", f"127.0.0.1:{self.ports['registry']}",
            "--telemetry-endpoint", f"127.0.0.1:{telemetry}",
            "--data-dir", str(folder),
            "--heartbeat-interval-ms", str(self.timers.heartbeat_ms),
        ], folder / "local.port")
        self.agent_ports[device.device_id] = port

    def start_app(self, device: Device, models: Path, stubs: Path, *, count: int,
                  rate: float, seed: int) -> None:
        folder = self.data / "agents" / device.device_id
        self.apps[device.device_id] = self.group.start(f"app-{device.device_id}", [
            sys.executable, str(self.repo / "examples/edge-app/edge_app.py"),
            "--agent", f"127.0.0.1:{self.agent_ports[device.device_id]}",
            "--token-file", str(folder / "local.token"),
            "--images", str(models / "holdout.npz"), "--count", str(count),
            "--rate", str(rate), "--label-delay", "1", "--seed", str(seed),
            "--stubs", str(stubs), "--flush-interval", "0.5",
        ], stdout_file=self.logs / f"app-{device.device_id}.json")

    def stop_apps(self) -> dict[str, dict]:
        """Stops every edge app and returns the summary each printed last."""
        summaries = {}
        for device_id, app in self.apps.items():
            app.stop(timeout=30)
            lines = app.stdout_file.read_text().strip().splitlines() if app.stdout_file else []
            summaries[device_id] = json.loads(lines[-1]) if lines else {}
        return summaries

    def stop(self) -> None:
        self.group.stop_all()
        if self.uplink:
            self.uplink.close()
