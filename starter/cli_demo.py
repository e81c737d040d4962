"""`comprobante demo`: issue the sample sales on the embedded stack and show what happened to each."""

import asyncio
import json
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import structlog

from domain.invoice import CreditLine, CreditRequest, InvoiceState, PipelineTimings
from domain.status import InvoiceStatus
from simulators.smtp_capture import find_messages
from starter.client import InvoiceClient, InvoiceHandle
from starter.samples import Sample, colombia_sales, demo_sales, mexico_sales, sale_needing_a_fix
from starter.stack import EmbeddedStack, StackOptions, embedded_stack

log = structlog.get_logger(__name__)
# Durations suited to a local simulator that decides in half a second; production keeps the defaults.
DEMO_TIMINGS = PipelineTimings(poll_interval=timedelta(milliseconds=300),
                               poll_max_interval=timedelta(seconds=2), submit_window=timedelta(minutes=1),
                               authorization_deadline=timedelta(minutes=5))


@dataclass(frozen=True)
class SummaryRow:
    order_id: str
    sample: str
    number: str | None
    access_key: str | None
    status: str
    seconds: float
    pdf: str | None
    mail: str | None
    signed_xml: str | None
    authorized_xml: str | None
    problems: list[str]


async def run_demo(data_dir: Path, *, once: bool, as_json: bool, seconds: float = 120.0) -> int:
    async with embedded_stack(StackOptions(data_dir=data_dir, ui=True, persist_temporal=not once)) as stack:
        started = datetime.now(UTC)
        prefix = f"DEMO-{started:%Y%m%d%H%M%S}"
        client = InvoiceClient(stack.client, DEMO_TIMINGS)
        ecuador, colombia, mexico = demo_sales(prefix), colombia_sales(prefix), mexico_sales(prefix)
        rows, ok = await issue_samples(stack, client, ecuador + colombia + mexico, seconds)
        extra = [await fix_scenario(stack, client, prefix, seconds),
                 await credit_scenario(stack, client, ecuador[0], label="partial credit note: one laptop returned",
                                       lines=[CreditLine(line=0, quantity=Decimal(1))], seconds=seconds),
                 await credit_scenario(stack, client, colombia[0], label="Colombia: nota crédito, full annulment",
                                       lines=[], seconds=seconds),
                 await credit_scenario(stack, client, mexico[0], label="Mexico: CFDI de Egreso for one returned laptop",
                                       lines=[CreditLine(line=0, quantity=Decimal(1))], seconds=seconds),
                 await cancellation_scenario(stack, client, mexico[1], seconds)]
        rows += [row for row, _ in extra]
        print_summary(rows, as_json=as_json, base=stack.settings.data_dir)
        if not once:
            _print_stack(stack)
            await asyncio.Event().wait()
        return 0 if ok and all(done for _, done in extra) else 1


async def issue_samples(stack: EmbeddedStack, client: InvoiceClient, samples: list[Sample],
                        seconds: float) -> tuple[list[SummaryRow], bool]:
    started = asyncio.get_running_loop().time()
    handles = [await client.issue(s.sale, requested_by="demo") for s in samples]

    async def finish(sample: Sample, handle: InvoiceHandle) -> SummaryRow:
        state = await wait_final(handle, seconds)
        return _row(stack, sample.label, state, asyncio.get_running_loop().time() - started)

    rows = list(await asyncio.gather(*(finish(s, h) for s, h in zip(samples, handles, strict=True))))
    return rows, all(r.status == InvoiceStatus.COMPLETED for r in rows)


async def fix_scenario(stack: EmbeddedStack, client: InvoiceClient, prefix: str,
                       seconds: float) -> tuple[SummaryRow, bool]:
    """What support does with a sale that arrives with a mistake: read the problems, patch, done."""
    sample, patch = sale_needing_a_fix(prefix)
    started = asyncio.get_running_loop().time()
    handle = await client.issue(sample.sale, requested_by="demo")
    parked = await wait_final(handle, seconds)
    waited = parked.status == InvoiceStatus.NEEDS_FIX and bool(parked.problems)
    if waited:
        await handle.fix(patch, actor="support:demo", reason="cédula confirmed with the buyer")
    state = await wait_final(handle, seconds, until=(InvoiceStatus.COMPLETED,))
    row = _row(stack, sample.label, state, asyncio.get_running_loop().time() - started)
    return row, waited and state.status == InvoiceStatus.COMPLETED


