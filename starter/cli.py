"""The `comprobante` command: demo, dev stack, issue and status, worker."""

import argparse
import asyncio
import json
import os
import sys
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from adapters.logging_setup import configure_logging
from adapters.settings import Settings
from domain.invoice import InvoiceState, Sale
from domain.problems import describe, problems_from_validation_error

EXIT_USAGE = 2


def main(argv: list[str] | None = None) -> None:
    parser = _parser()
    args = parser.parse_args(argv)
    configure_logging(os.environ.get("COMPROBANTE_LOG_LEVEL", "WARNING"), json=True)
    handler: Callable[[argparse.Namespace], Coroutine[Any, Any, int]] = args.handler
    try:
        status = asyncio.run(handler(args))
    except KeyboardInterrupt:
        status = 0
    _exit(status)


def _exit(status: int) -> None:
    # A process that used a Temporal client may abort in interpreter finalization (sdk-python issue
    # 300), turning success into exit code 134; leave explicitly with the real status instead.
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(status)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="comprobante", description="Durable electronic invoicing.")
    sub = parser.add_subparsers(required=True, metavar="COMMAND")
    demo = sub.add_parser("demo", help="issue sample Ecuadorian sales on the embedded stack")
    demo.add_argument("--once", action="store_true", help="exit when the sample invoices are done")
    demo.add_argument("--json", action="store_true", help="print the summary as JSON")
    demo.add_argument("--data-dir", type=Path, default=None, help="where the run keeps its files")
    demo.set_defaults(handler=_demo)
    dev = sub.add_parser("dev", help="run the embedded stack (Temporal, SRI simulator, SMTP, worker)")
    dev.add_argument("--data-dir", type=Path, default=Path("var/dev"))
    dev.set_defaults(handler=_dev)
    issue = sub.add_parser("issue", help="start one invoice from a sale in a JSON file")
    issue.add_argument("sale_file", type=Path)
    issue.add_argument("--wait", action="store_true", help="wait until the invoice completes or parks")
    issue.set_defaults(handler=_issue)
    status = sub.add_parser("status", help="show an invoice's status (the workflow's status query)")
    status.add_argument("order_id")
    status.add_argument("--issuer", help="issuer RUC; found through the OrderId search attribute if omitted")
    status.add_argument("--country", default="EC")
    status.add_argument("--json", action="store_true")
    status.set_defaults(handler=_status)
    work = sub.add_parser("worker", help="run a worker against COMPROBANTE_TEMPORAL_ADDRESS")
    work.set_defaults(handler=_worker)
    return parser


async def _demo(args: argparse.Namespace) -> int:
    from datetime import UTC, datetime

    from starter.cli_demo import run_demo

    data_dir = args.data_dir or Path("var/demo") / datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    once = args.once
    if not once and not sys.stdin.isatty():
        # Nobody can press Ctrl-C without a terminal (CI, scripts): run once and report instead of hanging.
        print("no terminal: running once (use --once to say so explicitly)", file=sys.stderr)
        once = True
    return await run_demo(data_dir, once=once, as_json=args.json)


async def _dev(args: argparse.Namespace) -> int:
    from starter.stack import StackOptions, embedded_stack

    async with embedded_stack(StackOptions(data_dir=args.data_dir, ui=True, persist_temporal=True)) as stack:
        print(f"Temporal Web UI:   {stack.ui_url}")
        print(f"SRI simulator:     {stack.settings.sri_url}  (admin http://127.0.0.1:{stack.sri_admin_port})")
        print(f"Mail folder:       {stack.maildir}")
        print(f"Ledger:            {stack.settings.ledger_url}")
        print("For `comprobante issue` and `status` in another shell:")
        print(f"  export COMPROBANTE_TEMPORAL_ADDRESS={stack.settings.temporal_address}")
        print("Press Ctrl-C to stop.", flush=True)
        await asyncio.Event().wait()
    return 0


def _load_sale(path: Path) -> Sale | None:
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        print(f"{path}: cannot read a JSON sale: {exc}", file=sys.stderr)
        return None
    try:
        return Sale.model_validate(raw)
    except ValidationError as exc:
        print(f"{path}: the sale is not well formed:", file=sys.stderr)
        print(describe(problems_from_validation_error(exc)), file=sys.stderr)
        return None


async def _issue(args: argparse.Namespace) -> int:
    from starter.client import InvoiceClient

    sale = _load_sale(args.sale_file)
    if sale is None:
        return EXIT_USAGE
    settings = Settings()
    client = await InvoiceClient.connect(settings.temporal_address, settings.temporal_namespace)
    handle = await client.issue(sale, requested_by=f"cli:{os.environ.get('USER', 'unknown')}")
    print(f"invoice {handle.key} started")
    if args.wait:
        from starter.cli_demo import wait_final

        state = await wait_final(handle, 600)
        _print_state(state)
        return 0 if state.status == "COMPLETED" else 1
    return 0


async def _status(args: argparse.Namespace) -> int:
    from starter.client import InvoiceClient

    settings = Settings()
    client = await InvoiceClient.connect(settings.temporal_address, settings.temporal_namespace)
    if args.issuer:
        handles = [client.invoice(args.country, args.issuer, args.order_id)]
    else:
        handles = await client.find_by_order(args.order_id)
    if not handles:
        print(f"no invoice for order {args.order_id}", file=sys.stderr)
        return 1
    for handle in handles:
        state = await handle.status()
        if args.json:
            print(state.model_dump_json(indent=2))
        else:
            _print_state(state)
    return 0


def _print_state(state: InvoiceState) -> None:
    print(f"invoice   {state.invoice_key}")
    print(f"status    {state.status.value} (step {state.step})")
    if state.numbering:
        print(f"number    {state.numbering.document_number}  clave {state.numbering.access_key}")
    if state.authorization:
        print(f"authorized {state.authorization.authorized_at.isoformat()} ({state.authorization.environment})")
    if state.total is not None:
        print(f"total     {state.total}")
    for name, ref in state.documents.items():
        print(f"document  {name}: {ref.key}")
    for problem in state.problems:
        print(f"problem   {problem.field}: {problem.message} [{problem.code}]")
    for message in state.authority_messages:
        print(f"authority {message.identifier} {message.message} {message.additional_info or ''}".rstrip())
    for change in state.history:
        print(f"history   {change.at.isoformat()} {change.status.value:<11} {change.actor}: {change.note}")


async def _worker(_args: argparse.Namespace) -> int:
    from worker import serve

    settings = Settings()
    configure_logging(settings.log_level)
    await serve(settings)
    return 0
