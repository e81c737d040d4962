"""``python -m simulators pac ...``: run the PAC simulator (SOAP port + admin port).

Two instances on different ports and state directories are two PACs, each with its own "SAT"
certificate, for failover tests.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path

import structlog

from adapters.mexico.cadena import CadenaBuilder
from adapters.mexico.sat_resources import missing_files, resolve_root
from adapters.mexico.schemas import CfdiSchema
from simulators.common import cli, lifecycle
from simulators.common.server import Listener
from simulators.pac.admin import create_admin_app
from simulators.pac.app import create_soap_app
from simulators.pac.checks import DocumentChecks
from simulators.pac.faults import PacSettings
from simulators.pac.identity import load_or_create
from simulators.pac.register import TaxpayerRegister
from simulators.pac.service import PacService
from simulators.pac.store import Store
from simulators.pac.trust import TrustStore

log = structlog.get_logger("simulators.pac")


def _options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--trust-store", type=Path, nargs="+", action="extend", default=[],
                        help="PEM/DER certificates of trusted CSD authorities (or pinned CSDs); none: trust all")
    cli.add_schemas_option(
        parser,
        help_text="vectors directory with mexico/sat-xml-resources (default: $COMPROBANTE_SCHEMAS); "
        "without it the SAT files bundled with satcfdi are used",
    )
    parser.add_argument("--taxpayers", type=Path,
                        help="JSON register {RFC: {name, postal_code, regimes}} for the receiver checks 40143–40148")
    parser.add_argument("--pac-name", default="pac", help="name shown in logs and the admin API")
    parser.add_argument("--pac-rfc", default="SPR190613I52", help="RfcProvCertif written in timbres")
    parser.add_argument("--username", default="demo", help="PAC account user expected in requests")
    parser.add_argument("--password", default="demo", help="PAC account password expected in requests")
    parser.add_argument("--duplicate-answer", choices=["xml", "code"], default="xml",
                        help="a 307 carries the original stamped XML (default) or the code only")


def build_parser() -> argparse.ArgumentParser:
    return cli.simulator_parser(
        "pac",
        "Local stand-in for a Mexican PAC: CFDI 4.0 stamping (timbrado) and cancellation, Finkok-style SOAP.",
        state_dir_help="directory for the SQLite state and SAT key",
        options=_options,
    )


async def _run(args: argparse.Namespace) -> int:
    try:
        root = resolve_root(args.schemas)
        trust = TrustStore.from_files(args.trust_store)
        register = TaxpayerRegister.from_file(args.taxpayers) if args.taxpayers else None
    except (OSError, ValueError, KeyError) as exc:
        log.error("pac.configuration_invalid", error=str(exc))
        return 2
    if missing_files(root):
        log.error("pac.schemas_missing", root=str(root), files=missing_files(root))
        return 2
    store = Store(args.state_dir)
    service = PacService(
        store,
        DocumentChecks(CfdiSchema(root), CadenaBuilder(root), trust, register),
        load_or_create(args.state_dir, pac_rfc=args.pac_rfc),
        PacSettings(),
        pac_rfc=args.pac_rfc,
        username=args.username,
        password=args.password,
        duplicate_answer=args.duplicate_answer,
    )
    soap_listener = Listener(create_soap_app(service), args.host, args.port, name="pac-soap")
    admin_listener = Listener(create_admin_app(service, soap_listener, pac_name=args.pac_name), args.host,
                              args.admin_port, name="pac-admin")

    def started() -> None:
        if not trust.certificates:
            log.warning("pac.trust_all", reason="no --trust-store: every well-formed CSD is accepted")
        log.info("pac.started", pac=args.pac_name, port=soap_listener.port, admin_port=admin_listener.port,
                 state=str(store.path), schemas=str(root), trusted=len(trust.certificates),
                 no_certificado_sat=service.identity.number)

    return await lifecycle.serve(log, "pac", soap_listener, admin_listener, close=store.close, started=started,
                                 stopping={"pac": args.pac_name})


def main(argv: Sequence[str]) -> int:
    return cli.run(build_parser(), argv, _run)
