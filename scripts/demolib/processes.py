"""Starting and stopping the demo's processes, each with its log file under the data folder."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path


class Process:
    """One child process whose stdout and stderr go to `<logs>/<name>.log`."""

    def __init__(self, name: str, command: list[str], logs: Path, *,
                 env: dict[str, str] | None = None, stdout_file: Path | None = None) -> None:
        self.name = name
        self.log_path = logs / f"{name}.log"
        self._log = open(self.log_path, "ab")
        self._stdout = open(stdout_file, "wb") if stdout_file else self._log
        self.stdout_file = stdout_file
        self.popen = subprocess.Popen(command, stdout=self._stdout, stderr=self._log,
                                      stdin=subprocess.DEVNULL, env=env,
                                      start_new_session=True)

    def alive(self) -> bool:
        return self.popen.poll() is None

    def stop(self, timeout: float = 10.0) -> int:
        """Sends SIGTERM, waits up to `timeout` seconds, then SIGKILL. Returns the exit code."""
        if self.alive():
            self.popen.send_signal(signal.SIGTERM)
            try:
                self.popen.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.popen.kill()
                self.popen.wait()
        for stream in {self._log, self._stdout}:
            stream.close()
        return self.popen.returncode

    def tail(self, lines: int = 20) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""


class ProcessGroup:
    """Every process the demo started, stopped in reverse order of starting."""

    def __init__(self, logs: Path) -> None:
        self.logs = logs
        self.processes: list[Process] = []

    def start(self, name: str, command: list[str], **options) -> Process:
        process = Process(name, command, self.logs, **options)
        self.processes.append(process)
        return process

    def start_listening(self, name: str, command: list[str], port_file: Path,
                        timeout: float = 60.0, **options) -> tuple[Process, int]:
        """Starts a server that writes its bound port to `port_file`, and waits for the port."""
        port_file.unlink(missing_ok=True)
        process = self.start(name, [*command, "--port-file", str(port_file)], **options)
        return process, wait_for_port(process, port_file, timeout)

    def stop_all(self) -> None:
        for process in reversed(self.processes):
            process.stop()
        self.processes.clear()


def wait_for_port(process: Process, port_file: Path, timeout: float) -> int:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not process.alive():
            raise RuntimeError(f"{process.name} exited with code {process.popen.returncode} "
                               f"before listening; its log ends:\n{process.tail()}")
        try:
            text = port_file.read_text().strip()
            if text:
                return int(text)
        except (OSError, ValueError):
            pass
        time.sleep(0.05)
    raise RuntimeError(f"{process.name} did not write {port_file} within {timeout:.0f} s; its "
                       f"log ends:\n{process.tail()}")


def child_environment(**extra: str) -> dict[str, str]:
    environment = dict(os.environ)
    environment.update(extra)
    return environment
