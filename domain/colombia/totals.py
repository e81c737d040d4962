"""Invoice arithmetic as the DIAN recomputes it (reference §2.6 and §2.7, rules FAS*/FAU*).

Per line: gross = quantity × unit price, line extension = gross − discount (the discount travels as a
line AllowanceCharge), and each tax = line extension × percent / 100, all rounded to cents half-up.
The header TaxTotal of a tributo holds one TaxSubtotal per rate whose amounts are the *sums of the
lines'* amounts, so that header and lines always agree (FAS02: TaxTotal = Σ TaxSubtotal), and the
monetary totals follow FAU02–FAU14:

* LineExtensionAmount = Σ line extensions (FAU02)
* TaxExclusiveAmount = Σ extensions of the lines that carry a tax, exempt 0 % included (FAU04)
* TaxInclusiveAmount = LineExtensionAmount + Σ taxes (FAU06; withholdings never enter)
* PayableAmount = TaxInclusive − AllowanceTotal + ChargeTotal (FAU14); document-level discounts and
  charges are not offered, so both are zero.
"""

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from domain.colombia.catalog import INC, IVA
from domain.colombia.sale import ColombiaSale, ColombiaSaleLine
from domain.money import ZERO, round2

# Header TaxTotal order: IVA then INC, the order of the CUFE fields (reference §4.1).
SCHEME_ORDER = (IVA, INC)


@dataclass(frozen=True)
class LineTaxAmount:
    scheme: str
    percent: Decimal
    taxable: Decimal
    amount: Decimal


@dataclass(frozen=True)
class LineTotals:
    gross: Decimal  # quantity × unit price (AllowanceCharge/BaseAmount)
    discount: Decimal  # AllowanceCharge/Amount
    line_extension: Decimal  # cbc:LineExtensionAmount
    taxes: tuple[LineTaxAmount, ...]


@dataclass(frozen=True)
class TaxRateGroup:
    scheme: str
    percent: Decimal
    taxable: Decimal
    amount: Decimal


@dataclass(frozen=True)
class TaxSchemeTotal:
    scheme: str
    amount: Decimal
    subtotals: tuple[TaxRateGroup, ...]


@dataclass(frozen=True)
class ColombiaTotals:
    lines: tuple[LineTotals, ...]
    tax_totals: tuple[TaxSchemeTotal, ...]
    line_extension: Decimal
    tax_exclusive: Decimal
    tax_inclusive: Decimal
    allowance_total: Decimal
    charge_total: Decimal
    payable: Decimal

    def tax_amount(self, scheme: str) -> Decimal:
        """The header TaxTotal/TaxAmount of a tributo, 0.00 when absent (CUFE ValImp, §4.1)."""
        return next((t.amount for t in self.tax_totals if t.scheme == scheme), ZERO)

    @property
    def total_tax(self) -> Decimal:
        return sum((t.amount for t in self.tax_totals), ZERO)


def line_totals(line: ColombiaSaleLine) -> LineTotals:
    gross = round2(line.quantity * line.unit_price)
    discount = round2(line.discount)
    extension = gross - discount
    taxes = tuple(
        LineTaxAmount(tax.scheme, tax.percent, extension, round2(extension * tax.percent / 100))
        for tax in line.taxes
    )
    return LineTotals(gross=gross, discount=discount, line_extension=extension, taxes=taxes)


def compute_totals(sale: ColombiaSale) -> ColombiaTotals:
    lines = tuple(line_totals(line) for line in sale.lines)
    bases: dict[tuple[str, Decimal], Decimal] = defaultdict(lambda: ZERO)
    amounts: dict[tuple[str, Decimal], Decimal] = defaultdict(lambda: ZERO)
    for totals in lines:
        for tax in totals.taxes:
            key = (tax.scheme, tax.percent)
            bases[key] += tax.taxable
            amounts[key] += tax.amount
    tax_totals = []
    for scheme in SCHEME_ORDER:
        groups = tuple(
            TaxRateGroup(scheme, percent, bases[(scheme, percent)], amounts[(scheme, percent)])
            for (group_scheme, percent) in sorted(bases, key=lambda key: key[1])
            if group_scheme == scheme
        )
        if groups:
            tax_totals.append(TaxSchemeTotal(scheme, sum((g.amount for g in groups), ZERO), groups))
    line_extension = sum((t.line_extension for t in lines), ZERO)
    tax_exclusive = sum((t.line_extension for t in lines if t.taxes), ZERO)
    tax_inclusive = line_extension + sum((t.amount for t in tax_totals), ZERO)
    return ColombiaTotals(
        lines=lines,
        tax_totals=tuple(tax_totals),
        line_extension=line_extension,
        tax_exclusive=tax_exclusive,
        tax_inclusive=tax_inclusive,
        allowance_total=ZERO,
        charge_total=ZERO,
        payable=tax_inclusive,
    )
