"""Representación gráfica: the PDF says what the signed XML says, with CUFE, QR and resolution."""

from __future__ import annotations

import io
import re
from datetime import timedelta
from xml.etree import ElementTree

from pypdf import PdfReader

from adapters.colombia.pdf import default_renderer, render_representacion_grafica
from adapters.colombia.pdf_context import cop, document_view
from adapters.pdf.qr import qr_png_data_uri
from tests.unit.test_colombia_samples import ISSUED_AT, credit_note, invoice, signed


def pdf_text(pdf: bytes) -> str:
    return re.sub(r"\s+", " ", "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages))


def test_invoice_pdf_contents() -> None:
    built = invoice()
    pdf = render_representacion_grafica(signed(built), cufe=built.uuid, qr_text=built.qr_text,
                                        validated_at=ISSUED_AT + timedelta(seconds=5), contingency=False)
    assert pdf.startswith(b"%PDF")
    text = pdf_text(pdf)
    assert "FACTURA ELECTRÓNICA DE VENTA" in text
    assert "SETP990000101" in text
    assert "NIT 900390126-6" in text
    assert "Autorización de numeración de facturación No. 18760000001 del 2019-01-19" in text
    assert "Rango SETP990000000 al SETP995000000" in text
    assert built.uuid[:40] in text.replace(" ", "")
    assert "$ 106.976,58" in text
    assert "Excluido" in text
    assert "2026-03-10 10:00:05" in text  # validated at, Bogotá time
    assert "contingencia" not in text.lower()


def test_contingency_credit_note_pdf() -> None:
    original = invoice()
    note = credit_note(original)
    xml = signed(note, ISSUED_AT + timedelta(hours=1))
    pdf = render_representacion_grafica(xml, cufe=note.uuid, qr_text=note.qr_text, validated_at=None,
                                        contingency=True)
    text = pdf_text(pdf)
    assert "NOTA CRÉDITO ELECTRÓNICA" in text
    assert "CUDE" in text
    assert "contingencia" in text.lower()
    assert original.uuid[:30] in text.replace(" ", "")


def test_qr_is_embedded_as_an_exact_bitmap_and_the_page_as_xhtml() -> None:
    built = invoice()
    html = default_renderer().render_html(signed(built), cufe=built.uuid, qr_text=built.qr_text,
                                          validated_at=None, contingency=False)
    assert f'src="{qr_png_data_uri(built.qr_text, dark="#0f2433")}"' in html
    ElementTree.fromstring(html)  # well-formed: html_pdf parses it with the XML parser


def test_contingency_credit_note_page_is_xhtml() -> None:
    note = credit_note(invoice())
    html = default_renderer().render_html(signed(note), cufe=note.uuid, qr_text=note.qr_text, validated_at=None,
                                          contingency=True)
    assert "Documento referenciado" in html
    ElementTree.fromstring(html)


def test_view_and_money_format() -> None:
    view = document_view(signed(invoice()))
    assert [line.taxes for line in view.lines] == ["IVA 19 %", "IVA 5 %", "Excluido", "INC 8 %"]
    assert view.lines[0].unit == "unidad"
    assert cop("1234567.5") == "$ 1.234.567,50"
