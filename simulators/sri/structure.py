"""Schema-less structural check, used when no XSD directory is configured.

The SRI validates every document against its XSD and answers 35 with the Xerces message
(reference §2, §12.4). Without the XSD files the simulator still has to reject what the
XSD would reject in the parts that matter to clients: the order and presence of elements
(``xsd:sequence`` is strict) and the formats of the fields the later checks read
(infoTributaria, dates, amounts). Messages imitate Xerces' ``cvc-*`` texts so that clients
see the same shape either way.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from lxml import etree

DS_NS = "http://www.w3.org/2000/09/xmldsig#"
UNBOUNDED = 0

ValueCheck = Callable[[str], str | None]


@dataclass(frozen=True, slots=True)
class Field:
    """One particle of an ``xsd:sequence``: element name, occurrences, content rule."""

    name: str
    min: int = 1
    max: int = 1  # UNBOUNDED for maxOccurs="unbounded"
    value: ValueCheck | None = None
    children: tuple[Field, ...] | None = None

    @property
    def tag(self) -> str:
        return f"{{{DS_NS}}}Signature" if self.name == "ds:Signature" else self.name


def pattern(regex: str, type_name: str) -> ValueCheck:
    """xsd:pattern facet (whole-value match, as XSD patterns are anchored)."""
    compiled = re.compile(regex)

    def check(value: str) -> str | None:
        if compiled.fullmatch(value):
            return None
        return (
            f"cvc-pattern-valid: Value '{value}' is not facet-valid with respect to pattern "
            f"'{regex}' for type '{type_name}'."
        )

    return check


def text(min_length: int, max_length: int) -> ValueCheck:
    """The SRI's usual text type: ``[^\\n]*`` with length facets (reference §2)."""

    def check(value: str) -> str | None:
        if "\n" in value:
            return f"cvc-pattern-valid: Value '{value}' is not facet-valid with respect to pattern '[^\\n]*'."
        if len(value) < min_length:
            return (
                f"cvc-minLength-valid: Value '{value}' with length = '{len(value)}' is not facet-valid "
                f"with respect to minLength '{min_length}'."
            )
        if len(value) > max_length:
            return (
                f"cvc-maxLength-valid: Value '{value}' with length = '{len(value)}' is not facet-valid "
                f"with respect to maxLength '{max_length}'."
            )
        return None

    return check


def decimal(total_digits: int, fraction_digits: int, *, signed: bool = False) -> ValueCheck:
    """xsd:decimal with totalDigits/fractionDigits (counted on significant digits, §2)."""

    def check(value: str) -> str | None:
        if not re.fullmatch(r"[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)", value):
            return f"cvc-datatype-valid.1.2.1: '{value}' is not a valid value for 'decimal'."
        try:
            number = Decimal(value)
        except InvalidOperation:  # pragma: no cover - the regex above already guards
            return f"cvc-datatype-valid.1.2.1: '{value}' is not a valid value for 'decimal'."
        if not signed and number < 0:
            return f"cvc-minInclusive-valid: Value '{value}' is not facet-valid with respect to minInclusive '0'."
        normalized = number.normalize()
        exponent = normalized.as_tuple().exponent
        fraction = max(0, -exponent) if isinstance(exponent, int) else 0
        integer_digits = len(str(abs(number).to_integral_value(rounding="ROUND_DOWN")).lstrip("0"))
        if fraction > fraction_digits:
            return (
                f"cvc-fractionDigits-valid: Value '{value}' has {fraction} fraction digits, but the number "
                f"of fraction digits has been limited to {fraction_digits}."
            )
        if integer_digits + fraction > total_digits:
            return (
                f"cvc-totalDigits-valid: Value '{value}' has {integer_digits + fraction} total digits, but "
                f"the number of total digits has been limited to {total_digits}."
            )
        return None

    return check


def _element_children(element: etree._Element) -> list[etree._Element]:
    return [child for child in element if isinstance(child.tag, str)]


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1] if tag.startswith("{") else tag


def _display(field: Field) -> str:
    return f'"{DS_NS}":Signature' if field.name == "ds:Signature" else field.name


