"""Builds the SRI factura 1.1.0 XML from a validated sale.

Element order follows the official XSD exactly (strict xsd:sequence; a misplaced element is error 35),
optional elements are omitted rather than emitted empty (minLength 1), and every amount is quantized
before it is written (fractionDigits counts significant decimals).
"""

from decimal import Decimal

from lxml import etree

from adapters.issuers import IssuerProfile
from domain.ecuador.catalog import FACTURA_DOC_CODE, IVA_RATES, IVA_TAX_CODE
from domain.ecuador.sale import EcuadorSale
from domain.ecuador.totals import SaleTotals, compute_totals
from domain.invoice import Numbering
from domain.money import round2, round6

FACTURA_VERSION = "1.1.0"


def money(value: Decimal) -> str:
    return f"{round2(value):.2f}"


def quantity(value: Decimal) -> str:
    return f"{round6(value):.6f}"


def rate(percent: Decimal) -> str:
    return f"{percent:.2f}"


def add(parent: etree._Element, tag: str, text: str | None) -> etree._Element | None:
    """Append ``<tag>text</tag>``; skip it when there is no value (empty optional elements are invalid)."""
    if text is None or text == "":
        return None
    element = etree.SubElement(parent, tag)
    element.text = text
    return element


def build_factura(sale: EcuadorSale, numbering: Numbering, issuer: IssuerProfile) -> bytes:
    totals = compute_totals(sale)
    root = etree.Element("factura", id="comprobante", version=FACTURA_VERSION)
    info_tributaria(root, numbering, issuer, FACTURA_DOC_CODE)
    _info_factura(root, sale, numbering, issuer, totals)
    _detalles(root, sale, totals)
    info_adicional(root, sale)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def split_series(series: str) -> tuple[str, str]:
    """Ecuador's series is establecimiento-punto de emisión, e.g. "001-002"."""
    establishment, emission_point = series.split("-")
    return establishment, emission_point


def info_tributaria(root: etree._Element, numbering: Numbering, issuer: IssuerProfile, doc_code: str) -> None:
    """The block every SRI document starts with (reference §3)."""
    info = etree.SubElement(root, "infoTributaria")
    add(info, "ambiente", issuer.environment)
    add(info, "tipoEmision", "1")
    add(info, "razonSocial", issuer.legal_name)
    add(info, "nombreComercial", issuer.trade_name)
    add(info, "ruc", issuer.ruc)
    add(info, "claveAcceso", numbering.access_key)
    add(info, "codDoc", doc_code)
    establishment, emission_point = split_series(numbering.series)
    add(info, "estab", establishment)
    add(info, "ptoEmi", emission_point)
    add(info, "secuencial", f"{numbering.sequential:09d}")
    add(info, "dirMatriz", issuer.head_office_address)
    add(info, "agenteRetencion", issuer.withholding_agent)
    add(info, "contribuyenteRimpe", issuer.rimpe_legend)


def _info_factura(
    root: etree._Element, sale: EcuadorSale, numbering: Numbering, issuer: IssuerProfile, totals: SaleTotals
) -> None:
    info = etree.SubElement(root, "infoFactura")
    add(info, "fechaEmision", numbering.issue_date.strftime("%d/%m/%Y"))
    establishment = issuer.establishment(split_series(numbering.series)[0])
    add(info, "dirEstablecimiento", establishment.address if establishment else None)
    add(info, "contribuyenteEspecial", issuer.special_taxpayer)
    add(info, "obligadoContabilidad", "SI" if issuer.keeps_accounts else "NO")
    add(info, "tipoIdentificacionComprador", sale.buyer.id_type.value)
    add(info, "razonSocialComprador", sale.buyer.name)
    add(info, "identificacionComprador", sale.buyer.identification)
    add(info, "direccionComprador", sale.buyer.address)
    add(info, "totalSinImpuestos", money(totals.subtotal))
    add(info, "totalDescuento", money(totals.discount))
    taxes = etree.SubElement(info, "totalConImpuestos")
    for group in totals.groups:
        tax = etree.SubElement(taxes, "totalImpuesto")
        add(tax, "codigo", IVA_TAX_CODE)
        add(tax, "codigoPorcentaje", group.iva_code)
        add(tax, "baseImponible", money(group.base))
        # In totalImpuesto `tarifa` is optional and comes AFTER baseImponible (the reverse of detalle).
        add(tax, "tarifa", rate(group.rate))
        add(tax, "valor", money(group.value))
    add(info, "propina", money(totals.tip))
    add(info, "importeTotal", money(totals.total))
    add(info, "moneda", "DOLAR")
    payments = etree.SubElement(info, "pagos")
    for payment in sale.payments:
        pago = etree.SubElement(payments, "pago")
        add(pago, "formaPago", payment.method)
        add(pago, "total", money(payment.amount))
        add(pago, "plazo", None if payment.term is None else str(payment.term))
        add(pago, "unidadTiempo", payment.time_unit)


def _detalles(root: etree._Element, sale: EcuadorSale, totals: SaleTotals) -> None:
    detalles = etree.SubElement(root, "detalles")
    for line, amounts in zip(sale.lines, totals.lines, strict=True):
        detalle = etree.SubElement(detalles, "detalle")
        add(detalle, "codigoPrincipal", line.code)
        add(detalle, "codigoAuxiliar", line.auxiliary_code)
        add(detalle, "descripcion", line.description)
        add(detalle, "unidadMedida", line.unit)
        add(detalle, "cantidad", quantity(line.quantity))
        add(detalle, "precioUnitario", quantity(line.unit_price))
        add(detalle, "descuento", money(line.discount))
        add(detalle, "precioTotalSinImpuesto", money(amounts.subtotal))
        if line.details:
            extra = etree.SubElement(detalle, "detallesAdicionales")
            for item in line.details:
                etree.SubElement(extra, "detAdicional", nombre=item.name, valor=item.value)
        impuesto = etree.SubElement(etree.SubElement(detalle, "impuestos"), "impuesto")
        add(impuesto, "codigo", IVA_TAX_CODE)
        add(impuesto, "codigoPorcentaje", line.iva_code)
        # Here `tarifa` is required and BEFORE baseImponible.
        add(impuesto, "tarifa", rate(IVA_RATES[line.iva_code].percent))
        add(impuesto, "baseImponible", money(amounts.subtotal))
        add(impuesto, "valor", money(amounts.iva))


def info_adicional(root: etree._Element, sale: EcuadorSale) -> None:
    fields = [(f.name, f.value) for f in sale.additional_info]
    if sale.buyer.email:
        fields.append(("Email", sale.buyer.email))
    if not fields:
        return
    info = etree.SubElement(root, "infoAdicional")
    for name, value in fields:
        element = etree.SubElement(info, "campoAdicional", nombre=name)
        element.text = value
