"""Setup for scripts/bench-telemetry, over a stock grpcio client.

`prepare` creates the catalog `production` and its schema `edge_metrics`, grants
service:telemetry what it needs to create its table there, registers devices bench-0 to
bench-N-1 in the registry and gives each a device principal (`device:bench-i`) with a token,
written to TOKEN_FOLDER/bench-i.token, and USE_CATALOG and USE_SCHEMA. `grant` waits until
edgecat-telemetry has registered production.edge_metrics.inference_logs, then grants each
device MODIFY on it.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
PROTOS = ("edgecat/audit/v1/audit.proto", "edgecat/policy/v1/policy.proto",
          "edgecat/catalog/v1/catalog.proto", "edgecat/registry/v1/registry.proto")
CHANNEL_OPTIONS = [("grpc.enable_http_proxy", 0)]
TABLE = "production.edge_metrics.inference_logs"


def load_stubs(out: Path):
    out.mkdir(parents=True, exist_ok=True)
    for proto in PROTOS:
        command = [sys.executable, "-m", "grpc_tools.protoc", f"-I{REPO_ROOT / 'proto'}",
                   f"--python_out={out}", f"--grpc_python_out={out}", proto]
        result = subprocess.run(command, capture_output=True, text=True)
        if result.returncode != 0:
            sys.exit(f"telemetry_setup: grpc_tools.protoc failed on {proto}: {result.stderr}")
    sys.path.insert(0, str(out))
    from edgecat.catalog.v1 import catalog_pb2, catalog_pb2_grpc  # noqa: E402
    from edgecat.policy.v1 import policy_pb2, policy_pb2_grpc  # noqa: E402
    from edgecat.registry.v1 import registry_pb2, registry_pb2_grpc  # noqa: E402

    return (catalog_pb2, catalog_pb2_grpc, policy_pb2, policy_pb2_grpc, registry_pb2,
            registry_pb2_grpc)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("step", choices=["prepare", "grant"])
    parser.add_argument("--policy", required=True, help="HOST:PORT of edgecat-policy")
    parser.add_argument("--catalog", help="HOST:PORT of edgecat-catalog (prepare)")
    parser.add_argument("--registry", help="HOST:PORT of edgecat-registry (prepare)")
    parser.add_argument("--stubs-dir", required=True)
    parser.add_argument("--admin-token-file", required=True)
    parser.add_argument("--devices", type=int, required=True)
    parser.add_argument("--token-folder", required=True)
    args = parser.parse_args()

    import grpc

    c, cg, p, pg, r, rg = load_stubs(Path(args.stubs_dir))
    admin = [("authorization", "Bearer " + Path(args.admin_token_file).read_text().strip())]
    devices = [f"bench-{index}" for index in range(args.devices)]
    channels = []

    def channel(target: str):
        channels.append(grpc.insecure_channel(target, options=CHANNEL_OPTIONS))
        return channels[-1]

    policy = pg.PolicyServiceStub(channel(args.policy))

    def grant(principal: str, privileges: list[str], kind: int, name: str) -> None:
        policy.Grant(p.UpdatePrivilegesRequest(
            principal=principal, privileges=privileges, securable_type=kind,
            securable_full_name=name), metadata=admin, timeout=5)

    try:
        if args.step == "prepare":
            catalog = cg.CatalogServiceStub(channel(args.catalog))
            registry = rg.ModelRegistryServiceStub(channel(args.registry))
            catalog.CreateCatalog(c.CreateCatalogRequest(name="production"), metadata=admin)
            catalog.CreateSchema(c.CreateSchemaRequest(
                catalog_name="production", name="edge_metrics"), metadata=admin)
            grant("service:telemetry", ["USE_CATALOG"], p.SECURABLE_TYPE_CATALOG, "production")
            grant("service:telemetry", ["USE_SCHEMA", "CREATE_TABLE"],
                  p.SECURABLE_TYPE_SCHEMA, "production.edge_metrics")
            folder = Path(args.token_folder)
            folder.mkdir(parents=True, exist_ok=True)
            for device in devices:
                registry.RegisterDevice(r.RegisterDeviceRequest(
                    device_id=device, location="bench", region="eu-west", group="bench"),
                    metadata=admin, timeout=5)
                principal = f"device:{device}"
                policy.CreatePrincipal(p.CreatePrincipalRequest(
                    name=principal, type=p.PRINCIPAL_TYPE_SERVICE_PRINCIPAL), metadata=admin,
                    timeout=5)
                token = policy.CreateToken(p.CreateTokenRequest(principal=principal),
                                           metadata=admin, timeout=5).token
                (folder / f"{device}.token").write_text(token + "\n")
                grant(principal, ["USE_CATALOG"], p.SECURABLE_TYPE_CATALOG, "production")
                grant(principal, ["USE_SCHEMA"], p.SECURABLE_TYPE_SCHEMA,
                      "production.edge_metrics")
        else:
            deadline = time.monotonic() + 30
            for device in devices:
                while True:
                    try:
                        grant(f"device:{device}", ["MODIFY"], p.SECURABLE_TYPE_TABLE, TABLE)
                        break
                    except grpc.RpcError as error:
                        if error.code() != grpc.StatusCode.NOT_FOUND or \
                                time.monotonic() > deadline:
                            raise
                        time.sleep(0.1)
    except grpc.RpcError as error:
        sys.exit(f"telemetry_setup {args.step}: {error.code().name}: {error.details()}")
    finally:
        for open_channel in channels:
            open_channel.close()
    print(f"telemetry_setup {args.step}: {len(devices)} devices")


if __name__ == "__main__":
    main()
