"""What an invoice costs the server: the steps it schedules, its local activities and its upserts.

The benchmark showed orchestration outweighing the real work, so invoices take the short road (see
Pipeline.fast). These tests pin that road down on the real dev server, and check that what operators see
(search attributes, audit trail) is still complete whenever the invoice comes to rest.
"""

import asyncio
import json
from collections import Counter

import pytest
from temporalio.api.enums.v1 import EventType
from temporalio.client import Client
from temporalio.common import SearchAttributeKey

from adapters.ledger.books import Books
from adapters.ledger.database import make_engine
from domain import names
from domain.status import InvoiceStatus
from starter.client import InvoiceClient, InvoiceHandle
from starter.stack import EmbeddedStack
from tests.support.sales import make_sale
from tests.support.waiting import unique, wait_for

pytestmark = [pytest.mark.integration, pytest.mark.asyncio(loop_scope="session")]


def books(stack: EmbeddedStack) -> Books:
    return Books(make_engine(stack.settings.ledger_url))


async def scheduled(handle: InvoiceHandle) -> tuple[list[str], list[str], Counter[str]]:
    """Activity types in order, local activity types in order, and a count of the other events that cost
    the server something."""
    history = await handle.workflow.fetch_history()
    activities: list[str] = []
    local: list[str] = []
    counts: Counter[str] = Counter()
    for event in history.events:
        if event.event_type == EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED:
            activities.append(event.activity_task_scheduled_event_attributes.activity_type.name)
        elif event.event_type == EventType.EVENT_TYPE_MARKER_RECORDED:
            marker = event.marker_recorded_event_attributes
            counts[marker.marker_name] += 1
            if marker.marker_name == "core_local_activity":
                local.append(json.loads(marker.details["data"].payloads[0].data)["activity_type"])
        elif event.event_type == EventType.EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES:
            counts["upserts"] += 1
        elif event.event_type == EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED:
            counts["workflow_tasks"] += 1
    return activities, local, counts


async def test_a_completed_invoice_takes_three_activities_and_one_audit_write(
    stack: EmbeddedStack, invoices: InvoiceClient,
) -> None:
    handle = await invoices.issue(make_sale(unique("RT")))
    state = (await asyncio.wait_for(handle.result(), 60)).state
    assert state.status == InvoiceStatus.COMPLETED

    activities, local, counts = await scheduled(handle)
    # Through the server: the authority (network, long waits) and the PDF (another process). The test
    # stack has a webhook endpoint, so the webhook step runs too; without one it is skipped.
    assert activities == [names.TRANSMIT, names.RENDER_PDF, names.SEND_WEBHOOK]
    # Inside workflow tasks: the quick local steps, and the whole audit trail written once at the end.
    assert local == [names.PREPARE, names.SEND_EMAIL, names.POST_LEDGER, names.RECORD_TRANSITIONS]
    assert counts["core_patch"] == 1
    assert counts["workflow_tasks"] <= 5
    # At most one upsert per workflow task that changed the status (RECEIVED was set by the start
    # request), plus the patch marker's own TemporalChangeVersion upsert.
    assert counts["upserts"] <= counts["workflow_tasks"] + 1

    audit = books(stack).audit_trail(state.invoice_key)
    assert [(e.sequence, e.status, e.actor, e.note) for e in audit] == [
        (n, c.status.value, c.actor, c.note) for n, c in enumerate(state.history, start=1)]
    row = books(stack).invoice(state.invoice_key)
    assert row is not None and row.status == InvoiceStatus.COMPLETED.value

    client: Client = stack.client
    found = [w.id async for w in client.list_workflows(
        f'{names.SA_STATUS} = "COMPLETED" AND {names.SA_ORDER} = "{state.order_id}"')]
    assert found == [state.invoice_key]


async def test_an_invoice_waiting_for_support_shows_everywhere_before_it_waits(
    stack: EmbeddedStack, invoices: InvoiceClient,
) -> None:
    sale = make_sale(unique("RT-FIX"), buyer={"id_type": "05", "identification": "1713328507", "name": "Ana",
                                              "email": "ana@correo.example"})
    handle = await invoices.issue(sale)
    state = await wait_for(handle, InvoiceStatus.NEEDS_FIX)
    # The ledger's audit trail and status column, and the search attribute, all say NEEDS_FIX while the
    # invoice waits: they were written before it started waiting.
    for _ in range(50):
        audit = books(stack).audit_trail(state.invoice_key)
        if audit and audit[-1].status == InvoiceStatus.NEEDS_FIX.value:
            break
        await asyncio.sleep(0.1)
    assert [e.status for e in audit] == [InvoiceStatus.RECEIVED.value, InvoiceStatus.NEEDS_FIX.value]
    assert audit[-1].note.startswith("validate: cédula 1713328507 has a wrong check digit")
    description = await handle.workflow.describe()
    assert description.typed_search_attributes.get(SearchAttributeKey.for_keyword(names.SA_STATUS)) == "NEEDS_FIX"
    activities, local, _ = await scheduled(handle)
    assert activities == [] and local == [names.PREPARE, names.RECORD_TRANSITIONS]
    assert state.numbering is None  # nothing is numbered for a sale that cannot be issued
    await invoices.cancel(handle, actor="test", reason="clean up")
