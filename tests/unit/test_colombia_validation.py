"""Validation of Colombian sales: every problem at once, with field paths and codes; numbering alerts."""

from datetime import date
from decimal import Decimal

from adapters.colombia.resolution import HABILITACION_RESOLUTION
from domain.colombia.numbering import WarningThreshold, number_problems, resolution_warnings
from domain.colombia.resolution import NumberingResolution
from domain.colombia.totals import compute_totals
from domain.colombia.validation import validate_sale
from domain.problems import Problem
from tests.unit.test_colombia_samples import ADDRESS, TODAY, make_sale

SMALL_RANGE = NumberingResolution(authorization="18764000001234", prefix="FE", range_from=1, range_to=1000,
                                  valid_from=date(2025, 1, 1), valid_to=date(2026, 3, 31), technical_key="k")


def codes(problems: list[Problem]) -> dict[str, str]:
    return {p.field: p.code for p in problems}


def test_every_problem_is_reported_at_once() -> None:
    sale = make_sale(
        issuer={"nit": "90039012-6", "prefix": "FV"},
        issue_date="2026-03-09",
        buyer={"id_type": "31", "identification": "900390126", "check_digit": "7", "name": "", "person_type": "1",
               "tax_responsibilities": ["O-99"], "email": "not-an-email",
               "address": {**ADDRESS, "city_code": "05001"}},
        lines=[
            {"description": "ok", "quantity": "0", "unit_price": "-1", "unit_code": "XYZ",
             "taxes": [{"scheme": "01", "percent": "12"}]},
            {"description": "x", "quantity": "1.1234567", "unit_price": "10", "discount": "20",
             "taxes": [{"scheme": "04", "percent": "8"}, {"scheme": "04", "percent": "8"}]},
        ],
        payment={"form": "2", "means_code": "99"},
    )
    problems = validate_sale(sale, today=TODAY, resolution=HABILITACION_RESOLUTION)
    assert codes(problems) == {
        "issuer.nit": "CO.NIT.FORMAT",
        "issuer.prefix": "CO.NUMBERING.PREFIX",
        "issue_date": "CO.DATE.NOT_SIGNING_DAY",
        "buyer.name": "CO.TEXT.EMPTY",
        "buyer.check_digit": "CO.NIT.CHECK_DIGIT",
        "buyer.tax_responsibilities[0]": "CO.BUYER.RESPONSIBILITY",
        "buyer.email": "CO.BUYER.EMAIL",
        "buyer.address.city_code": "CO.ADDRESS.DANE",
        "lines[0].quantity": "CO.LINE.QUANTITY",
        "lines[0].unit_code": "CO.LINE.UNIT",
        "lines[0].unit_price": "CO.AMOUNT.NEGATIVE",
        "lines[0].taxes[0].percent": "CO.TAX.RATE",
        "lines[1].quantity": "CO.AMOUNT.DECIMALS",
        "lines[1].discount": "CO.LINE.DISCOUNT",
        "lines[1].taxes[1].scheme": "CO.TAX.DUPLICATE",
        "payment.means_code": "CO.PAYMENT.MEANS",
        "payment.due_date": "CO.PAYMENT.DUE_DATE",
    }
    assert all(p.severity == "error" for p in problems)


def test_id_types_and_consumidor_final() -> None:
    bad = make_sale(buyer={"id_type": "13", "identification": "222222222222", "check_digit": "1", "name": "CF",
                           "person_type": "1"})
    assert codes(validate_sale(bad, today=TODAY, resolution=HABILITACION_RESOLUTION)) == {
        "buyer.check_digit": "CO.BUYER.CHECK_DIGIT_NOT_NIT",
        "buyer.person_type": "CO.BUYER.PERSON_TYPE",
    }
    passport = make_sale(buyer={"id_type": "41", "identification": "AB12345", "name": "John Doe"})
    assert validate_sale(passport, today=TODAY, resolution=HABILITACION_RESOLUTION) == []
    cedula_letters = make_sale(buyer={"id_type": "13", "identification": "AB12", "name": "X"})
    assert codes(validate_sale(cedula_letters, today=TODAY, resolution=HABILITACION_RESOLUTION)) == {
        "buyer.identification": "CO.BUYER.IDENTIFICATION"}


def test_expected_total_is_checked_against_the_lines() -> None:
    payable = compute_totals(make_sale()).payable
    assert validate_sale(make_sale(expected_total=str(payable)), today=TODAY,
                         resolution=HABILITACION_RESOLUTION) == []
    [problem] = validate_sale(make_sale(expected_total="1"), today=TODAY, resolution=HABILITACION_RESOLUTION)
    assert (problem.field, problem.code) == ("expected_total", "CO.TOTAL.MISMATCH")


def test_expired_and_exhausted_ranges_are_clear_problems() -> None:
    sale = make_sale(issuer={"nit": "900390126", "prefix": "FE"})
    assert validate_sale(sale, today=TODAY, resolution=SMALL_RANGE, next_number=1000) == []
    exhausted = validate_sale(sale, today=TODAY, resolution=SMALL_RANGE, next_number=1001)
    assert [(p.field, p.code) for p in exhausted] == [("number", "CO.RESOLUTION.EXHAUSTED")]
    assert "exhausted" in exhausted[0].message
    expired = validate_sale(sale, today=date(2026, 4, 1), resolution=SMALL_RANGE)
    assert [(p.field, p.code) for p in expired] == [("resolution.valid_to", "CO.RESOLUTION.EXPIRED")]
    early = validate_sale(sale, today=date(2024, 12, 31), resolution=SMALL_RANGE)
    assert [p.code for p in early] == ["CO.RESOLUTION.NOT_YET_VALID"]
    assert [p.code for p in number_problems(SMALL_RANGE, 0)] == ["CO.RESOLUTION.OUT_OF_RANGE"]


def test_resolution_warnings_before_it_is_too_late() -> None:
    warnings = resolution_warnings(SMALL_RANGE, 900, date(2026, 3, 10), WarningThreshold(numbers=200, days=30))
    assert [(w.code, w.severity) for w in warnings] == [
        ("CO.RESOLUTION.NEARLY_EXHAUSTED", "warning"), ("CO.RESOLUTION.EXPIRING", "warning")]
    assert "101 numbers left" in warnings[0].message
    assert resolution_warnings(HABILITACION_RESOLUTION, 990000001, TODAY) == []


def test_sale_properties_used_by_the_workflow() -> None:
    sale = make_sale()
    assert (sale.issuer_id, sale.buyer_email, sale.buyer_name, sale.buyer_identification) == (
        "900390126", "ana.perez@correo.example", "Ana María Pérez", "1020304050")
    assert sale.country == "CO"
    assert isinstance(sale.lines[0].unit_price, Decimal)