def check_sequence(element: etree._Element, fields: Sequence[Field]) -> str | None:
    """Validate ``element``'s children against a sequence; first problem as a cvc message."""
    children = _element_children(element)
    position = 0
    last_matched = -1  # index of the last field that consumed a child
    last_count = 0
    for index, field in enumerate(fields):
        count = 0
        while position < len(children) and children[position].tag == field.tag:
            if field.max != UNBOUNDED and count >= field.max:
                break
            problem = _check_content(children[position], field)
            if problem:
                return problem
            count += 1
            position += 1
        if count:
            last_matched, last_count = index, count
        if count < field.min:
            expected = _expected(fields, last_matched, last_count, index)
            if position < len(children):
                return _unexpected(children[position], expected)
            return (
                f"cvc-complex-type.2.4.b: The content of element '{_local(str(element.tag))}' is not "
                f"complete. One of '{{{expected}}}' is expected."
            )
    if position < len(children):
        expected = _expected(fields, last_matched, last_count, len(fields) - 1)
        if not expected:
            return (
                f"cvc-complex-type.2.4.d: Invalid content was found starting with element "
                f"'{_local(str(children[position].tag))}'. No child element is expected at this point."
            )
        return _unexpected(children[position], expected)
    return None


def _unexpected(child: etree._Element, expected: str) -> str:
    return (
        f"cvc-complex-type.2.4.a: Invalid content was found starting with element "
        f"'{_local(str(child.tag))}'. One of '{{{expected}}}' is expected."
    )


def _expected(fields: Sequence[Field], last_matched: int, last_count: int, upto: int) -> str:
    """What Xerces lists as acceptable after the last consumed child (up to field ``upto``)."""
    names: list[str] = []
    if last_matched >= 0:
        field = fields[last_matched]
        if field.max == UNBOUNDED or last_count < field.max:
            names.append(_display(field))
    names.extend(_display(field) for field in fields[last_matched + 1 : upto + 1])
    return ", ".join(names)


def _check_content(child: etree._Element, field: Field) -> str | None:
    if field.children is not None:
        return check_sequence(child, field.children)
    if field.value is not None:
        if _element_children(child):
            return (
                f"cvc-type.3.1.2: Element '{field.name}' is a simple type, so it must have no element "
                f"information item [children]."
            )
        return field.value(child.text or "")
    return None  # content not modelled by the fallback: the XSD would check it


def optional(name: str, value: ValueCheck | None = None, children: tuple[Field, ...] | None = None) -> Field:
    return Field(name, 0, 1, value, children)


# --- shared types (factura/notaCredito XSDs v1.1.0 / 2.1.0) -------------------------------
MONEY = decimal(14, 2)
SIGNED_MONEY = decimal(14, 2, signed=True)
QUANTITY = decimal(18, 6)
RATE = decimal(4, 2)
FECHA = pattern(r"(0[1-9]|[12][0-9]|3[01])/(0[1-9]|1[012])/20[0-9][0-9]", "fechaEmision")
T300 = text(1, 300)

INFO_TRIBUTARIA = (
    Field("ambiente", value=pattern(r"[1-2]", "ambiente")),
    Field("tipoEmision", value=pattern(r"[12]", "tipoEmision")),
    Field("razonSocial", value=T300),
    optional("nombreComercial", T300),
    Field("ruc", value=pattern(r"[0-9]{10}001", "numeroRuc")),
    Field("claveAcceso", value=pattern(r"[0-9]{49}", "claveAcceso")),
    Field("codDoc", value=pattern(r"[0-9]{2}", "codDoc")),
    Field("estab", value=pattern(r"[0-9]{3}", "establecimiento")),
    Field("ptoEmi", value=pattern(r"[0-9]{3}", "puntoEmision")),
    Field("secuencial", value=pattern(r"[0-9]{9}", "secuencial")),
    Field("dirMatriz", value=T300),
    optional("agenteRetencion", pattern(r"[0-9]{1,8}", "agenteRetencion")),
    optional(
        "contribuyenteRimpe",
        pattern(r"CONTRIBUYENTE RÉGIMEN RIMPE|CONTRIBUYENTE NEGOCIO POPULAR - RÉGIMEN RIMPE", "contribuyenteRimpe"),
    ),
)

