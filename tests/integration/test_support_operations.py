"""Issue 3: support fixes, retries, cancellation (void and credit), resends and alerts, end to end."""

import asyncio
from datetime import timedelta
from decimal import Decimal

import httpx
import pytest
from temporalio.client import WorkflowFailureError, WorkflowUpdateFailedError

from activities.sign import signed_document_key
from adapters.certificates.signing_keys import SigningKeys
from adapters.documents import FolderDocumentStore
from adapters.ecuador.profile import EcuadorProfile
from adapters.issuers import IssuerRegistry
from adapters.ledger.books import Books
from adapters.ledger.credits import Credits
from adapters.ledger.database import make_engine
from adapters.ledger.numbering import NumberAllocator
from adapters.ledger.tables import NumberAllocation
from domain.ecuador.sale import EcuadorSale
from domain.invoice import CreditLine, CreditRequest, InvoiceState, sale_key
from domain.status import InvoiceStatus
from starter.client import InvoiceClient, SupportError
from starter.stack import EmbeddedStack
from tests.integration.conftest import TEST_TIMINGS, WebhookCapture, mail_files
from tests.support.sales import make_sale
from tests.support.waiting import unique, wait_for

pytestmark = [pytest.mark.integration, pytest.mark.asyncio(loop_scope="session")]


def books(stack: EmbeddedStack) -> Books:
    return Books(make_engine(stack.settings.ledger_url))


async def test_a_bad_fix_is_refused_and_a_good_fix_completes_the_invoice(
    stack: EmbeddedStack, invoices: InvoiceClient,
) -> None:
    sale = make_sale(unique("FIX"), buyer={"id_type": "05", "identification": "1713328507", "name": "Ana",
                                           "email": "ana@correo.example"})
    handle = await invoices.issue(sale)
    await wait_for(handle, InvoiceStatus.NEEDS_FIX)

    # A patch that still leaves a problem is refused with the reason and never enters history.
    with pytest.raises(WorkflowUpdateFailedError) as refused:
        await handle.fix({"buyer": {"id_type": "05", "identification": "1713328508", "name": "Ana"}},
                         actor="support:luis", reason="typo")
    assert "EC.CEDULA.CHECK_DIGIT" in str(refused.value.cause)
    history = await handle.workflow.fetch_history()
    assert not any(e.HasField("workflow_execution_update_accepted_event_attributes") for e in history.events)
    # The identity of the invoice cannot be patched.
    with pytest.raises(WorkflowUpdateFailedError):
        await handle.fix({"order_id": "OTHER"}, actor="support:luis", reason="nope")

    answer = await handle.fix({"buyer": {"id_type": "05", "identification": "1713328506", "name": "Ana Paredes",
                                         "email": "ana@correo.example"}},
                              actor="support:luis", reason="cédula corrected with the customer")
    assert answer == "accepted"
    state = (await asyncio.wait_for(handle.result(), 60)).state
    assert state.status == InvoiceStatus.COMPLETED
    assert isinstance(state.sale, EcuadorSale)
    assert state.sale.buyer.name == "Ana Paredes"
    audit = books(stack).audit_trail(state.invoice_key)
    fix_entry = next(e for e in audit if e.note.startswith("fix"))
    assert fix_entry.actor == "support:luis" and "cédula corrected" in fix_entry.note


async def test_a_refused_signature_is_resigned_under_the_same_clave_after_retry(
    stack: EmbeddedStack, invoices: InvoiceClient, sri_admin: httpx.AsyncClient,
) -> None:
    sale = make_sale(unique("RESIGN"))
    key = sale_key(sale)
    engine = make_engine(stack.settings.ledger_url)
    profile = EcuadorProfile(IssuerRegistry.from_file(stack.settings.issuers_file), NumberAllocator(engine),
                             SigningKeys(), sri=None, schemas=None)
    numbering = profile.allocate(key, sale, "invoice")
    signed = profile.build_signed(sale, numbering, "invoice", None, signing_time=profile.now()).xml
    FolderDocumentStore(stack.settings.documents_path).put_once(
        signed_document_key(key, 1), signed.replace(b"Paredes", b"Paredez"), "application/xml")
    handle = await invoices.issue(sale)
    state = await wait_for(handle, InvoiceStatus.NEEDS_FIX)
    assert [m.identifier for m in state.authority_messages] == ["39"]

    assert (await handle.retry_now(actor="support:eva", reason="re-sign")).startswith("retrying")
    state = (await asyncio.wait_for(handle.result(), 60)).state
    assert state.status == InvoiceStatus.COMPLETED
    assert state.revision == 2
    assert state.authorization is not None and state.authorization.number == numbering.access_key
    record = (await sri_admin.get(f"/admin/documents/{numbering.access_key}")).json()
    assert record["accepted_receptions"] == 2  # the refused one and its corrected re-send


