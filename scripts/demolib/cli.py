"""Runs the `edgecat` admin CLI against the demo's services and shows what it prints."""

from __future__ import annotations

import json
import os
import shlex
import subprocess
import sys
from pathlib import Path


class CommandFailed(RuntimeError):
    pass


class EdgecatCLI:
    """`edgecat` with the demo's endpoints in its EDGECAT_* variables and a home of its own."""

    def __init__(self, binary: Path, endpoints: dict[str, int], home: Path,
                 admin_token_file: Path) -> None:
        self.binary = binary
        self.admin_token_file = admin_token_file
        home.mkdir(parents=True, exist_ok=True)
        self.environment = dict(os.environ, HOME=str(home))
        for service, port in endpoints.items():
            self.environment[f"EDGECAT_{service.upper()}_ENDPOINT"] = f"127.0.0.1:{port}"
        self.environment.pop("EDGECAT_TOKEN", None)

    def run(self, *arguments: str, token_file: Path | None = None, show: bool = True,
            expect: int = 0) -> str:
        """Runs one command as the admin (or the owner of `token_file`). Prints the command and
        its output when `show`; raises CommandFailed when the exit code is not `expect`."""
        token = token_file or self.admin_token_file
        command = [str(self.binary), "--token-file", str(token), *arguments]
        completed = subprocess.run(command, env=self.environment, capture_output=True,
                                   text=True, timeout=120)
        if show:
            caller = "" if token_file is None else f"[as {token.stem}] "
            print(f"$ {caller}edgecat {shlex.join(arguments)}")
            output = (completed.stdout + completed.stderr).rstrip()
            if output:
                print(_indent(output))
        if completed.returncode != expect:
            raise CommandFailed(
                f"edgecat {shlex.join(arguments)} exited with {completed.returncode}, expected "
                f"{expect}:\n{completed.stderr.strip()}")
        return completed.stdout

    def json(self, *arguments: str, token_file: Path | None = None) -> object:
        """Runs one command quietly with `--output json` and parses its output."""
        return json.loads(self.run("--output", "json", *arguments, token_file=token_file,
                                   show=False))


def _indent(text: str) -> str:
    return "\n".join("    " + line for line in text.splitlines())


def heading(text: str) -> None:
    print(f"\n=== {text}", flush=True)
    sys.stdout.flush()
