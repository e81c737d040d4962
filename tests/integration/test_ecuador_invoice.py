"""Issue 2 end to end, on real components: dev server, SRI simulator process, SMTP, SQLite, WeasyPrint."""

import asyncio
import email
import io
from datetime import UTC, datetime
from email.message import Message

import httpx
import pytest
from pypdf import PdfReader
from sqlmodel import Session, select

from activities.sign import signed_document_key
from adapters.certificates.signing_keys import SigningKeys
from adapters.documents import FolderDocumentStore
from adapters.ecuador.profile import EcuadorProfile
from adapters.issuers import IssuerRegistry
from adapters.ledger.books import Books
from adapters.ledger.database import make_engine
from adapters.ledger.numbering import NumberAllocator
from adapters.ledger.tables import NumberAllocation
from domain.invoice import InvoiceState, sale_key
from domain.status import InvoiceStatus
from simulators.sri.signature import verify_xades_bes
from starter.client import InvoiceClient, InvoiceHandle
from starter.stack import EmbeddedStack
from tests.integration.conftest import WebhookCapture, mail_files
from tests.support.sales import make_sale

pytestmark = [pytest.mark.integration, pytest.mark.asyncio(loop_scope="session")]


async def wait_for(handle: InvoiceHandle, *statuses: InvoiceStatus, seconds: float = 45) -> InvoiceState:
    deadline = asyncio.get_running_loop().time() + seconds
    while True:
        state = await handle.status()
        if state.status in statuses:
            return state
        assert asyncio.get_running_loop().time() < deadline, f"still {state.status}: {state.model_dump_json()}"
        await asyncio.sleep(0.1)


def unique(prefix: str) -> str:
    return f"{prefix}-{datetime.now(UTC):%H%M%S%f}"


async def simulator_document(admin: httpx.AsyncClient, access_key: str | None) -> dict[str, object]:
    assert access_key is not None
    response = await admin.get(f"/admin/documents/{access_key}")
    response.raise_for_status()
    result: dict[str, object] = response.json()
    return result


