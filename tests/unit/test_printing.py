"""Printed representations by country, from the stored document alone (what the pdf worker runs)."""

import io
from datetime import UTC, datetime
from pathlib import Path

import pytest
from pypdf import PdfReader
from temporalio.testing import ActivityEnvironment

from activities.render import RenderActivities, pdf_key
from adapters.documents import FolderDocumentStore
from adapters.printing import print_document
from domain.errors import ConfigurationError
from domain.invoice import Authorization, DocumentKind
from domain.steps import RenderInput
from tests.unit.test_ride import CLAVE, build_factura

AUTHORIZATION = Authorization(number=CLAVE, authorized_at=datetime(2026, 1, 15, 15, 4, 5, tzinfo=UTC),
                              environment="PRUEBAS")


def text_of(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def test_an_ecuadorian_document_prints_pending_until_authorized() -> None:
    signed = build_factura()
    pending = text_of(print_document("EC", signed, None, "invoice"))
    assert "PENDIENTE" in pending.upper() and CLAVE in pending


def test_a_cfdi_is_never_printed_before_a_pac_stamps_it() -> None:
    with pytest.raises(ConfigurationError, match="stamped"):
        print_document("MX", b"<cfdi/>", None, "invoice")


def test_an_unknown_country_is_a_configuration_error_not_a_crash() -> None:
    with pytest.raises(ConfigurationError, match="'ZZ'"):
        print_document("ZZ", b"<x/>", AUTHORIZATION, "invoice")


def test_the_render_step_prints_once_and_reuses_the_stored_pdf(tmp_path: Path) -> None:
    store = FolderDocumentStore(tmp_path)
    signed = store.put_once("inv-1/invoice-r1-signed.xml", build_factura(), "application/xml")
    printed: list[str] = []

    def counting(country: str, document: bytes, authorization: Authorization | None, kind: DocumentKind) -> bytes:
        printed.append(country)
        return print_document(country, document, authorization, kind)

    step = RenderActivities(counting, store)
    inp = RenderInput(invoice_key="inv-1", country="EC", document=signed, authorization=None)
    first = ActivityEnvironment().run(step.render_pdf, inp)  # a sync activity: runs in this thread
    again = ActivityEnvironment().run(step.render_pdf, inp)
    assert first == again and first.key == pdf_key(inp) and printed == ["EC"]
    assert store.get(first).startswith(b"%PDF")
