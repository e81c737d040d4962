"""``python -m simulators sri ...``: run the SRI simulator (SOAP port + admin port)."""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import sys
from collections.abc import Sequence
from datetime import timedelta
from pathlib import Path

import structlog
from cryptography import x509
from lxml import etree

from simulators.sri import logs
from simulators.sri.admin import create_admin_app
from simulators.sri.app import create_soap_app
from simulators.sri.checks_authorization import DEFAULT_TOLERANCE_MINUTES
from simulators.sri.faults import FaultSettings
from simulators.sri.schemas import SchemaSet
from simulators.sri.server import Listener
from simulators.sri.service import History, SriService
from simulators.sri.store import Store

log = structlog.get_logger("simulators.sri")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m simulators sri",
        description="Local stand-in for the SRI (Ecuador) offline web services: Recepción and Autorización.",
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="SOAP port (0: pick a free one, see the ready line)")
    parser.add_argument("--admin-port", type=int, default=0, help="admin JSON port (0: pick a free one)")
    parser.add_argument("--state-dir", type=Path, required=True, help="directory for the SQLite state")
    parser.add_argument("--trust-store", type=Path, help="PEM file with the CA certificates signers must chain to")
    parser.add_argument(
        "--authorization-delay",
        type=float,
        default=1.0,
        help="seconds a received document stays EN PROCESO before the decision (default 1.0)",
    )
    parser.add_argument(
        "--schemas",
        type=Path,
        default=Path(os.environ["COMPROBANTE_SCHEMAS"]) if os.environ.get("COMPROBANTE_SCHEMAS") else None,
        help="vectors directory holding ecuador/xsd/*.xsd (default: $COMPROBANTE_SCHEMAS); "
        "without it a built-in structural check is used",
    )
    parser.add_argument(
        "--emission-tolerance-minutes",
        type=int,
        default=DEFAULT_TOLERANCE_MINUTES,
        help="how old fechaEmision may be before error 65 (default 43200 = 30 days)",
    )
    parser.add_argument(
        "--authorization-history",
        choices=["last", "all"],
        default="last",
        help="answer Autorización with the last decision only, or every decided attempt",
    )
    parser.add_argument("--log-level", default="info")
    return parser


def _load_trust_store(path: Path | None) -> list[x509.Certificate]:
    if path is None:
        return []
    return x509.load_pem_x509_certificates(path.read_bytes())


async def _run(args: argparse.Namespace) -> int:
    schemas = SchemaSet(args.schemas)
    missing = schemas.check_configuration()
    if missing:
        log.error("sri.schemas_missing", files=missing)
        return 2
    try:
        schemas.warm_up()
    except etree.XMLSchemaParseError as exc:
        log.error("sri.schemas_invalid", error=str(exc))
        return 2
    try:
        trusted = _load_trust_store(args.trust_store)
    except (OSError, ValueError) as exc:
        log.error("sri.trust_store_invalid", path=str(args.trust_store), error=str(exc))
        return 2
    store = Store(args.state_dir)
    history: History = args.authorization_history
    service = SriService(
        store,
        schemas,
        FaultSettings(authorization_delay_s=args.authorization_delay),
        trusted_cas=trusted,
        emission_tolerance=timedelta(minutes=args.emission_tolerance_minutes),
        history=history,
    )
    soap_listener = Listener(create_soap_app(service), args.host, args.port, name="sri-soap")
    admin_listener = Listener(create_admin_app(service, soap_listener), args.host, args.admin_port, name="sri-admin")

    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    try:
        await soap_listener.start()
        await admin_listener.start()
    except OSError as exc:
        log.error("sri.bind_failed", error=str(exc))
        await soap_listener.stop()
        store.close()
        return 2
    log.info(
        "sri.started",
        port=soap_listener.port,
        admin_port=admin_listener.port,
        state=str(store.path),
        schemas=str(schemas.directory) if schemas.directory else None,
        trusted_cas=len(trusted),
        authorization_delay=args.authorization_delay,
    )
    # The one stdout line launchers wait for (both ports accept connections by now).
    ready = {
        "event": "simulator.ready",
        "service": "sri",
        "port": soap_listener.port,
        "admin_port": admin_listener.port,
    }
    sys.stdout.write(json.dumps(ready) + "\n")
    sys.stdout.flush()

    await stop.wait()
    log.info("sri.stopping")
    await soap_listener.stop()
    await admin_listener.stop()
    store.close()
    return 0


def main(argv: Sequence[str]) -> int:
    args = build_parser().parse_args(list(argv))
    logs.configure(args.log_level)
    return asyncio.run(_run(args))
