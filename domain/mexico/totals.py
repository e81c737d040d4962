"""CFDI 4.0 arithmetic with the SAT's decimal rules (reference §3, matrix codes 40108–40221).

* Concept ``Importe`` = Cantidad × ValorUnitario rounded to the currency's decimals. The SAT checks it
  against limits whose lower bound is truncated and upper bound rounded up to the decimals written
  (Apéndice 7 Q41), so the rounded product is always inside them (40167).
* Each concept tax ``Importe`` = Base × TasaOCuota rounded to the currency's decimals (40180/40186).
* Summary rows are **sums of the rounded lines**, grouped by (Impuesto, TipoFactor, TasaOCuota) for
  traslados and by Impuesto for retenciones. Recomputing round(Σ bases × tasa) instead is the classic
  CFDI40221 rejection (reference §17).
* Exento rows carry only their Base and never count towards TotalImpuestosTrasladados (40213).
* Total = SubTotal − Descuento + traslados − retenciones (40119).

Half-up rounding, as everywhere in the project (:mod:`domain.money`).
"""

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from domain.mexico.catalog import currency_decimals
from domain.mexico.sale import MexicoSale, SaleLine

SIX_DECIMALS = Decimal("0.000001")
TAXED_OBJECTS = frozenset({"02", "06", "07", "08"})  # ObjetoImp values whose concepts carry Impuestos


@dataclass(frozen=True)
class TaxAmount:
    """One Traslado or Retencion of a concept."""

    tax: str
    factor: str
    rate: Decimal | None  # None for Exento
    base: Decimal
    amount: Decimal | None  # None for Exento


@dataclass(frozen=True)
class LineAmounts:
    amount: Decimal  # Importe
    discount: Decimal  # Descuento
    transferred: tuple[TaxAmount, ...]
    withheld: tuple[TaxAmount, ...]


@dataclass(frozen=True)
class TransferSummary:
    """A row of cfdi:Impuestos/Traslados."""

    tax: str
    factor: str
    rate: Decimal | None
    base: Decimal
    amount: Decimal | None


@dataclass(frozen=True)
class WithholdingSummary:
    """A row of cfdi:Impuestos/Retenciones: one per Impuesto (40208)."""

    tax: str
    amount: Decimal


@dataclass(frozen=True)
class CfdiTotals:
    decimals: int
    lines: tuple[LineAmounts, ...]
    subtotal: Decimal
    discount: Decimal | None  # None: no concept has a discount, so the attribute is omitted (40111)
    transferred: tuple[TransferSummary, ...]
    withheld: tuple[WithholdingSummary, ...]
    total_transferred: Decimal | None  # None: no Tasa/Cuota traslado (omitted, 40212/40213)
    total_withheld: Decimal | None  # None: no retenciones
    total: Decimal


def quantum(decimals: int) -> Decimal:
    return Decimal(1).scaleb(-decimals)


def round_to(value: Decimal, decimals: int) -> Decimal:
    return value.quantize(quantum(decimals), rounding=ROUND_HALF_UP)


def rate_text(rate: Decimal) -> str:
    """TasaOCuota as written in the XML: the catalog's six decimals, ``0.160000``."""
    return f"{rate.quantize(SIX_DECIMALS, rounding=ROUND_HALF_UP):f}"


def sale_decimals(sale: MexicoSale) -> int:
    """The currency's decimals; 2 when the currency is unknown (validation reports CFDI40113)."""
    found = currency_decimals(sale.currency)
    return 2 if found is None else found


def line_amounts(line: SaleLine, decimals: int) -> LineAmounts:
    amount = round_to(line.quantity * line.unit_price, decimals)
    discount = round_to(line.discount, decimals)
    base = amount - discount
    if line.tax_object not in TAXED_OBJECTS:
        return LineAmounts(amount, discount, (), ())
    transferred = tuple(
        TaxAmount(t.tax, t.factor, None, base, None)
        if t.factor == "Exento" or t.rate is None
        else TaxAmount(t.tax, t.factor, _rate(t.rate), base, round_to(base * _rate(t.rate), decimals))
        for t in line.transferred
    )
    withheld = tuple(
        TaxAmount(w.tax, w.factor, _rate(w.rate), base, round_to(base * _rate(w.rate), decimals))
        for w in line.withheld
    )
    return LineAmounts(amount, discount, transferred, withheld)


def compute_totals(sale: MexicoSale) -> CfdiTotals:
    decimals = sale_decimals(sale)
    lines = tuple(line_amounts(line, decimals) for line in sale.lines)
    zero = round_to(Decimal(0), decimals)
    subtotal = sum((a.amount for a in lines), zero)
    has_discount = any(line.discount != 0 for line in sale.lines)
    discount = sum((a.discount for a in lines), zero) if has_discount else None
    transferred = summarize_transfers(t for a in lines for t in a.transferred)
    withheld = summarize_withholdings(w for a in lines for w in a.withheld)
    taxed = [row.amount for row in transferred if row.amount is not None]
    total_transferred = sum(taxed, zero) if taxed else None
    total_withheld = sum((row.amount for row in withheld), zero) if withheld else None
    total = subtotal - (discount or zero) + (total_transferred or zero) - (total_withheld or zero)
    return CfdiTotals(
        decimals=decimals,
        lines=lines,
        subtotal=subtotal,
        discount=discount,
        transferred=transferred,
        withheld=withheld,
        total_transferred=total_transferred,
        total_withheld=total_withheld,
        total=total,
    )


def summarize_transfers(taxes: Iterable[TaxAmount]) -> tuple[TransferSummary, ...]:
    """Group by (Impuesto, TipoFactor, TasaOCuota) in order of first appearance (40215/40218/40221)."""
    groups: dict[tuple[str, str, Decimal | None], list[TaxAmount]] = {}
    for tax in taxes:
        groups.setdefault((tax.tax, tax.factor, tax.rate), []).append(tax)
    rows = []
    for (tax_code, factor, rate), members in groups.items():
        base = sum((m.base for m in members), Decimal(0))
        amounts = [m.amount for m in members if m.amount is not None]
        amount = sum(amounts, Decimal(0)) if rate is not None else None
        rows.append(TransferSummary(tax_code, factor, rate, base, amount))
    return tuple(rows)


def summarize_withholdings(taxes: Iterable[TaxAmount]) -> tuple[WithholdingSummary, ...]:
    """One row per Impuesto (40208) whose Importe is the sum of the rounded lines (40211)."""
    sums: dict[str, Decimal] = {}
    for tax in taxes:
        sums[tax.tax] = sums.get(tax.tax, Decimal(0)) + (tax.amount or Decimal(0))
    return tuple(WithholdingSummary(code, amount) for code, amount in sums.items())


def _rate(rate: Decimal) -> Decimal:
    # What the XML carries is the six-decimal text; compute with exactly that value.
    return rate.quantize(SIX_DECIMALS, rounding=ROUND_HALF_UP)
