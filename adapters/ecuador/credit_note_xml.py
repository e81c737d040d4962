"""Builds the SRI notaCredito 1.1.0 (codDoc 04) that credits all or part of an authorized factura.

The same care as the factura builder (schema order, no empty optionals, quantized amounts), plus the
notaCredito's own shape: totalConImpuestos without tarifa, codigoInterno/codigoAdicional instead of
codigoPrincipal/codigoAuxiliar, and the reference to the modified document (reference §5).
"""

from lxml import etree

from adapters.ecuador.factura_xml import add, info_adicional, info_tributaria, money, quantity, rate, split_series
from adapters.issuers import IssuerProfile
from domain.ecuador.catalog import CREDIT_NOTE_DOC_CODE, FACTURA_DOC_CODE, IVA_RATES, IVA_TAX_CODE
from domain.ecuador.sale import EcuadorSale
from domain.ecuador.totals import compute_totals
from domain.invoice import Numbering

CREDIT_NOTE_VERSION = "1.1.0"


def build_nota_credito(
    credited: EcuadorSale, numbering: Numbering, issuer: IssuerProfile, original: Numbering, reason: str
) -> bytes:
    """``credited`` is the part of the original sale being credited (see domain.ecuador.credit)."""
    totals = compute_totals(credited)
    root = etree.Element("notaCredito", id="comprobante", version=CREDIT_NOTE_VERSION)
    info_tributaria(root, numbering, issuer, CREDIT_NOTE_DOC_CODE)
    info = etree.SubElement(root, "infoNotaCredito")
    add(info, "fechaEmision", numbering.issue_date.strftime("%d/%m/%Y"))
    establishment = issuer.establishment(split_series(numbering.series)[0])
    add(info, "dirEstablecimiento", establishment.address if establishment else None)
    add(info, "tipoIdentificacionComprador", credited.buyer.id_type.value)
    add(info, "razonSocialComprador", credited.buyer.name)
    add(info, "identificacionComprador", credited.buyer.identification)
    add(info, "contribuyenteEspecial", issuer.special_taxpayer)
    add(info, "obligadoContabilidad", "SI" if issuer.keeps_accounts else "NO")
    add(info, "codDocModificado", FACTURA_DOC_CODE)
    add(info, "numDocModificado", original.document_number)
    add(info, "fechaEmisionDocSustento", original.issue_date.strftime("%d/%m/%Y"))
    add(info, "totalSinImpuestos", money(totals.subtotal))
    # valorModificacion: the credit note's total including taxes (no tip: a nota de crédito has none).
    add(info, "valorModificacion", money(totals.subtotal + totals.iva))
    add(info, "moneda", "DOLAR")
    taxes = etree.SubElement(info, "totalConImpuestos")
    for group in totals.groups:
        tax = etree.SubElement(taxes, "totalImpuesto")
        add(tax, "codigo", IVA_TAX_CODE)
        add(tax, "codigoPorcentaje", group.iva_code)
        add(tax, "baseImponible", money(group.base))
        add(tax, "valor", money(group.value))
    add(info, "motivo", reason)
    detalles = etree.SubElement(root, "detalles")
    for line, amounts in zip(credited.lines, totals.lines, strict=True):
        detalle = etree.SubElement(detalles, "detalle")
        add(detalle, "codigoInterno", line.code)
        add(detalle, "codigoAdicional", line.auxiliary_code)
        add(detalle, "descripcion", line.description)
        add(detalle, "cantidad", quantity(line.quantity))
        add(detalle, "precioUnitario", quantity(line.unit_price))
        add(detalle, "descuento", money(line.discount))
        add(detalle, "precioTotalSinImpuesto", money(amounts.subtotal))
        impuesto = etree.SubElement(etree.SubElement(detalle, "impuestos"), "impuesto")
        add(impuesto, "codigo", IVA_TAX_CODE)
        add(impuesto, "codigoPorcentaje", line.iva_code)
        add(impuesto, "tarifa", rate(IVA_RATES[line.iva_code].percent))
        add(impuesto, "baseImponible", money(amounts.subtotal))
        add(impuesto, "valor", money(amounts.iva))
    info_adicional(root, credited)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")
