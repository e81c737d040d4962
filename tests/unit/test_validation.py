from datetime import date

from domain.ecuador.validation import has_errors, validate_sale
from tests.support.sales import make_sale

TODAY = date(2026, 11, 21)


def codes(problems: list) -> set[tuple[str, str]]:  # type: ignore[type-arg]
    return {(p.field, p.code) for p in problems}


def test_a_correct_sale_has_no_problems() -> None:
    assert validate_sale(make_sale(), today=TODAY) == []


def test_every_problem_is_reported_at_once_with_its_field() -> None:
    sale = make_sale(
        buyer={"id_type": "05", "identification": "1713328507", "name": "Ana", "email": "not-an-email"},
        lines=[
            {"description": "", "quantity": "0", "unit_price": "1.1234567", "iva_code": "2"},
            {"description": "ok", "quantity": "1", "unit_price": "5", "discount": "6", "iva_code": "99"},
        ],
        payments=[{"method": "05", "amount": "1.001"}],
        issue_date="2026-12-01",
    )
    found = codes(validate_sale(sale, today=TODAY))
    assert found >= {
        ("buyer.identification", "EC.CEDULA.CHECK_DIGIT"),
        ("buyer.email", "EC.BUYER.EMAIL"),
        ("lines[0].description", "EC.TEXT.EMPTY"),
        ("lines[0].quantity", "EC.LINE.QUANTITY"),
        ("lines[0].unit_price", "EC.AMOUNT.DECIMALS"),
        ("lines[0].iva_code", "EC.IVA.NOT_IN_FORCE"),  # 12 % ended on 31 March 2024
        ("lines[1].discount", "EC.LINE.DISCOUNT"),
        ("lines[1].iva_code", "EC.IVA.UNKNOWN"),
        ("payments[0].method", "EC.PAYMENT.METHOD"),
        ("payments[0].amount", "EC.AMOUNT.DECIMALS"),
        ("issue_date", "EC.DATE.FUTURE"),
    }


def test_twelve_percent_is_valid_for_an_invoice_dated_before_april_2024() -> None:
    sale = make_sale(lines=[{"description": "x", "quantity": "1", "unit_price": "10", "iva_code": "2"}],
                     payments=[{"method": "01", "amount": "11.20"}], issue_date="2024-03-20")
    assert validate_sale(sale, today=date(2024, 3, 25)) == []


def test_payments_must_add_up_to_the_total() -> None:
    problems = validate_sale(make_sale(payments=[{"method": "01", "amount": "28.00"}]), today=TODAY)
    assert codes(problems) == {("payments", "EC.PAYMENTS.TOTAL")}
    assert "28.13" in problems[0].message


def test_expected_total_is_checked() -> None:
    problems = validate_sale(make_sale(expected_total="30.00"), today=TODAY)
    assert codes(problems) == {("expected_total", "EC.TOTAL.MISMATCH")}


def test_consumidor_final_rules() -> None:
    wrong_id = make_sale(buyer={"id_type": "07", "identification": "1713328506", "name": "CONSUMIDOR FINAL"})
    assert ("buyer.identification", "EC.BUYER.CONSUMIDOR_FINAL_ID") in codes(validate_sale(wrong_id, today=TODAY))
    wrong_type = make_sale(buyer={"id_type": "05", "identification": "9999999999999", "name": "X"})
    assert ("buyer.id_type", "EC.BUYER.ID_TYPE") in codes(validate_sale(wrong_type, today=TODAY))
    too_much = make_sale(
        buyer={"id_type": "07", "identification": "9999999999999", "name": "CONSUMIDOR FINAL"},
        lines=[{"description": "TV", "quantity": "1", "unit_price": "100", "iva_code": "4"}],
        payments=[{"method": "01", "amount": "115.00"}])
    assert codes(validate_sale(too_much, today=TODAY)) == {("buyer.id_type", "EC.BUYER.CONSUMIDOR_FINAL_LIMIT")}


def test_company_ruc_failing_checksum_warns_but_does_not_block() -> None:
    sale = make_sale(buyer={"id_type": "04", "identification": "0993370026001", "name": "Empresa S.A.S."})
    problems = validate_sale(sale, today=TODAY)
    assert [p.severity for p in problems] == ["warning"]
    assert not has_errors(problems)


def test_limits_of_additional_fields_and_line_details() -> None:
    sale = make_sale(additional_info=[{"name": f"n{i}", "value": "v"} for i in range(15)])
    # 15 fields plus the buyer's e-mail would be 16: over the SRI's limit.
    assert ("additional_info", "EC.INFO.TOO_MANY") in codes(validate_sale(sale, today=TODAY))


def test_text_is_normalized_not_rejected() -> None:
    sale = make_sale(buyer={"id_type": "05", "identification": "1713328506", "name": "  Ana \n  Paredes  "})
    assert sale.buyer.name == "Ana Paredes"
