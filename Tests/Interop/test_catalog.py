"""A stock grpcio client against edgecat-catalog, which runs behind a real edgecat-policy.

The binaries come from EDGECAT_CATALOG_SERVER and EDGECAT_POLICY_SERVER, or .build/debug.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Iterator

import grpc
import pytest

import interop_stubs
from test_policy import CHANNEL_OPTIONS, PolicyProcess, bearer, policy_pb2, policy_pb2_grpc

DEFAULT_BINARY = interop_stubs.REPO_ROOT / ".build" / "debug" / "edgecat-catalog"


def _stubs():
    out = Path(tempfile.mkdtemp(prefix="edgecat-catalog-stubs-"))
    for proto in ("edgecat/audit/v1/audit.proto", "edgecat/policy/v1/policy.proto",
                  "edgecat/catalog/v1/catalog.proto"):
        interop_stubs._protoc(interop_stubs.PROTO_ROOT, out, proto)
    sys.path.insert(0, str(out))
    from edgecat.catalog.v1 import catalog_pb2, catalog_pb2_grpc  # noqa: E402

    return catalog_pb2, catalog_pb2_grpc


catalog_pb2, catalog_pb2_grpc = _stubs()


class CatalogProcess:
    def __init__(self, policy: PolicyProcess) -> None:
        binary = Path(os.environ.get("EDGECAT_CATALOG_SERVER", DEFAULT_BINARY))
        if not binary.is_file():
            pytest.fail(f"no catalog binary at {binary}; run swift build or set "
                        "EDGECAT_CATALOG_SERVER", pytrace=False)
        self.dir = Path(tempfile.mkdtemp(prefix="edgecat-catalog-"))
        port_file = self.dir / "port"
        self._log = (self.dir / "catalog.log").open("wb")
        self.process = subprocess.Popen(
            [str(binary), "--listen", "127.0.0.1:0", "--port-file", str(port_file),
             "--data-dir", str(self.dir / "data"),
             "--token-file", str(policy.service_token_file),
             "--policy-endpoint", f"127.0.0.1:{policy.port}"],
            stdout=subprocess.DEVNULL, stderr=self._log)
        deadline = time.monotonic() + 30
        while not port_file.exists():
            if time.monotonic() > deadline or self.process.poll() is not None:
                raise RuntimeError("edgecat-catalog did not start; see " + str(self.dir))
            time.sleep(0.05)
        self.port = int(port_file.read_text().strip())

    def log(self) -> str:
        self._log.flush()
        return (self.dir / "catalog.log").read_text(errors="replace")

    def stop(self) -> int:
        self.process.send_signal(signal.SIGTERM)
        code = self.process.wait(timeout=15)
        self._log.close()
        shutil.rmtree(self.dir, ignore_errors=True)
        return code


@pytest.fixture(scope="module")
def policy() -> Iterator[PolicyProcess]:
    process = PolicyProcess()
    yield process
    process.stop()


@pytest.fixture(scope="module")
def catalog(policy: PolicyProcess) -> Iterator[CatalogProcess]:
    process = CatalogProcess(policy)
    yield process
    assert process.stop() == 0


@pytest.fixture()
def stub(catalog: CatalogProcess):
    channel = grpc.insecure_channel(f"127.0.0.1:{catalog.port}", options=CHANNEL_OPTIONS)
    yield catalog_pb2_grpc.CatalogServiceStub(channel)
    channel.close()


@pytest.fixture()
def admin(policy: PolicyProcess) -> list[tuple[str, str]]:
    return bearer(policy.token(policy.admin_token_file))


def test_create_and_get_table(stub, admin) -> None:
    stub.CreateCatalog(catalog_pb2.CreateCatalogRequest(name="Interop"), metadata=admin)
    stub.CreateSchema(catalog_pb2.CreateSchemaRequest(catalog_name="interop", name="sales"),
                      metadata=admin)
    created = stub.CreateTable(catalog_pb2.CreateTableRequest(
        catalog_name="interop", schema_name="sales", name="orders",
        columns=[catalog_pb2.ColumnInfo(name="id", type="bigint"),
                 catalog_pb2.ColumnInfo(name="placed", type="timestamp")],
        partition_columns=["date(placed)"],
        properties={"delta.autoOptimize.optimizeWrite": "true"}), metadata=admin)
    assert created.full_name == "interop.sales.orders"
    fetched = stub.GetTable(catalog_pb2.GetTableRequest(full_name="interop.sales.orders"),
                            metadata=admin)
    assert [column.type for column in fetched.columns] == ["BIGINT", "TIMESTAMP"]
    assert fetched.data_source_format == "DELTA"
    assert list(fetched.partition_columns) == ["date(placed)"]
    assert fetched.owner == "admin@example.com"


def test_list_tables_pages(stub, admin) -> None:
    stub.CreateCatalog(catalog_pb2.CreateCatalogRequest(name="paged"), metadata=admin)
    stub.CreateSchema(catalog_pb2.CreateSchemaRequest(catalog_name="paged", name="s"),
                      metadata=admin)
    for index in range(7):
        stub.CreateTable(catalog_pb2.CreateTableRequest(
            catalog_name="paged", schema_name="s", name=f"t{index}"), metadata=admin)
    names, token = [], ""
    while True:
        page = stub.ListTables(catalog_pb2.ListTablesRequest(
            schema_full_name="paged.s", page_size=3, page_token=token), metadata=admin)
        names += [table.name for table in page.tables]
        token = page.next_page_token
        if not token:
            break
    assert names == [f"t{index}" for index in range(7)]


def test_bad_name_is_invalid_argument(stub, admin) -> None:
    with pytest.raises(grpc.RpcError) as raised:
        stub.CreateCatalog(catalog_pb2.CreateCatalogRequest(name="bad name"), metadata=admin)
    assert raised.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert "bad name" in raised.value.details()


def test_missing_token_is_unauthenticated(stub) -> None:
    with pytest.raises(grpc.RpcError) as raised:
        stub.ListCatalogs(catalog_pb2.ListCatalogsRequest())
    assert raised.value.code() == grpc.StatusCode.UNAUTHENTICATED


def test_user_sees_only_granted_catalogs(stub, admin, policy: PolicyProcess) -> None:
    policy_stub = policy_pb2_grpc.PolicyServiceStub(grpc.insecure_channel(
        f"127.0.0.1:{policy.port}", options=CHANNEL_OPTIONS))
    policy_stub.CreatePrincipal(policy_pb2.CreatePrincipalRequest(
        name="carol@example.com", type=policy_pb2.PRINCIPAL_TYPE_USER), metadata=admin)
    token = policy_stub.CreateToken(policy_pb2.CreateTokenRequest(
        principal="carol@example.com"), metadata=admin).token
    stub.CreateCatalog(catalog_pb2.CreateCatalogRequest(name="visible"), metadata=admin)
    policy_stub.Grant(policy_pb2.UpdatePrivilegesRequest(
        principal="carol@example.com", privileges=["USE_CATALOG"],
        securable_type=policy_pb2.SECURABLE_TYPE_CATALOG, securable_full_name="visible"),
        metadata=admin)
    listed = stub.ListCatalogs(catalog_pb2.ListCatalogsRequest(), metadata=bearer(token))
    assert [catalog.name for catalog in listed.catalogs] == ["visible"]


def test_function_with_subquery_is_rejected(stub, admin) -> None:
    stub.CreateCatalog(catalog_pb2.CreateCatalogRequest(name="fn", if_not_exists=True),
                       metadata=admin)
    stub.CreateSchema(catalog_pb2.CreateSchemaRequest(catalog_name="fn", name="s"),
                      metadata=admin)
    with pytest.raises(grpc.RpcError) as raised:
        stub.CreateFunction(catalog_pb2.CreateFunctionRequest(
            catalog_name="fn", schema_name="s", name="leak",
            parameters=[policy_pb2.FunctionParameter(name="x", type="STRING")],
            body="(SELECT count(*) FROM sqlite_master)"), metadata=admin)
    assert raised.value.code() == grpc.StatusCode.INVALID_ARGUMENT


def test_policy_down_fails_closed(admin) -> None:
    policy = PolicyProcess()
    catalog = CatalogProcess(policy)
    try:
        channel = grpc.insecure_channel(f"127.0.0.1:{catalog.port}", options=CHANNEL_OPTIONS)
        stub = catalog_pb2_grpc.CatalogServiceStub(channel)
        token = bearer(policy.token(policy.admin_token_file))
        stub.ListCatalogs(catalog_pb2.ListCatalogsRequest(), metadata=token)
        policy.process.kill()
        policy.process.wait()
        # A decision cached under the Watch lease may still serve a request that arrives
        # before the catalog has read the end of the stream. The lease ends 300 ms after the
        # last heartbeat, so after that nothing may be allowed.
        time.sleep(0.5)
        with pytest.raises(grpc.RpcError) as raised:
            stub.ListCatalogs(catalog_pb2.ListCatalogsRequest(), metadata=token, timeout=10)
        assert raised.value.code() == grpc.StatusCode.UNAVAILABLE
        assert "policy service" in raised.value.details()
        channel.close()
    finally:
        catalog.stop()
        shutil.rmtree(policy.dir, ignore_errors=True)
