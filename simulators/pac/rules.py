"""Anexo 20 business rules on a received CFDI, by reusing the project's own sale validation.

The XML is read back into a :class:`domain.mexico.sale.MexicoSale` and checked with
:func:`domain.mexico.validation.validate_sale`, keeping only the problems that carry a SAT code
(CFDI40xxx / CFDI140xxx): those are the rules a PAC enforces. Arithmetic is *not* taken from there —
validate_sale recomputes totals its own way, while a PAC must accept any amounts within the SAT's
tolerances — see :mod:`simulators.pac.arithmetic`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

from lxml import etree
from pydantic import ValidationError

from domain.mexico.sale import (
    GlobalInformation,
    MexicoIssuerRef,
    MexicoSale,
    Receiver,
    SaleLine,
    TransferredTax,
    WithheldTax,
)
from domain.mexico.validation import validate_sale

CFDI = "{http://www.sat.gob.mx/cfd/4}"


@dataclass(frozen=True)
class Finding:
    code: str
    message: str


@dataclass(frozen=True)
class _Issuer:
    rfc: str
    name: str
    tax_regime: str
    postal_code: str


def business_findings(root: etree._Element, *, today: date) -> list[Finding]:
    try:
        sale, issuer = _sale_from_xml(root)
    except (ValidationError, InvalidOperation, ValueError) as exc:
        return [Finding("CFDI40999", f"The CFDI cannot be interpreted: {exc}")]
    problems = validate_sale(sale, issuer=issuer, today=today)
    return [
        Finding(p.code, f"{p.field}: {p.message}")
        for p in problems
        if p.severity == "error" and p.code.startswith("CFDI")
    ]


def _sale_from_xml(root: etree._Element) -> tuple[MexicoSale, _Issuer]:
    emisor, receptor = _child(root, "Emisor"), _child(root, "Receptor")
    issuer = _Issuer(emisor.get("Rfc", ""), emisor.get("Nombre", ""), emisor.get("RegimenFiscal", ""),
                     root.get("LugarExpedicion", ""))
    info = root.find(f"{CFDI}InformacionGlobal")
    sale = MexicoSale(
        order_id="pac-simulator",
        issuer=MexicoIssuerRef(rfc=issuer.rfc, serie=root.get("Serie") or "A"),
        receiver=Receiver(
            rfc=receptor.get("Rfc", ""),
            name=receptor.get("Nombre", ""),
            postal_code=receptor.get("DomicilioFiscalReceptor", ""),
            tax_regime=receptor.get("RegimenFiscalReceptor", ""),
            cfdi_use=receptor.get("UsoCFDI", ""),
            foreign_residence=receptor.get("ResidenciaFiscal"),
            foreign_tax_id=receptor.get("NumRegIdTrib"),
        ),
        lines=[_line(node) for node in root.iterfind(f"{CFDI}Conceptos/{CFDI}Concepto")],
        payment_form=root.get("FormaPago", ""),
        payment_method=root.get("MetodoPago", ""),
        currency=root.get("Moneda", ""),
        exchange_rate=_decimal(root.get("TipoCambio")),
        export=root.get("Exportacion", ""),
        global_information=GlobalInformation(periodicity=info.get("Periodicidad", ""), months=info.get("Meses", ""),
                                             year=int(info.get("Año", "0")))
        if info is not None else None,
        place_of_issue=root.get("LugarExpedicion"),
        payment_conditions=root.get("CondicionesDePago"),
    )
    return sale, issuer


def _line(node: etree._Element) -> SaleLine:
    return SaleLine(
        product_key=node.get("ClaveProdServ", ""),
        sku=node.get("NoIdentificacion"),
        quantity=Decimal(node.get("Cantidad", "0")),
        unit_key=node.get("ClaveUnidad", ""),
        unit=node.get("Unidad"),
        description=node.get("Descripcion", ""),
        unit_price=Decimal(node.get("ValorUnitario", "0")),
        discount=Decimal(node.get("Descuento", "0")),
        tax_object=node.get("ObjetoImp", ""),
        transferred=[
            TransferredTax(tax=t.get("Impuesto", ""), factor=t.get("TipoFactor", ""),
                           rate=_decimal(t.get("TasaOCuota")))
            for t in node.iterfind(f"{CFDI}Impuestos/{CFDI}Traslados/{CFDI}Traslado")
        ],
        withheld=[
            WithheldTax(tax=r.get("Impuesto", ""), factor=r.get("TipoFactor", ""),
                        rate=Decimal(r.get("TasaOCuota", "0")))
            for r in node.iterfind(f"{CFDI}Impuestos/{CFDI}Retenciones/{CFDI}Retencion")
        ],
    )


def _child(root: etree._Element, name: str) -> etree._Element:
    node = root.find(f"{CFDI}{name}")
    if node is None:
        raise ValueError(f"cfdi:{name} is missing")
    return node


def _decimal(value: str | None) -> Decimal | None:
    return Decimal(value) if value is not None else None
