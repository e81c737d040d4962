"""The benchmark's own stack, on free ports: Temporal dev server, SRI simulator, SMTP capture, SQLite ledger,
and the workers as separate processes (invoices, pdf, baseline) so CPU and memory are attributed per process.

Built from the same pieces as starter.stack.embedded_stack, which does not expose the dev server's process
(the harness needs its pid for CPU accounting) and runs the worker inside its own process.
"""

import asyncio
import contextlib
import os
import sys
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path

import structlog
from temporalio.client import Client

from adapters.settings import Settings
from starter.devserver import DevServer, start_dev_server
from starter.issuer_setup import write_demo_issuer
from starter.processes import ChildProcess, free_port, python_module
from starter.stack import worker_environment

log = structlog.get_logger(__name__)


@dataclass(frozen=True)
class StackConfig:
    data_dir: Path
    # The simulator's time between RECIBIDA and its decision: small, so the authority adds no wait of its own.
    authorization_delay: float
    probe_interval_seconds: float
    drain_per_second: float
    pdf_workers: int = 1


@dataclass
class BenchStack:
    config: StackConfig
    settings: Settings
    server: DevServer
    sri: ChildProcess
    sri_admin_url: str
    smtp: ChildProcess
    maildir: Path
    workers: dict[str, ChildProcess] = field(default_factory=dict)

    @property
    def client(self) -> Client:
        return self.server.client

    def pids(self) -> dict[str, int]:
        """Every process whose CPU the harness charges, by role (our own pid is the load driver)."""
        pids = {"temporal-server": self.server.process.pid, "driver (this process)": os.getpid()}
        for name, child in [*self.workers.items(), ("sri-simulator", self.sri), ("smtp-capture", self.smtp)]:
            if child.process is not None:
                pids[name] = child.process.pid
        return pids

    def worker_pids(self, *roles: str) -> dict[str, int]:
        return {name: child.process.pid for name, child in self.workers.items()
                if child.process is not None and (not roles or name.split("#")[0] in roles)}


def _settings(config: StackConfig, server: DevServer, issuers_file: Path, sri_port: int, smtp_port: int) -> Settings:
    data_dir = config.data_dir
    return Settings(
        temporal_address=server.address, data_dir=data_dir, database_url=f"sqlite:///{data_dir / 'ledger.db'}",
        issuers_file=issuers_file, sri_url=f"http://127.0.0.1:{sri_port}/comprobantes-electronicos-ws/",
        smtp_host="127.0.0.1", smtp_port=smtp_port,
        schemas=Path(os.environ["COMPROBANTE_SCHEMAS"]) if os.environ.get("COMPROBANTE_SCHEMAS") else None,
        probe_interval_seconds=config.probe_interval_seconds, drain_per_second=config.drain_per_second,
    )


def _pdf_name(index: int, count: int) -> str:
    return "worker-pdf" if count == 1 else f"worker-pdf#{index + 1}"


def _worker(name: str, module: str, settings: Settings, logs: Path, role: str) -> ChildProcess:
    env = {**worker_environment(settings), "COMPROBANTE_WORKER_ROLE": role}
    return ChildProcess(name, [sys.executable, "-m", module], logs / f"{name.replace('#', '-')}.log", env=env)


def _simulators(data_dir: Path, ca_file: Path, config: StackConfig) -> tuple[ChildProcess, int, int, ChildProcess,
                                                                              int, Path]:
    sri_port, admin_port, smtp_port = free_port(), free_port(), free_port()
    logs, maildir = data_dir / "logs", data_dir / "mail"
    sri = ChildProcess("sri-simulator", python_module(
        "simulators", "sri", "--host", "127.0.0.1", "--port", str(sri_port), "--admin-port", str(admin_port),
        "--state-dir", str(data_dir / "sri"), "--trust-store", str(ca_file),
        "--authorization-delay", str(config.authorization_delay),
        # The authority is not what we measure: keep its per-request logging out of the CPU figures.
        "--log-level", "warning",
        *(["--schemas", os.environ["COMPROBANTE_SCHEMAS"]] if os.environ.get("COMPROBANTE_SCHEMAS") else []),
    ), logs / "sri-simulator.log")
    smtp = ChildProcess("smtp-capture", python_module("simulators", "smtp", "--port", str(smtp_port),
                                                      "--maildir", str(maildir)), logs / "smtp.log")
    return sri, sri_port, admin_port, smtp, smtp_port, maildir


@contextlib.asynccontextmanager
async def bench_stack(config: StackConfig) -> AsyncIterator[BenchStack]:
    data_dir = config.data_dir.resolve()
    issuers_file, ca_file = await asyncio.to_thread(write_demo_issuer, data_dir / "issuer")
    sri, sri_port, admin_port, smtp, smtp_port, maildir = _simulators(data_dir, ca_file, config)
    started: list[ChildProcess] = []
    try:
        for child in (sri, smtp):
            await asyncio.to_thread(child.start)
            started.append(child)
        # In memory, as `comprobante demo` and the tests run it; the reference's figures say a SQLite file
        # halves the throughput of multi-activity workflows.
        server = await start_dev_server(data_dir / "logs" / "temporal.log", ui=False)
        try:
            settings = _settings(config, server, issuers_file, sri_port, smtp_port)
            stack = BenchStack(config, settings, server, sri, f"http://127.0.0.1:{admin_port}", smtp, maildir)
            logs = data_dir / "logs"
            specs = [("worker-invoices", "worker", "invoices"),
                     *((_pdf_name(i, config.pdf_workers), "worker", "pdf") for i in range(config.pdf_workers)),
                     ("worker-baseline", "bench.baseline_worker", "all")]
            for name, module, role in specs:
                child = _worker(name, module, settings, logs, role)
                await asyncio.to_thread(child.start, 60.0)
                started.append(child)
                stack.workers[name] = child
            log.info("bench.stack_ready", temporal=server.address, data_dir=str(data_dir), pids=stack.pids())
            yield stack
        finally:
            for child in reversed(started[2:]):
                child.stop()
            server.stop()
    finally:
        for child in reversed(started[:2]):
            child.stop()
