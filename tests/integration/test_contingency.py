"""Issue 3: contingency during an authority outage, the shared outage knowledge, the drain rate, and
compensation when the books refuse an authorized invoice."""

import asyncio
import json
from datetime import timedelta

import httpx
import pytest
from sqlalchemy import text

from adapters.ledger.database import make_engine
from domain import names
from domain.health import AuthorityHealthInput, AuthorityHealthState, HealthSettings
from domain.names import authority_health_id
from domain.status import InvoiceStatus
from domain.steps import OutageReport
from starter.client import InvoiceClient
from starter.stack import EmbeddedStack
from tests.integration.conftest import DRAIN_PER_SECOND, TEST_TIMINGS, WebhookCapture, mail_files
from tests.support.sales import make_sale
from tests.support.waiting import unique, wait_for

pytestmark = [pytest.mark.integration, pytest.mark.asyncio(loop_scope="session")]
BATCH = 12


async def test_an_outage_puts_a_batch_in_contingency_and_the_backlog_drains_at_the_configured_rate(
    stack: EmbeddedStack, sri_admin: httpx.AsyncClient,
) -> None:
    client = InvoiceClient(stack.client, TEST_TIMINGS.model_copy(update={"submit_window": timedelta(seconds=2)}))
    (await sri_admin.post("/admin/faults", json={"mode": "refuse"})).raise_for_status()
    try:
        prefix = unique("OUTAGE")
        handles = [await client.issue(make_sale(f"{prefix}-{i:02d}")) for i in range(BATCH)]
        states = [await wait_for(h, InvoiceStatus.CONTINGENCY, seconds=60) for h in handles]
        # The buyer already holds the document, marked pending authorization.
        for state in states:
            pending = await _wait_mail(stack, f"<{state.invoice_key}.pending@comprobante.invalid>")
            assert pending
        health = await stack.client.get_workflow_handle(authority_health_id("EC")).query(
            "status", result_type=AuthorityHealthState)
        assert health.up is False
        # Only the health workflow probes; the invoices wait.
        probes_before = health.probes
        await asyncio.sleep(1.5)
        health = await stack.client.get_workflow_handle(authority_health_id("EC")).query(
            "status", result_type=AuthorityHealthState)
        assert health.probes - probes_before <= 4
    finally:
        (await sri_admin.post("/admin/faults", json={"mode": "none"})).raise_for_status()

    results = [(await asyncio.wait_for(h.result(), 90)).state for h in handles]
    assert {s.status for s in results} == {InvoiceStatus.COMPLETED}
    for state in results:
        assert state.numbering is not None and state.email_message_id is not None
        record = (await sri_admin.get(f"/admin/documents/{state.numbering.access_key}")).json()
        assert record["accepted_receptions"] == 1
        assert len(mail_files(stack.maildir, state.email_message_id)) == 1  # the authorized version
        statuses = [c.status for c in state.history]
        assert statuses.index(InvoiceStatus.CONTINGENCY) < statuses.index(InvoiceStatus.SUBMITTED)
    # The backlog was released at the drain rate, not all in the same second.
    submitted_at = sorted(next(c.at for c in s.history if c.status == InvoiceStatus.SUBMITTED) for s in results)
    spread = (submitted_at[-1] - submitted_at[0]).total_seconds()
    assert spread >= (BATCH / DRAIN_PER_SECOND) - 1.5


async def _wait_mail(stack: EmbeddedStack, message_id: str) -> list[object]:
    for _ in range(100):
        files = mail_files(stack.maildir, message_id)
        if files:
            return list(files)
        await asyncio.sleep(0.1)
    return []


async def test_an_authorized_invoice_the_ledger_refuses_is_compensated_and_alerted(
    stack: EmbeddedStack, sri_admin: httpx.AsyncClient,
) -> None:
    engine = make_engine(stack.settings.ledger_url)
    with engine.begin() as connection:
        # A ledger policy that refuses some postings, as a real accounting system can.
        connection.execute(text(
            "CREATE TRIGGER IF NOT EXISTS refuse_test_postings BEFORE INSERT ON receivables "
            "WHEN NEW.invoice_key LIKE '%LEDGERNO%' BEGIN SELECT RAISE(ABORT, 'posting refused by policy'); END"))
    client = InvoiceClient(stack.client, TEST_TIMINGS.model_copy(update={"delivery_window": timedelta(seconds=2)}))
    handle = await client.issue(make_sale(unique("LEDGERNO")))
    state = (await asyncio.wait_for(handle.result(), 60)).state

    assert state.status == InvoiceStatus.CREDITED
    assert "ledger_refused" in state.alerts
    assert len(state.credit_notes) == 1 and state.credit_notes[0].status == InvoiceStatus.COMPLETED
    note = await stack.client.get_workflow_handle(state.credit_notes[0].key).query("status")
    clave = note["numbering"]["access_key"]
    assert (await sri_admin.get(f"/admin/documents/{clave}")).json()["accepted_receptions"] == 1


