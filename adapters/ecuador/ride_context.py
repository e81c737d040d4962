"""Everything a RIDE shows, read from the signed/authorized XML.

The RIDE must be rendered from the XML the SRI authorized, never from our
database (reference §17.2): this module is the only bridge between that XML and
the PDF templates. It yields display-ready strings so templates stay logic-free.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Final

from lxml import etree
from pydantic import BaseModel, ConfigDict

from adapters.ecuador import catalog_names as names

SUPPORTED_VERSIONS: Final[dict[str, frozenset[str]]] = {
    # Factura versions differ only in fields the RIDE does not print (reference §4.1).
    "factura": frozenset({"1.0.0", "1.1.0", "2.0.0", "2.1.0"}),
    "notaCredito": frozenset({"1.0.0", "1.1.0"}),
}

_CENT: Final = Decimal("0.01")
_MICRO: Final = Decimal("0.000001")

# Untrusted input hardening: no DTD entities, no network fetches.
_PARSER: Final = etree.XMLParser(resolve_entities=False, no_network=True, remove_blank_text=True)


class RideContextError(ValueError):
    """The XML is not a document this RIDE can print."""


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Issuer(_Frozen):
    razon_social: str
    nombre_comercial: str | None
    ruc: str
    dir_matriz: str
    dir_establecimiento: str | None
    contribuyente_especial: str | None
    obligado_contabilidad: str | None  # "SI" / "NO" as in the XML
    agente_retencion: str | None  # resolution number
    contribuyente_rimpe: str | None  # the legend itself, e.g. "CONTRIBUYENTE RÉGIMEN RIMPE"


class DocumentInfo(_Frozen):
    cod_doc: str
    name: str  # "FACTURA", "NOTA DE CRÉDITO"
    number: str  # estab-ptoEmi-secuencial
    clave_acceso: str
    ambiente: str  # "PRUEBAS" / "PRODUCCIÓN"
    emision: str  # "NORMAL"
    fecha_emision: str  # dd/mm/aaaa, as in the XML
    guia_remision: str | None


class Buyer(_Frozen):
    razon_social: str
    identificacion: str
    tipo_identificacion: str
    tipo_identificacion_nombre: str
    direccion: str | None


class ModifiedDocument(_Frozen):
    """Nota de crédito only: the document it corrects and why."""

    name: str
    number: str
    fecha_emision: str
    motivo: str


class NamedValue(_Frozen):
    nombre: str
    valor: str


class Line(_Frozen):
    codigo_principal: str | None
    codigo_auxiliar: str | None
    cantidad: str
    descripcion: str
    detalles_adicionales: tuple[NamedValue, ...]
    precio_unitario: str
    descuento: str
    precio_total: str


class TotalRow(_Frozen):
    label: str
    value: str
    is_grand_total: bool = False


class Payment(_Frozen):
    code: str
    name: str
    valor: str
    plazo: str | None
    unidad_tiempo: str | None


class RideContext(_Frozen):
    issuer: Issuer
    document: DocumentInfo
    buyer: Buyer
    modified_document: ModifiedDocument | None
    lines: tuple[Line, ...]
    totals: tuple[TotalRow, ...]
    total: str  # VALOR TOTAL, handy for e-mail subjects and logs
    payments: tuple[Payment, ...]
    additional_info: tuple[NamedValue, ...]


def format_money(raw: str) -> str:
    """Two decimals, no thousands separator: the same notation as the XML."""
    return str(_decimal(raw).quantize(_CENT, rounding=ROUND_HALF_UP))


def format_quantity(raw: str) -> str:
    """Up to 6 decimals (XSD 18,6) but never fewer than 2: 2.000000 -> 2.00, 1.125000 -> 1.125."""
    value = _decimal(raw).quantize(_MICRO, rounding=ROUND_HALF_UP).normalize()
    exponent = value.as_tuple().exponent
    if isinstance(exponent, int) and exponent > -2:
        value = value.quantize(_CENT)
    return format(value, "f")


def ride_context_from_xml(authorized_xml: bytes) -> RideContext:
    root = _document_root(authorized_xml)
    kind = etree.QName(root).localname
    versions = SUPPORTED_VERSIONS.get(kind)
    if versions is None:
        raise RideContextError(f"unsupported document root <{kind}>")
    version = root.get("version", "")
    if version not in versions:
        raise RideContextError(f"unsupported {kind} version {version!r}")

    info_tributaria = _child(root, "infoTributaria")
    is_credit_note = kind == "notaCredito"
    info = _child(root, "infoNotaCredito" if is_credit_note else "infoFactura")
    lines_el = root.findall("detalles/detalle")
    if not lines_el:
        raise RideContextError("document has no detalles")

    lines = tuple(_line(el, is_credit_note) for el in lines_el)
    if is_credit_note:
        # NC has no totalDescuento/importeTotal; the RIDE still shows both concepts.
        discount = sum((_decimal(_opt(el, "descuento") or "0") for el in lines_el), Decimal(0))
        grand_total = _req(info, "valorModificacion")
    else:
        discount = _decimal(_req(info, "totalDescuento"))
        grand_total = _req(info, "importeTotal")

    return RideContext(
        issuer=_issuer(info_tributaria, info),
        document=_document(info_tributaria, info),
        buyer=_buyer(info),
        modified_document=_modified_document(info) if is_credit_note else None,
        lines=lines,
        totals=_totals(root, info, discount=discount, grand_total=grand_total),
        total=format_money(grand_total),
        payments=tuple(_payment(el) for el in info.findall("pagos/pago")),
        additional_info=tuple(
            NamedValue(nombre=el.get("nombre", ""), valor=(el.text or "").strip())
            for el in root.findall("infoAdicional/campoAdicional")
        ),
    )


def _document_root(xml: bytes) -> etree._Element:
    try:
        root = etree.fromstring(xml, _PARSER)
    except etree.XMLSyntaxError as exc:
        raise RideContextError(f"malformed XML: {exc}") from exc
    # Accept the SRI <autorizacion> envelope too: callers often keep the whole
    # authorization response, whose <comprobante> holds the signed XML as text.
    if etree.QName(root).localname == "autorizacion":
        inner = root.findtext("comprobante")
        if not inner:
            raise RideContextError("<autorizacion> without <comprobante>")
        return _document_root(inner.strip().encode("utf-8"))
    return root


def _issuer(info_tributaria: etree._Element, info: etree._Element) -> Issuer:
    return Issuer(
        razon_social=_req(info_tributaria, "razonSocial"),
        nombre_comercial=_opt(info_tributaria, "nombreComercial"),
        ruc=_req(info_tributaria, "ruc"),
        dir_matriz=_req(info_tributaria, "dirMatriz"),
        dir_establecimiento=_opt(info, "dirEstablecimiento"),
        contribuyente_especial=_opt(info, "contribuyenteEspecial"),
        obligado_contabilidad=_opt(info, "obligadoContabilidad"),
        agente_retencion=_opt(info_tributaria, "agenteRetencion"),
        contribuyente_rimpe=_opt(info_tributaria, "contribuyenteRimpe"),
    )


def _document(info_tributaria: etree._Element, info: etree._Element) -> DocumentInfo:
    cod_doc = _req(info_tributaria, "codDoc")
    number = "-".join(_req(info_tributaria, tag) for tag in ("estab", "ptoEmi", "secuencial"))
    return DocumentInfo(
        cod_doc=cod_doc,
        name=names.document_name(cod_doc),
        number=number,
        clave_acceso=_req(info_tributaria, "claveAcceso"),
        ambiente=names.ambiente_name(_req(info_tributaria, "ambiente")),
        emision=names.emision_name(_req(info_tributaria, "tipoEmision")),
        fecha_emision=_req(info, "fechaEmision"),
        guia_remision=_opt(info, "guiaRemision"),
    )


def _buyer(info: etree._Element) -> Buyer:
    id_type = _req(info, "tipoIdentificacionComprador")
    return Buyer(
        razon_social=_req(info, "razonSocialComprador"),
        identificacion=_req(info, "identificacionComprador"),
        tipo_identificacion=id_type,
        tipo_identificacion_nombre=names.buyer_id_type_name(id_type),
        direccion=_opt(info, "direccionComprador"),
    )


def _modified_document(info: etree._Element) -> ModifiedDocument:
    return ModifiedDocument(
        name=names.document_name(_req(info, "codDocModificado")),
        number=_req(info, "numDocModificado"),
        fecha_emision=_req(info, "fechaEmisionDocSustento"),
        motivo=_req(info, "motivo"),
    )


def _line(el: etree._Element, is_credit_note: bool) -> Line:
    # NC 1.1.0 renamed the product codes (reference §5.1); the RIDE columns are the same.
    main_tag, aux_tag = (
        ("codigoInterno", "codigoAdicional")
        if is_credit_note
        else (
            "codigoPrincipal",
            "codigoAuxiliar",
        )
    )
    return Line(
        codigo_principal=_opt(el, main_tag),
        codigo_auxiliar=_opt(el, aux_tag),
        cantidad=format_quantity(_req(el, "cantidad")),
        descripcion=_req(el, "descripcion"),
        detalles_adicionales=tuple(
            NamedValue(nombre=d.get("nombre", ""), valor=d.get("valor", ""))
            for d in el.findall("detallesAdicionales/detAdicional")
        ),
        precio_unitario=format_quantity(_req(el, "precioUnitario")),
        descuento=format_money(_opt(el, "descuento") or "0"),
        precio_total=format_money(_req(el, "precioTotalSinImpuesto")),
    )


def _payment(el: etree._Element) -> Payment:
    code = _req(el, "formaPago")
    plazo = _opt(el, "plazo")
    return Payment(
        code=code,
        name=names.forma_pago_name(code),
        valor=format_money(_req(el, "total")),
        # plazo is a 14,2 decimal in the XSD but a count of days/months for people.
        plazo=format(_decimal(plazo).normalize(), "f") if plazo else None,
        unidad_tiempo=_opt(el, "unidadTiempo"),
    )


class _TaxGroup:
    __slots__ = ("base", "rate", "value")

    def __init__(self) -> None:
        self.base = Decimal(0)
        self.value = Decimal(0)
        self.rate: Decimal | None = None


def _totals(root: etree._Element, info: etree._Element, *, discount: Decimal, grand_total: str) -> tuple[TotalRow, ...]:
    groups: dict[tuple[str, str], _TaxGroup] = defaultdict(_TaxGroup)
    for el in info.findall("totalConImpuestos/totalImpuesto"):
        group = groups[(_req(el, "codigo"), _req(el, "codigoPorcentaje"))]
        group.base += _decimal(_req(el, "baseImponible"))
        group.value += _decimal(_req(el, "valor"))
        tarifa = _opt(el, "tarifa")  # factura only, optional
        if tarifa is not None:
            group.rate = _decimal(tarifa)
    _fill_missing_rates(root, groups)

    iva = {pct: g for (code, pct), g in groups.items() if code == names.IVA}
    taxable = [g for pct, g in iva.items() if pct not in names.IVA_SPECIAL_NAMES]
    # Highest rate first, as in the SRI models; an unknown rate (IVA diferenciado) last.
    rated = sorted((g for g in taxable if g.rate != 0), key=lambda g: g.rate or Decimal(0), reverse=True)
    zero_rated = [g for g in taxable if g.rate == 0]

    rows: list[TotalRow] = [
        TotalRow(label=f"SUBTOTAL {_rate_label(g, 'IVA DIFERENCIADO')}", value=_money(g.base)) for g in rated
    ]
    if zero_rated:
        zero_base = sum((g.base for g in zero_rated), Decimal(0))
        rows.append(TotalRow(label="SUBTOTAL 0 %", value=_money(zero_base)))
    rows.extend(
        TotalRow(label=f"SUBTOTAL {label}", value=_money(iva[pct].base))
        for pct, label in names.IVA_SPECIAL_NAMES.items()
        if pct in iva
    )
    rows.append(TotalRow(label="SUBTOTAL SIN IMPUESTOS", value=format_money(_req(info, "totalSinImpuestos"))))
    rows.append(TotalRow(label="TOTAL DESCUENTO", value=_money(discount)))
    rows.extend(_other_tax_row("ICE", names.ICE, groups))
    rows.extend(TotalRow(label=f"IVA {_rate_label(g, 'DIFERENCIADO')}", value=_money(g.value)) for g in rated)
    rows.extend(_other_tax_row("IRBPNR", names.IRBPNR, groups))
    propina = _opt(info, "propina")
    if propina is not None:
        rows.append(TotalRow(label="PROPINA", value=format_money(propina)))
    rows.append(TotalRow(label="VALOR TOTAL", value=format_money(grand_total), is_grand_total=True))
    return tuple(rows)


def _fill_missing_rates(root: etree._Element, groups: dict[tuple[str, str], _TaxGroup]) -> None:
    """totalImpuesto/tarifa is optional (absent in NC): take it from a line, else from the code table."""
    for el in root.iterfind("detalles/detalle/impuestos/impuesto"):
        group = groups.get((_req(el, "codigo"), _req(el, "codigoPorcentaje")))
        tarifa = _opt(el, "tarifa")
        if group is not None and group.rate is None and tarifa is not None:
            group.rate = _decimal(tarifa)
    for (code, pct), group in groups.items():
        if group.rate is None and code == names.IVA:
            group.rate = names.IVA_RATES.get(pct)


def _rate_label(group: _TaxGroup, unknown: str) -> str:
    return names.format_rate(group.rate) if group.rate is not None else unknown


def _other_tax_row(label: str, code: str, groups: dict[tuple[str, str], _TaxGroup]) -> list[TotalRow]:
    values = [g.value for (c, _), g in groups.items() if c == code]
    return [TotalRow(label=label, value=_money(sum(values, Decimal(0))))] if values else []


def _money(value: Decimal) -> str:
    return str(value.quantize(_CENT, rounding=ROUND_HALF_UP))


def _decimal(raw: str) -> Decimal:
    try:
        return Decimal(raw.strip())
    except InvalidOperation as exc:
        raise RideContextError(f"not a decimal: {raw!r}") from exc


def _child(parent: etree._Element, tag: str) -> etree._Element:
    el = parent.find(tag)
    if el is None:
        raise RideContextError(f"missing <{tag}>")
    return el


def _req(parent: etree._Element, tag: str) -> str:
    value = _opt(parent, tag)
    if value is None:
        raise RideContextError(f"missing <{tag}> in <{etree.QName(parent).localname}>")
    return value


def _opt(parent: etree._Element, tag: str) -> str | None:
    text = parent.findtext(tag)
    if text is None:
        return None
    text = text.strip()
    return text or None
