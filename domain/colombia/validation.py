"""Business validation of a Colombian sale before it is numbered, signed and sent to the DIAN.

Every rule returns problems instead of raising, so a person sees all of them at once, each with the
field path to edit. The rules are the DIAN's (reference §8: DV FAJ24/FAK24, responsibilities FAK26,
lines FAV04b/FAV05/FAZ02, taxes FAS*, totals FAU*, numbering FAD05d/FAD09a/FAB10b, dates FAD09e)
checked on the request, where they can still be fixed cheaply.
"""

import re
from datetime import date
from decimal import Decimal

from domain.colombia.catalog import (
    ALPHANUMERIC_ID_TYPES,
    CONSUMIDOR_FINAL_ID,
    PAYMENT_MEANS,
    RESPONSIBILITIES,
    TAX_NAMES,
    TAX_RATES,
    UNIT_CODES,
    IdType,
)
from domain.colombia.nit import nit_problems
from domain.colombia.numbering import number_problems, resolution_problems
from domain.colombia.resolution import NumberingResolution
from domain.colombia.sale import ColombiaAddress, ColombiaBuyer, ColombiaSale, ColombiaSaleLine
from domain.colombia.totals import compute_totals
from domain.money import decimal_places
from domain.problems import Problem

MAX_NAME = 450  # RegistrationName
MAX_TEXT = 300
MAX_NOTES = 10
MAX_MONEY = Decimal("999999999999999.99")
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
DIGITS = re.compile(r"^[0-9]+$")
NIT = re.compile(r"^[0-9]{1,15}$")
ALPHANUMERIC = re.compile(r"^[A-Za-z0-9]+$")


def validate_sale(
    sale: ColombiaSale,
    *,
    today: date,
    resolution: NumberingResolution | None,
    next_number: int | None = None,
) -> list[Problem]:
    """All problems of a sale; an empty list (or warnings only) means it may be numbered and signed.

    ``today`` is the Bogotá date the document will be signed on; ``next_number``, when known, is
    checked against the range so an exhausted range shows up before numbering. Without a resolution
    (the workflow checking a support fix, which has no issuer configuration) the numbering checks are
    left to the validate activity.
    """
    problems: list[Problem] = []
    if not NIT.match(sale.issuer.nit):
        problems.append(Problem(field="issuer.nit", code="CO.NIT.FORMAT",
                                message="the issuer NIT has 1 to 15 digits, without the check digit"))
    if resolution is not None:
        problems += _numbering_problems(sale, today, resolution, next_number)
    problems += _date_problems(sale, today)
    problems += _buyer_problems(sale.buyer)
    if not sale.lines:
        problems.append(Problem(field="lines", code="CO.LINES.EMPTY",
                                message="an invoice needs at least one line (FAV01)"))
    for index, line in enumerate(sale.lines):
        problems += _line_problems(f"lines[{index}]", line)
    problems += _payment_problems(sale, today)
    problems += _notes_problems(sale.notes)
    if not any(p.severity == "error" for p in problems):
        problems += _totals_problems(sale)
    return problems


def _numbering_problems(
    sale: ColombiaSale, today: date, resolution: NumberingResolution, next_number: int | None
) -> list[Problem]:
    problems = resolution_problems(resolution, on=sale.issue_date or today)
    if sale.issuer.prefix is not None and sale.issuer.prefix != resolution.prefix_text:
        problems.append(Problem(field="issuer.prefix", code="CO.NUMBERING.PREFIX",
                                message=f"prefix {sale.issuer.prefix!r} is not the prefix of resolution "
                                f"{resolution.authorization} ({resolution.prefix_text!r}) (FAB10b)"))
    if next_number is not None:
        problems += number_problems(resolution, next_number)
    return problems


def _date_problems(sale: ColombiaSale, today: date) -> list[Problem]:
    # IssueDate must be the signing date (FAD09e), and documents are signed when issued.
    if sale.issue_date is not None and sale.issue_date != today:
        return [Problem(field="issue_date", code="CO.DATE.NOT_SIGNING_DAY",
                        message=f"{sale.issue_date} is not today ({today}); the DIAN requires the issue date "
                        "to be the signing date (FAD09e); leave it empty")]
    return []


