"""Issue 4 end to end: Colombian invoices through the same workflow, on the DIAN simulator process."""

import asyncio
import email
import io
import zipfile
from datetime import timedelta

import httpx
import pytest
from pypdf import PdfReader

from activities.sign import signed_document_key
from adapters.certificates.signing_keys import SigningKeys
from adapters.colombia import reading
from adapters.colombia.invoice_xml import build_invoice
from adapters.colombia.issuer import load_dian_issuers
from adapters.colombia.profile import ColombiaProfile
from adapters.colombia.xades_epes import sign_ubl
from adapters.documents import FolderDocumentStore
from adapters.ledger.database import make_engine
from adapters.ledger.numbering import NumberAllocator
from domain.colombia.sale import ColombiaSale
from domain.invoice import sale_key
from domain.status import InvoiceStatus
from starter.client import InvoiceClient
from starter.samples import colombia_sales
from starter.stack import EmbeddedStack
from tests.integration.conftest import TEST_TIMINGS, mail_files
from tests.support.waiting import unique, wait_for

pytestmark = [pytest.mark.integration, pytest.mark.asyncio(loop_scope="session")]


def sale(order_prefix: str, index: int = 1) -> ColombiaSale:
    sample = colombia_sales(unique(order_prefix))[index].sale
    assert isinstance(sample, ColombiaSale)
    return sample


def profile(stack: EmbeddedStack, http: httpx.AsyncClient | None = None) -> ColombiaProfile:
    assert stack.settings.dian_issuers_file is not None
    return ColombiaProfile(load_dian_issuers(stack.settings.dian_issuers_file),
                           NumberAllocator(make_engine(stack.settings.ledger_url)), SigningKeys(), http=http,
                           dian_url=stack.settings.dian_url, schemas=None)


async def dian_document(stack: EmbeddedStack, key: str | None) -> dict[str, object]:
    assert key is not None
    async with httpx.AsyncClient(base_url=stack.dian_admin_url) as admin:
        response = await admin.get(f"/admin/documents/{key}")
        response.raise_for_status()
        result: dict[str, object] = response.json()
        return result


async def test_a_colombian_sale_is_accepted_rendered_and_delivered_as_attached_document(
    stack: EmbeddedStack, invoices: InvoiceClient,
) -> None:
    handle = await invoices.issue(sale("CO-OK", 0))
    state = (await asyncio.wait_for(handle.result(), 60)).state

    assert state.status == InvoiceStatus.COMPLETED
    assert state.numbering is not None and state.numbering.document_number.startswith("SETP")
    cufe = state.numbering.access_key
    assert cufe is not None and len(cufe) == 96  # SHA-384 in hex
    assert (await dian_document(stack, cufe))["accepted_submissions"] == 1

    store = FolderDocumentStore(stack.settings.documents_path)
    attached = store.get(state.documents["authorized_xml"])
    assert b"AttachedDocument" in attached and b"ApplicationResponse" in attached
    assert reading.document_key(reading.signed_document_of(attached)) == cufe
    pdf_text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(store.get(state.documents["pdf"]))).pages)
    assert cufe[:40] in pdf_text.replace("\n", "").replace(" ", "")

    assert state.email_message_id is not None
    files = mail_files(stack.maildir, state.email_message_id)
    assert len(files) == 1
    message = email.message_from_bytes(files[0].read_bytes())
    zipped = next(part for part in message.walk() if part.get_filename() == f"{state.numbering.document_number}.zip")
    payload = zipped.get_payload(decode=True)
    assert isinstance(payload, bytes)
    names = zipfile.ZipFile(io.BytesIO(payload)).namelist()
    assert sorted(names) == [f"{state.numbering.document_number}.pdf", f"{state.numbering.document_number}.xml"]