async def test_cancelling_before_the_sri_saw_it_voids_and_keeps_the_number_spent(
    stack: EmbeddedStack, invoices: InvoiceClient, sri_admin: httpx.AsyncClient,
) -> None:
    short = InvoiceClient(stack.client, TEST_TIMINGS.model_copy(update={
        "submit_window": timedelta(seconds=1), "contingency_alert_after": timedelta(seconds=1)}))
    (await sri_admin.post("/admin/faults", json={"mode": "refuse"})).raise_for_status()
    try:
        handle = await short.issue(make_sale(unique("VOID")))
        state = await wait_for(handle, InvoiceStatus.CONTINGENCY)
        # Nearing the legal transmission deadline raises an alert while the invoice keeps waiting.
        for _ in range(100):
            if "contingency_deadline" in (await handle.status()).alerts:
                break
            await asyncio.sleep(0.1)
        assert "contingency_deadline" in (await handle.status()).alerts
        answer = await short.cancel(handle, actor="support:ana", reason="customer cancelled the order")
        assert answer == "cancellation requested"
        state = (await asyncio.wait_for(handle.result(), 30)).state
    finally:
        (await sri_admin.post("/admin/faults", json={"mode": "none"})).raise_for_status()
    assert state.status == InvoiceStatus.VOIDED
    assert state.numbering is not None
    engine = make_engine(stack.settings.ledger_url)
    from sqlmodel import Session

    with Session(engine) as session:
        allocation = session.get(NumberAllocation, state.invoice_key)
        assert allocation is not None and allocation.voided_at is not None
        assert "customer cancelled" in (allocation.void_reason or "")
    receivable = books(stack).receivable(state.invoice_key)  # booked in contingency, then reversed
    assert receivable is not None and receivable.status == "REVERSED" and receivable.balance == 0
    record = (await sri_admin.get(f"/admin/documents/{state.numbering.access_key}"))
    assert record.status_code == 404 or record.json()["accepted_receptions"] == 0


async def test_cancelling_an_authorized_invoice_issues_a_credit_note(
    stack: EmbeddedStack, invoices: InvoiceClient, sri_admin: httpx.AsyncClient,
) -> None:
    # The mail server is down, so the authorized invoice waits in NEEDS_FIX at the notify step.
    short = InvoiceClient(stack.client, TEST_TIMINGS.model_copy(update={"delivery_window": timedelta(seconds=2)}))
    stack.smtp.stop()
    try:
        handle = await short.issue(make_sale(unique("CREDIT")))
        state = await wait_for(handle, InvoiceStatus.NEEDS_FIX)
        assert state.step == "notify" and state.authorization is not None
    finally:
        await asyncio.to_thread(stack.smtp.start)
    await short.cancel(handle, actor="support:ana", reason="devolución total")
    state = (await asyncio.wait_for(handle.result(), 60)).state

    assert state.status == InvoiceStatus.CREDITED
    assert len(state.credit_notes) == 1
    credit = state.credit_notes[0]
    assert credit.status == InvoiceStatus.COMPLETED and credit.amount == Decimal("28.13")
    note = await stack.client.get_workflow_handle(credit.key).query("status", result_type=InvoiceState)
    assert note.kind == "credit_note" and note.numbering is not None and note.numbering.access_key is not None
    clave = note.numbering.access_key
    assert clave[8:10] == "04"  # codDoc 04: nota de crédito
    assert (await sri_admin.get(f"/admin/documents/{clave}")).json()["accepted_receptions"] == 1
    receivable = books(stack).receivable(state.invoice_key)
    assert receivable is not None and receivable.balance == 0 and receivable.status == "CREDITED"
    assert books(stack).invoice(state.invoice_key).status == "CREDITED"  # type: ignore[union-attr]


