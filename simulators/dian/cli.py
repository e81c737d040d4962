"""``python -m simulators dian ...``: run the DIAN simulator (SOAP port + admin port)."""

from __future__ import annotations

import argparse
import json
from collections.abc import Sequence
from pathlib import Path

import structlog

from simulators.common import cli, lifecycle
from simulators.common.server import Listener
from simulators.dian.admin import create_admin_app, parse_resolution
from simulators.dian.app import create_soap_app
from simulators.dian.certificates import load_trust_store, simulator_identity
from simulators.dian.faults import FaultSettings
from simulators.dian.schemas import SchemaSet
from simulators.dian.service import HABILITACION_TECHNICAL_KEY, DianService, Signer
from simulators.dian.store import Store

log = structlog.get_logger("simulators.dian")


def _options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--trust-store", type=Path, help="PEM file with the CAs signing certificates must chain to")
    cli.add_schemas_option(
        parser,
        help_text="vectors directory holding colombia/xsd-ubl21-dian (default: $COMPROBANTE_SCHEMAS); "
        "without it only the structural checks run",
    )
    parser.add_argument("--processing-delay", type=float, default=0.0,
                        help="seconds an accepted document stays 'en proceso' (66/98) before its answer is ready")
    parser.add_argument("--software", action="append", default=[], metavar="ID=PIN",
                        help="register a software id and its PIN (repeatable; also POST /admin/software)")
    parser.add_argument("--resolutions", type=Path,
                        help='JSON list of numbering ranges [{"nit", "authorization", "prefix", "range_from", '
                        '"range_to", "valid_from", "valid_to", "technical_key"}]')
    parser.add_argument("--test-technical-key", default=HABILITACION_TECHNICAL_KEY,
                        help="ClTec used for habilitación CUFEs of unregistered ranges (reference §2.3)")


def build_parser() -> argparse.ArgumentParser:
    return cli.simulator_parser(
        "dian",
        "Local stand-in for the DIAN (Colombia) WcfDianCustomerServices: SendBillSync, "
        "SendBillAsync/SendTestSetAsync, GetStatus, GetStatusZip.",
        state_dir_help="directory for the SQLite state and DIAN key",
        options=_options,
    )


def _register(store: Store, args: argparse.Namespace) -> None:
    for item in args.software:
        software_id, separator, pin = item.partition("=")
        if not separator or not software_id or not pin:
            raise ValueError(f"--software expects ID=PIN, got {item!r}")
        store.add_software(software_id, pin)
    if args.resolutions is not None:
        for entry in json.loads(args.resolutions.read_text(encoding="utf-8")):
            store.add_resolution(parse_resolution(entry))


async def _run(args: argparse.Namespace) -> int:
    schemas = SchemaSet(args.schemas)
    if schemas.missing():
        log.error("dian.schemas_missing", files=schemas.missing())
        return 2
    store = Store(args.state_dir)
    try:
        trusted = load_trust_store(args.trust_store)
        _register(store, args)
        key, certificate = simulator_identity(args.state_dir)
    except (OSError, ValueError, KeyError) as exc:
        log.error("dian.configuration_invalid", error=str(exc))
        store.close()
        return 2
    service = DianService(store, schemas, FaultSettings(processing_delay_s=args.processing_delay),
                          signer=Signer(key, certificate), trusted=trusted,
                          test_technical_key=args.test_technical_key)
    soap_listener = Listener(create_soap_app(service), args.host, args.port, name="dian-soap")
    admin_listener = Listener(create_admin_app(service, soap_listener), args.host, args.admin_port, name="dian-admin")

    def started() -> None:
        log.info("dian.started", port=soap_listener.port, admin_port=admin_listener.port, state=str(store.path),
                 schemas=str(schemas.directory) if schemas.directory else None, trusted_cas=len(trusted),
                 processing_delay=args.processing_delay)

    return await lifecycle.serve(log, "dian", soap_listener, admin_listener, close=store.close, started=started)


def main(argv: Sequence[str]) -> int:
    return cli.run(build_parser(), argv, _run)
