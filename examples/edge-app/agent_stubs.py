"""Python stubs for the edge agent's local AgentService, generated from proto/.

Run as `python3 agent_stubs.py OUT_DIR` to generate them once into OUT_DIR, so that several
edge apps can share them through `edge_app.py --stubs OUT_DIR`.
"""

from __future__ import annotations

import atexit
import importlib
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from types import ModuleType

DEFAULT_PROTO_ROOT = Path(__file__).resolve().parents[2] / "proto"
AGENT_PROTO = "edgecat/agent/v1/agent.proto"


def generate(proto_root: Path, out: Path) -> None:
    """Compile the agent's proto file with grpc_tools.protoc into `out`."""
    if not (proto_root / AGENT_PROTO).is_file():
        raise RuntimeError(f"{AGENT_PROTO} not found under {proto_root}. Pass --proto with the "
                           "repository's proto folder")
    out.mkdir(parents=True, exist_ok=True)
    command = [
        sys.executable, "-m", "grpc_tools.protoc", f"-I{proto_root}",
        f"--python_out={out}", f"--grpc_python_out={out}", AGENT_PROTO,
    ]
    result = subprocess.run(command, capture_output=True, text=True)
    if result.returncode != 0:
        raise RuntimeError(f"grpc_tools.protoc failed on {AGENT_PROTO}: {result.stderr.strip()}")


def load(stubs_dir: Path | None, proto_root: Path) -> tuple[ModuleType, ModuleType]:
    """Import agent_pb2 and agent_pb2_grpc from `stubs_dir`, or generate them into a temporary
    folder that is removed at exit when `stubs_dir` is None."""
    if stubs_dir is None:
        stubs_dir = Path(tempfile.mkdtemp(prefix="edgecat-agent-stubs-"))
        atexit.register(shutil.rmtree, stubs_dir, ignore_errors=True)
        generate(proto_root, stubs_dir)
    elif not (stubs_dir / "edgecat" / "agent" / "v1" / "agent_pb2.py").is_file():
        raise RuntimeError(f"no edgecat/agent/v1/agent_pb2.py under {stubs_dir}. Generate the "
                           "stubs with `python3 agent_stubs.py DIR` or leave out --stubs")
    sys.path.insert(0, str(stubs_dir))
    agent_pb2 = importlib.import_module("edgecat.agent.v1.agent_pb2")
    agent_pb2_grpc = importlib.import_module("edgecat.agent.v1.agent_pb2_grpc")
    return agent_pb2, agent_pb2_grpc


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: python3 agent_stubs.py OUT_DIR")
    generate(DEFAULT_PROTO_ROOT, Path(sys.argv[1]))
