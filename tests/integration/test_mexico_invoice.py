"""Issue 5 end to end: CFDI 4.0 stamped by a PAC through the same workflow, with failover, on two PAC
simulator processes."""

import asyncio
import email
import io
from collections.abc import AsyncIterator
from datetime import timedelta

import httpx
import pytest
import pytest_asyncio
from cryptography import x509
from pypdf import PdfReader

from activities.sign import signed_document_key
from adapters.documents import FolderDocumentStore
from adapters.ledger.books import Books
from adapters.ledger.database import make_engine
from adapters.ledger.numbering import NumberAllocator
from adapters.mexico.issuer import load_mexico_issuers
from adapters.mexico.pac_client import SoapPacClient
from adapters.mexico.profile import MexicoProfile
from adapters.mexico.timbre import read_timbre, timbre_problems
from domain.cancellation import CancellationView
from domain.documents import DocumentRef
from domain.invoice import sale_key
from domain.mexico.sale import MexicoSale
from domain.status import InvoiceStatus
from starter.client import InvoiceClient, InvoiceHandle, SupportError
from starter.samples import mexico_sales
from starter.stack import EmbeddedStack
from tests.integration.conftest import TEST_TIMINGS, mail_files
from tests.support.waiting import unique, wait_for

pytestmark = [pytest.mark.integration, pytest.mark.asyncio(loop_scope="session")]


def sale(prefix: str, index: int = 0) -> MexicoSale:
    sample = mexico_sales(unique(prefix))[index].sale
    assert isinstance(sample, MexicoSale)
    return sample


@pytest_asyncio.fixture(loop_scope="session")
async def pac_admin(stack: EmbeddedStack) -> AsyncIterator[dict[str, httpx.AsyncClient]]:
    clients = {name: httpx.AsyncClient(base_url=stack.pac_admin_url(name), timeout=10)
               for name in stack.pac_admin_ports}
    yield clients
    for client in clients.values():
        (await client.post("/admin/faults", json={"mode": "none"})).raise_for_status()
        await client.aclose()


async def stamp_count(admin: httpx.AsyncClient, uuid: str) -> int:
    response = await admin.get(f"/admin/documents/{uuid}")
    if response.status_code == 404:
        return 0
    response.raise_for_status()
    return int(response.json()["stamp_count"])


def sat_certificates(stack: EmbeddedStack) -> list[x509.Certificate]:
    return [x509.load_pem_x509_certificate(p.read_bytes()) for p in stack.settings.sat_certificates]


async def test_a_mexican_sale_is_stamped_rendered_and_mailed(
    stack: EmbeddedStack, invoices: InvoiceClient, pac_admin: dict[str, httpx.AsyncClient],
) -> None:
    handle = await invoices.issue(sale("MX-OK"))
    state = (await asyncio.wait_for(handle.result(), 60)).state
    assert state.status == InvoiceStatus.COMPLETED
    assert state.numbering is not None and state.authorization is not None
    uuid = state.authorization.number
    assert state.numbering.access_key == uuid

    store = FolderDocumentStore(stack.settings.documents_path)
    stamped = store.get(state.documents["authorized_xml"])
    assert read_timbre(stamped).uuid == uuid
    assert timbre_problems(stamped, sat_certificates(stack)) == []  # the SAT's sello verifies
    assert await stamp_count(pac_admin["pac-a"], uuid) == 1
    assert await stamp_count(pac_admin["pac-b"], uuid) == 0
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(store.get(state.documents["pdf"]))).pages)
    assert uuid.upper() in text.upper().replace("\n", "")

    assert state.email_message_id is not None
    files = mail_files(stack.maildir, state.email_message_id)
    assert len(files) == 1
    names = sorted(str(p.get_filename()) for p in email.message_from_bytes(files[0].read_bytes()).walk()
                   if p.get_filename())
    assert names == [f"CFDI-{state.numbering.document_number}.pdf", f"CFDI-{state.numbering.document_number}.xml"]


async def test_a_document_the_pac_already_stamped_is_recovered_with_307(
    stack: EmbeddedStack, invoices: InvoiceClient, pac_admin: dict[str, httpx.AsyncClient],
) -> None:
    mx_sale = sale("MX-307", 1)
    key = sale_key(mx_sale)
    assert stack.settings.mexico_issuers_file is not None
    profile = MexicoProfile(load_mexico_issuers(stack.settings.mexico_issuers_file),
                            NumberAllocator(make_engine(stack.settings.ledger_url)), {})
    numbering = profile.allocate(key, mx_sale, "invoice")
    sealed = profile.build_signed(mx_sale, numbering, "invoice", None, signing_time=profile.now()).xml
    account = stack.settings.pacs["pac-a"]
    async with httpx.AsyncClient(timeout=20) as http:
        # An earlier attempt was stamped but its answer never came back.
        first = await SoapPacClient(http, account.url, account.username, account.password).stamp(sealed)
        assert first.status == "stamped" and first.uuid is not None
    FolderDocumentStore(stack.settings.documents_path).put_once(signed_document_key(key, 1), sealed,
                                                                "application/xml")
    state = (await asyncio.wait_for((await invoices.issue(mx_sale)).result(), 60)).state
    assert state.status == InvoiceStatus.COMPLETED
    assert state.authorization is not None and state.authorization.number == first.uuid
    assert any(c.note == "ALREADY_RECEIVED" for c in state.history)
    # Two stamp requests (the lost one and the workflow's), one UUID: the second was answered 307.
    assert await stamp_count(pac_admin["pac-a"], first.uuid) == 2
    assert await stamp_count(pac_admin["pac-b"], first.uuid) == 0