_IMPUESTO_CODIGO = pattern(r"[235]", "codigo")
_CODIGO_PORCENTAJE = pattern(r"[0-9]{1,4}", "codigoPorcentaje")
_DET_ADICIONALES = optional("detallesAdicionales", children=(Field("detAdicional", 1, 3),))
_INFO_ADICIONAL = optional("infoAdicional", children=(Field("campoAdicional", 1, 15, T300),))
_COMPENSACIONES = optional("compensaciones", children=(Field("compensacion", 1, UNBOUNDED),))

FACTURA = (
    Field("infoTributaria", children=INFO_TRIBUTARIA),
    Field(
        "infoFactura",
        children=(
            Field("fechaEmision", value=FECHA),
            optional("dirEstablecimiento", T300),
            optional("contribuyenteEspecial", pattern(r"[A-Za-z0-9]{3,13}", "contribuyenteEspecial")),
            optional("obligadoContabilidad", pattern(r"SI|NO", "obligadoContabilidad")),
            optional("comercioExterior"),
            optional("incoTermFactura"),
            optional("lugarIncoTerm"),
            optional("paisOrigen"),
            optional("puertoEmbarque"),
            optional("puertoDestino"),
            optional("paisDestino"),
            optional("paisAdquisicion"),
            Field("tipoIdentificacionComprador", value=pattern(r"[0][4-8]", "tipoIdentificacionComprador")),
            optional("guiaRemision", pattern(r"[0-9]{3}-[0-9]{3}-[0-9]{9}", "guiaRemision")),
            Field("razonSocialComprador", value=T300),
            Field("identificacionComprador", value=text(1, 20)),
            optional("direccionComprador", T300),
            Field("totalSinImpuestos", value=MONEY),
            optional("totalSubsidio", MONEY),
            optional("incoTermTotalSinImpuestos"),
            Field("totalDescuento", value=SIGNED_MONEY),
            optional("codDocReembolso"),
            optional("totalComprobantesReembolso", MONEY),
            optional("totalBaseImponibleReembolso", MONEY),
            optional("totalImpuestoReembolso", MONEY),
            Field(
                "totalConImpuestos",
                children=(
                    Field(
                        "totalImpuesto",
                        1,
                        UNBOUNDED,
                        children=(
                            Field("codigo", value=_IMPUESTO_CODIGO),
                            Field("codigoPorcentaje", value=_CODIGO_PORCENTAJE),
                            optional("descuentoAdicional", SIGNED_MONEY),
                            Field("baseImponible", value=MONEY),
                            optional("tarifa", RATE),
                            Field("valor", value=MONEY),
                            optional("valorDevolucionIva", MONEY),
                        ),
                    ),
                ),
            ),
            _COMPENSACIONES,
            optional("propina", MONEY),
            optional("fleteInternacional", MONEY),
            optional("seguroInternacional", MONEY),
            optional("gastosAduaneros", MONEY),
            optional("gastosTransporteOtros", MONEY),
            Field("importeTotal", value=MONEY),
            optional("moneda", text(1, 15)),
            optional("placa", text(1, 20)),
            optional(
                "pagos",
                children=(
                    Field(
                        "pago",
                        1,
                        UNBOUNDED,
                        children=(
                            Field("formaPago", value=pattern(r"0[1-9]|1[0-9]|2[01]", "formaPago")),
                            Field("total", value=MONEY),
                            optional("plazo", MONEY),
                            optional("unidadTiempo", text(1, 10)),
                        ),
                    ),
                ),
            ),
            optional("valorRetIva", MONEY),
            optional("valorRetRenta", MONEY),
        ),
    ),
    Field(
        "detalles",
        children=(
            Field(
                "detalle",
                1,
                UNBOUNDED,
                children=(
                    optional("codigoPrincipal", text(1, 25)),
                    optional("codigoAuxiliar", text(1, 25)),
                    Field("descripcion", value=T300),
                    optional("unidadMedida", text(1, 50)),
                    Field("cantidad", value=QUANTITY),
                    Field("precioUnitario", value=QUANTITY),
                    optional("precioSinSubsidio", QUANTITY),
                    Field("descuento", value=MONEY),
                    Field("precioTotalSinImpuesto", value=MONEY),
                    _DET_ADICIONALES,
                    Field(
                        "impuestos",
                        children=(
                            Field(
                                "impuesto",
                                1,
                                UNBOUNDED,
                                children=(
                                    Field("codigo", value=_IMPUESTO_CODIGO),
                                    Field("codigoPorcentaje", value=_CODIGO_PORCENTAJE),
                                    Field("tarifa", value=RATE),  # required and BEFORE the base (§4.2)
                                    Field("baseImponible", value=MONEY),
                                    Field("valor", value=MONEY),
                                ),
                            ),
                        ),
                    ),
                ),
            ),
        ),
    ),
    optional("reembolsos"),
    optional("retenciones"),
    optional("infoSustitutivaGuiaRemision"),
    optional("otrosRubrosTerceros"),
    optional("tipoNegociable"),
    optional("maquinaFiscal"),
    _INFO_ADICIONAL,
    optional("ds:Signature"),
)