def _buyer_problems(buyer: ColombiaBuyer) -> list[Problem]:
    problems = _text_problems("buyer.name", buyer.name, MAX_NAME)
    problems += _identification_problems(buyer)
    if buyer.person_type == "1" and buyer.id_type not in (IdType.NIT, IdType.NIT_OTRO_PAIS):
        problems.append(Problem(field="buyer.person_type", code="CO.BUYER.PERSON_TYPE",
                                message="a persona jurídica (1) is identified by a NIT (31 or 50)"))
    if not buyer.tax_responsibilities:
        problems.append(Problem(field="buyer.tax_responsibilities", code="CO.BUYER.RESPONSIBILITY",
                                message="state at least one responsibility; R-99-PN if none applies (FAK26)"))
    for index, code in enumerate(buyer.tax_responsibilities):
        if code not in RESPONSIBILITIES:
            problems.append(Problem(field=f"buyer.tax_responsibilities[{index}]", code="CO.BUYER.RESPONSIBILITY",
                                    message=f"unknown responsibility {code!r}; use one of "
                                    f"{', '.join(RESPONSIBILITIES)} (FAK26)"))
    if buyer.email is not None and not EMAIL.match(buyer.email):
        problems.append(Problem(field="buyer.email", code="CO.BUYER.EMAIL", message="not an e-mail address"))
    if buyer.address is not None:
        problems += _address_problems("buyer.address", buyer.address)
    return problems


def _identification_problems(buyer: ColombiaBuyer) -> list[Problem]:
    field = "buyer.identification"
    ident = buyer.identification
    if buyer.id_type == IdType.NIT:
        return nit_problems(field, ident, buyer.check_digit, dv_field="buyer.check_digit", code_prefix="CO.NIT")
    problems = []
    if buyer.check_digit is not None:
        problems.append(Problem(field="buyer.check_digit", code="CO.BUYER.CHECK_DIGIT_NOT_NIT",
                                message="only a NIT (id_type 31) has a check digit; leave it empty"))
    if ident == CONSUMIDOR_FINAL_ID and buyer.id_type != IdType.CEDULA_CIUDADANIA:
        problems.append(Problem(field="buyer.id_type", code="CO.BUYER.CONSUMIDOR_FINAL",
                                message=f"the consumidor final ({CONSUMIDOR_FINAL_ID}) uses id_type 13"))
    pattern = ALPHANUMERIC if buyer.id_type in ALPHANUMERIC_ID_TYPES else DIGITS
    if not 1 <= len(ident) <= 20 or not pattern.match(ident):
        kind = "letters and digits" if pattern is ALPHANUMERIC else "digits"
        problems.append(Problem(field=field, code="CO.BUYER.IDENTIFICATION",
                                message=f"a document of type {buyer.id_type.value} has 1 to 20 {kind}, "
                                "without dots or hyphens"))
    return problems


def _address_problems(field: str, address: ColombiaAddress) -> list[Problem]:
    problems = _text_problems(f"{field}.line", address.line, MAX_TEXT)
    problems += _text_problems(f"{field}.city_name", address.city_name, MAX_TEXT)
    if not re.match(r"^[A-Z]{2}$", address.country_code):
        problems.append(Problem(field=f"{field}.country_code", code="CO.ADDRESS.COUNTRY",
                                message="ISO 3166-1 alpha-2 country code, e.g. CO"))
    if address.country_code != "CO":
        return problems
    # DANE: a municipio code is the 2-digit departamento code followed by 3 digits (11001 Bogotá D.C.).
    if not re.match(r"^[0-9]{2}$", address.department_code):
        problems.append(Problem(field=f"{field}.department_code", code="CO.ADDRESS.DANE",
                                message="DANE departamento code: 2 digits, e.g. 11"))
    if not re.match(r"^[0-9]{5}$", address.city_code):
        problems.append(Problem(field=f"{field}.city_code", code="CO.ADDRESS.DANE",
                                message="DANE municipio code: 5 digits, e.g. 11001"))
    elif not address.city_code.startswith(address.department_code):
        problems.append(Problem(field=f"{field}.city_code", code="CO.ADDRESS.DANE",
                                message=f"municipio {address.city_code} is not in departamento "
                                f"{address.department_code}"))
    return problems