async def test_a_sale_becomes_an_authorized_delivered_booked_invoice(
    stack: EmbeddedStack, invoices: InvoiceClient, sri_admin: httpx.AsyncClient, webhooks: WebhookCapture,
) -> None:
    sale = make_sale(unique("E2E"))
    handle = await invoices.issue(sale)
    result = await asyncio.wait_for(handle.result(), 60)
    state = result.state

    assert state.status == InvoiceStatus.COMPLETED
    assert [c.status for c in state.history] == [
        InvoiceStatus.RECEIVED, InvoiceStatus.NUMBERED, InvoiceStatus.SIGNED, InvoiceStatus.SUBMITTED,
        InvoiceStatus.AUTHORIZED, InvoiceStatus.RENDERED, InvoiceStatus.NOTIFIED, InvoiceStatus.COMPLETED]
    assert state.numbering is not None and state.authorization is not None
    clave = state.numbering.access_key
    assert state.authorization.number == clave
    assert str(state.total) == "28.13"

    # The SRI (simulator) received the document exactly once and authorized it.
    record = await simulator_document(sri_admin, clave)
    assert record["accepted_receptions"] == 1

    # The stored signed XML verifies with the simulator's verifier, which shares no code with the signer.
    store = FolderDocumentStore(stack.settings.documents_path)
    signed = store.get(state.documents["signed_xml"])
    ca = load_ca(stack)
    assert verify_xades_bes(signed, trusted_cas=[ca], at=datetime.now(UTC)) == []

    # The RIDE is a real PDF whose text holds the clave de acceso.
    pdf_text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(store.get(state.documents["pdf"]))).pages)
    assert clave in pdf_text.replace(" ", "").replace("\n", "")
    assert state.numbering.document_number in pdf_text

    # Exactly one e-mail to the buyer, in Spanish, with the PDF and the authorized XML.
    assert state.email_message_id is not None
    files = mail_files(stack.maildir, state.email_message_id)
    assert len(files) == 1
    message = email.message_from_bytes(files[0].read_bytes())
    assert message["To"] == "ana.paredes@correo.example"
    assert "Factura electrónica" in str(email.header.make_header(email.header.decode_header(message["Subject"])))
    attachments = {str(part.get_filename()): part for part in message.walk() if part.get_filename()}
    assert sorted(attachments) == [f"FACTURA-{state.numbering.document_number}.pdf",
                                   f"FACTURA-{state.numbering.document_number}.xml"]
    xml_part: Message = attachments[f"FACTURA-{state.numbering.document_number}.xml"]
    xml_bytes = xml_part.get_payload(decode=True)
    assert isinstance(xml_bytes, bytes)
    assert b"<numeroAutorizacion>" + clave.encode() in xml_bytes

    # Ledger: the invoice, the receivable and an audit entry for every state change.
    books = Books(make_engine(stack.settings.ledger_url))
    row = books.invoice(state.invoice_key)
    assert row is not None and row.status == "COMPLETED" and row.access_key == clave
    assert str(row.total) == "28.13"
    receivable = books.receivable(state.invoice_key)
    assert receivable is not None and str(receivable.balance) == "28.13"
    assert (receivable.due_date - receivable.issue_date).days == 30
    assert [e.status for e in books.audit_trail(state.invoice_key)] == [c.status.value for c in state.history]

    # The backend got a signed webhook.
    hooks = webhooks.for_invoice(state.invoice_key)
    assert len(hooks) == 1 and hooks[0]["signature_valid"] is True
    assert hooks[0]["event"] == "invoice.authorized"

    # Operators find it through the search attributes.
    query = f'InvoiceStatus = "COMPLETED" AND OrderId = "{sale.order_id}"'
    found = [w.id async for w in stack.client.list_workflows(query)]
    assert found == [state.invoice_key]


async def test_the_same_order_twice_is_one_invoice(
    stack: EmbeddedStack, invoices: InvoiceClient, sri_admin: httpx.AsyncClient,
) -> None:
    sale = make_sale(unique("TWICE"))
    first, second = await asyncio.gather(invoices.issue(sale), invoices.issue(sale))
    assert first.key == second.key == sale_key(sale)
    state = (await asyncio.wait_for(first.result(), 60)).state
    assert (await second.workflow.describe()).run_id == (await first.workflow.describe()).run_id
    # Once completed, a late retry of the backend still gets the same invoice, not a new one.
    third = await invoices.issue(sale)
    assert (await third.status()).numbering == state.numbering

    assert state.numbering is not None and state.email_message_id is not None
    assert (await simulator_document(sri_admin, state.numbering.access_key))["accepted_receptions"] == 1
    assert len(mail_files(stack.maildir, state.email_message_id)) == 1
    with Session(make_engine(stack.settings.ledger_url)) as session:
        rows = session.exec(select(NumberAllocation).where(NumberAllocation.invoice_key == state.invoice_key))
        assert len(list(rows)) == 1


async def test_a_sale_with_several_problems_gets_all_of_them_and_nothing_reaches_the_sri(
    stack: EmbeddedStack, invoices: InvoiceClient, sri_admin: httpx.AsyncClient,
) -> None:
    before = (await sri_admin.get("/admin/stats")).json()
    sale = make_sale(
        unique("BAD"),
        buyer={"id_type": "05", "identification": "1713328507", "name": "Ana", "email": "ana@correo.example"},
        lines=[{"description": "Servicio", "quantity": "1", "unit_price": "10", "iva_code": "9"}],
        payments=[{"method": "77", "amount": "11.50"}],
    )
    handle = await invoices.issue(sale)
    state = await wait_for(handle, InvoiceStatus.NEEDS_FIX)

    assert {(p.field, p.code) for p in state.problems} == {
        ("buyer.identification", "EC.CEDULA.CHECK_DIGIT"),
        ("lines[0].iva_code", "EC.IVA.UNKNOWN"),
        ("payments[0].method", "EC.PAYMENT.METHOD"),
    }
    assert state.step == "validate" and state.numbering is None
    # It waits, visible to operators, rather than failing or disappearing.
    description = await handle.workflow.describe()
    assert description.status is not None and description.status.name == "RUNNING"
    found = [w.id async for w in stack.client.list_workflows(
        f'InvoiceStatus = "NEEDS_FIX" AND OrderId = "{sale.order_id}"')]
    assert found == [handle.key]
    after = (await sri_admin.get("/admin/stats")).json()
    assert after == before
    await handle.workflow.terminate("test cleanup")


