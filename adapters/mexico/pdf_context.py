"""Display-ready data for the representación impresa, read from the stamped XML only (reference §8.2).

The PDF is derived from the legal document, never from the sale: what is printed is what was stamped.
Catalog keys are shown with their SAT descriptions (from satcfdi's catalogs), amounts with thousands
separators in the document's currency decimals.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from lxml import etree

from adapters.mexico.amount_words import amount_in_words
from adapters.mexico.sealing import CFDI_NS, parse_cfdi
from adapters.mexico.timbre import read_timbre, timbre_cadena, verification_url
from domain.mexico.catalog import TAX_NAMES, currency_decimals, describe, product_description, unit_description

_C = f"{{{CFDI_NS}}}"
Money = Callable[[str | None], str]  # the document's currency formatter
DOCUMENT_NAMES = {"I": "FACTURA", "E": "NOTA DE CRÉDITO", "T": "TRASLADO", "P": "RECIBO DE PAGO", "N": "NÓMINA"}


@dataclass(frozen=True)
class Party:
    rfc: str
    name: str
    regime: str
    postal_code: str = ""
    use: str = ""
    foreign: str = ""


@dataclass(frozen=True)
class ConceptRow:
    product: str
    product_name: str
    sku: str
    quantity: str
    unit: str
    description: str
    unit_price: str
    discount: str
    amount: str
    tax_object: str
    taxes: list[str]


@dataclass(frozen=True)
class AmountRow:
    label: str
    amount: str


@dataclass(frozen=True)
class CfdiContext:
    document_name: str
    serie_folio: str
    tipo: str
    fecha: str
    lugar: str
    exportacion: str
    forma_pago: str
    metodo_pago: str
    moneda: str
    condiciones: str
    emisor: Party
    receptor: Party
    global_info: str
    related: list[tuple[str, str]]
    concepts: list[ConceptRow]
    totals: list[AmountRow]
    total: str
    total_words: str
    uuid: str
    fecha_timbrado: str
    no_certificado: str
    no_certificado_sat: str
    rfc_prov_certif: str
    sello_cfd: str
    sello_sat: str
    cadena_tfd: str
    verification_url: str


def _labelled(catalog: str, key: str | None) -> str:
    if not key:
        return ""
    description = describe(catalog, key)
    return f"{key} - {description}" if description else key


def context_from_xml(stamped_xml: bytes) -> CfdiContext:
    root = parse_cfdi(stamped_xml)
    timbre = read_timbre(root)
    currency = root.get("Moneda", "MXN")
    decimals = currency_decimals(currency) or 2

    def money(value: str | None) -> str:
        return f"$ {Decimal(value or '0'):,.{decimals}f}"

    emisor, receptor = _node(root, "Emisor"), _node(root, "Receptor")
    info = root.find(f"{_C}InformacionGlobal")
    rate = root.get("TipoCambio")
    return CfdiContext(
        document_name=DOCUMENT_NAMES.get(root.get("TipoDeComprobante", ""), "CFDI"),
        serie_folio="-".join(v for v in (root.get("Serie"), root.get("Folio")) if v),
        tipo=_labelled("c_TipoDeComprobante", root.get("TipoDeComprobante")),
        fecha=root.get("Fecha", ""),
        lugar=root.get("LugarExpedicion", ""),
        exportacion=_labelled("c_Exportacion", root.get("Exportacion")),
        forma_pago=_labelled("c_FormaPago", root.get("FormaPago")),
        metodo_pago=_labelled("c_MetodoPago", root.get("MetodoPago")),
        moneda=currency + (f" (tipo de cambio {rate})" if rate and currency != "MXN" else ""),
        condiciones=root.get("CondicionesDePago", ""),
        emisor=Party(emisor.get("Rfc", ""), emisor.get("Nombre", ""), _labelled("c_RegimenFiscal", emisor.get(
            "RegimenFiscal"))),
        receptor=Party(
            receptor.get("Rfc", ""), receptor.get("Nombre", ""),
            _labelled("c_RegimenFiscal", receptor.get("RegimenFiscalReceptor")),
            receptor.get("DomicilioFiscalReceptor", ""), _labelled("c_UsoCFDI", receptor.get("UsoCFDI")),
            " ".join(v for v in (receptor.get("ResidenciaFiscal"), receptor.get("NumRegIdTrib")) if v),
        ),
        global_info=_global_info(info),
        related=_related(root),
        concepts=[_concept(node, money) for node in root.iterfind(f"{_C}Conceptos/{_C}Concepto")],
        totals=_totals(root, money),
        total=money(root.get("Total")),
        total_words=amount_in_words(Decimal(root.get("Total", "0")), currency),
        uuid=timbre.uuid,
        fecha_timbrado=timbre.fecha_timbrado.strftime("%Y-%m-%dT%H:%M:%S"),
        no_certificado=root.get("NoCertificado", ""),
        no_certificado_sat=timbre.no_certificado_sat,
        rfc_prov_certif=timbre.rfc_prov_certif,
        sello_cfd=root.get("Sello", ""),
        sello_sat=timbre.sello_sat,
        cadena_tfd=timbre_cadena(root),
        verification_url=verification_url(root),
    )


def _global_info(info: etree._Element | None) -> str:
    if info is None:
        return ""
    parts = (_labelled("c_Periodicidad", info.get("Periodicidad")), _labelled("c_Meses", info.get("Meses")),
             info.get("Año", ""))
    return " · ".join(part for part in parts if part)


def _related(root: etree._Element) -> list[tuple[str, str]]:
    return [
        (_labelled("c_TipoRelacion", group.get("TipoRelacion")), node.get("UUID", ""))
        for group in root.iterfind(f"{_C}CfdiRelacionados")
        for node in group.iterfind(f"{_C}CfdiRelacionado")
    ]


def _node(root: etree._Element, name: str) -> etree._Element:
    node = root.find(f"{_C}{name}")
    if node is None:
        raise ValueError(f"cfdi:{name} is missing")
    return node


def _concept(node: etree._Element, money: Money) -> ConceptRow:
    taxes = []
    for kind, label in (("Traslados/{c}Traslado", "Traslado"), ("Retenciones/{c}Retencion", "Retención")):
        for tax in node.iterfind(f"{_C}Impuestos/{_C}{kind.format(c=_C)}"):
            name = TAX_NAMES.get(tax.get("Impuesto", ""), tax.get("Impuesto", ""))
            if tax.get("TipoFactor") == "Exento":
                taxes.append(f"{name} {label} Exento · base {money(tax.get('Base'))}")
            else:
                taxes.append(f"{name} {label} {_rate(tax.get('TasaOCuota'), tax.get('TipoFactor'))} · base "
                             f"{money(tax.get('Base'))} · importe {money(tax.get('Importe'))}")
    unit_key = node.get("ClaveUnidad", "")
    product = node.get("ClaveProdServ", "")
    return ConceptRow(
        product=product, product_name=product_description(product) or "", sku=node.get("NoIdentificacion", ""),
        quantity=node.get("Cantidad", ""),
        unit=f"{unit_key} - {node.get('Unidad') or unit_description(unit_key) or ''}".rstrip(" -"),
        description=node.get("Descripcion", ""), unit_price=money(node.get("ValorUnitario")),
        discount=money(node.get("Descuento")) if node.get("Descuento") else "",
        amount=money(node.get("Importe")), tax_object=_labelled("c_ObjetoImp", node.get("ObjetoImp")), taxes=taxes,
    )


def _totals(root: etree._Element, money: Money) -> list[AmountRow]:
    rows = [AmountRow("Subtotal", money(root.get("SubTotal")))]
    if root.get("Descuento"):
        rows.append(AmountRow("Descuento", "− " + money(root.get("Descuento"))))
    impuestos = root.find(f"{_C}Impuestos")
    if impuestos is not None:
        for tax in impuestos.iterfind(f"{_C}Traslados/{_C}Traslado"):
            if tax.get("TipoFactor") != "Exento":
                name = TAX_NAMES.get(tax.get("Impuesto", ""), "")
                rows.append(AmountRow(f"{name} {_rate(tax.get('TasaOCuota'), tax.get('TipoFactor'))}",
                                      money(tax.get("Importe"))))
        for tax in impuestos.iterfind(f"{_C}Retenciones/{_C}Retencion"):
            name = TAX_NAMES.get(tax.get("Impuesto", ""), "")
            rows.append(AmountRow(f"{name} retenido", "− " + money(tax.get("Importe"))))
    return rows


def _rate(value: str | None, factor: str | None) -> str:
    if value is None:
        return ""
    if factor == "Cuota":
        return f"cuota {Decimal(value).normalize():f}"
    percent = (Decimal(value) * 100).quantize(Decimal("0.0001")).normalize()
    return f"{percent:f} %"
