"""CFDI amounts with the SAT's decimal rules: per-line rounding, summaries as sums of rounded lines."""

from decimal import Decimal

from domain.mexico.sale import MexicoSale, SaleLine, TransferredTax, WithheldTax
from domain.mexico.totals import compute_totals, rate_text
from simulators.pac.testkit import sample_sale


def _line(price: str, quantity: str = "1", **changes: object) -> SaleLine:
    return SaleLine.model_validate({"product_key": "43211503", "quantity": Decimal(quantity), "unit_key": "H87",
                                    "description": "x", "unit_price": Decimal(price),
                                    "transferred": [TransferredTax()], **changes})


def _sale(*lines: SaleLine, currency: str = "MXN") -> MexicoSale:
    return sample_sale(lines=list(lines), currency=currency, exchange_rate=None if currency == "MXN" else Decimal(1))


def test_reference_example_with_an_exempt_concept() -> None:
    totals = compute_totals(sample_sale())
    assert (totals.subtotal, totals.discount, totals.total_transferred, totals.total_withheld, totals.total) == (
        Decimal("1015.14"), Decimal("1.00"), Decimal("160.00"), Decimal("1.42"), Decimal("1172.72"))
    assert [(r.factor, r.base, r.amount) for r in totals.transferred] == [
        ("Tasa", Decimal("999.99"), Decimal("160.00")), ("Exento", Decimal("14.15"), None)]


def test_summary_tax_is_the_sum_of_rounded_line_taxes_not_a_recomputation() -> None:
    # Each line: 0.15 × 0.16 = 0.024 → 0.02, three lines sum to 0.06; round(0.45 × 0.16) would be 0.07.
    totals = compute_totals(_sale(_line("0.15"), _line("0.15"), _line("0.15")))
    assert [line.transferred[0].amount for line in totals.lines] == [Decimal("0.02")] * 3
    assert totals.transferred[0].base == Decimal("0.45")
    assert totals.transferred[0].amount == Decimal("0.06")  # CFDI40221 would reject 0.07
    assert totals.total == Decimal("0.51")


def test_concept_amount_is_rounded_half_up_to_the_currency() -> None:
    totals = compute_totals(_sale(_line("123.456", quantity="3.5")))
    assert totals.lines[0].amount == Decimal("432.10")  # 432.096
    totals = compute_totals(_sale(_line("0.125")))
    assert totals.lines[0].amount == Decimal("0.13")


def test_currencies_without_decimals() -> None:
    totals = compute_totals(_sale(_line("100.4"), currency="CLP"))
    assert totals.decimals == 0
    assert totals.subtotal == Decimal("100")
    assert totals.total == Decimal("116")


def test_groups_by_tax_factor_and_rate_in_order_of_appearance() -> None:
    totals = compute_totals(_sale(
        _line("100"),
        _line("50", transferred=[TransferredTax(rate=Decimal("0.08"))]),
        _line("10", transferred=[TransferredTax(rate=Decimal("0"))]),
        _line("20"),
    ))
    assert [(r.rate, r.base, r.amount) for r in totals.transferred] == [
        (Decimal("0.160000"), Decimal("120.00"), Decimal("19.20")),
        (Decimal("0.080000"), Decimal("50.00"), Decimal("4.00")),
        (Decimal("0.000000"), Decimal("10.00"), Decimal("0.00")),
    ]
    assert totals.total_transferred == Decimal("23.20")


def test_withholdings_are_one_row_per_tax() -> None:
    fees = [WithheldTax(tax="001", rate=Decimal("0.10")), WithheldTax(tax="002", rate=Decimal("0.106667"))]
    totals = compute_totals(_sale(_line("1000", withheld=fees), _line("333.33", withheld=fees)))
    # IVA: 106.667 → 106.67 and 35.5555 → 35.56, summed: 142.23 (not round(1333.33 × 0.106667) = 142.22).
    assert [(w.tax, w.amount) for w in totals.withheld] == [("001", Decimal("133.33")), ("002", Decimal("142.23"))]
    assert totals.total == Decimal("1333.33") + Decimal("213.33") - Decimal("133.33") - Decimal("142.23")


def test_only_exempt_concepts_have_no_transferred_total() -> None:
    totals = compute_totals(_sale(_line("10", transferred=[TransferredTax(factor="Exento", rate=None)])))
    assert totals.total_transferred is None
    assert totals.transferred[0].amount is None
    assert totals.total == Decimal("10.00")


def test_no_discount_attribute_without_discounts_and_objects_without_taxes() -> None:
    totals = compute_totals(_sale(_line("10", tax_object="01", transferred=[])))
    assert totals.discount is None
    assert totals.transferred == () and totals.total_transferred is None


def test_rate_is_written_with_six_decimals() -> None:
    assert rate_text(Decimal("0.16")) == "0.160000"
    assert rate_text(Decimal("0.1066667")) == "0.106667"
