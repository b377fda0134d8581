"""A stock grpcio client against edgecat-policy: bootstrap tokens, Authenticate and Check.

The binary comes from EDGECAT_POLICY_SERVER, or .build/debug/edgecat-policy.
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

DEFAULT_BINARY = interop_stubs.REPO_ROOT / ".build" / "debug" / "edgecat-policy"
CHANNEL_OPTIONS = [("grpc.enable_http_proxy", 0)]


def _stubs():
    out = Path(tempfile.mkdtemp(prefix="edgecat-policy-stubs-"))
    for proto in ("edgecat/audit/v1/audit.proto", "edgecat/policy/v1/policy.proto"):
        interop_stubs._protoc(interop_stubs.PROTO_ROOT, out, proto)
    sys.path.insert(0, str(out))
    from edgecat.policy.v1 import policy_pb2, policy_pb2_grpc  # noqa: E402

    return policy_pb2, policy_pb2_grpc


policy_pb2, policy_pb2_grpc = _stubs()


class PolicyProcess:
    def __init__(self) -> None:
        binary = Path(os.environ.get("EDGECAT_POLICY_SERVER", DEFAULT_BINARY))
        if not binary.is_file():
            pytest.fail(f"no policy binary at {binary}; run swift build or set "
                        "EDGECAT_POLICY_SERVER", pytrace=False)
        self.dir = Path(tempfile.mkdtemp(prefix="edgecat-policy-"))
        self.admin_token_file = self.dir / "admin.token"
        self.service_token_file = self.dir / "catalog.token"
        port_file = self.dir / "port"
        self._log = (self.dir / "policy.log").open("wb")
        self.process = subprocess.Popen(
            [str(binary), "--listen", "127.0.0.1:0", "--port-file", str(port_file),
             "--data-dir", str(self.dir / "data"),
             "--bootstrap-admin", "admin@example.com",
             "--bootstrap-token-file", str(self.admin_token_file),
             "--bootstrap-service", f"catalog={self.service_token_file}"],
            stdout=subprocess.DEVNULL, stderr=self._log)
        deadline = time.monotonic() + 30
        while not port_file.exists():
            if time.monotonic() > deadline or self.process.poll() is not None:
                raise RuntimeError("edgecat-policy did not start; see " + str(self.dir))
            time.sleep(0.05)
        self.port = int(port_file.read_text().strip())

    def token(self, path: Path) -> str:
        return path.read_text().strip()

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


@pytest.fixture()
def stub(policy: PolicyProcess):
    channel = grpc.insecure_channel(f"127.0.0.1:{policy.port}", options=CHANNEL_OPTIONS)
    yield policy_pb2_grpc.PolicyServiceStub(channel)
    channel.close()


def bearer(token: str) -> list[tuple[str, str]]:
    return [("authorization", f"Bearer {token}")]


def test_token_files_are_private(policy: PolicyProcess) -> None:
    assert policy.admin_token_file.stat().st_mode & 0o777 == 0o600


def test_authenticate_admin_token(policy: PolicyProcess, stub) -> None:
    token = policy.token(policy.admin_token_file)
    response = stub.Authenticate(policy_pb2.AuthenticateRequest(token=token),
                                 metadata=bearer(token), timeout=5)
    assert response.principal == "admin@example.com"
    assert "metastore-admins" in response.groups


def test_check_without_token_is_unauthenticated(stub) -> None:
    with pytest.raises(grpc.RpcError) as failure:
        stub.Check(policy_pb2.CheckRequest(principal="admin@example.com",
                                           privilege="CREATE_CATALOG"), timeout=5)
    assert failure.value.code() == grpc.StatusCode.UNAUTHENTICATED


def test_check_with_token_after_grant(policy: PolicyProcess, stub) -> None:
    admin = bearer(policy.token(policy.admin_token_file))
    service = bearer(policy.token(policy.service_token_file))
    stub.CreatePrincipal(policy_pb2.CreatePrincipalRequest(
        name="carol@example.com", type=policy_pb2.PRINCIPAL_TYPE_USER), metadata=admin, timeout=5)
    stub.RegisterSecurable(policy_pb2.RegisterSecurableRequest(
        type=policy_pb2.SECURABLE_TYPE_CATALOG, full_name="interop", owner="admin@example.com"),
        metadata=service, timeout=5)
    request = policy_pb2.CheckRequest(
        principal="carol@example.com", privilege="USE_CATALOG", securable_full_name="interop",
        securable_type=policy_pb2.SECURABLE_TYPE_CATALOG)
    denied = stub.Check(request, metadata=admin, timeout=5)
    assert not denied.allowed
    assert list(denied.missing_privileges) == ["USE_CATALOG"]
    stub.Grant(policy_pb2.UpdatePrivilegesRequest(
        principal="carol@example.com", privileges=["USE_CATALOG"],
        securable_type=policy_pb2.SECURABLE_TYPE_CATALOG, securable_full_name="interop"),
        metadata=admin, timeout=5)
    allowed = stub.Check(request, metadata=admin, timeout=5)
    assert allowed.allowed
    assert allowed.revision > denied.revision


def test_unknown_privilege_is_invalid_argument(policy: PolicyProcess, stub) -> None:
    admin = bearer(policy.token(policy.admin_token_file))
    with pytest.raises(grpc.RpcError) as failure:
        stub.Check(policy_pb2.CheckRequest(principal="admin@example.com", privilege="FLY",
                                           securable_full_name=""), metadata=admin, timeout=5)
    assert failure.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert "FLY" in failure.value.details()


def test_second_service_on_one_data_folder_exits(tmp_path) -> None:
    """A second edgecat-policy on the data folder of a running one exits 1 naming the folder."""
    binary = str(Path(os.environ.get("EDGECAT_POLICY_SERVER", DEFAULT_BINARY)))
    data = tmp_path / "policy"
    port_file = tmp_path / "first.port"
    first = subprocess.Popen(
        [binary, "--listen", "127.0.0.1:0", "--data-dir", str(data), "--port-file",
         str(port_file)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 30
        while not port_file.exists():
            assert first.poll() is None
            assert time.monotonic() < deadline
            time.sleep(0.05)
        second = subprocess.run(
            [binary, "--listen", "127.0.0.1:0", "--data-dir", str(data)],
            capture_output=True, text=True, timeout=30)
        assert second.returncode == 1
        assert "another process is using the data folder" in second.stderr
        assert str(data) in second.stderr
    finally:
        first.send_signal(signal.SIGTERM)
        first.wait(timeout=15)
