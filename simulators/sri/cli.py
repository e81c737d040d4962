"""``python -m simulators sri ...``: run the SRI simulator (SOAP port + admin port)."""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from datetime import timedelta
from pathlib import Path

import structlog
from cryptography import x509
from lxml import etree

from simulators.common import cli, lifecycle
from simulators.common.server import Listener
from simulators.sri.admin import create_admin_app
from simulators.sri.app import create_soap_app
from simulators.sri.checks_authorization import DEFAULT_TOLERANCE_MINUTES
from simulators.sri.faults import FaultSettings
from simulators.sri.schemas import SchemaSet
from simulators.sri.service import History, SriService
from simulators.sri.store import Store

log = structlog.get_logger("simulators.sri")


def _options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--trust-store", type=Path, help="PEM file with the CA certificates signers must chain to")
    parser.add_argument(
        "--authorization-delay",
        type=float,
        default=1.0,
        help="seconds a received document stays EN PROCESO before the decision (default 1.0)",
    )
    cli.add_schemas_option(
        parser,
        help_text="vectors directory holding ecuador/xsd/*.xsd (default: $COMPROBANTE_SCHEMAS); "
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


def build_parser() -> argparse.ArgumentParser:
    return cli.simulator_parser(
        "sri",
        "Local stand-in for the SRI (Ecuador) offline web services: Recepción and Autorización.",
        state_dir_help="directory for the SQLite state",
        options=_options,
    )


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

    def started() -> None:
        log.info(
            "sri.started",
            port=soap_listener.port,
            admin_port=admin_listener.port,
            state=str(store.path),
            schemas=str(schemas.directory) if schemas.directory else None,
            trusted_cas=len(trusted),
            authorization_delay=args.authorization_delay,
        )

    return await lifecycle.serve(log, "sri", soap_listener, admin_listener, close=store.close, started=started)


def main(argv: Sequence[str]) -> int:
    return cli.run(build_parser(), argv, _run)
