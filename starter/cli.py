"""The `comprobante` command: demo, dev stack, issue and status, worker."""

import argparse
import asyncio
import json
import os
import sys
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from adapters.logging_setup import configure_logging
from adapters.settings import Settings
from domain.invoice import InvoiceState, Sale, parse_sale
from domain.problems import describe, problems_from_validation_error

if TYPE_CHECKING:
    from starter.client import InvoiceClient, InvoiceHandle

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
    _support_commands(sub)
    work = sub.add_parser("worker", help="run a worker against COMPROBANTE_TEMPORAL_ADDRESS")
    work.set_defaults(handler=_worker)
    return parser


def _support_commands(sub: Any) -> None:
    def invoice_arguments(parser: argparse.ArgumentParser) -> None:
        parser.add_argument("order_id")
        parser.add_argument("--issuer", help="issuer tax id; found through the OrderId search attribute if omitted")
        parser.add_argument("--country", default="EC")
        parser.add_argument("--actor", default=f"cli:{os.environ.get('USER', 'unknown')}",
                            help="who asks (recorded in the audit trail)")

    fix = sub.add_parser("fix", help="repair an invoice waiting in NEEDS_FIX with a JSON patch")
    invoice_arguments(fix)
    fix.add_argument("patch_file", type=Path, help='JSON object of sections to replace, e.g. {"buyer": {...}}')
    fix.add_argument("--reason", required=True)
    fix.set_defaults(handler=_fix)
    retry = sub.add_parser("retry", help="resume a parked invoice now (after a configuration fix or an outage)")
    invoice_arguments(retry)
    retry.add_argument("--reason", default="")
    retry.set_defaults(handler=_retry)
    cancel = sub.add_parser("cancel", help="void an invoice the authority never saw; credit an authorized one")
    invoice_arguments(cancel)
    cancel.add_argument("--reason", required=True)
    cancel.add_argument("--motive", choices=["01", "02", "03", "04"],
                        help="Mexico: cancel the CFDI at the PAC with this SAT motive instead of crediting it")
    cancel.add_argument("--substitute", help="Mexico, motive 01: the UUID of the substitute CFDI")
    cancel.set_defaults(handler=_cancel)
    resend = sub.add_parser("resend", help="send the invoice's PDF and XML again")
    invoice_arguments(resend)
    resend.add_argument("--to", help="another address (default: the buyer)")
    resend.add_argument("--reason", default="resend requested")
    resend.set_defaults(handler=_resend)
    credit = sub.add_parser("credit", help="credit all or some lines of an authorized invoice")
    invoice_arguments(credit)
    credit.add_argument("--reason", required=True)
    credit.add_argument("--line", action="append", default=[], metavar="INDEX:QUANTITY",
                        help="credit QUANTITY of line INDEX (0-based); repeat; none credits everything")
    credit.add_argument("--id", dest="credit_id", help="your return/RMA id: the same id is the same credit note")
    credit.add_argument("--wait", action="store_true")
    credit.set_defaults(handler=_credit)
    ops = sub.add_parser("ops", help="invoices that need people, wait in contingency or are stuck; authorities")
    ops.add_argument("--stuck-minutes", type=float, default=30.0)
    ops.add_argument("--json", action="store_true")
    ops.set_defaults(handler=_ops)


async def _client() -> "InvoiceClient":
    from starter.client import InvoiceClient

    settings = Settings()
    return await InvoiceClient.connect(settings.temporal_address, settings.temporal_namespace)


async def _handle(client: "InvoiceClient", args: argparse.Namespace) -> "InvoiceHandle | None":
    if args.issuer:
        return client.invoice(args.country, args.issuer, args.order_id)
    found = await client.find_by_order(args.order_id)
    if len(found) != 1:
        print(f"{len(found)} invoices for order {args.order_id}; say which with --issuer", file=sys.stderr)
        return None
    return found[0]


async def _support(args: argparse.Namespace, action: "Callable[[InvoiceClient, InvoiceHandle], Any]") -> int:
    from temporalio.client import WorkflowUpdateFailedError

    from starter.client import SupportError

    client = await _client()
    handle = await _handle(client, args)
    if handle is None:
        return 1
    try:
        answer = await action(client, handle)
    except WorkflowUpdateFailedError as exc:
        print(f"refused: {exc.cause}", file=sys.stderr)
        return 1
    except SupportError as exc:
        print(f"refused: {exc}", file=sys.stderr)
        return 1
    print(answer)
    return 0


async def _fix(args: argparse.Namespace) -> int:
    try:
        changes = json.loads(args.patch_file.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        print(f"{args.patch_file}: cannot read a JSON patch: {exc}", file=sys.stderr)
        return EXIT_USAGE
    return await _support(args, lambda c, h: h.fix(changes, actor=args.actor, reason=args.reason))


async def _retry(args: argparse.Namespace) -> int:
    return await _support(args, lambda c, h: h.retry_now(actor=args.actor, reason=args.reason))


async def _cancel(args: argparse.Namespace) -> int:
    if args.motive is None:
        return await _support(args, lambda c, h: c.cancel(h, actor=args.actor, reason=args.reason))

    async def at_authority(client: "InvoiceClient", handle: "InvoiceHandle") -> str:
        started = await client.cancel_at_authority(handle, motive=args.motive, actor=args.actor, reason=args.reason,
                                                   substitute_uuid=args.substitute)
        return f"cancellation {started.key} requested; follow it with its status query"

    return await _support(args, at_authority)


async def _resend(args: argparse.Namespace) -> int:
    return await _support(args, lambda c, h: c.resend(h, actor=args.actor, reason=args.reason, to=args.to))


async def _credit(args: argparse.Namespace) -> int:
    from decimal import Decimal, InvalidOperation

    from domain.invoice import CreditLine, CreditRequest

    try:
        lines = [CreditLine(line=int(i), quantity=Decimal(q)) for i, q in (item.split(":") for item in args.line)]
    except (ValueError, InvalidOperation):
        print("--line takes INDEX:QUANTITY, e.g. --line 0:1", file=sys.stderr)
        return EXIT_USAGE
    request = CreditRequest(reason=args.reason, lines=lines, requested_by=args.actor)

    async def act(client: "InvoiceClient", handle: "InvoiceHandle") -> str:
        credit = await client.credit(handle, request, credit_id=args.credit_id)
        if not args.wait:
            return f"credit note {credit.key} started"
        result = await client.credit_result(credit)
        return f"credit note {credit.key}: {result.state.status.value}, amount {result.amount}"

    return await _support(args, act)


async def _ops(args: argparse.Namespace) -> int:
    from datetime import timedelta

    from starter.operations import operations_report

    client = await _client()
    report = await operations_report(client.temporal, stuck_after=timedelta(minutes=args.stuck_minutes),
                                     countries=["EC", "CO", "MX"])
    if args.json:
        from dataclasses import asdict

        print(json.dumps(asdict(report), indent=2, default=str))
        return 0
    for authority in report.authorities:
        state = "UP" if authority.up else "DOWN"
        print(f"authority {authority.country}: {state} since {authority.since or '-'}; {authority.waiting} invoices "
              f"waiting, {authority.outages} outages, {authority.probes} probes")
    for title, rows in (("NEEDS_FIX", report.needs_fix), ("CONTINGENCY", report.contingency),
                        (f"STUCK > {args.stuck_minutes:g} min", report.stuck)):
        print(f"{title}: {len(rows)}")
        for row in rows:
            print(f"  {row.invoice_key}  {row.status}  since {row.updated_at or '-'}")
    return 0


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
        return parse_sale(raw)
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
