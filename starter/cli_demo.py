"""`comprobante demo`: issue the sample sales on the embedded stack and show what happened to each."""

import asyncio
import json
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import structlog

from domain.invoice import InvoiceState, PipelineTimings
from domain.status import InvoiceStatus
from simulators.smtp_capture import find_messages
from starter.client import InvoiceClient, InvoiceHandle
from starter.samples import Sample, demo_sales
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
        rows = await issue_samples(stack, demo_sales(f"DEMO-{started:%Y%m%d%H%M%S}"), seconds)
        print_summary(rows, as_json=as_json)
        ok = all(row.status == InvoiceStatus.COMPLETED for row in rows)
        if not once:
            _print_stack(stack)
            await asyncio.Event().wait()
        return 0 if ok else 1


async def issue_samples(stack: EmbeddedStack, samples: list[Sample], seconds: float) -> list[SummaryRow]:
    client = InvoiceClient(stack.client, DEMO_TIMINGS)
    started = asyncio.get_running_loop().time()
    handles = [await client.issue(s.sale, requested_by="demo") for s in samples]

    async def finish(sample: Sample, handle: InvoiceHandle) -> SummaryRow:
        state = await wait_final(handle, seconds)
        elapsed = asyncio.get_running_loop().time() - started
        return _row(stack, sample, state, elapsed)

    return list(await asyncio.gather(*(finish(s, h) for s, h in zip(samples, handles, strict=True))))


async def wait_final(handle: InvoiceHandle, seconds: float) -> InvoiceState:
    """The invoice's state once it completed, or as it stands when it parks or the time runs out."""
    deadline = asyncio.get_running_loop().time() + seconds
    while True:
        state = await handle.status()
        if state.status in (InvoiceStatus.COMPLETED, InvoiceStatus.NEEDS_FIX):
            return state
        if asyncio.get_running_loop().time() > deadline:
            return state
        await asyncio.sleep(0.1)


def _row(stack: EmbeddedStack, sample: Sample, state: InvoiceState, seconds: float) -> SummaryRow:
    docs = stack.settings.documents_path

    def path(name: str) -> str | None:
        ref = state.documents.get(name)
        return str(docs / ref.key) if ref else None

    return SummaryRow(
        order_id=state.order_id, sample=sample.label,
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


def print_summary(rows: list[SummaryRow], *, as_json: bool) -> None:
    if as_json:
        print(json.dumps([asdict(r) for r in rows], indent=2))
        return
    header = ("ORDER", "NUMBER", "CLAVE DE ACCESO", "STATUS", "SECS", "PDF", "MAIL")
    table = [header] + [
        (r.order_id, r.number or "-", r.access_key or "-", r.status, f"{r.seconds:.2f}",
         _short(r.pdf), _short(r.mail)) for r in rows
    ]
    widths = [max(len(row[i]) for row in table) for i in range(len(header))]
    for row in table:
        print("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)))
    for r in rows:
        for problem in r.problems:
            print(f"  {r.order_id}: {problem}")


def _short(path: str | None) -> str:
    if path is None:
        return "-"
    try:
        return str(Path(path).relative_to(Path.cwd()))
    except ValueError:
        return path


def _print_stack(stack: EmbeddedStack) -> None:
    print()
    print(f"Temporal Web UI:  {stack.ui_url}  (filter: InvoiceStatus = \"COMPLETED\")")
    print(f"Temporal address: {stack.settings.temporal_address}")
    print(f"Mail folder:      {stack.maildir}")
    print("Press Ctrl-C to stop.", flush=True)