async def test_a_wrong_cufe_is_refused_with_fad06_and_parked(stack: EmbeddedStack, invoices: InvoiceClient) -> None:
    co_sale = sale("CO-CUFE")
    key = sale_key(co_sale)
    co = profile(stack)
    numbering = co.allocate(key, co_sale, "invoice")
    issuer = next(iter(load_dian_issuers(stack.settings.dian_issuers_file).values()))  # type: ignore[arg-type]
    # Built with another technical key: a valid signature over a CUFE that DIAN recomputes differently.
    wrong = issuer.model_copy(update={"resolution": issuer.resolution.model_copy(
        update={"technical_key": "0" * 40})})
    now = co.now()
    built = build_invoice(co_sale, number=numbering.sequential, issuer=wrong, issued_at=now)
    signed = sign_ubl(built.xml, SigningKeys().identity(issuer, issuer.nit, now), signing_time=now)
    FolderDocumentStore(stack.settings.documents_path).put_once(signed_document_key(key, 1), signed,
                                                                "application/xml")
    handle = await invoices.issue(co_sale)
    state = await wait_for(handle, InvoiceStatus.NEEDS_FIX)
    assert any("FAD06" in p.code or "FAD06" in p.message for p in state.problems), state.problems
    assert state.step == "authorize"
    await handle.workflow.terminate("test cleanup")


async def test_a_resend_of_an_accepted_document_is_recovered_with_rule_90(
    stack: EmbeddedStack, invoices: InvoiceClient,
) -> None:
    co_sale = sale("CO-DUP")
    key = sale_key(co_sale)
    async with httpx.AsyncClient(timeout=20) as http:
        co = profile(stack, http)
        numbering = co.allocate(key, co_sale, "invoice")
        built = co.build_signed(co_sale, numbering, "invoice", None, signing_time=co.now())
        # An earlier attempt got through, but its answer was lost: the document is already at DIAN.
        assert await co.submit(built.xml, numbering, co_sale.issuer_id) == "RECEIVED"
    FolderDocumentStore(stack.settings.documents_path).put_once(signed_document_key(key, 1), built.xml,
                                                                "application/xml")
    handle = await invoices.issue(co_sale)
    state = (await asyncio.wait_for(handle.result(), 60)).state
    assert state.status == InvoiceStatus.COMPLETED
    assert any(c.status == InvoiceStatus.SUBMITTED and c.note == "ALREADY_RECEIVED" for c in state.history)
    assert (await dian_document(stack, built.access_key))["accepted_submissions"] == 1


async def test_during_a_dian_outage_the_invoice_is_issued_as_type_04_and_transmitted_later(
    stack: EmbeddedStack,
) -> None:
    client = InvoiceClient(stack.client, TEST_TIMINGS.model_copy(update={"submit_window": timedelta(seconds=1)}))
    async with httpx.AsyncClient(base_url=stack.dian_admin_url) as admin:
        (await admin.post("/admin/faults", json={"mode": "refuse"})).raise_for_status()
        try:
            handle = await client.issue(sale("CO-OUT"))
            pending = await wait_for(handle, InvoiceStatus.CONTINGENCY)
            store = FolderDocumentStore(stack.settings.documents_path)
            for _ in range(100):
                pending = await handle.status()
                if "pending_pdf" in pending.documents:
                    break
                await asyncio.sleep(0.1)
            assert reading.is_contingency(store.get(pending.documents["signed_xml"]))  # InvoiceTypeCode 04
            assert pending.revision == 2
        finally:
            (await admin.post("/admin/faults", json={"mode": "none"})).raise_for_status()
    state = (await asyncio.wait_for(handle.result(), 90)).state
    assert state.status == InvoiceStatus.COMPLETED
    accepted = reading.signed_document_of(store.get(state.documents["authorized_xml"]))
    assert reading.is_contingency(accepted)
    assert (await dian_document(stack, state.numbering.access_key if state.numbering else None))[
        "accepted_submissions"] == 1


async def test_cancelling_an_accepted_colombian_invoice_issues_a_credit_note(
    stack: EmbeddedStack, invoices: InvoiceClient,
) -> None:
    handle = await invoices.issue(sale("CO-NC", 0))
    await asyncio.wait_for(handle.result(), 60)
    answer = await invoices.cancel(handle, actor="support:co", reason="Anulación de la factura")
    assert answer.startswith("credit note")
    credit_key = answer.split()[2]
    credit = await stack.client.get_workflow_handle(credit_key).result()
    note = credit["state"]
    assert note["status"] == "COMPLETED" and note["kind"] == "credit_note"
    cude = note["numbering"]["access_key"]
    assert note["numbering"]["document_number"].startswith("NC")
    assert (await dian_document(stack, cude))["accepted_submissions"] == 1
