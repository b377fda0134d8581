"""Deployment lineage of an edgecat-registry killed with SIGKILL while the catalog is down.

The registry writes a stage's DEPLOYED_TO edges to the lineage_outbox table of its database
in the stage's transaction, so a registry started again on the same data folder delivers them.
The binaries come from EDGECAT_POLICY_SERVER, EDGECAT_CATALOG_SERVER and
EDGECAT_REGISTRY_SERVER, or .build/debug of this repository.
"""

from __future__ import annotations

import hashlib
import sqlite3
import time
from pathlib import Path
from typing import Callable

import grpc

from test_catalog import DEFAULT_BINARY as DEFAULT_CATALOG_BINARY
from test_catalog import catalog_pb2, catalog_pb2_grpc
from test_policy import CHANNEL_OPTIONS, bearer
from test_registry import (ARTIFACT, DEFAULT_BINARY, PolicyWithServices, ServiceProcess,
                           _binary, create_version, registry_pb2, registry_pb2_grpc,
                           upload_requests)

MODEL = "ml.vision.detector"
VERSION_NODE = f"model-version:{MODEL}/1"
WAIT_TIMEOUT_S = 15


def start_catalog(policy: PolicyWithServices, folder: Path) -> ServiceProcess:
    """Starts edgecat-catalog on folder/catalog-data, which outlives the process."""
    (folder / "catalog.port").unlink(missing_ok=True)
    return ServiceProcess("catalog", [
        str(_binary("EDGECAT_CATALOG_SERVER", DEFAULT_CATALOG_BINARY)),
        "--token-file", str(policy.service_token_file),
        "--policy-endpoint", f"127.0.0.1:{policy.port}",
    ], folder)


def start_registry(policy: PolicyWithServices, catalog: ServiceProcess,
                   folder: Path) -> ServiceProcess:
    """Starts edgecat-registry on folder/registry-data with a 20 ms rollout timer."""
    (folder / "registry.port").unlink(missing_ok=True)
    return ServiceProcess("registry", [
        str(_binary("EDGECAT_REGISTRY_SERVER", DEFAULT_BINARY)),
        "--token-file", str(policy.registry_token_file),
        "--policy-endpoint", f"127.0.0.1:{policy.port}",
        "--catalog-endpoint", f"127.0.0.1:{catalog.port}",
        "--rollout-tick-ms", "20",
    ], folder)


def wait_until(condition: Callable[[], bool], description: str) -> None:
    deadline = time.monotonic() + WAIT_TIMEOUT_S
    while not condition():
        assert time.monotonic() < deadline, \
            f"timed out after {WAIT_TIMEOUT_S} s waiting for {description}"
        time.sleep(0.05)


def deployed_devices(catalog: ServiceProcess, admin) -> set[str]:
    """Returns the targets of the DEPLOYED_TO edges from version 1 of the model."""
    with grpc.insecure_channel(f"127.0.0.1:{catalog.port}", options=CHANNEL_OPTIONS) as channel:
        lineage = catalog_pb2_grpc.CatalogServiceStub(channel).GetLineage(
            catalog_pb2.GetLineageRequest(
                node=VERSION_NODE, direction=catalog_pb2.LINEAGE_DIRECTION_DOWNSTREAM, depth=1),
            metadata=admin)
    return {edge.target for edge in lineage.edges
            if edge.source == VERSION_NODE and edge.kind == "DEPLOYED_TO"}


def pending_targets(folder: Path) -> list[str]:
    """Reads the targets of the pending outbox rows from the registry database."""
    with sqlite3.connect(folder / "registry-data" / "registry.db", timeout=5) as database:
        rows = database.execute(
            "SELECT target FROM lineage_outbox WHERE failed_at IS NULL ORDER BY id").fetchall()
    return [row[0] for row in rows]


def prepare_model(catalog: ServiceProcess, registry: ServiceProcess, admin) -> None:
    """Creates the model with a READY version 1 and registers dev-1 and dev-2."""
    with grpc.insecure_channel(f"127.0.0.1:{catalog.port}", options=CHANNEL_OPTIONS) as channel:
        catalog_stub = catalog_pb2_grpc.CatalogServiceStub(channel)
        catalog_stub.CreateCatalog(catalog_pb2.CreateCatalogRequest(name="ml"), metadata=admin)
        catalog_stub.CreateSchema(
            catalog_pb2.CreateSchemaRequest(catalog_name="ml", name="vision"), metadata=admin)
    with grpc.insecure_channel(f"127.0.0.1:{registry.port}", options=CHANNEL_OPTIONS) as channel:
        stub = registry_pb2_grpc.ModelRegistryServiceStub(channel)
        stub.CreateRegisteredModel(registry_pb2.CreateRegisteredModelRequest(
            catalog_name="ml", schema_name="vision", name="detector"), metadata=admin)
        number = create_version(stub, admin, MODEL)
        stub.UploadArtifact(
            upload_requests(MODEL, number, ARTIFACT, hashlib.sha256(ARTIFACT).hexdigest()),
            metadata=admin)
        for device in ("dev-1", "dev-2"):
            stub.RegisterDevice(
                registry_pb2.RegisterDeviceRequest(device_id=device, group="line-1"),
                metadata=admin)


def test_killed_registry_delivers_lineage_after_restart(tmp_path: Path) -> None:
    policy = PolicyWithServices(tmp_path)
    processes = [policy]
    try:
        admin = bearer(policy.admin_token_file.read_text().strip())
        catalog = start_catalog(policy, tmp_path)
        processes.append(catalog)
        registry = start_registry(policy, catalog, tmp_path)
        processes.append(registry)
        prepare_model(catalog, registry, admin)

        # Stage 1 reaches dev-1 while the catalog is up.
        with grpc.insecure_channel(f"127.0.0.1:{registry.port}",
                                   options=CHANNEL_OPTIONS) as channel:
            stub = registry_pb2_grpc.ModelRegistryServiceStub(channel)
            stub.CreateDeployment(registry_pb2.CreateDeploymentRequest(
                model_full_name=MODEL, version=1, selector=registry_pb2.DeviceSelector(),
                strategy=registry_pb2.RolloutStrategy(stage_percents=[50, 100], soak_ms=1)),
                metadata=admin)
            wait_until(lambda: deployed_devices(catalog, admin) == {"device:dev-1"},
                       "the stage 1 edge in the catalog")

            # With the catalog down, dev-1's report lets the rollout timer start stage 2,
            # whose edge stays in the outbox.
            assert catalog.stop() == 0
            processes.remove(catalog)
            stub.ReportDeviceState(registry_pb2.ReportDeviceStateRequest(
                device_id="dev-1", models=[registry_pb2.ReportedModel(
                    model_full_name=MODEL, version=1,
                    state=registry_pb2.MODEL_RUN_STATE_RUNNING)]), metadata=admin)
            wait_until(lambda: pending_targets(tmp_path) == ["device:dev-2"],
                       "the stage 2 edge in the outbox")

        registry.process.kill()
        registry.process.wait(timeout=15)
        processes.remove(registry)
        assert pending_targets(tmp_path) == ["device:dev-2"]

        catalog = start_catalog(policy, tmp_path)
        processes.append(catalog)
        registry = start_registry(policy, catalog, tmp_path)
        processes.append(registry)
        wait_until(lambda: deployed_devices(catalog, admin) == {"device:dev-1", "device:dev-2"},
                   "both edges in the catalog")
        wait_until(lambda: pending_targets(tmp_path) == [], "an empty outbox")
    finally:
        for process in reversed(processes):
            process.stop()
