"""Builds the CFDI 4.0 XML (Ingreso ``I`` or Egreso ``E``) from a validated sale, ready to be sealed.

Attribute and element order follow cfdv40.xsd and the SAT's published examples (reference §2).
Optional attributes are omitted, never written empty. Amounts come from :mod:`domain.mexico.totals`,
so the XML carries exactly the rounded values the SAT recomputes.

``Fecha``: the issue moment converted to the local time of LugarExpedicion with our corrected zone
map (:mod:`domain.mexico.timezones`), never satcfdi's default, which puts some postal codes 1–3 h in the
future (reference §5.5). ``NoCertificado``, ``Sello`` and ``Certificado`` are left empty in their
places and filled by :func:`seal_cfdi`.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Literal

from lxml import etree

from adapters.mexico.csd import Csd, load_csd
from adapters.mexico.issuer import MexicoIssuerProfile
from adapters.mexico.sealing import seal_cfdi, verify_sello
from domain.mexico.catalog import POR_DEFINIR, uses_for
from domain.mexico.sale import MexicoSale
from domain.mexico.timezones import local_fecha
from domain.mexico.totals import CfdiTotals, LineAmounts, TaxAmount, compute_totals, rate_text

__all__ = ["CFDI_NS", "Csd", "build_cfdi", "load_csd", "seal_cfdi", "verify_sello"]

CFDI_NS = "http://www.sat.gob.mx/cfd/4"
XSI_NS = "http://www.w3.org/2001/XMLSchema-instance"
SCHEMA_LOCATION = "http://www.sat.gob.mx/cfd/4 http://www.sat.gob.mx/sitio_internet/cfd/4/cfdv40.xsd"
FECHA_FORMAT = "%Y-%m-%dT%H:%M:%S"
CONDONACION = "15"  # FormaPago of a credit note whose invoice was never paid (reference §9)
DEVOLUCIONES = "G02"  # the usual UsoCFDI of a credit note (reference §9)
_MICRO = Decimal("0.000001")


def build_cfdi(
    sale: MexicoSale,
    *,
    folio: int,
    issuer: MexicoIssuerProfile,
    issued_at: datetime,
    tipo: Literal["I", "E"] = "I",
    related: Sequence[tuple[str, str]] = (),
) -> bytes:
    """The unsealed CFDI. ``related`` holds (TipoRelacion, UUID) pairs: ("01", uuid) for a credit note,
    ("04", uuid) for a substitution; one cfdi:CfdiRelacionados is written per TipoRelacion.

    For an Egreso the serie is the issuer's ``credit_note_serie``, MetodoPago is PUE, FormaPago 99
    becomes 15 (condonación: the invoice was not paid) and UsoCFDI becomes G02 when the receiver's
    régimen allows it (reference §9). Other sale values are used as they are.
    """
    totals = compute_totals(sale)
    place = sale.place_of_issue or issuer.postal_code
    root = etree.Element(f"{{{CFDI_NS}}}Comprobante", nsmap={"cfdi": CFDI_NS, "xsi": XSI_NS})
    root.set(f"{{{XSI_NS}}}schemaLocation", SCHEMA_LOCATION)
    payment_form, payment_method = sale.payment_form, sale.payment_method
    if tipo == "E":
        payment_method = "PUE"
        payment_form = CONDONACION if payment_form == POR_DEFINIR else payment_form
    _set(root, {
        "Version": "4.0",
        "Serie": issuer.credit_note_serie if tipo == "E" else sale.issuer.serie,
        "Folio": str(folio),
        "Fecha": local_fecha(issued_at, place).strftime(FECHA_FORMAT),
        "Sello": "",
        "FormaPago": payment_form,
        "NoCertificado": "",
        "Certificado": "",
        "CondicionesDePago": sale.payment_conditions,
        "SubTotal": _money(totals.subtotal, totals),
        "Descuento": _money(totals.discount, totals),
        "Moneda": sale.currency,
        "TipoCambio": _plain(sale.exchange_rate) if sale.currency != "MXN" else None,
        "Total": _money(totals.total, totals),
        "TipoDeComprobante": tipo,
        "Exportacion": sale.export,
        "MetodoPago": payment_method,
        "LugarExpedicion": place,
    })
    if sale.global_information is not None:
        info = sale.global_information
        _sub(root, "InformacionGlobal", {"Periodicidad": info.periodicity, "Meses": info.months,
                                         "Año": str(info.year)})
    _related(root, related)
    _sub(root, "Emisor", {"Rfc": issuer.rfc, "Nombre": issuer.name, "RegimenFiscal": issuer.tax_regime})
    _receptor(root, sale, tipo)
    _conceptos(root, sale, totals)
    _impuestos(root, totals)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def _related(root: etree._Element, related: Sequence[tuple[str, str]]) -> None:
    by_type: dict[str, list[str]] = {}
    for relation, uuid in related:
        by_type.setdefault(relation, []).append(uuid.upper())
    for relation, uuids in by_type.items():
        node = _sub(root, "CfdiRelacionados", {"TipoRelacion": relation})
        for uuid in uuids:
            _sub(node, "CfdiRelacionado", {"UUID": uuid})


def _receptor(root: etree._Element, sale: MexicoSale, tipo: str) -> None:
    receiver = sale.receiver
    use = receiver.cfdi_use
    if tipo == "E" and DEVOLUCIONES in uses_for(receiver.rfc, receiver.tax_regime):
        use = DEVOLUCIONES
    _sub(root, "Receptor", {
        "Rfc": receiver.rfc,
        "Nombre": receiver.name,
        "DomicilioFiscalReceptor": receiver.postal_code,
        "ResidenciaFiscal": receiver.foreign_residence,
        "NumRegIdTrib": receiver.foreign_tax_id,
        "RegimenFiscalReceptor": receiver.tax_regime,
        "UsoCFDI": use,
    })


def _conceptos(root: etree._Element, sale: MexicoSale, totals: CfdiTotals) -> None:
    conceptos = _sub(root, "Conceptos", {})
    for line, amounts in zip(sale.lines, totals.lines, strict=True):
        concepto = _sub(conceptos, "Concepto", {
            "ClaveProdServ": line.product_key,
            "NoIdentificacion": line.sku,
            "Cantidad": _plain(line.quantity),
            "ClaveUnidad": line.unit_key,
            "Unidad": line.unit,
            "Descripcion": line.description,
            "ValorUnitario": _plain(line.unit_price),
            "Importe": _money(amounts.amount, totals),
            "Descuento": _money(amounts.discount, totals) if line.discount != 0 else None,
            "ObjetoImp": line.tax_object,
        })
        _concept_taxes(concepto, amounts, totals)


def _concept_taxes(concepto: etree._Element, amounts: LineAmounts, totals: CfdiTotals) -> None:
    if not amounts.transferred and not amounts.withheld:
        return
    impuestos = _sub(concepto, "Impuestos", {})
    if amounts.transferred:
        traslados = _sub(impuestos, "Traslados", {})
        for tax in amounts.transferred:
            _sub(traslados, "Traslado", _tax_attributes(tax, totals))
    if amounts.withheld:
        retenciones = _sub(impuestos, "Retenciones", {})
        for tax in amounts.withheld:
            _sub(retenciones, "Retencion", _tax_attributes(tax, totals))


def _tax_attributes(tax: TaxAmount, totals: CfdiTotals) -> dict[str, str | None]:
    return {
        "Base": _money(tax.base, totals),
        "Impuesto": tax.tax,
        "TipoFactor": tax.factor,
        "TasaOCuota": rate_text(tax.rate) if tax.rate is not None else None,
        "Importe": _money(tax.amount, totals),
    }


def _impuestos(root: etree._Element, totals: CfdiTotals) -> None:
    if not totals.transferred and not totals.withheld:
        return
    impuestos = _sub(root, "Impuestos", {
        "TotalImpuestosRetenidos": _money(totals.total_withheld, totals),
        "TotalImpuestosTrasladados": _money(totals.total_transferred, totals),
    })
    if totals.withheld:
        retenciones = _sub(impuestos, "Retenciones", {})
        for row in totals.withheld:
            _sub(retenciones, "Retencion", {"Impuesto": row.tax, "Importe": _money(row.amount, totals)})
    if totals.transferred:
        traslados = _sub(impuestos, "Traslados", {})
        for summary in totals.transferred:
            _sub(traslados, "Traslado", {
                "Base": _money(summary.base, totals),
                "Impuesto": summary.tax,
                "TipoFactor": summary.factor,
                "TasaOCuota": rate_text(summary.rate) if summary.rate is not None else None,
                "Importe": _money(summary.amount, totals),
            })


def _sub(parent: etree._Element, name: str, attributes: dict[str, str | None]) -> etree._Element:
    element = etree.SubElement(parent, f"{{{CFDI_NS}}}{name}")
    _set(element, attributes)
    return element


def _set(element: etree._Element, attributes: dict[str, str | None]) -> None:
    # Insertion order is the XSD's attribute order; None means "omit" (optional attributes are never empty).
    for name, value in attributes.items():
        if value is not None:
            element.set(name, value)


def _money(value: Decimal | None, totals: CfdiTotals) -> str | None:
    if value is None:
        return None
    return f"{value:.{totals.decimals}f}"


def _plain(value: Decimal | None) -> str | None:
    """Cantidad, ValorUnitario, TipoCambio: at most six decimals, no trailing zeros, never exponents."""
    if value is None:
        return None
    text = f"{value.quantize(_MICRO, rounding=ROUND_HALF_UP):f}"
    return text.rstrip("0").rstrip(".") if "." in text else text
