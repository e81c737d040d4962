"""Each CFDI 4.0 business rule of domain.mexico.validation, with the SAT code and the field it reports."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from domain.mexico.catalog import regimes_for, uses_for
from domain.mexico.rfc import expected_check_digit, persona_type, rfc_problems
from domain.mexico.sale import GlobalInformation, MexicoSale, Receiver, SaleLine, TransferredTax, WithheldTax
from domain.mexico.validation import receiver_problems, validate_sale

TODAY = date(2026, 11, 21)


@dataclass(frozen=True)
class Issuer:
    rfc: str = "EKU9003173C9"
    name: str = "ESCUELA KEMPER URGATE"
    tax_regime: str = "601"
    postal_code: str = "42501"


def line(**changes: Any) -> SaleLine:
    values: dict[str, Any] = {
        "product_key": "43211503", "quantity": Decimal("1"), "unit_key": "H87", "description": "Laptop",
        "unit_price": Decimal("100"), "transferred": [TransferredTax()],
    }
    return SaleLine(**{**values, **changes})


def receiver(**changes: Any) -> Receiver:
    values: dict[str, Any] = {"rfc": "URE180429TM6", "name": "UNIVERSIDAD ROBOTICA ESPAÑOLA", "postal_code": "86991",
                              "tax_regime": "601", "cfdi_use": "G03"}
    return Receiver(**{**values, **changes})


def sale(**changes: Any) -> MexicoSale:
    values: dict[str, Any] = {"order_id": "o-1", "issuer": {"rfc": "EKU9003173C9"}, "receiver": receiver(),
                              "lines": [line()], "payment_form": "03"}
    return MexicoSale.model_validate({**values, **changes})


def codes(problems: list[Any]) -> set[tuple[str, str]]:
    return {(p.field, p.code) for p in problems if p.severity == "error"}


def test_a_good_sale_has_no_problems() -> None:
    assert validate_sale(sale(), issuer=Issuer(), today=TODAY) == []


def test_the_sale_exposes_what_every_country_sale_has() -> None:
    s = sale()
    assert (s.country, s.issuer_id, s.buyer_name, s.buyer_identification, s.buyer_email) == (
        "MX", "EKU9003173C9", "UNIVERSIDAD ROBOTICA ESPAÑOLA", "URE180429TM6", None)


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"receiver": receiver(rfc="URE18042")}, ("receiver.rfc", "MX.RFC.FORMAT")),
        ({"receiver": receiver(name="PUBLICO EN GENERAL")}, ("receiver.name", "CFDI40146")),
        ({"receiver": receiver(name="")}, ("receiver.name", "MX.TEXT.EMPTY")),
        ({"receiver": receiver(name="ACME | CO")}, ("receiver.name", "MX.TEXT.PIPE")),
        ({"receiver": receiver(postal_code="8699")}, ("receiver.postal_code", "CFDI40147")),
        ({"receiver": receiver(postal_code="00001")}, ("receiver.postal_code", "CFDI40147")),
        ({"receiver": receiver(tax_regime="999")}, ("receiver.tax_regime", "CFDI40157")),
        ({"receiver": receiver(tax_regime="609")}, ("receiver.tax_regime", "CFDI40157")),  # retired in 2019
        ({"receiver": receiver(tax_regime="612")}, ("receiver.tax_regime", "CFDI40158")),  # física-only régimen
        ({"receiver": receiver(cfdi_use="X99")}, ("receiver.cfdi_use", "CFDI40160")),
        ({"receiver": receiver(cfdi_use="D01")}, ("receiver.cfdi_use", "CFDI40161")),  # personal deduction, moral
        ({"receiver": receiver(cfdi_use="CP01")}, ("receiver.cfdi_use", "CFDI40161")),  # payments only
        ({"receiver": receiver(email="not-an-email")}, ("receiver.email", "MX.RECEIVER.EMAIL")),
        ({"receiver": receiver(foreign_residence="USA")}, ("receiver.foreign_residence", "CFDI40151")),
        ({"receiver": receiver(foreign_tax_id="123")}, ("receiver.foreign_tax_id", "CFDI40154")),
        ({"payment_form": "77"}, ("payment_form", "CFDI40104")),
        ({"payment_method": "PPD"}, ("payment_form", "CFDI40105")),
        ({"payment_method": "XYZ"}, ("payment_method", "CFDI40124")),
        ({"currency": "ABC"}, ("currency", "CFDI40113")),
        ({"currency": "MXN", "exchange_rate": Decimal("17.5")}, ("exchange_rate", "CFDI40114")),
        ({"currency": "USD"}, ("exchange_rate", "CFDI40115")),
        ({"currency": "USD", "exchange_rate": Decimal("17.1234567")}, ("exchange_rate", "CFDI40117")),
        ({"export": "09"}, ("export", "CFDI40123")),
        ({"export": "02"}, ("export", "CFDI40122")),
        ({"place_of_issue": "00001"}, ("place_of_issue", "CFDI40126")),
        ({"global_information": GlobalInformation(periodicity="01", months="01", year=2026)},
         ("global_information", "MX.GLOBAL.NOT_PUBLIC")),
        ({"lines": []}, ("lines", "MX.LINES.EMPTY")),
        ({"issuer": {"rfc": "EKU9003173C9", "serie": "A|B"}}, ("issuer.serie", "MX.TEXT.PIPE")),
        ({"issuer": {"rfc": "AAA010101AAA"}}, ("issuer.rfc", "MX.ISSUER.MISMATCH")),
        ({"expected_total": Decimal("1")}, ("expected_total", "MX.TOTAL.MISMATCH")),
    ],
)
def test_document_and_receiver_rules(changes: dict[str, Any], expected: tuple[str, str]) -> None:
    assert expected in codes(validate_sale(sale(**changes), issuer=Issuer(), today=TODAY))


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"product_key": "99999999"}, ("lines[0].product_key", "CFDI40162")),
        ({"product_key": "4321"}, ("lines[0].product_key", "CFDI40162")),
        ({"unit_key": "ZZZ"}, ("lines[0].unit_key", "CFDI40165")),
        ({"unit_price": Decimal("0")}, ("lines[0].unit_price", "CFDI40166")),
        ({"unit_price": Decimal("1.1234567")}, ("lines[0].unit_price", "MX.AMOUNT.DECIMALS")),
        ({"quantity": Decimal("0")}, ("lines[0].quantity", "MX.LINE.QUANTITY")),
        ({"discount": Decimal("0.001")}, ("lines[0].discount", "CFDI40168")),
        ({"discount": Decimal("100.01")}, ("lines[0].discount", "CFDI40169")),
        ({"description": "a|b"}, ("lines[0].description", "MX.TEXT.PIPE")),
        ({"tax_object": "09"}, ("lines[0].tax_object", "CFDI40170")),
        ({"transferred": []}, ("lines[0].tax_object", "CFDI40171")),
        ({"tax_object": "01"}, ("lines[0].tax_object", "CFDI40172")),
        ({"tax_object": "06"}, ("lines[0].tax_object", "CFDI140226")),
        ({"tax_object": "07"}, ("lines[0].tax_object", "CFDI140227")),
        ({"discount": Decimal("100")}, ("lines[0].transferred[0]", "CFDI40174")),
        ({"transferred": [TransferredTax(tax="001")]}, ("lines[0].transferred[0].tax", "CFDI40175")),
        ({"transferred": [TransferredTax(factor="Tasas")]}, ("lines[0].transferred[0].factor", "CFDI40176")),
        ({"transferred": [TransferredTax(factor="Exento")]}, ("lines[0].transferred[0].rate", "CFDI40177")),
        ({"transferred": [TransferredTax(rate=None)]}, ("lines[0].transferred[0].rate", "CFDI40178")),
        ({"transferred": [TransferredTax(rate=Decimal("0.15"))]}, ("lines[0].transferred[0].rate", "CFDI40179")),
        ({"withheld": [WithheldTax(tax="004", rate=Decimal("0.1"))]}, ("lines[0].withheld[0].tax", "CFDI40182")),
        ({"withheld": [WithheldTax(tax="001", factor="Exento", rate=Decimal("0.1"))]},
         ("lines[0].withheld[0].factor", "CFDI40184")),
        ({"withheld": [WithheldTax(tax="002", rate=Decimal("0.17"))]}, ("lines[0].withheld[0].rate", "CFDI40185")),
        ({"withheld": [WithheldTax(tax="001", rate=Decimal("0.36"))]}, ("lines[0].withheld[0].rate", "CFDI40185")),
    ],
)
def test_concept_rules(changes: dict[str, Any], expected: tuple[str, str]) -> None:
    assert expected in codes(validate_sale(sale(lines=[line(**changes)]), issuer=Issuer(), today=TODAY))


@pytest.mark.parametrize(
    ("issuer", "expected"),
    [
        (Issuer(tax_regime="612"), ("issuer.tax_regime", "CFDI40141")),
        (Issuer(tax_regime="700"), ("issuer.tax_regime", "CFDI40140")),
        (Issuer(postal_code="1234"), ("issuer.postal_code", "CFDI40126")),
    ],
)
def test_issuer_rules(issuer: Issuer, expected: tuple[str, str]) -> None:
    assert expected in codes(validate_sale(sale(), issuer=issuer, today=TODAY))


def public() -> Receiver:
    return Receiver(rfc="XAXX010101000", name="PUBLICO EN GENERAL", postal_code="42501", tax_regime="616",
                    cfdi_use="S01")


def test_a_global_invoice_to_the_general_public_is_valid() -> None:
    info = GlobalInformation(periodicity="04", months="10", year=2026)
    global_sale = sale(receiver=public(), global_information=info, lines=[line(product_key="01010101",
                                                                               sku="TICKET-1", unit_key="ACT")])
    assert validate_sale(global_sale, issuer=Issuer(), today=TODAY) == []


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({}, ("global_information", "CFDI40130")),
        ({"global_information": GlobalInformation(periodicity="09", months="01", year=2026)},
         ("global_information.periodicity", "CFDI40131")),
        ({"global_information": GlobalInformation(periodicity="05", months="13", year=2026)},
         ("global_information.periodicity", "CFDI40132")),
        ({"global_information": GlobalInformation(periodicity="01", months="19", year=2026)},
         ("global_information.months", "CFDI40133")),
        ({"global_information": GlobalInformation(periodicity="01", months="13", year=2026)},
         ("global_information.months", "CFDI40134")),
        ({"global_information": GlobalInformation(periodicity="01", months="01", year=2023)},
         ("global_information.year", "CFDI40136")),
        ({"receiver": public().model_copy(update={"postal_code": "86991"})}, ("receiver.postal_code", "CFDI40149")),
        ({"receiver": public().model_copy(update={"tax_regime": "601"})}, ("receiver.tax_regime", "CFDI40159")),
        ({"receiver": public().model_copy(update={"cfdi_use": "G03"})}, ("receiver.cfdi_use", "CFDI40161")),
    ],
)
def test_general_public_rules(changes: dict[str, Any], expected: tuple[str, str]) -> None:
    values = {"receiver": public(), **changes}
    assert expected in codes(validate_sale(sale(**values), issuer=Issuer(), today=TODAY))


def test_bimonthly_months_need_regime_621_and_months_13_to_18() -> None:
    info = GlobalInformation(periodicity="05", months="02", year=2026)
    found = codes(validate_sale(sale(receiver=public(), global_information=info), issuer=Issuer(
        rfc="XIQB891116QE4", tax_regime="621"), today=TODAY))
    assert ("global_information.months", "CFDI40135") in found
    assert ("global_information.periodicity", "CFDI40132") not in found


def test_foreign_receiver_rules() -> None:
    foreign = Receiver(rfc="XEXX010101000", name="ACME INC", postal_code="42501", tax_regime="616", cfdi_use="S01",
                       foreign_residence="USA", foreign_tax_id="123456789")
    assert validate_sale(sale(receiver=foreign), issuer=Issuer(), today=TODAY) == []
    found = codes(validate_sale(sale(receiver=foreign.model_copy(update={"foreign_residence": "MEX"})),
                                issuer=Issuer(), today=TODAY))
    assert ("receiver.foreign_residence", "CFDI40152") in found
    found = codes(validate_sale(sale(receiver=foreign.model_copy(update={"foreign_residence": "QQQ"})),
                                issuer=Issuer(), today=TODAY))
    assert ("receiver.foreign_residence", "CFDI40150") in found
    found = codes(validate_sale(sale(receiver=foreign.model_copy(update={"foreign_residence": None})),
                                issuer=Issuer(), today=TODAY))
    assert ("receiver.foreign_residence", "CFDI40153") in found


def test_all_problems_are_reported_at_once() -> None:
    bad = sale(receiver=receiver(postal_code="0", tax_regime="612", cfdi_use="X"), payment_form="77",
               lines=[line(unit_key="ZZZ", product_key="1")])
    found = {code for _, code in codes(validate_sale(bad, issuer=Issuer(), today=TODAY))}
    assert {"CFDI40147", "CFDI40158", "CFDI40160", "CFDI40104", "CFDI40165", "CFDI40162"} <= found


def test_warnings_do_not_block() -> None:
    company = receiver(name="UNIVERSIDAD ROBOTICA ESPAÑOLA SA DE CV", rfc="URE180429TM5")
    problems = validate_sale(sale(receiver=company), issuer=Issuer(), today=TODAY)
    assert {p.code for p in problems} == {"CFDI40145", "MX.RFC.CHECK_DIGIT"}
    assert all(p.severity == "warning" for p in problems)
    assert "UNIVERSIDAD ROBOTICA ESPAÑOLA'" in next(p.message for p in problems if p.code == "CFDI40145")


def test_receiver_rules_alone_for_the_portal() -> None:
    problems = receiver_problems(receiver(tax_regime="605", cfdi_use="G03", rfc="XIQB891116QE4"),
                                 place_of_issue="42501")
    assert [(p.field, p.code) for p in problems] == [("receiver.cfdi_use", "CFDI40161")]


def test_dropdowns_follow_persona_type_and_regime() -> None:
    assert "601" in regimes_for("URE180429TM6") and "605" not in regimes_for("URE180429TM6")
    assert "605" in regimes_for("XIQB891116QE4") and "601" not in regimes_for("XIQB891116QE4")
    assert uses_for("XAXX010101000", "616") == ["S01"]
    assert "G03" not in uses_for("XIQB891116QE4", "605") and "D01" in uses_for("XIQB891116QE4", "605")


@pytest.mark.parametrize("rfc", ["EKU9003173C9", "URE180429TM6", "XIQB891116QE4", "FIN1203015JA", "LSO1306189R5",
                                 "PPD101129EA3"])
def test_check_digit_of_real_rfcs(rfc: str) -> None:
    assert expected_check_digit(rfc) == rfc[-1]
    assert rfc_problems("rfc", rfc) == []


def test_generic_rfcs_fail_the_check_digit_but_are_accepted() -> None:
    assert expected_check_digit("XAXX010101000") != "0"
    assert rfc_problems("rfc", "XAXX010101000") == []
    assert persona_type("XAXX010101000") == "fisica"
    assert persona_type("EKU9003173C9") == "moral"
    assert persona_type("eku9003173c9") is None