async def test_the_safety_net_asks_the_health_workflow_instead_of_hammering_a_down_authority(
    stack: EmbeddedStack, sri_admin: httpx.AsyncClient,
) -> None:
    """A parked invoice wakes up every contingency_retry in case its release was lost; while the outage
    lasts, each wake-up is one question to the health view, never another round of submissions."""
    client = InvoiceClient(stack.client, TEST_TIMINGS.model_copy(update={
        "submit_window": timedelta(seconds=1), "contingency_retry": timedelta(milliseconds=700)}))
    (await sri_admin.post("/admin/faults", json={"mode": "refuse"})).raise_for_status()
    try:
        handle = await client.issue(make_sale(unique("NET")))
        await wait_for(handle, InvoiceStatus.CONTINGENCY, seconds=60)
        await asyncio.sleep(3.5)  # several safety-net wake-ups
        history = await handle.workflow.fetch_history()
    finally:
        (await sri_admin.post("/admin/faults", json={"mode": "none"})).raise_for_status()

    transmits = [e for e in history.events if e.HasField("activity_task_scheduled_event_attributes")
                 and e.activity_task_scheduled_event_attributes.activity_type.name == names.TRANSMIT]
    assert len(transmits) >= 3  # the first (the online window), then one per wake-up
    starts = {e.activity_task_started_event_attributes.scheduled_event_id: e.activity_task_started_event_attributes
              for e in history.events if e.HasField("activity_task_started_event_attributes")}
    completions = {e.activity_task_completed_event_attributes.scheduled_event_id: e
                   for e in history.events if e.HasField("activity_task_completed_event_attributes")}
    for scheduled in transmits[1:]:
        # Each wake-up: one attempt, answered from the health view without contacting the SRI.
        assert starts[scheduled.event_id].attempt == 1
        result = completions[scheduled.event_id].activity_task_completed_event_attributes.result.payloads[0].data
        assert json.loads(result)["outcome"] == "AUTHORITY_DOWN"
    state = (await asyncio.wait_for(handle.result(), 60)).state
    assert state.status == InvoiceStatus.COMPLETED


async def test_a_long_outage_raises_one_alert_from_the_health_workflow(
    stack: EmbeddedStack, webhooks: WebhookCapture,
) -> None:
    """However many invoices wait, an outage is one alert. A health workflow of its own (country ZZ, which
    no worker can reach) with a short alert time, so the session's real authorities are untouched."""
    workflow_id = authority_health_id("ZZ")
    settings = HealthSettings(probe_interval=timedelta(milliseconds=200), outage_alert_after=timedelta(seconds=1))
    handle = await stack.client.start_workflow(
        names.AUTHORITY_HEALTH_WORKFLOW, AuthorityHealthInput(country="ZZ", settings=settings),
        id=workflow_id, task_queue=names.HEALTH_QUEUE, start_signal="report_down",
        start_signal_args=[OutageReport(country="ZZ", invoice_key="invoice-ZZ-1", error="refused")])
    try:
        for key in ("invoice-ZZ-2", "invoice-ZZ-3"):
            await handle.signal("report_down", OutageReport(country="ZZ", invoice_key=key, error="refused"))
        for _ in range(100):
            state = await handle.query("status", result_type=AuthorityHealthState)
            if state.outage_alerted:
                break
            await asyncio.sleep(0.1)
        assert state.outage_alerted and not state.up
        await asyncio.sleep(1.0)  # more failed probes: still one alert
        alerts = [p for h, body in webhooks.received
                  if (p := json.loads(body))["data"]["invoice_key"].startswith(workflow_id)]
        assert len(alerts) == 1
        assert alerts[0]["data"]["alert"] == "authority_outage"
        assert "3 invoices waiting in contingency" in str(alerts[0]["data"]["message"])
    finally:
        await handle.terminate("test over")