async def test_failover_to_the_second_pac_only_when_the_first_did_not_stamp(
    invoices: InvoiceClient, pac_admin: dict[str, httpx.AsyncClient],
) -> None:
    # The first PAC refuses connections: nothing reached it, so the second PAC stamps.
    (await pac_admin["pac-a"].post("/admin/faults", json={"mode": "refuse"})).raise_for_status()
    try:
        state = (await asyncio.wait_for((await invoices.issue(sale("MX-FAIL"))).result(), 60)).state
    finally:
        (await pac_admin["pac-a"].post("/admin/faults", json={"mode": "none"})).raise_for_status()
    assert state.authorization is not None
    assert await stamp_count(pac_admin["pac-b"], state.authorization.number) == 1
    assert await stamp_count(pac_admin["pac-a"], state.authorization.number) == 0

    # The first PAC stamps but its answer is lost: it is asked, finds its stamp, and no second UUID exists.
    (await pac_admin["pac-a"].post("/admin/faults", json={"mode": "lost_reply"})).raise_for_status()
    handle = await invoices.issue(sale("MX-LOST"))
    await asyncio.sleep(1.0)
    (await pac_admin["pac-a"].post("/admin/faults", json={"mode": "none"})).raise_for_status()
    state = (await asyncio.wait_for(handle.result(), 60)).state
    assert state.status == InvoiceStatus.COMPLETED and state.authorization is not None
    assert await stamp_count(pac_admin["pac-a"], state.authorization.number) == 1
    assert await stamp_count(pac_admin["pac-b"], state.authorization.number) == 0


async def test_all_pacs_down_puts_the_cfdi_in_contingency_and_it_is_stamped_after_recovery(
    stack: EmbeddedStack, pac_admin: dict[str, httpx.AsyncClient],
) -> None:
    client = InvoiceClient(stack.client, TEST_TIMINGS.model_copy(update={"submit_window": timedelta(seconds=1)}))
    for admin in pac_admin.values():
        (await admin.post("/admin/faults", json={"mode": "refuse"})).raise_for_status()
    try:
        handle = await client.issue(sale("MX-OUT", 2))
        state = await wait_for(handle, InvoiceStatus.CONTINGENCY)
        # A CFDI without its timbre is no tax document: nothing is sent to the buyer yet.
        await asyncio.sleep(0.5)
        state = await handle.status()
        assert "pending_pdf" not in state.documents and state.email_message_id is None
    finally:
        for admin in pac_admin.values():
            (await admin.post("/admin/faults", json={"mode": "none"})).raise_for_status()
    state = (await asyncio.wait_for(handle.result(), 90)).state
    assert state.status == InvoiceStatus.COMPLETED
    assert state.authorization is not None


async def test_cancelling_a_stamped_cfdi_issues_an_egreso_related_01(
    stack: EmbeddedStack, invoices: InvoiceClient,
) -> None:
    handle = await invoices.issue(sale("MX-NC"))
    original = (await asyncio.wait_for(handle.result(), 60)).state
    answer = await invoices.cancel(handle, actor="support:mx", reason="Devolución total")
    credit = await stack.client.get_workflow_handle(answer.split()[2]).result()
    note = credit["state"]
    assert note["status"] == "COMPLETED"
    store = FolderDocumentStore(stack.settings.documents_path)
    stamped = store.get(DocumentRef.model_validate(note["documents"]["authorized_xml"]))
    assert b'TipoDeComprobante="E"' in stamped
    assert b'TipoRelacion="01"' in stamped and original.authorization is not None
    assert original.authorization.number.encode() in stamped



async def _stamped(invoices: InvoiceClient, mx_sale: MexicoSale) -> tuple[InvoiceHandle, str]:
    handle = await invoices.issue(mx_sale)
    state = (await asyncio.wait_for(handle.result(), 60)).state
    assert state.authorization is not None
    return handle, state.authorization.number


async def test_a_cancellation_within_the_immediate_window_voids_the_invoice(
    stack: EmbeddedStack, invoices: InvoiceClient,
) -> None:
    handle, uuid = await _stamped(invoices, sale("MX-CAN"))
    cancel = await invoices.cancel_at_authority(handle, motive="02", actor="support:mx", reason="datos erróneos",
                                                poll_interval=timedelta(milliseconds=300))
    view = await asyncio.wait_for(cancel.workflow.result(), 60)
    assert view.state in ("Cancelado", "CanceladoSinAceptacion") and view.voided
    books = Books(make_engine(stack.settings.ledger_url))
    receivable = books.receivable(handle.key)
    assert receivable is not None and receivable.status == "REVERSED"
    del uuid


