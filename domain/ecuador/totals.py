"""Invoice arithmetic exactly as the SRI recomputes it (reference §7, error 52 "Error en diferencias").

Line subtotals are rounded to cents first; the IVA of each rate is then computed once over the sum of
its line bases. Summing per-line IVA instead can differ by a cent, which the SRI rejects.
"""

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from domain.ecuador.catalog import IVA_RATES
from domain.ecuador.sale import EcuadorSale, SaleLine
from domain.money import ZERO, round2


@dataclass(frozen=True)
class LineAmounts:
    subtotal: Decimal  # precioTotalSinImpuesto
    iva_code: str
    rate: Decimal
    iva: Decimal  # impuesto/valor of the line


@dataclass(frozen=True)
class TaxGroup:
    iva_code: str
    rate: Decimal
    base: Decimal
    value: Decimal


@dataclass(frozen=True)
class SaleTotals:
    lines: tuple[LineAmounts, ...]
    groups: tuple[TaxGroup, ...]
    subtotal: Decimal  # totalSinImpuestos
    discount: Decimal  # totalDescuento
    iva: Decimal
    tip: Decimal
    total: Decimal  # importeTotal


def line_amounts(line: SaleLine) -> LineAmounts:
    rate = IVA_RATES[line.iva_code].percent if line.iva_code in IVA_RATES else ZERO
    subtotal = round2(line.quantity * line.unit_price - line.discount)
    return LineAmounts(subtotal, line.iva_code, rate, round2(subtotal * rate / 100))


def compute_totals(sale: EcuadorSale) -> SaleTotals:
    lines = tuple(line_amounts(line) for line in sale.lines)
    bases: dict[str, Decimal] = defaultdict(lambda: ZERO)
    rates: dict[str, Decimal] = {}
    for amounts in lines:
        bases[amounts.iva_code] += amounts.subtotal
        rates[amounts.iva_code] = amounts.rate
    groups = tuple(
        TaxGroup(code, rates[code], round2(base), round2(base * rates[code] / 100))
        for code, base in sorted(bases.items(), key=lambda item: int(item[0]) if item[0].isdigit() else 99)
    )
    subtotal = round2(sum((a.subtotal for a in lines), ZERO))
    iva = round2(sum((g.value for g in groups), ZERO))
    tip = round2(sale.tip)
    return SaleTotals(
        lines=lines,
        groups=groups,
        subtotal=subtotal,
        discount=round2(sum((line.discount for line in sale.lines), ZERO)),
        iva=iva,
        tip=tip,
        total=subtotal + iva + tip,
    )
