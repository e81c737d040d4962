"""The benchmark's stack: the product's embedded stack (Temporal dev server, simulators, SMTP capture,
SQLite ledger) without its in-process worker, plus the workers as separate processes (invoices, pdf and
the baseline's), so CPU and memory are attributed per process."""

import asyncio
import contextlib
import dataclasses
import os
import sys
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path

import structlog
from temporalio.client import Client

from adapters.settings import Settings
from bench.pipes import keep_draining
from bench.proc import children, command_line
from starter.processes import ChildProcess
from starter.stack import EmbeddedStack, StackOptions, embedded_stack, worker_environment

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
    embedded: EmbeddedStack
    temporal_pid: int
    workers: dict[str, ChildProcess] = field(default_factory=dict)

    @property
    def client(self) -> Client:
        return self.embedded.client

    @property
    def settings(self) -> Settings:
        return self.embedded.settings

    @property
    def sri_admin_url(self) -> str:
        return self.embedded.sri_admin_url

    def simulators(self) -> list[ChildProcess]:
        """Whatever simulators the embedded stack runs (SRI, SMTP, and more as countries join)."""
        return [value for f in dataclasses.fields(self.embedded)
                if isinstance(value := getattr(self.embedded, f.name), ChildProcess)]

    def pids(self) -> dict[str, int]:
        """Every process whose CPU the harness charges, by role (our own pid is the load driver)."""
        pids = {"temporal-server": self.temporal_pid, "driver (this process)": os.getpid()}
        for child in [*self.workers.values(), *self.simulators()]:
            if child.process is not None:
                pids[child.name] = child.process.pid
        return pids

    def worker_pids(self, *roles: str) -> dict[str, int]:
        return {name: child.process.pid for name, child in self.workers.items()
                if child.process is not None and name.split("#")[0] in roles}


def _temporal_server_pid() -> int:
    """The dev server the embedded stack just started: our own child running `temporal server start-dev`."""
    for pid in children(os.getpid()):
        argv = command_line(pid)
        if argv and Path(argv[0]).name == "temporal" and "start-dev" in argv:
            return pid
    raise RuntimeError("the Temporal dev server is not among this process's children")


def _pdf_name(index: int, count: int) -> str:
    return "worker-pdf" if count == 1 else f"worker-pdf#{index + 1}"


def _worker(name: str, module: str, settings: Settings, logs: Path, role: str) -> ChildProcess:
    env = {**worker_environment(settings), "COMPROBANTE_WORKER_ROLE": role}
    return ChildProcess(name, [sys.executable, "-m", module], logs / f"{name.replace('#', '-')}.log", env=env)


@contextlib.asynccontextmanager
async def bench_stack(config: StackConfig) -> AsyncIterator[BenchStack]:
    options = StackOptions(data_dir=config.data_dir, authorization_delay=config.authorization_delay,
                           run_worker=False, probe_interval_seconds=config.probe_interval_seconds,
                           drain_per_second=config.drain_per_second)
    async with embedded_stack(options) as embedded:
        stack = BenchStack(config, embedded, _temporal_server_pid())
        for simulator in stack.simulators():
            keep_draining(simulator)
        logs = embedded.settings.data_dir / "logs"
        specs = [("worker-invoices", "worker", "invoices"),
                 *((_pdf_name(i, config.pdf_workers), "pdf_worker", "pdf") for i in range(config.pdf_workers)),
                 ("worker-baseline", "bench.baseline_worker", "all")]
        try:
            for name, module, role in specs:
                child = _worker(name, module, embedded.settings, logs, role)
                stack.workers[name] = child  # registered first, so a start that fails is still stopped
                await asyncio.to_thread(child.start, 60.0)
                keep_draining(child)
            log.info("bench.stack_ready", temporal=embedded.settings.temporal_address,
                     data_dir=str(embedded.settings.data_dir), pids=stack.pids())
            yield stack
        finally:
            for child in reversed(stack.workers.values()):
                child.stop()