async def test_a_tampered_signature_is_refused_with_39_and_the_workflow_shows_it(
    stack: EmbeddedStack, invoices: InvoiceClient, sri_admin: httpx.AsyncClient,
) -> None:
    sale = make_sale(unique("TAMPER"))
    key = sale_key(sale)
    settings = stack.settings
    issuers = IssuerRegistry.from_file(settings.issuers_file)
    engine = make_engine(settings.ledger_url)
    # Allocate the invoice's number through the real Ecuador profile (idempotent per invoice, so the
    # workflow will get the same one), sign the document, then alter it after signing and store it
    # where the signing step keeps it: the workflow reuses stored signed bytes instead of re-signing.
    profile = EcuadorProfile(issuers, NumberAllocator(engine), SigningKeys(), sri=None,
                             schemas=None)
    numbering = profile.allocate(key, sale, "invoice")
    signed = profile.build_signed(sale, numbering, "invoice", None, signing_time=profile.now()).xml
    tampered = signed.replace(b"Ana Luc\xc3\xada Paredes", b"Ana Luc\xc3\xada Pareja")
    assert tampered != signed
    FolderDocumentStore(settings.documents_path).put_once(signed_document_key(key, 1), tampered, "application/xml")

    handle = await invoices.issue(sale)
    state = await wait_for(handle, InvoiceStatus.NEEDS_FIX)

    assert [m.identifier for m in state.authority_messages] == ["39"]
    assert state.step == "authorize"
    assert [p.code for p in state.problems] == ["AUTHORITY.39"]
    assert InvoiceStatus.REJECTED in [c.status for c in state.history]
    record = await simulator_document(sri_admin, numbering.access_key)
    assert record["accepted_receptions"] == 1
    await handle.workflow.terminate("test cleanup")


def load_ca(stack: EmbeddedStack):  # type: ignore[no-untyped-def]
    from cryptography import x509

    return x509.load_pem_x509_certificate((stack.settings.issuers_file.parent / "test-ca.pem").read_bytes())


@pytest.mark.parametrize("fault", ["refuse", "http_503", "malformed"])
async def test_an_unreachable_sri_is_retried_and_the_invoice_completes_once(
    stack: EmbeddedStack, invoices: InvoiceClient, sri_admin: httpx.AsyncClient, fault: str,
) -> None:
    (await sri_admin.post("/admin/faults", json={"mode": fault})).raise_for_status()
    try:
        handle = await invoices.issue(make_sale(unique(f"OUT-{fault}")))
        await wait_for(handle, InvoiceStatus.SIGNED)
        await asyncio.sleep(1.5)  # several submission attempts fail meanwhile
        assert (await handle.status()).status == InvoiceStatus.SIGNED
    finally:
        (await sri_admin.post("/admin/faults", json={"mode": "none"})).raise_for_status()
    state = (await asyncio.wait_for(handle.result(), 60)).state
    assert state.status == InvoiceStatus.COMPLETED
    assert state.attempts["submit"] > 1
    assert state.numbering is not None
    assert (await simulator_document(sri_admin, state.numbering.access_key))["accepted_receptions"] == 1
