"""Runs scripts/demo, the main job, on the debug binaries and checks its end state.

The demo starts the four services, five agents and five edge apps on loopback, promotes a
weaker model until the accuracy alert rolls it back, and cuts one device's uplink. Its timers
are short, so the run takes one to three minutes.
"""

from __future__ import annotations

import importlib.machinery
import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest

import interop_stubs

BIN_DIR = Path(os.environ.get("EDGECAT_BIN_DIR", interop_stubs.REPO_ROOT / ".build" / "debug"))
PRODUCTS = ["edgecat-policy", "edgecat-catalog", "edgecat-registry", "edgecat-telemetry",
            "edgecat-agent", "edgecat"]


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> tuple[subprocess.CompletedProcess, dict]:
    missing = [product for product in PRODUCTS if not (BIN_DIR / product).exists()]
    if missing:
        pytest.skip(f"build the binaries first: {', '.join(missing)} missing in {BIN_DIR}")
    folder = tmp_path_factory.mktemp("demo")
    summary = folder / "summary.json"
    completed = subprocess.run(
        [sys.executable, str(interop_stubs.REPO_ROOT / "scripts/demo"), "--bin-dir",
         str(BIN_DIR), "--data-dir", str(folder / "var"), "--summary", str(summary)],
        capture_output=True, text=True, timeout=540)
    state = json.loads(summary.read_text()) if summary.exists() else {}
    return completed, state


def test_demo_exits_zero(demo) -> None:
    completed, _ = demo
    assert completed.returncode == 0, completed.stdout[-4000:] + completed.stderr[-4000:]


def test_demo_rolled_back_the_challenger(demo) -> None:
    _, state = demo
    assert state.get("version_2_rolled_back") is True


def test_demo_champion_alias_points_back(demo) -> None:
    _, state = demo
    assert state.get("champion_version") == 1


def test_demo_fleet_runs_the_champion_again(demo) -> None:
    _, state = demo
    assert state.get("devices_on_version_1") is True


def test_demo_table_holds_every_acknowledged_record(demo) -> None:
    _, state = demo
    assert state.get("records_ok", 0) > 0
    assert state.get("rows") == state.get("records_ok")


def test_demo_shows_the_first_denial(demo) -> None:
    completed, _ = demo
    assert "missing privileges: USE_CATALOG" in completed.stdout


def test_demo_region_filter_splits_the_analysts(demo) -> None:
    completed, _ = demo
    alice = completed.stdout.split("[as alice]", 1)[1].split("$", 1)[0]
    bob = completed.stdout.split("[as bob]", 1)[1].split("$", 1)[0]
    assert "eu-west" in alice
    assert "us-east" not in alice
    assert "us-east" in bob
    assert "eu-west" not in bob


def test_keep_running_names_an_agent(tmp_path: Path) -> None:
    # --keep-running promises settings that point the CLI at the services and the agents.
    path = str(interop_stubs.REPO_ROOT / "scripts/demo")
    loader = importlib.machinery.SourceFileLoader("demo_script", path)
    spec = importlib.util.spec_from_loader("demo_script", loader)
    demo_script = importlib.util.module_from_spec(spec)
    loader.exec_module(demo_script)
    suite = SimpleNamespace(
        ports={"policy": 7401}, agent_ports={"edge-001": 7411, "edge-002": 7412},
        data=tmp_path, token_file=lambda name: tmp_path / "tokens" / f"{name}.token")
    lines = demo_script.cli_settings(suite, Path("/bin-dir"))
    assert "export EDGECAT_POLICY_ENDPOINT=127.0.0.1:7401" in lines
    assert f"export EDGECAT_TOKEN_FILE={tmp_path / 'tokens' / 'admin.token'}" in lines
    assert "export EDGECAT_AGENT_ENDPOINT=127.0.0.1:7411  # the agent of edge-001" in lines
    token = tmp_path / "agents" / "edge-001" / "local.token"
    assert f"export EDGECAT_AGENT_TOKEN_FILE={token}" in lines
