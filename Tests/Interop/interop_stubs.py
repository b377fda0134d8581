"""Python stubs for the interop tests, generated from the repository's proto/ at import time.

`load()` runs `python3 -m grpc_tools.protoc` into a temporary folder, puts that folder on
sys.path and returns the generated modules. grpcio-reflection ships only the v1alpha messages,
so grpc/reflection/v1/reflection.proto is compiled as well. It is copied to
grpc_reflection_v1/reflection.proto first, because a generated package named `grpc` would
shadow grpcio itself.
"""

from __future__ import annotations

import atexit
import importlib
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

REPO_ROOT = Path(__file__).resolve().parents[2]
PROTO_ROOT = REPO_ROOT / "proto"
ECHO_PROTO = "edgecat/testing/v1/echo.proto"
REFLECTION_V1_PROTO = "grpc/reflection/v1/reflection.proto"
REFLECTION_V1_STAGED = "grpc_reflection_v1/reflection.proto"


@dataclass(frozen=True)
class Stubs:
    echo_pb2: ModuleType
    echo_pb2_grpc: ModuleType
    reflection_v1_pb2: ModuleType
    reflection_v1_pb2_grpc: ModuleType


_loaded: Stubs | None = None


def _protoc(include: Path, out: Path, proto: str) -> None:
    command = [
        sys.executable, "-m", "grpc_tools.protoc",
        f"-I{include}", f"--python_out={out}", f"--grpc_python_out={out}", proto,
    ]
    result = subprocess.run(command, capture_output=True, text=True)
    if result.returncode != 0:
        raise RuntimeError(f"grpc_tools.protoc failed on {proto}: {result.stderr.strip()}")


def _generate(out: Path) -> None:
    _protoc(PROTO_ROOT, out, ECHO_PROTO)
    staged = out / "src"
    (staged / REFLECTION_V1_STAGED).parent.mkdir(parents=True)
    shutil.copyfile(PROTO_ROOT / REFLECTION_V1_PROTO, staged / REFLECTION_V1_STAGED)
    _protoc(staged, out, REFLECTION_V1_STAGED)


def load() -> Stubs:
    """Generate the stubs once per process and import them."""
    global _loaded
    if _loaded is not None:
        return _loaded
    out = Path(tempfile.mkdtemp(prefix="edgecat-interop-stubs-"))
    atexit.register(shutil.rmtree, out, ignore_errors=True)
    _generate(out)
    sys.path.insert(0, str(out))
    _loaded = Stubs(
        echo_pb2=importlib.import_module("edgecat.testing.v1.echo_pb2"),
        echo_pb2_grpc=importlib.import_module("edgecat.testing.v1.echo_pb2_grpc"),
        reflection_v1_pb2=importlib.import_module("grpc_reflection_v1.reflection_pb2"),
        reflection_v1_pb2_grpc=importlib.import_module("grpc_reflection_v1.reflection_pb2_grpc"),
    )
    return _loaded