async def test_a_cancellation_that_needs_the_receivers_acceptance_waits_visibly(
    invoices: InvoiceClient, pac_admin: dict[str, httpx.AsyncClient],
) -> None:
    (await pac_admin["pac-a"].post("/admin/faults", json={"immediate_cancel_window_s": 0})).raise_for_status()
    try:
        accepted, accepted_uuid = await _stamped(invoices, sale("MX-ACC"))
        rejected, rejected_uuid = await _stamped(invoices, sale("MX-REJ"))
        yes = await invoices.cancel_at_authority(accepted, motive="02", actor="support:mx", reason="error",
                                                 poll_interval=timedelta(milliseconds=300))
        no = await invoices.cancel_at_authority(rejected, motive="03", actor="support:mx", reason="no ocurrió",
                                                poll_interval=timedelta(milliseconds=300))
        for handle in (yes, no):
            for _ in range(50):
                if (await handle.workflow.query("status", result_type=CancellationView)).state == "EnProceso":
                    break
                await asyncio.sleep(0.1)
            assert (await handle.workflow.query("status", result_type=CancellationView)).state == "EnProceso"
        (await pac_admin["pac-a"].post(f"/admin/documents/{accepted_uuid}/cancellation",
                                       json={"decision": "accept"})).raise_for_status()
        (await pac_admin["pac-a"].post(f"/admin/documents/{rejected_uuid}/cancellation",
                                       json={"decision": "reject"})).raise_for_status()
        accepted_view = await asyncio.wait_for(yes.workflow.result(), 30)
        rejected_view = await asyncio.wait_for(no.workflow.result(), 30)
    finally:
        (await pac_admin["pac-a"].post("/admin/faults", json={"immediate_cancel_window_s": 86400})).raise_for_status()
    assert accepted_view.state == "Cancelado" and accepted_view.voided
    assert rejected_view.state == "Rechazado" and not rejected_view.voided
    assert [s.state for s in accepted_view.history] == ["EnProceso", "Cancelado"]


async def test_motive_01_cancels_after_the_substitute_is_stamped(
    invoices: InvoiceClient, stack: EmbeddedStack,
) -> None:
    original = sale("MX-SUB")
    handle, uuid = await _stamped(invoices, original)
    with pytest.raises(SupportError, match="substitute"):
        await invoices.cancel_at_authority(handle, motive="01", actor="support:mx", reason="corrección")
    substitute = original.model_copy(update={"order_id": f"{original.order_id}-R", "replaces_uuid": uuid})
    _, substitute_uuid = await _stamped(invoices, substitute)
    cancel = await invoices.cancel_at_authority(handle, motive="01", actor="support:mx", reason="corrección",
                                                substitute_uuid=substitute_uuid,
                                                poll_interval=timedelta(milliseconds=300))
    view = await asyncio.wait_for(cancel.workflow.result(), 60)
    assert view.voided
    sub_state = await invoices.invoice("MX", substitute.issuer_id, substitute.order_id).status()
    stamped = FolderDocumentStore(stack.settings.documents_path).get(sub_state.documents["authorized_xml"])
    assert b'TipoRelacion="04"' in stamped and uuid.encode() in stamped


async def test_a_cfdi_past_the_72_hour_window_is_redated_and_resealed_not_sent_stale(
    stack: EmbeddedStack, invoices: InvoiceClient, pac_admin: dict[str, httpx.AsyncClient],
) -> None:
    mx_sale = sale("MX-OLD")
    key = sale_key(mx_sale)
    assert stack.settings.mexico_issuers_file is not None
    profile = MexicoProfile(load_mexico_issuers(stack.settings.mexico_issuers_file),
                            NumberAllocator(make_engine(stack.settings.ledger_url)), {})
    numbering = profile.allocate(key, mx_sale, "invoice")
    # Sealed 73 hours ago (an outage that outlasted the SAT's window) and still waiting to be stamped.
    stale = profile.build_signed(mx_sale, numbering, "invoice", None,
                                 signing_time=profile.now() - timedelta(hours=73)).xml
    FolderDocumentStore(stack.settings.documents_path).put_once(signed_document_key(key, 1), stale,
                                                                "application/xml")
    refusals_before = await _answers_with_code(pac_admin, "401")
    state = (await asyncio.wait_for((await invoices.issue(mx_sale)).result(), 60)).state
    assert state.status == InvoiceStatus.COMPLETED
    assert state.revision == 2  # re-sealed with a fresh Fecha under the same serie and folio
    assert state.numbering is not None and state.numbering.document_number == numbering.document_number
    stamped = FolderDocumentStore(stack.settings.documents_path).get(state.documents["authorized_xml"])
    assert state.authorization is not None
    assert read_timbre(stamped).uuid == state.authorization.number
    # The stale document never reached a PAC: no PAC answered 401 meanwhile.
    assert await _answers_with_code(pac_admin, "401") == refusals_before


async def _answers_with_code(pac_admin: dict[str, httpx.AsyncClient], code: str) -> int:
    total = 0
    for admin in pac_admin.values():
        total += int((await admin.get("/admin/stats")).json()["codes"].get(code, 0))
    return total
