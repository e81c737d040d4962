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


def _money(value: Decimal) -> str:
    return f"{round2(value):.2f}"


def _quantity(value: Decimal) -> str:
    return f"{round6(value):.6f}"


def _rate(percent: Decimal) -> str:
    return f"{percent:.2f}"


def _add(parent: etree._Element, tag: str, text: str | None) -> etree._Element | None:
    """Append ``<tag>text</tag>``; skip it when there is no value (empty optional elements are invalid)."""
    if text is None or text == "":
        return None
    element = etree.SubElement(parent, tag)
    element.text = text
    return element


def build_factura(sale: EcuadorSale, numbering: Numbering, issuer: IssuerProfile) -> bytes:
    totals = compute_totals(sale)
    root = etree.Element("factura", id="comprobante", version=FACTURA_VERSION)
    _info_tributaria(root, numbering, issuer)
    _info_factura(root, sale, numbering, issuer, totals)
    _detalles(root, sale, totals)
    _info_adicional(root, sale)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def _info_tributaria(root: etree._Element, numbering: Numbering, issuer: IssuerProfile) -> None:
    info = etree.SubElement(root, "infoTributaria")
    _add(info, "ambiente", issuer.environment)
    _add(info, "tipoEmision", "1")
    _add(info, "razonSocial", issuer.legal_name)
    _add(info, "nombreComercial", issuer.trade_name)
    _add(info, "ruc", issuer.ruc)
    _add(info, "claveAcceso", numbering.access_key)
    _add(info, "codDoc", FACTURA_DOC_CODE)
    _add(info, "estab", numbering.establishment)
    _add(info, "ptoEmi", numbering.emission_point)
    _add(info, "secuencial", numbering.sequential)
    _add(info, "dirMatriz", issuer.head_office_address)
    _add(info, "agenteRetencion", issuer.withholding_agent)
    _add(info, "contribuyenteRimpe", issuer.rimpe_legend)


def _info_factura(
    root: etree._Element, sale: EcuadorSale, numbering: Numbering, issuer: IssuerProfile, totals: SaleTotals
) -> None:
    info = etree.SubElement(root, "infoFactura")
    _add(info, "fechaEmision", numbering.issue_date.strftime("%d/%m/%Y"))
    establishment = issuer.establishment(numbering.establishment)
    _add(info, "dirEstablecimiento", establishment.address if establishment else None)
    _add(info, "contribuyenteEspecial", issuer.special_taxpayer)
    _add(info, "obligadoContabilidad", "SI" if issuer.keeps_accounts else "NO")
    _add(info, "tipoIdentificacionComprador", sale.buyer.id_type.value)
    _add(info, "razonSocialComprador", sale.buyer.name)
    _add(info, "identificacionComprador", sale.buyer.identification)
    _add(info, "direccionComprador", sale.buyer.address)
    _add(info, "totalSinImpuestos", _money(totals.subtotal))
    _add(info, "totalDescuento", _money(totals.discount))
    taxes = etree.SubElement(info, "totalConImpuestos")
    for group in totals.groups:
        tax = etree.SubElement(taxes, "totalImpuesto")
        _add(tax, "codigo", IVA_TAX_CODE)
        _add(tax, "codigoPorcentaje", group.iva_code)
        _add(tax, "baseImponible", _money(group.base))
        # In totalImpuesto `tarifa` is optional and comes AFTER baseImponible (the reverse of detalle).
        _add(tax, "tarifa", _rate(group.rate))
        _add(tax, "valor", _money(group.value))
    _add(info, "propina", _money(totals.tip))
    _add(info, "importeTotal", _money(totals.total))
    _add(info, "moneda", "DOLAR")
    payments = etree.SubElement(info, "pagos")
    for payment in sale.payments:
        pago = etree.SubElement(payments, "pago")
        _add(pago, "formaPago", payment.method)
        _add(pago, "total", _money(payment.amount))
        _add(pago, "plazo", None if payment.term is None else str(payment.term))
        _add(pago, "unidadTiempo", payment.time_unit)


def _detalles(root: etree._Element, sale: EcuadorSale, totals: SaleTotals) -> None:
    detalles = etree.SubElement(root, "detalles")
    for line, amounts in zip(sale.lines, totals.lines, strict=True):
        detalle = etree.SubElement(detalles, "detalle")
        _add(detalle, "codigoPrincipal", line.code)
        _add(detalle, "codigoAuxiliar", line.auxiliary_code)
        _add(detalle, "descripcion", line.description)
        _add(detalle, "unidadMedida", line.unit)
        _add(detalle, "cantidad", _quantity(line.quantity))
        _add(detalle, "precioUnitario", _quantity(line.unit_price))
        _add(detalle, "descuento", _money(line.discount))
        _add(detalle, "precioTotalSinImpuesto", _money(amounts.subtotal))
        if line.details:
            extra = etree.SubElement(detalle, "detallesAdicionales")
            for item in line.details:
                etree.SubElement(extra, "detAdicional", nombre=item.name, valor=item.value)
        impuesto = etree.SubElement(etree.SubElement(detalle, "impuestos"), "impuesto")
        _add(impuesto, "codigo", IVA_TAX_CODE)
        _add(impuesto, "codigoPorcentaje", line.iva_code)
        # Here `tarifa` is required and BEFORE baseImponible.
        _add(impuesto, "tarifa", _rate(IVA_RATES[line.iva_code].percent))
        _add(impuesto, "baseImponible", _money(amounts.subtotal))
        _add(impuesto, "valor", _money(amounts.iva))


def _info_adicional(root: etree._Element, sale: EcuadorSale) -> None:
    fields = [(f.name, f.value) for f in sale.additional_info]
    if sale.buyer.email:
        fields.append(("Email", sale.buyer.email))
    if not fields:
        return
    info = etree.SubElement(root, "infoAdicional")
    for name, value in fields:
        element = etree.SubElement(info, "campoAdicional", nombre=name)
        element.text = value