async def test_partial_credits_never_exceed_the_invoice(stack: EmbeddedStack, invoices: InvoiceClient) -> None:
    handle = await invoices.issue(make_sale(unique("PARTIAL")))
    await asyncio.wait_for(handle.result(), 60)

    # Return one of the two units of line 0: 10.555555 − 0.50 (half the discount) = 10.06 + 15 % = 11.57.
    first = await invoices.credit(handle, CreditRequest(reason="devolución de una unidad",
                                                        lines=[CreditLine(line=0, quantity=Decimal("1"))]),
                                  credit_id="RMA-1")
    assert (await invoices.credit_result(first)).amount == Decimal("11.57")
    again = await invoices.credit(handle, CreditRequest(reason="devolución de una unidad",
                                                        lines=[CreditLine(line=0, quantity=Decimal("1"))]),
                                  credit_id="RMA-1")
    assert again.key == first.key  # the same return id is the same credit note

    # Crediting everything now would exceed the invoice: refused before anything is numbered or sent.
    whole = await invoices.credit(handle, CreditRequest(reason="todo"), credit_id="RMA-2")
    with pytest.raises(WorkflowFailureError) as failed:
        await invoices.credit_result(whole)
    assert "would exceed" in str(failed.value.cause)
    assert (await whole.status()).numbering is None

    allocations = Credits(make_engine(stack.settings.ledger_url)).for_invoice(handle.key)
    assert [(a.status, a.amount) for a in allocations] == [("POSTED", Decimal("11.57"))]
    assert books(stack).receivable(handle.key).balance == Decimal("16.56")  # type: ignore[union-attr]


async def test_a_consumidor_final_invoice_cannot_be_credited(invoices: InvoiceClient) -> None:
    sale = make_sale(unique("CF"), buyer={"id_type": "07", "identification": "9999999999999",
                                          "name": "CONSUMIDOR FINAL"})
    handle = await invoices.issue(sale)
    await asyncio.wait_for(handle.result(), 60)
    with pytest.raises(SupportError, match=r"EC\.CREDIT\.CONSUMIDOR_FINAL"):
        await invoices.credit(handle, CreditRequest(reason="devolución"))


async def test_cancelling_a_completed_invoice_credits_it_and_resend_reaches_another_address(
    stack: EmbeddedStack, invoices: InvoiceClient,
) -> None:
    handle = await invoices.issue(make_sale(unique("DONE")))
    state = (await asyncio.wait_for(handle.result(), 60)).state

    message_id = await invoices.resend(handle, actor="support:eva", reason="lost e-mail",
                                       to="contabilidad@cliente.example")
    assert message_id is not None and message_id != state.email_message_id
    files = mail_files(stack.maildir, message_id)
    assert len(files) == 1 and b"To: contabilidad@cliente.example" in files[0].read_bytes()

    answer = await invoices.cancel(handle, actor="support:eva", reason="pedido anulado")
    assert answer.startswith("credit note")
    allocations = Credits(make_engine(stack.settings.ledger_url)).for_invoice(handle.key)
    deadline = asyncio.get_running_loop().time() + 45
    while not allocations or allocations[0].status != "POSTED":
        assert asyncio.get_running_loop().time() < deadline
        await asyncio.sleep(0.2)
        allocations = Credits(make_engine(stack.settings.ledger_url)).for_invoice(handle.key)
    assert allocations[0].amount == Decimal("28.13")
    assert books(stack).invoice(handle.key).status == "CREDITED"  # type: ignore[union-attr]


async def test_an_invoice_left_in_needs_fix_raises_an_alert_and_stays_visible(
    stack: EmbeddedStack, webhooks: WebhookCapture,
) -> None:
    impatient = InvoiceClient(stack.client, TEST_TIMINGS.model_copy(
        update={"needs_fix_alert_after": timedelta(seconds=1)}))
    handle = await impatient.issue(make_sale(unique("ALERT"), payments=[{"method": "01", "amount": "1.00"}]))
    await wait_for(handle, InvoiceStatus.NEEDS_FIX)
    deadline = asyncio.get_running_loop().time() + 20
    while "needs_fix_overdue" not in (await handle.status()).alerts:
        assert asyncio.get_running_loop().time() < deadline
        await asyncio.sleep(0.2)
    assert (await handle.status()).status == InvoiceStatus.NEEDS_FIX
    assert await handle.is_running()
    events = [h["event"] for h in webhooks.for_invoice(handle.key)]
    assert "invoice.alert.needs_fix_overdue" in events
    await handle.workflow.terminate("test cleanup")
