"""Setup for scripts/bench-catalog, over a stock grpcio client.

Creates a user with a token, a catalog, a schema and a table, and grants the user USE_CATALOG,
USE_SCHEMA and SELECT, so that GetTable on that table is allowed behind a policy check. Then
it reads the table once and writes two framed gRPC messages for h2load: the GetTableRequest,
and the CheckRequest the catalog makes for it, for a Check run at the same load. A framed
message is a flag byte, a 4-byte big-endian length and the message.
"""

from __future__ import annotations

import argparse
import struct
import subprocess
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
PROTOS = ("edgecat/audit/v1/audit.proto", "edgecat/policy/v1/policy.proto",
          "edgecat/catalog/v1/catalog.proto")
CHANNEL_OPTIONS = [("grpc.enable_http_proxy", 0)]


def load_stubs(out: Path):
    out.mkdir(parents=True, exist_ok=True)
    for proto in PROTOS:
        command = [sys.executable, "-m", "grpc_tools.protoc", f"-I{REPO_ROOT / 'proto'}",
                   f"--python_out={out}", f"--grpc_python_out={out}", proto]
        result = subprocess.run(command, capture_output=True, text=True)
        if result.returncode != 0:
            sys.exit(f"catalog_setup: grpc_tools.protoc failed on {proto}: {result.stderr}")
    sys.path.insert(0, str(out))
    from edgecat.catalog.v1 import catalog_pb2, catalog_pb2_grpc  # noqa: E402
    from edgecat.policy.v1 import policy_pb2, policy_pb2_grpc  # noqa: E402

    return catalog_pb2, catalog_pb2_grpc, policy_pb2, policy_pb2_grpc


def framed(message: bytes) -> bytes:
    return b"\x00" + struct.pack(">I", len(message)) + message


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--policy", required=True, help="HOST:PORT of edgecat-policy")
    parser.add_argument("--catalog", required=True, help="HOST:PORT of edgecat-catalog")
    parser.add_argument("--stubs-dir", required=True)
    parser.add_argument("--admin-token-file", required=True)
    parser.add_argument("--principal", required=True)
    parser.add_argument("--user-token-out", required=True)
    parser.add_argument("--get-request-out", required=True)
    parser.add_argument("--check-request-out", required=True)
    args = parser.parse_args()

    import grpc

    c, cg, p, pg = load_stubs(Path(args.stubs_dir))
    admin = [("authorization", "Bearer " + Path(args.admin_token_file).read_text().strip())]
    with grpc.insecure_channel(args.policy, options=CHANNEL_OPTIONS) as policy_channel, \
            grpc.insecure_channel(args.catalog, options=CHANNEL_OPTIONS) as catalog_channel:
        policy = pg.PolicyServiceStub(policy_channel)
        catalog = cg.CatalogServiceStub(catalog_channel)
        try:
            policy.CreatePrincipal(p.CreatePrincipalRequest(
                name=args.principal, type=p.PRINCIPAL_TYPE_USER), metadata=admin, timeout=5)
            token = policy.CreateToken(p.CreateTokenRequest(principal=args.principal),
                                       metadata=admin, timeout=5).token
            catalog.CreateCatalog(c.CreateCatalogRequest(name="bench"), metadata=admin)
            catalog.CreateSchema(c.CreateSchemaRequest(catalog_name="bench", name="s"),
                                 metadata=admin)
            catalog.CreateTable(c.CreateTableRequest(
                catalog_name="bench", schema_name="s", name="t",
                columns=[c.ColumnInfo(name="id", type="BIGINT")]), metadata=admin)
            for privilege, kind, name in [("USE_CATALOG", p.SECURABLE_TYPE_CATALOG, "bench"),
                                          ("USE_SCHEMA", p.SECURABLE_TYPE_SCHEMA, "bench.s"),
                                          ("SELECT", p.SECURABLE_TYPE_TABLE, "bench.s.t")]:
                policy.Grant(p.UpdatePrivilegesRequest(
                    principal=args.principal, privileges=[privilege], securable_type=kind,
                    securable_full_name=name), metadata=admin, timeout=5)
            user = [("authorization", f"Bearer {token}")]
            table = catalog.GetTable(c.GetTableRequest(full_name="bench.s.t"), metadata=user,
                                     timeout=5)
        except grpc.RpcError as error:
            sys.exit(f"catalog_setup: {error.code().name}: {error.details()}")
    print(f"python GetTable as {args.principal}: grpc-status OK, {table.full_name}")
    Path(args.user_token_out).write_text(token + "\n")
    Path(args.get_request_out).write_bytes(
        framed(c.GetTableRequest(full_name="bench.s.t").SerializeToString()))
    Path(args.check_request_out).write_bytes(framed(p.CheckRequest(
        principal=args.principal, privilege="SELECT", securable_type=p.SECURABLE_TYPE_TABLE,
        securable_full_name="bench.s.t").SerializeToString()))


if __name__ == "__main__":
    main()
