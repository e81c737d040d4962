"""The dedicated render process (`python -m pdf_worker`) serves the PDF step of an invoices worker that
does not render, as the benchmark and docker-compose deploy them."""

import asyncio
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio

from adapters.documents import FolderDocumentStore
from domain.status import InvoiceStatus
from starter.client import InvoiceClient
from starter.processes import ChildProcess
from starter.stack import EmbeddedStack, StackOptions, embedded_stack, worker_environment
from tests.integration.conftest import TEST_TIMINGS
from tests.support.sales import make_sale
from tests.support.waiting import unique

pytestmark = [pytest.mark.integration, pytest.mark.asyncio(loop_scope="session")]


@pytest_asyncio.fixture(loop_scope="session")
async def split_stack(tmp_path: Path) -> AsyncIterator[EmbeddedStack]:
    async with embedded_stack(StackOptions(data_dir=tmp_path, authorization_delay=0.05, run_worker=False)) as stack:
        yield stack


def process(stack: EmbeddedStack, name: str, module: str, role: str) -> ChildProcess:
    env = {**worker_environment(stack.settings), "COMPROBANTE_WORKER_ROLE": role}
    return ChildProcess(name, [sys.executable, "-m", module], stack.options.data_dir / "logs" / f"{name}.log", env=env)


async def test_the_pdf_process_renders_for_an_invoices_worker_that_does_not(split_stack: EmbeddedStack) -> None:
    stack = split_stack
    invoices = process(stack, "worker-invoices", "worker", "invoices")
    pdf = process(stack, "worker-pdf", "pdf_worker", "pdf")
    await asyncio.to_thread(invoices.start, 60.0)
    try:
        handle = await InvoiceClient(stack.client, TEST_TIMINGS).issue(make_sale(unique("PDFW")))
        await asyncio.sleep(2)
        # Without a render process the invoice waits at the PDF step (authorized, not rendered).
        waiting = await handle.status()
        assert waiting.status == InvoiceStatus.AUTHORIZED and waiting.step == "render"
        announced = await asyncio.to_thread(pdf.start, 60.0)
        assert announced == {"event": "worker.ready", "role": "pdf"}
        state = (await asyncio.wait_for(handle.result(), 60)).state
    finally:
        pdf.stop()
        invoices.stop()
    assert state.status == InvoiceStatus.COMPLETED
    rendered = FolderDocumentStore(stack.settings.documents_path).get(state.documents["pdf"])
    assert rendered.startswith(b"%PDF")
    assert pdf.process is not None and pdf.process.returncode == 0  # SIGTERM ends it cleanly