def _line_problems(field: str, line: ColombiaSaleLine) -> list[Problem]:
    problems = _text_problems(f"{field}.description", line.description, MAX_TEXT)
    if line.code is not None:
        problems += _text_problems(f"{field}.code", line.code, 50)
    if line.quantity <= 0:
        problems.append(Problem(field=f"{field}.quantity", code="CO.LINE.QUANTITY",
                                message="must be greater than 0 (FAV04b)"))
    problems += _precision_problems(f"{field}.quantity", line.quantity, 6)
    if line.unit_code not in UNIT_CODES:
        problems.append(Problem(field=f"{field}.unit_code", code="CO.LINE.UNIT",
                                message=f"unknown unit {line.unit_code!r}; use one of {', '.join(UNIT_CODES)} (FAV05)"))
    if line.unit_price < 0:
        problems.append(Problem(field=f"{field}.unit_price", code="CO.AMOUNT.NEGATIVE",
                                message="must not be negative (VLR01)"))
    problems += _precision_problems(f"{field}.unit_price", line.unit_price, 6)
    if line.discount < 0:
        problems.append(Problem(field=f"{field}.discount", code="CO.AMOUNT.NEGATIVE",
                                message="must not be negative (VLR01)"))
    problems += _precision_problems(f"{field}.discount", line.discount, 2)
    if line.discount > line.quantity * line.unit_price:
        problems.append(Problem(field=f"{field}.discount", code="CO.LINE.DISCOUNT",
                                message="the discount exceeds quantity × unit price"))
    seen: set[str] = set()
    for index, tax in enumerate(line.taxes):
        tax_field = f"{field}.taxes[{index}]"
        if tax.scheme in seen:
            problems.append(Problem(field=f"{tax_field}.scheme", code="CO.TAX.DUPLICATE",
                                    message=f"{TAX_NAMES[tax.scheme]} appears twice on the line"))
        seen.add(tax.scheme)
        if tax.percent not in TAX_RATES[tax.scheme]:
            rates = ", ".join(f"{r}" for r in sorted(TAX_RATES[tax.scheme]))
            problems.append(Problem(field=f"{tax_field}.percent", code="CO.TAX.RATE",
                                    message=f"{tax.percent} % is not a {TAX_NAMES[tax.scheme]} rate; use {rates}"))
    return problems


def _payment_problems(sale: ColombiaSale, today: date) -> list[Problem]:
    payment = sale.payment
    problems = []
    if payment.means_code not in PAYMENT_MEANS:
        problems.append(Problem(field="payment.means_code", code="CO.PAYMENT.MEANS",
                                message=f"unknown medio de pago {payment.means_code!r}; "
                                f"use one of {', '.join(PAYMENT_MEANS)}"))
    issue_day = sale.issue_date or today
    if payment.form == "2" and payment.due_date is None:
        problems.append(Problem(field="payment.due_date", code="CO.PAYMENT.DUE_DATE",
                                message="a credit sale (form 2) needs a due date"))
    if payment.due_date is not None and payment.due_date < issue_day:
        problems.append(Problem(field="payment.due_date", code="CO.PAYMENT.DUE_DATE",
                                message=f"the due date {payment.due_date} is before the issue date {issue_day}"))
    return problems


def _notes_problems(notes: list[str]) -> list[Problem]:
    problems = []
    if len(notes) > MAX_NOTES:
        problems.append(Problem(field="notes", code="CO.NOTES.TOO_MANY", message=f"at most {MAX_NOTES} notes"))
    for index, note in enumerate(notes):
        problems += _text_problems(f"notes[{index}]", note, 5000)
    return problems


def _totals_problems(sale: ColombiaSale) -> list[Problem]:
    totals = compute_totals(sale)
    problems = []
    if sale.expected_total is not None and sale.expected_total != totals.payable:
        problems.append(Problem(field="expected_total", code="CO.TOTAL.MISMATCH",
                                message=f"the lines give a total of {totals.payable}, not {sale.expected_total}"))
    if totals.payable > MAX_MONEY:
        problems.append(Problem(field="lines", code="CO.TOTAL.TOO_LARGE", message="the total is too large"))
    return problems


def _precision_problems(field: str, value: Decimal, places: int) -> list[Problem]:
    if decimal_places(value) > places:
        return [Problem(field=field, code="CO.AMOUNT.DECIMALS", message=f"at most {places} decimals, got {value}")]
    if abs(value) > MAX_MONEY:
        return [Problem(field=field, code="CO.AMOUNT.TOO_LARGE", message=f"{value} is too large")]
    return []


def _text_problems(field: str, value: str, max_length: int) -> list[Problem]:
    if not value:
        return [Problem(field=field, code="CO.TEXT.EMPTY", message="must not be empty")]
    if len(value) > max_length:
        return [Problem(field=field, code="CO.TEXT.TOO_LONG", message=f"at most {max_length} characters")]
    return []
