"""The representación impresa: rendered from the stamped XML, with the timbre data and the SAT QR."""

from __future__ import annotations

import io
from decimal import Decimal
from pathlib import Path
from xml.etree import ElementTree

import pytest
from pypdf import PdfReader

from adapters.mexico.amount_words import amount_in_words
from adapters.mexico.pdf import CfdiRenderer, qr_data_uri, render_representacion_impresa
from adapters.mexico.pdf_context import context_from_xml
from adapters.mexico.timbre import read_timbre, verification_url
from domain.mexico.sale import SaleLine, TransferredTax
from simulators.pac.testkit import make_issuer, make_service, sample_sale, sealed_cfdi


@pytest.fixture(scope="module")
def stamped(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    directory = tmp_path_factory.mktemp("pdf")
    kit = make_issuer(directory / "csd")
    pac = make_service(directory / "state", [kit.ca])
    return pac.stamp(sealed_cfdi(kit, folio=1234)).xml.encode()


def _text(pdf: bytes) -> str:
    return " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def test_pdf_shows_parties_amounts_and_the_timbre(stamped: bytes) -> None:
    pdf = render_representacion_impresa(stamped)
    assert pdf.startswith(b"%PDF")
    text = _text(pdf)
    timbre = read_timbre(stamped)
    for expected in ("FACTURA", "A-1234", timbre.uuid, "EKU9003173C9", "URE180429TM6", "UNIVERSIDAD ROBOTICA",
                     "$ 1,172.72", "MIL CIENTO SETENTA Y DOS PESOS 72/100 M.N.", "G03 - Gastos en general",
                     "601 - General de Ley Personas Morales", "03 - Transferencia", timbre.no_certificado_sat,
                     "SELLO DIGITAL DEL SAT", "CADENA ORIGINAL DEL COMPLEMENTO", "ISR retenido", "Exento"):
        assert expected in text, expected


def test_context_and_qr_url(stamped: bytes) -> None:
    ctx = context_from_xml(stamped)
    timbre = read_timbre(stamped)
    assert ctx.cadena_tfd.startswith(f"||1.1|{timbre.uuid}|")
    assert ctx.verification_url == verification_url(stamped)
    sello = ctx.sello_cfd
    assert ctx.verification_url.startswith(
        f"https://verificacfdi.facturaelectronica.sat.gob.mx/default.aspx?id={timbre.uuid}"
        "&re=EKU9003173C9&rr=URE180429TM6&tt=1172.72&fe=")
    assert ctx.verification_url.endswith(sello[-8:].replace("+", "%2B"))
    assert qr_data_uri(ctx.verification_url).startswith("data:image/png;base64,")
    ElementTree.fromstring(CfdiRenderer().render_html(ctx))  # well-formed: html_pdf parses it as XML


def test_many_concepts_flow_over_pages(tmp_path: Path) -> None:
    kit = make_issuer(tmp_path / "csd")
    pac = make_service(tmp_path / "state", [kit.ca])
    lines = [SaleLine(product_key="43211503", quantity=Decimal(1), unit_key="H87",
                      description=f"Artículo de prueba número {n}", unit_price=Decimal("10"),
                      transferred=[TransferredTax()]) for n in range(30)]
    xml = pac.stamp(sealed_cfdi(kit, sample_sale(lines=lines))).xml.encode()
    reader = PdfReader(io.BytesIO(CfdiRenderer().render(context_from_xml(xml))))
    assert len(reader.pages) >= 2
    assert "SELLO DIGITAL DEL CFDI" in reader.pages[-1].extract_text()


@pytest.mark.parametrize(
    ("amount", "currency", "words"),
    [
        ("0.50", "MXN", "CERO PESOS 50/100 M.N."),
        ("1", "MXN", "UN PESO 00/100 M.N."),
        ("21", "MXN", "VEINTIÚN PESOS 00/100 M.N."),
        ("100", "MXN", "CIEN PESOS 00/100 M.N."),
        ("115.99", "MXN", "CIENTO QUINCE PESOS 99/100 M.N."),
        ("1001", "USD", "MIL UN DÓLARES 00/100 USD"),
        ("1000000", "MXN", "UN MILLÓN DE PESOS 00/100 M.N."),
        ("2345678.9", "MXN",
         "DOS MILLONES TRESCIENTOS CUARENTA Y CINCO MIL SEISCIENTOS SETENTA Y OCHO PESOS 90/100 M.N."),
    ],
)
def test_amount_in_words(amount: str, currency: str, words: str) -> None:
    assert amount_in_words(Decimal(amount), currency) == words