NOTA_CREDITO = (
    Field("infoTributaria", children=INFO_TRIBUTARIA),
    Field(
        "infoNotaCredito",
        children=(
            Field("fechaEmision", value=FECHA),
            optional("dirEstablecimiento", T300),
            Field("tipoIdentificacionComprador", value=pattern(r"[0][4-8]", "tipoIdentificacionComprador")),
            Field("razonSocialComprador", value=T300),
            Field("identificacionComprador", value=text(1, 20)),
            optional("contribuyenteEspecial", pattern(r"[A-Za-z0-9]{3,13}", "contribuyenteEspecial")),
            optional("obligadoContabilidad", pattern(r"SI|NO", "obligadoContabilidad")),
            optional("rise", text(1, 40)),
            Field("codDocModificado", value=pattern(r"[0-9]{2}", "codDocModificado")),
            Field("numDocModificado", value=pattern(r"[0-9]{3}-[0-9]{3}-[0-9]{9}", "numDocModificado")),
            Field("fechaEmisionDocSustento", value=FECHA),
            Field("totalSinImpuestos", value=MONEY),
            _COMPENSACIONES,
            Field("valorModificacion", value=MONEY),
            optional("moneda", text(1, 15)),
            Field(
                "totalConImpuestos",
                children=(
                    Field(
                        "totalImpuesto",
                        1,
                        UNBOUNDED,
                        children=(
                            Field("codigo", value=_IMPUESTO_CODIGO),
                            Field("codigoPorcentaje", value=_CODIGO_PORCENTAJE),
                            Field("baseImponible", value=MONEY),
                            Field("valor", value=MONEY),
                            optional("valorDevolucionIva", MONEY),
                        ),
                    ),
                ),
            ),
            Field("motivo", value=T300),
        ),
    ),
    Field(
        "detalles",
        children=(
            Field(
                "detalle",
                1,
                UNBOUNDED,
                children=(
                    optional("codigoInterno", text(1, 25)),
                    optional("codigoAdicional", text(1, 25)),
                    Field("descripcion", value=T300),
                    Field("cantidad", value=QUANTITY),
                    Field("precioUnitario", value=QUANTITY),
                    optional("descuento", MONEY),
                    Field("precioTotalSinImpuesto", value=MONEY),
                    _DET_ADICIONALES,
                    Field(
                        "impuestos",
                        children=(
                            Field(
                                "impuesto",
                                0,
                                UNBOUNDED,
                                children=(
                                    Field("codigo", value=_IMPUESTO_CODIGO),
                                    Field("codigoPorcentaje", value=_CODIGO_PORCENTAJE),
                                    optional("tarifa", RATE),
                                    Field("baseImponible", value=MONEY),
                                    Field("valor", value=MONEY),
                                ),
                            ),
                        ),
                    ),
                ),
            ),
        ),
    ),
    optional("maquinaFiscal"),
    _INFO_ADICIONAL,
    optional("ds:Signature"),
)
