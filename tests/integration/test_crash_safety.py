"""Crash safety: the worker process is killed with SIGKILL at every step boundary and in the middle of
activities, and restarted. Every invoice still completes exactly once: one accepted submission at the
SRI, one ledger posting, one e-mail to the buyer."""

import asyncio
import sys
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
import pytest_asyncio
from sqlalchemy import func
from sqlmodel import Session, select

from adapters.ledger.database import make_engine
from adapters.ledger.tables import AuditEntry, MailLog, NumberAllocation, Receivable
from domain.status import InvoiceStatus
from starter.client import InvoiceClient, InvoiceHandle
from starter.processes import ChildProcess
from starter.stack import EmbeddedStack, StackOptions, embedded_stack, worker_environment
from tests.integration.conftest import TEST_TIMINGS, mail_files
from tests.support.sales import make_sale
from tests.support.waiting import unique

pytestmark = [pytest.mark.integration, pytest.mark.asyncio(loop_scope="session")]
# Kill the worker when an invoice first reaches each of these statuses: every step boundary.
BOUNDARIES = [InvoiceStatus.RECEIVED, InvoiceStatus.NUMBERED, InvoiceStatus.SIGNED, InvoiceStatus.SUBMITTED,
              InvoiceStatus.AUTHORIZED, InvoiceStatus.RENDERED, InvoiceStatus.NOTIFIED]
# Short activity timeouts: an activity that died with the worker is retried after this long.
CRASH_TIMINGS = TEST_TIMINGS.model_copy(update={"step_timeout": timedelta(seconds=3),
                                                 "authorization_deadline": timedelta(minutes=2),
                                                 "delivery_window": timedelta(minutes=2)})


@pytest_asyncio.fixture(loop_scope="session")
async def crash_stack(tmp_path: Path) -> AsyncIterator[EmbeddedStack]:
    options = StackOptions(data_dir=tmp_path, authorization_delay=0.4, run_worker=False)
    async with embedded_stack(options) as stack:
        yield stack


def worker_process(stack: EmbeddedStack, run: int) -> ChildProcess:
    return ChildProcess(f"worker-{run}", [sys.executable, "-m", "worker"],
                        stack.options.data_dir / "logs" / "worker.log", env=worker_environment(stack.settings))


async def test_killing_the_worker_at_every_step_loses_and_duplicates_nothing(crash_stack: EmbeddedStack) -> None:
    stack = crash_stack
    async with httpx.AsyncClient(base_url=stack.sri_admin_url) as admin:
        # Latency makes submissions and polls long enough to be killed in the middle.
        (await admin.post("/admin/faults", json={"latency_ms": 300})).raise_for_status()
        client = InvoiceClient(stack.client, CRASH_TIMINGS)
        prefix = unique("CRASH")
        handles = [await client.issue(make_sale(f"{prefix}-{i}")) for i in range(len(BOUNDARIES))]
        runs = 0
        worker = worker_process(stack, runs)
        await asyncio.to_thread(worker.start)
        try:
            for handle, boundary in zip(handles, BOUNDARIES, strict=True):
                await _wait_until_reached(handle, boundary)
                worker.kill()  # SIGKILL: no cleanup, activities die mid-flight
                runs += 1
                worker = worker_process(stack, runs)
                await asyncio.to_thread(worker.start)
            # A few more kills at arbitrary moments, mostly inside activities.
            for delay in (0.4, 0.9, 0.25):
                await asyncio.sleep(delay)
                worker.kill()
                runs += 1
                worker = worker_process(stack, runs)
                await asyncio.to_thread(worker.start)
            results = [await asyncio.wait_for(h.result(), 180) for h in handles]
        finally:
            worker.stop()
        states = [r.state for r in results]
        assert {s.status for s in states} == {InvoiceStatus.COMPLETED}

        engine = make_engine(stack.settings.ledger_url)
        for state in states:
            assert state.numbering is not None and state.email_message_id is not None
            record = (await admin.get(f"/admin/documents/{state.numbering.access_key}")).json()
            assert record["accepted_receptions"] == 1, state.invoice_key
            # SMTP cannot be exactly-once: a kill in the milliseconds between the server accepting the
            # message and our send log recording it makes the retry send it again. The guarantee is one
            # send-log entry per message (checked below), the buyer receiving it, and any repeat being
            # the very same message (same Message-ID), which mail clients collapse.
            deliveries = mail_files(stack.maildir, state.email_message_id)
            assert 1 <= len(deliveries) <= 2, state.invoice_key
            with Session(engine) as session:
                key = state.invoice_key
                assert session.exec(select(func.count()).select_from(Receivable)
                                    .where(Receivable.invoice_key == key)).one() == 1
                assert session.exec(select(func.count()).select_from(NumberAllocation)
                                    .where(NumberAllocation.invoice_key == key)).one() == 1
                assert session.exec(select(func.count()).select_from(MailLog)
                                    .where(MailLog.invoice_key == key)).one() == 1
                audited = session.exec(select(AuditEntry.status).where(AuditEntry.invoice_key == key)
                                       .order_by(AuditEntry.sequence)).all()  # type: ignore[arg-type]
                assert list(audited) == [c.status.value for c in state.history]
        # Numbers are consecutive: no number was spent twice or skipped by a retry.
        assert sorted(s.numbering.sequential for s in states if s.numbering) == list(range(1, len(states) + 1))


async def _wait_until_reached(handle: InvoiceHandle, status: InvoiceStatus) -> None:
    for _ in range(600):
        state = await handle.status()
        if any(change.status == status for change in state.history):
            return
        await asyncio.sleep(0.02)
    raise AssertionError(f"{handle.key} never reached {status}")