async def credit_scenario(stack: EmbeddedStack, client: InvoiceClient, original: Sample, *, label: str,
                          lines: list[CreditLine], seconds: float) -> tuple[SummaryRow, bool]:
    """A return after the sale: a credit note (nota de crédito, nota crédito, CFDI de Egreso)."""
    started = asyncio.get_running_loop().time()
    handle = client.invoice(original.sale.country, original.sale.issuer_id, original.sale.order_id)
    credit = await client.credit(handle, CreditRequest(reason="Devolución", requested_by="demo", lines=lines),
                                 credit_id="RMA-1")
    state = await wait_final(credit, seconds)
    row = _row(stack, label, state, asyncio.get_running_loop().time() - started)
    return row, state.status == InvoiceStatus.COMPLETED


async def cancellation_scenario(stack: EmbeddedStack, client: InvoiceClient, original: Sample,
                                seconds: float) -> tuple[SummaryRow, bool]:
    """Mexico: a CFDI issued with wrong data is cancelled through the PAC (motive 02)."""
    started = asyncio.get_running_loop().time()
    handle = client.invoice(original.sale.country, original.sale.issuer_id, original.sale.order_id)
    cancel = await client.cancel_at_authority(handle, motive="02", actor="demo", reason="datos erróneos",
                                              poll_interval=timedelta(milliseconds=300))
    view = await asyncio.wait_for(cancel.workflow.result(), seconds)
    state = await handle.status()
    row = _row(stack, f"Mexico: CFDI cancelled through the PAC, motive 02 ({view.state})", state,
               asyncio.get_running_loop().time() - started)
    row = SummaryRow(**{**asdict(row), "order_id": f"{state.order_id} (cancel)", "status": view.state})
    return row, view.voided


async def wait_final(handle: InvoiceHandle, seconds: float,
                     until: tuple[InvoiceStatus, ...] = (InvoiceStatus.COMPLETED, InvoiceStatus.NEEDS_FIX)
                     ) -> InvoiceState:
    """The invoice's state once it completed, or as it stands when it parks or the time runs out."""
    deadline = asyncio.get_running_loop().time() + seconds
    while True:
        state = await handle.status()
        if state.status in until:
            return state
        if asyncio.get_running_loop().time() > deadline:
            return state
        await asyncio.sleep(0.1)


def _row(stack: EmbeddedStack, label: str, state: InvoiceState, seconds: float) -> SummaryRow:
    docs = stack.settings.documents_path

    def path(name: str) -> str | None:
        ref = state.documents.get(name)
        return str(docs / ref.key) if ref else None

    return SummaryRow(
        order_id=state.order_id if state.kind == "invoice" else f"{state.order_id} (credit)", sample=label,
        number=state.numbering.document_number if state.numbering else None,
        access_key=state.numbering.access_key if state.numbering else None,
        status=state.status.value, seconds=round(seconds, 2), pdf=path("pdf"),
        mail=find_mail(stack.maildir, state.email_message_id),
        signed_xml=path("signed_xml"), authorized_xml=path("authorized_xml"),
        problems=[f"{p.field}: {p.message}" for p in state.problems if p.severity == "error"],
    )


def find_mail(maildir: Path, message_id: str | None) -> str | None:
    found = find_messages(maildir, message_id) if message_id else []
    return str(found[0]) if found else None


def print_summary(rows: list[SummaryRow], *, as_json: bool, base: Path) -> None:
    if as_json:
        print(json.dumps([asdict(r) for r in rows], indent=2))
        return
    header = ("ORDER", "NUMBER", "AUTHORITY KEY (clave / CUFE / UUID)", "STATUS", "SECS", "PDF", "MAIL")
    table = [header] + [
        (r.order_id, r.number or "-", r.access_key or "-", r.status, f"{r.seconds:.2f}",
         _short(r.pdf, base), _short(r.mail, base) if r.mail else "(no buyer e-mail)") for r in rows
    ]
    widths = [max(len(row[i]) for row in table) for i in range(len(header))]
    for row in table:
        print("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip())
    print(f"\nFiles are under {_short(str(base), Path.cwd())}/; the samples:")
    for r in rows:
        print(f"  {r.order_id}: {r.sample}")
        for problem in r.problems:
            print(f"    problem: {problem}")


def _short(path: str | None, base: Path) -> str:
    if path is None:
        return "-"
    try:
        return str(Path(path).relative_to(base))
    except ValueError:
        return path


def _print_stack(stack: EmbeddedStack) -> None:
    print()
    print(f"Temporal Web UI:  {stack.ui_url}  (filter: InvoiceStatus = \"COMPLETED\")")
    print(f"Temporal address: {stack.settings.temporal_address}")
    print(f"Mail folder:      {stack.maildir}")
    print("Press Ctrl-C to stop.", flush=True)
