"""RIDE: XML -> RideContext -> PDF, checked through the PDF's extracted text."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

import pytest
from lxml import etree
from pypdf import PdfReader

from adapters.ecuador.ride_context import (
    RideContext,
    RideContextError,
    format_quantity,
    ride_context_from_xml,
)
from adapters.pdf.ride import RideRenderer, render_ride

CLAVE = "1501202601179214673900110010010000001231234567813"
DS_NS = "http://www.w3.org/2000/09/xmldsig#"
CENT = Decimal("0.01")


@dataclass(frozen=True)
class LineSpec:
    code: str
    description: str
    quantity: str
    price: str
    pct_code: str  # IVA codigoPorcentaje
    rate: str
    discount: str = "0.00"
    aux_code: str | None = None
    details: tuple[tuple[str, str], ...] = ()

    @property
    def base(self) -> Decimal:
        gross = Decimal(self.quantity) * Decimal(self.price) - Decimal(self.discount)
        return gross.quantize(CENT, ROUND_HALF_UP)


MIXED_LINES = (
    LineSpec(
        "P001",
        "Servicio de consultoría tributaria",
        "2.000000",
        "10.555555",
        "4",
        "15.00",
        discount="1.00",
        details=(("Período", "Enero 2026"),),
    ),
    LineSpec("P002", "Libro «Contabilidad básica» & ejercicios", "1.000000", "5.000000", "0", "0.00"),
    LineSpec("P003", "Cemento portland tipo GU, saco 50 kg", "3.000000", "8.500000", "5", "5.00", aux_code="F010101"),
    LineSpec("P004", "Servicio de transporte escolar", "1.000000", "12.400000", "7", "0.00"),
)


def _sub(parent: etree._Element, tag: str, text: str | None = None, **attrs: str) -> etree._Element:
    el = etree.SubElement(parent, tag, attrs)
    if text is not None:
        el.text = text
    return el


def build_factura(lines: tuple[LineSpec, ...] = MIXED_LINES, *, with_payments: bool = True) -> bytes:
    """A factura 1.1.0 in XSD order (reference §4.2/§4.3) with a placeholder signature."""
    root = etree.Element("factura", id="comprobante", version="1.1.0")
    it = _sub(root, "infoTributaria")
    for tag, text in (
        ("ambiente", "1"),
        ("tipoEmision", "1"),
        ("razonSocial", "EMPRESA DE PRUEBA S.A."),
        ("nombreComercial", "PRUEBA"),
        ("ruc", "1792146739001"),
        ("claveAcceso", CLAVE),
        ("codDoc", "01"),
        ("estab", "001"),
        ("ptoEmi", "001"),
        ("secuencial", "000000123"),
        ("dirMatriz", "AV. AMAZONAS N1-23 Y COLON"),
        ("agenteRetencion", "1"),
        ("contribuyenteRimpe", "CONTRIBUYENTE RÉGIMEN RIMPE"),
    ):
        _sub(it, tag, text)

    bases: dict[tuple[str, str], Decimal] = {}
    for spec in lines:
        key = (spec.pct_code, spec.rate)
        bases[key] = bases.get(key, Decimal(0)) + spec.base
    taxes = {key: (base * Decimal(key[1]) / 100).quantize(CENT, ROUND_HALF_UP) for key, base in bases.items()}
    subtotal = sum(bases.values(), Decimal(0))
    total = subtotal + sum(taxes.values(), Decimal(0))

    info = _sub(root, "infoFactura")
    _sub(info, "fechaEmision", "15/01/2026")
    _sub(info, "dirEstablecimiento", "AV. 6 DE DICIEMBRE N33-42, QUITO")
    _sub(info, "contribuyenteEspecial", "5368")
    _sub(info, "obligadoContabilidad", "SI")
    _sub(info, "tipoIdentificacionComprador", "05")
    _sub(info, "razonSocialComprador", "PRUEBAS SERVICIO DE RENTAS INTERNAS")
    _sub(info, "identificacionComprador", "1713328506")
    _sub(info, "direccionComprador", "SALINAS Y SANTIAGO, QUITO")
    _sub(info, "totalSinImpuestos", str(subtotal))
    _sub(info, "totalDescuento", str(sum((Decimal(s.discount) for s in lines), Decimal(0))))
    tci = _sub(info, "totalConImpuestos")
    for (pct, rate), base in bases.items():
        ti = _sub(tci, "totalImpuesto")
        _sub(ti, "codigo", "2")
        _sub(ti, "codigoPorcentaje", pct)
        _sub(ti, "baseImponible", str(base))
        _sub(ti, "tarifa", rate)
        _sub(ti, "valor", str(taxes[(pct, rate)]))
    _sub(info, "propina", "0.00")
    _sub(info, "importeTotal", str(total))
    _sub(info, "moneda", "DOLAR")
    if with_payments:
        pagos = _sub(info, "pagos")
        first = Decimal("40.00")
        for code, amount, term in (("19", first, None), ("20", total - first, "30")):
            pago = _sub(pagos, "pago")
            _sub(pago, "formaPago", code)
            _sub(pago, "total", str(amount))
            if term:
                _sub(pago, "plazo", term)
                _sub(pago, "unidadTiempo", "dias")

    detalles = _sub(root, "detalles")
    for spec in lines:
        det = _sub(detalles, "detalle")
        _sub(det, "codigoPrincipal", spec.code)
        if spec.aux_code:
            _sub(det, "codigoAuxiliar", spec.aux_code)
        _sub(det, "descripcion", spec.description)
        _sub(det, "cantidad", spec.quantity)
        _sub(det, "precioUnitario", spec.price)
        _sub(det, "descuento", spec.discount)
        _sub(det, "precioTotalSinImpuesto", str(spec.base))
        if spec.details:
            extra = _sub(det, "detallesAdicionales")
            for name, value in spec.details:
                _sub(extra, "detAdicional", nombre=name, valor=value)
        imp = _sub(_sub(det, "impuestos"), "impuesto")
        _sub(imp, "codigo", "2")
        _sub(imp, "codigoPorcentaje", spec.pct_code)
        _sub(imp, "tarifa", spec.rate)
        _sub(imp, "baseImponible", str(spec.base))
        _sub(imp, "valor", str((spec.base * Decimal(spec.rate) / 100).quantize(CENT, ROUND_HALF_UP)))

    extra_info = _sub(root, "infoAdicional")
    _sub(extra_info, "campoAdicional", "cliente@example.invalid", nombre="Email")
    _sub(extra_info, "campoAdicional", "+593 2 298 7000", nombre="Teléfono")

    signature = etree.SubElement(root, f"{{{DS_NS}}}Signature", nsmap={"ds": DS_NS}, Id="Signature1")
    etree.SubElement(signature, f"{{{DS_NS}}}SignatureValue").text = "ZmFrZQ=="
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def build_nota_credito() -> bytes:
    root = etree.Element("notaCredito", id="comprobante", version="1.1.0")
    it = _sub(root, "infoTributaria")
    for tag, text in (
        ("ambiente", "2"),
        ("tipoEmision", "1"),
        ("razonSocial", "EMPRESA DE PRUEBA S.A."),
        ("ruc", "1792146739001"),
        ("claveAcceso", CLAVE.replace("01179", "04179", 1)),
        ("codDoc", "04"),
        ("estab", "001"),
        ("ptoEmi", "002"),
        ("secuencial", "000000007"),
        ("dirMatriz", "AV. AMAZONAS N1-23 Y COLON"),
    ):
        _sub(it, tag, text)
    info = _sub(root, "infoNotaCredito")
    for tag, text in (
        ("fechaEmision", "20/01/2026"),
        ("tipoIdentificacionComprador", "04"),
        ("razonSocialComprador", "CLIENTE EJEMPLO CIA. LTDA."),
        ("identificacionComprador", "1790012345001"),
        ("obligadoContabilidad", "SI"),
        ("codDocModificado", "01"),
        ("numDocModificado", "001-001-000000123"),
        ("fechaEmisionDocSustento", "15/01/2026"),
        ("totalSinImpuestos", "10.00"),
        ("valorModificacion", "11.50"),
        ("moneda", "DOLAR"),
    ):
        _sub(info, tag, text)
    ti = _sub(_sub(info, "totalConImpuestos"), "totalImpuesto")
    for tag, text in (("codigo", "2"), ("codigoPorcentaje", "4"), ("baseImponible", "10.00"), ("valor", "1.50")):
        _sub(ti, tag, text)
    _sub(info, "motivo", "Devolución parcial de mercadería")
    det = _sub(_sub(root, "detalles"), "detalle")
    for tag, text in (
        ("codigoInterno", "P001"),
        ("descripcion", "Servicio de consultoría tributaria"),
        ("cantidad", "1.000000"),
        ("precioUnitario", "10.000000"),
        ("descuento", "0.00"),
        ("precioTotalSinImpuesto", "10.00"),
    ):
        _sub(det, tag, text)
    imp = _sub(_sub(det, "impuestos"), "impuesto")
    for tag, text in (
        ("codigo", "2"),
        ("codigoPorcentaje", "4"),
        ("tarifa", "15"),
        ("baseImponible", "10.00"),
        ("valor", "1.50"),
    ):
        _sub(imp, tag, text)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def many_lines(count: int) -> tuple[LineSpec, ...]:
    return tuple(
        LineSpec(f"ART-{i:04d}", f"Artículo de ferretería N.º {i}, caja x 12", "1.500000", "3.200000", "4", "15.00")
        for i in range(1, count + 1)
    )


def pdf_pages_text(pdf: bytes) -> list[str]:
    # Whitespace normalized: narrow header cells wrap ("Cód.\nPrincipal").
    return [" ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(pdf)).pages]


@pytest.fixture(scope="module")
def renderer() -> RideRenderer:
    return RideRenderer()


@pytest.fixture(scope="module")
def factura_ctx() -> RideContext:
    return ride_context_from_xml(build_factura())


AUTHORIZED_AT = datetime(2026, 1, 15, 15, 4, 5, tzinfo=UTC)


# ---------------------------------------------------------------- context


def test_context_reads_issuer_document_and_buyer(factura_ctx: RideContext) -> None:
    issuer, doc, buyer = factura_ctx.issuer, factura_ctx.document, factura_ctx.buyer
    assert issuer.razon_social == "EMPRESA DE PRUEBA S.A."
    assert issuer.nombre_comercial == "PRUEBA"
    assert issuer.ruc == "1792146739001"
    assert issuer.dir_establecimiento == "AV. 6 DE DICIEMBRE N33-42, QUITO"
    assert issuer.contribuyente_especial == "5368"
    assert issuer.obligado_contabilidad == "SI"
    assert issuer.agente_retencion == "1"
    assert issuer.contribuyente_rimpe == "CONTRIBUYENTE RÉGIMEN RIMPE"
    assert doc.name == "FACTURA"
    assert doc.number == "001-001-000000123"
    assert doc.clave_acceso == CLAVE
    assert (doc.ambiente, doc.emision, doc.fecha_emision) == ("PRUEBAS", "NORMAL", "15/01/2026")
    assert buyer.razon_social == "PRUEBAS SERVICIO DE RENTAS INTERNAS"
    assert (buyer.identificacion, buyer.tipo_identificacion_nombre) == ("1713328506", "CÉDULA")
    assert buyer.direccion == "SALINAS Y SANTIAGO, QUITO"
    assert factura_ctx.modified_document is None


def test_context_lines_payments_and_additional_info(factura_ctx: RideContext) -> None:
    first, _, third, _ = factura_ctx.lines
    assert (first.codigo_principal, first.cantidad, first.precio_unitario) == ("P001", "2.00", "10.555555")
    assert (first.descuento, first.precio_total) == ("1.00", "20.11")
    assert [(d.nombre, d.valor) for d in first.detalles_adicionales] == [("Período", "Enero 2026")]
    assert (third.codigo_auxiliar, third.precio_unitario) == ("F010101", "8.50")
    assert [(p.code, p.name, p.valor, p.plazo, p.unidad_tiempo) for p in factura_ctx.payments] == [
        ("19", "TARJETA DE CRÉDITO", "40.00", None, None),
        ("20", "OTROS CON UTILIZACIÓN DEL SISTEMA FINANCIERO", "27.31", "30", "dias"),
    ]
    assert [(f.nombre, f.valor) for f in factura_ctx.additional_info] == [
        ("Email", "cliente@example.invalid"),
        ("Teléfono", "+593 2 298 7000"),
    ]


def test_context_totals_show_only_present_rates_in_sri_order(factura_ctx: RideContext) -> None:
    assert [(r.label, r.value) for r in factura_ctx.totals] == [
        ("SUBTOTAL 15 %", "20.11"),
        ("SUBTOTAL 5 %", "25.50"),
        ("SUBTOTAL 0 %", "5.00"),
        ("SUBTOTAL EXENTO DE IVA", "12.40"),
        ("SUBTOTAL SIN IMPUESTOS", "63.01"),
        ("TOTAL DESCUENTO", "1.00"),
        ("IVA 15 %", "3.02"),
        ("IVA 5 %", "1.28"),
        ("PROPINA", "0.00"),
        ("VALOR TOTAL", "67.31"),
    ]
    assert factura_ctx.totals[-1].is_grand_total
    assert factura_ctx.total == "67.31"


def test_context_nota_credito_has_modified_document_and_rate_from_table() -> None:
    ctx = ride_context_from_xml(build_nota_credito())
    assert (ctx.document.name, ctx.document.number, ctx.document.ambiente) == (
        "NOTA DE CRÉDITO",
        "001-002-000000007",
        "PRODUCCIÓN",
    )
    assert ctx.modified_document is not None
    assert ctx.modified_document.name == "FACTURA"
    assert ctx.modified_document.number == "001-001-000000123"
    assert ctx.modified_document.motivo == "Devolución parcial de mercadería"
    assert ctx.lines[0].codigo_principal == "P001"
    assert [(r.label, r.value) for r in ctx.totals] == [
        ("SUBTOTAL 15 %", "10.00"),
        ("SUBTOTAL SIN IMPUESTOS", "10.00"),
        ("TOTAL DESCUENTO", "0.00"),
        ("IVA 15 %", "1.50"),
        ("VALOR TOTAL", "11.50"),
    ]


def test_context_accepts_the_sri_autorizacion_envelope() -> None:
    envelope = etree.Element("autorizacion")
    _sub(envelope, "estado", "AUTORIZADO")
    _sub(envelope, "comprobante", build_factura().decode("utf-8"))
    ctx = ride_context_from_xml(etree.tostring(envelope))
    assert ctx.document.clave_acceso == CLAVE


@pytest.mark.parametrize(
    "xml",
    [b"<notAnInvoice/>", b'<factura version="9.9.9"/>', b"<factura", b'<factura version="1.1.0"/>'],
)
def test_context_rejects_unsupported_documents(xml: bytes) -> None:
    with pytest.raises(RideContextError):
        ride_context_from_xml(xml)


@pytest.mark.parametrize(
    ("raw", "shown"),
    [("2.000000", "2.00"), ("10.555555", "10.555555"), ("1.500000", "1.50"), ("3.125000", "3.125"), ("7", "7.00")],
)
def test_quantities_keep_two_to_six_decimals(raw: str, shown: str) -> None:
    assert format_quantity(raw) == shown


# ---------------------------------------------------------------- PDF


def test_pdf_shows_the_documents_key_data(renderer: RideRenderer, factura_ctx: RideContext) -> None:
    pdf = renderer.render(factura_ctx, authorization_number=CLAVE, authorized_at=AUTHORIZED_AT)
    assert pdf.startswith(b"%PDF-")
    (text,) = pdf_pages_text(pdf)
    for expected in (
        CLAVE,
        "001-001-000000123",
        "FACTURA",
        "PRUEBAS SERVICIO DE RENTAS INTERNAS",
        "15/01/2026 10:04:05",  # UTC shown in Ecuador time
        "Agente de Retención Resolución No. 1",
        "CONTRIBUYENTE RÉGIMEN RIMPE",
        "Libro «Contabilidad básica» & ejercicios",
        "TARJETA DE CRÉDITO",
        "Página 1 de 1",
    ):
        assert expected in text, expected
    for row in factura_ctx.totals:
        assert row.label in text
        assert row.value in text
    assert "PENDIENTE" not in text


def test_pdf_pending_authorization_carries_the_legend_and_no_date(
    renderer: RideRenderer, factura_ctx: RideContext
) -> None:
    pdf = renderer.render(
        factura_ctx, authorization_number=None, authorized_at=AUTHORIZED_AT, pending_authorization=True
    )
    (text,) = pdf_pages_text(pdf)
    assert "DOCUMENTO PENDIENTE DE AUTORIZACIÓN —" in text
    assert "FECHA Y HORA DE AUTORIZACIÓN" not in text
    assert text.count(CLAVE) == 2  # as the future authorization number and as the clave


def test_pdf_long_document_spans_pages_and_repeats_the_lines_header(renderer: RideRenderer) -> None:
    ctx = ride_context_from_xml(build_factura(many_lines(80)))
    pages = pdf_pages_text(renderer.render(ctx, authorization_number=CLAVE, authorized_at=None))
    assert len(pages) > 1
    for number, text in enumerate(pages, start=1):
        assert "Cód. Principal" in text
        assert "Precio Total" in text
        assert f"Página {number} de {len(pages)}" in text
    assert "ART-0080" in pages[-1]
    assert "VALOR TOTAL" in pages[-1]


def test_render_ride_convenience_renders_a_nota_de_credito() -> None:
    pdf = render_ride(build_nota_credito(), authorization_number=None, authorized_at=None)
    (text,) = pdf_pages_text(pdf)
    assert "NOTA DE CRÉDITO" in text
    assert "FACTURA 001-001-000000123" in text
    assert "Devolución parcial de mercadería" in text


def test_authorized_at_naive_is_printed_as_given(renderer: RideRenderer, factura_ctx: RideContext) -> None:
    html = renderer.render_html(
        factura_ctx, authorization_number=CLAVE, authorized_at=datetime(2026, 1, 15, 9, 30) + timedelta(seconds=1)
    )
    assert "15/01/2026 09:30:01" in html


@pytest.mark.parametrize("pending", [False, True])
def test_ride_html_is_well_formed_xhtml(renderer: RideRenderer, pending: bool) -> None:
    # html_pdf.py parses the page with the XML parser and falls back to the (slower) HTML one otherwise.
    for ctx in (ride_context_from_xml(build_factura(many_lines(3))), ride_context_from_xml(build_nota_credito())):
        html = renderer.render_html(ctx, authorization_number=None, authorized_at=AUTHORIZED_AT,
                                    pending_authorization=pending)
        etree.fromstring(html.encode())
