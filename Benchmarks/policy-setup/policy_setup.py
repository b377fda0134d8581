"""Setup and one-off checks for scripts/bench-policy, over a stock grpcio client.

Stubs for proto/edgecat/policy/v1/policy.proto are generated with `python3 -m grpc_tools.protoc`
into --stubs-dir at run time.

  setup: creates a user, registers a catalog and grants the user a privilege on it, with the
         bootstrapped admin and service tokens. Then it makes one Check with the service token,
         which must be allowed. It writes that CheckRequest for h2load as one framed gRPC
         message: a flag byte, a 4-byte big-endian length and the message.
  check: makes one Check and prints its response; fails unless it is allowed.
"""

from __future__ import annotations

import argparse
import struct
import subprocess
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
PROTOS = ("edgecat/audit/v1/audit.proto", "edgecat/policy/v1/policy.proto")
CHANNEL_OPTIONS = [("grpc.enable_http_proxy", 0)]


def load_stubs(out: Path):
    out.mkdir(parents=True, exist_ok=True)
    for proto in PROTOS:
        command = [sys.executable, "-m", "grpc_tools.protoc", f"-I{REPO_ROOT / 'proto'}",
                   f"--python_out={out}", f"--grpc_python_out={out}", proto]
        result = subprocess.run(command, capture_output=True, text=True)
        if result.returncode != 0:
            sys.exit(f"policy_setup: grpc_tools.protoc failed on {proto}: {result.stderr}")
    sys.path.insert(0, str(out))
    from edgecat.policy.v1 import policy_pb2, policy_pb2_grpc  # noqa: E402

    return policy_pb2, policy_pb2_grpc


def bearer(path: str) -> list[tuple[str, str]]:
    return [("authorization", "Bearer " + Path(path).read_text().strip())]


def check(pb2, stub, args) -> None:
    request = pb2.CheckRequest(principal=args.principal, privilege=args.privilege,
                               securable_full_name=args.securable)
    response = stub.Check(request, metadata=bearer(args.token_file), timeout=5)
    print(f"python Check on {args.target}: grpc-status OK, allowed {response.allowed}, "
          f"reason {response.reason!r}, decision_id {response.decision_id!r}")
    if not response.allowed:
        sys.exit("policy_setup: the Check was denied; the benchmark would measure a denial")


def setup(pb2, stub, args) -> None:
    import grpc

    admin = bearer(args.admin_token_file)
    service = bearer(args.token_file)
    try:
        stub.CreatePrincipal(pb2.CreatePrincipalRequest(
            name=args.principal, type=pb2.PRINCIPAL_TYPE_USER), metadata=admin, timeout=5)
        stub.RegisterSecurable(pb2.RegisterSecurableRequest(
            type=pb2.SECURABLE_TYPE_CATALOG, full_name=args.securable, owner=args.owner),
            metadata=service, timeout=5)
        stub.Grant(pb2.UpdatePrivilegesRequest(
            principal=args.principal, privileges=[args.privilege],
            securable_type=pb2.SECURABLE_TYPE_CATALOG, securable_full_name=args.securable),
            metadata=admin, timeout=5)
    except grpc.RpcError as error:
        sys.exit(f"policy_setup: {error.code().name}: {error.details()}")
    print(f"created user {args.principal}, catalog {args.securable}, "
          f"granted {args.privilege}")
    check(pb2, stub, args)
    message = pb2.CheckRequest(principal=args.principal, privilege=args.privilege,
                               securable_full_name=args.securable).SerializeToString()
    Path(args.request_out).write_bytes(b"\x00" + struct.pack(">I", len(message)) + message)
    print(f"wrote a framed CheckRequest of {len(message)} bytes to {args.request_out}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("mode", choices=["setup", "check"])
    parser.add_argument("--target", required=True, help="HOST:PORT")
    parser.add_argument("--stubs-dir", required=True)
    parser.add_argument("--token-file", required=True, help="token the Check calls send")
    parser.add_argument("--admin-token-file", help="setup: the bootstrapped admin's token")
    parser.add_argument("--owner", default="", help="setup: owner of the catalog")
    parser.add_argument("--principal", required=True)
    parser.add_argument("--privilege", required=True)
    parser.add_argument("--securable", required=True)
    parser.add_argument("--request-out", help="setup: where to write the framed CheckRequest")
    args = parser.parse_args()
    if args.mode == "setup" and not (args.admin_token_file and args.request_out and args.owner):
        parser.error("setup needs --admin-token-file, --owner and --request-out")

    import grpc

    pb2, pb2_grpc = load_stubs(Path(args.stubs_dir))
    with grpc.insecure_channel(args.target, options=CHANNEL_OPTIONS) as channel:
        stub = pb2_grpc.PolicyServiceStub(channel)
        try:
            if args.mode == "setup":
                setup(pb2, stub, args)
            else:
                check(pb2, stub, args)
        except grpc.RpcError as error:
            sys.exit(f"policy_setup: Check failed: {error.code().name}: {error.details()}")


if __name__ == "__main__":
    main()
