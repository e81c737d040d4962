"""Arithmetic consistency of a comprobante (error 52 "ERROR EN DIFERENCIAS", reference §7).

The SRI recomputes line totals, tax groups and the document total and refuses documents
whose declared figures disagree. Its tolerance is not documented (§7, §21 q6); the
simulator allows 0.01 per comparison, which accepts every correctly rounded document
and rejects real mistakes. Formulas (§7, [PRACTICE]):

* ``precioTotalSinImpuesto = round2(cantidad × precioUnitario − descuento)``
* ``totalSinImpuestos = Σ precioTotalSinImpuesto``; ``totalDescuento = Σ descuento``
* per (codigo, codigoPorcentaje): ``baseImponible = Σ line bases``;
  IVA ``valor = round2(base × tarifa / 100)``
* ``importeTotal = totalSinImpuestos + Σ valor + propina (+ export charges) − Σ valorDevolucionIva``
* ``Σ pago.total = importeTotal``

All arithmetic uses ``Decimal`` with ROUND_HALF_UP (§7). Functions return the first
mismatch as a Spanish sentence for ``informacionAdicional``, or None.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from lxml import etree

TOLERANCE = Decimal("0.01")
CENT = Decimal("0.01")
ZERO = Decimal("0")

IVA = "2"
ICE = "3"

# IVA rate per codigoPorcentaje (Tabla 17, reference §6), used when a group carries no tarifa.
# 8 (IVA diferenciado) has no fixed rate: the document's own tarifa is authoritative.
IVA_RATES: dict[str, Decimal] = {
    "0": ZERO,
    "2": Decimal("12"),
    "3": Decimal("14"),
    "4": Decimal("15"),
    "5": Decimal("5"),
    "6": ZERO,
    "7": ZERO,
    "10": Decimal("13"),
}

# Charges that add to a factura's importeTotal besides taxes (exports, Anexo 4).
_FACTURA_CHARGES = (
    "propina",
    "fleteInternacional",
    "seguroInternacional",
    "gastosAduaneros",
    "gastosTransporteOtros",
)


def round2(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def differs(declared: Decimal, expected: Decimal) -> bool:
    return abs(declared - expected) > TOLERANCE


def _amount(element: etree._Element, path: str) -> Decimal:
    raw = element.findtext(path)
    if raw is None or not raw.strip():
        return ZERO
    try:
        return Decimal(raw.strip())
    except InvalidOperation:
        return ZERO  # the structure check (35) rejects non-decimals before we get here


def _fmt(value: Decimal) -> str:
    return f"{value:.2f}"


@dataclass
class _Group:
    """Σ of line bases/values for one (codigo, codigoPorcentaje)."""

    base: Decimal = ZERO
    valor: Decimal = ZERO
    tarifas: set[Decimal] = field(default_factory=set)


@dataclass
class _Lines:
    total_sin_impuestos: Decimal = ZERO
    total_descuento: Decimal = ZERO
    groups: dict[tuple[str, str], _Group] = field(default_factory=dict)


def _check_lines(detalles: Iterable[etree._Element]) -> tuple[_Lines, str | None]:
    lines = _Lines()
    for number, detalle in enumerate(detalles, start=1):
        cantidad = _amount(detalle, "cantidad")
        precio = _amount(detalle, "precioUnitario")
        descuento = _amount(detalle, "descuento")
        declared = _amount(detalle, "precioTotalSinImpuesto")
        expected = round2(cantidad * precio - descuento)
        label = f"detalle {number}"
        if differs(declared, expected):
            return lines, (
                f"El valor precioTotalSinImpuesto {_fmt(declared)} del {label} no corresponde a "
                f"cantidad × precioUnitario − descuento = {cantidad} × {precio} − {_fmt(descuento)} "
                f"= {_fmt(expected)}"
            )
        lines.total_sin_impuestos += declared
        lines.total_descuento += descuento
        impuestos = detalle.findall("impuestos/impuesto")
        # ICE is part of the IVA base (LRTI art. 58, reference §7).
        ice = sum((_amount(i, "valor") for i in impuestos if i.findtext("codigo") == ICE), ZERO)
        for impuesto in impuestos:
            codigo = (impuesto.findtext("codigo") or "").strip()
            porcentaje = (impuesto.findtext("codigoPorcentaje") or "").strip()
            base = _amount(impuesto, "baseImponible")
            valor = _amount(impuesto, "valor")
            if codigo == IVA:
                expected_base = declared + ice
                if differs(base, expected_base):
                    return lines, (
                        f"La baseImponible {_fmt(base)} del impuesto IVA (codigoPorcentaje {porcentaje}) del "
                        f"{label} no corresponde al precioTotalSinImpuesto más ICE = {_fmt(expected_base)}"
                    )
                tarifa = _rate(impuesto.findtext("tarifa"), porcentaje)
                expected_valor = round2(base * tarifa / 100)
                if differs(valor, expected_valor):
                    return lines, (
                        f"El valor {_fmt(valor)} del impuesto IVA (codigoPorcentaje {porcentaje}) del "
                        f"{label} no corresponde a baseImponible × tarifa / 100 = "
                        f"{_fmt(base)} × {tarifa} / 100 = {_fmt(expected_valor)}"
                    )
            group = lines.groups.setdefault((codigo, porcentaje), _Group())
            group.base += base
            group.valor += valor
            raw_tarifa = impuesto.findtext("tarifa")
            if raw_tarifa:
                group.tarifas.add(_rate(raw_tarifa, porcentaje))
    return lines, None


def _rate(raw: str | None, codigo_porcentaje: str) -> Decimal:
    if raw and raw.strip():
        try:
            return Decimal(raw.strip())
        except InvalidOperation:
            pass
    return IVA_RATES.get(codigo_porcentaje, ZERO)


def _check_group(key: tuple[str, str], elements: list[etree._Element], group: _Group) -> str | None:
    """One totalImpuesto group against the Σ of its lines."""
    base = sum((_amount(e, "baseImponible") for e in elements), ZERO)
    adicional = sum((_amount(e, "descuentoAdicional") for e in elements), ZERO)
    expected_base = group.base - adicional
    if differs(base, expected_base):
        return (
            f"La baseImponible {_fmt(base)} del totalImpuesto codigo {key[0]} codigoPorcentaje {key[1]} "
            f"no corresponde a la suma de las bases de los detalles = {_fmt(expected_base)}"
        )
    if key[0] != IVA:
        return None  # ICE/IRBPNR values are specific amounts, not base × rate
    valor = sum((_amount(e, "valor") for e in elements), ZERO)
    declared_tarifa = elements[0].findtext("tarifa")
    if declared_tarifa:
        tarifa = _rate(declared_tarifa, key[1])
    elif len(group.tarifas) == 1:
        tarifa = next(iter(group.tarifas))
    else:
        tarifa = IVA_RATES.get(key[1], ZERO)
    expected_valor = round2(base * tarifa / 100)
    if differs(valor, expected_valor):
        return (
            f"El valor {_fmt(valor)} del totalImpuesto IVA codigoPorcentaje {key[1]} no corresponde "
            f"a baseImponible × tarifa / 100 = {_fmt(base)} × {tarifa} / 100 = {_fmt(expected_valor)}"
        )
    return None


def _check_totals(info: etree._Element, lines: _Lines, *, with_discount: bool) -> tuple[Decimal, str | None]:
    """Checks shared by factura and notaCredito; returns Σ valor − Σ valorDevolucionIva."""
    total_sin = _amount(info, "totalSinImpuestos")
    if differs(total_sin, lines.total_sin_impuestos):
        return ZERO, (
            f"El valor totalSinImpuestos {_fmt(total_sin)} no corresponde a la suma de los "
            f"precioTotalSinImpuesto de los detalles = {_fmt(lines.total_sin_impuestos)}"
        )
    totals = info.findall("totalConImpuestos/totalImpuesto")
    if with_discount:
        adicional = sum((_amount(t, "descuentoAdicional") for t in totals), ZERO)
        expected_descuento = lines.total_descuento + adicional
        declared_descuento = _amount(info, "totalDescuento")
        if differs(declared_descuento, expected_descuento):
            return ZERO, (
                f"El valor totalDescuento {_fmt(declared_descuento)} no corresponde a la suma de los "
                f"descuentos de los detalles = {_fmt(expected_descuento)}"
            )
    declared_groups: dict[tuple[str, str], list[etree._Element]] = {}
    for total in totals:
        key = ((total.findtext("codigo") or "").strip(), (total.findtext("codigoPorcentaje") or "").strip())
        declared_groups.setdefault(key, []).append(total)
    for key in lines.groups:
        if key not in declared_groups:
            return ZERO, (
                f"No existe totalImpuesto para el impuesto codigo {key[0]} codigoPorcentaje {key[1]} "
                f"presente en los detalles (baseImponible {_fmt(lines.groups[key].base)})"
            )
    taxes = ZERO
    for key, elements in declared_groups.items():
        problem = _check_group(key, elements, lines.groups.get(key, _Group()))
        if problem:
            return ZERO, problem
        valor = sum((_amount(e, "valor") for e in elements), ZERO)
        devolucion = sum((_amount(e, "valorDevolucionIva") for e in elements), ZERO)
        taxes += valor - devolucion
    # Compensaciones (solidarity IVA compensation) reduce the amount payable. [UNCONFIRMED]
    taxes -= sum((_amount(c, "valor") for c in info.findall("compensaciones/compensacion")), ZERO)
    return taxes, None


def check_factura(root: etree._Element) -> str | None:
    info = root.find("infoFactura")
    if info is None:
        return "El comprobante no contiene infoFactura"
    lines, problem = _check_lines(root.findall("detalles/detalle"))
    if problem:
        return problem
    taxes, problem = _check_totals(info, lines, with_discount=True)
    if problem:
        return problem
    charges = sum((_amount(info, name) for name in _FACTURA_CHARGES), ZERO)
    expected_total = _amount(info, "totalSinImpuestos") + taxes + charges
    importe = _amount(info, "importeTotal")
    if differs(importe, expected_total):
        return (
            f"El valor importeTotal {_fmt(importe)} no corresponde a totalSinImpuestos + impuestos + propina "
            f"y cargos = {_fmt(expected_total)}"
        )
    pagos = info.findall("pagos/pago")
    if pagos:
        pagado = sum((_amount(p, "total") for p in pagos), ZERO)
        if differs(pagado, importe):
            return f"La suma de los pagos {_fmt(pagado)} no corresponde al importeTotal {_fmt(importe)}"
    return None


def check_nota_credito(root: etree._Element) -> str | None:
    info = root.find("infoNotaCredito")
    if info is None:
        return "El comprobante no contiene infoNotaCredito"
    lines, problem = _check_lines(root.findall("detalles/detalle"))
    if problem:
        return problem
    taxes, problem = _check_totals(info, lines, with_discount=False)
    if problem:
        return problem
    expected_total = _amount(info, "totalSinImpuestos") + taxes
    declared = _amount(info, "valorModificacion")
    if differs(declared, expected_total):
        return (
            f"El valor valorModificacion {_fmt(declared)} no corresponde a totalSinImpuestos + impuestos "
            f"= {_fmt(expected_total)}"
        )
    return None
