"""Invoice arithmetic as DIAN checks it (reference §2.6: FAS02/FAS07, FAU02–FAU14)."""

from decimal import Decimal

from domain.colombia.totals import compute_totals
from tests.unit.test_colombia_samples import make_sale


def test_lines_taxes_and_totals() -> None:
    totals = compute_totals(make_sale())
    extensions = [line.line_extension for line in totals.lines]
    assert extensions == [Decimal("29000.00"), Decimal("10501.50"), Decimal("42000.00"), Decimal("18000.00")]
    assert totals.lines[0].discount == Decimal("1000.00")
    assert [(t.scheme, t.amount) for t in totals.tax_totals] == [("01", Decimal("6035.08")), ("04", Decimal("1440.00"))]
    iva = totals.tax_totals[0]
    assert [(g.percent, g.taxable, g.amount) for g in iva.subtotals] == [
        (Decimal("5"), Decimal("10501.50"), Decimal("525.08")),  # 525.075 → half-up
        (Decimal("19"), Decimal("29000.00"), Decimal("5510.00")),
    ]
    assert totals.line_extension == Decimal("99501.50")  # FAU02
    assert totals.tax_exclusive == Decimal("57501.50")  # FAU04: the excluded book is not a taxable base
    assert totals.tax_inclusive == Decimal("106976.58")  # FAU06
    assert totals.payable == totals.tax_inclusive  # FAU14 without document allowances/charges
    assert totals.tax_amount("03") == Decimal("0.00")


def test_exempt_iva_is_a_zero_tax_not_an_exclusion() -> None:
    sale = make_sale(lines=[{"description": "Exento", "quantity": "1", "unit_price": "100",
                             "taxes": [{"scheme": "01", "percent": "0"}]}])
    totals = compute_totals(sale)
    assert [(t.scheme, t.amount) for t in totals.tax_totals] == [("01", Decimal("0"))]
    assert totals.tax_exclusive == Decimal("100.00")
