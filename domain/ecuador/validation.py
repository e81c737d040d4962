"""Business validation of an Ecuadorian sale before anything is numbered or sent to the SRI.

Every rule returns problems instead of raising, so a person sees all of them at once. The rules are
what the SRI checks at reception (XSD patterns and lengths, error 35) and at authorization (id
checks, arithmetic 52, dates 65), plus the commercial rules of ficha §9.10 (consumidor final).
"""

import re
from collections.abc import Callable, Iterable
from datetime import date, timedelta
from decimal import Decimal

from domain.ecuador.catalog import (
    CONSUMIDOR_FINAL_ID,
    CONSUMIDOR_FINAL_LIMIT,
    IVA_RATES,
    PAYMENT_METHODS,
    BuyerIdType,
)
from domain.ecuador.sale import Buyer, EcuadorSale, Payment, SaleLine
from domain.ecuador.tax_ids import cedula_problems, ruc_problems
from domain.ecuador.totals import compute_totals
from domain.money import ZERO, decimal_places
from domain.problems import Problem

# XSD limits (factura 1.1.0): money totalDigits 14 / fractionDigits 2, quantity and price 18 / 6.
MAX_MONEY = Decimal("999999999999.99")
MAX_QUANTITY = Decimal("999999999999.999999")
MAX_TEXT = 300
MAX_CODE = 25
MAX_ADDITIONAL_FIELDS = 15
MAX_LINE_DETAILS = 3
# The SRI rejects dates far in the past (error 65); the tolerance it enforces is configurable on its
# side (30 days seen in 2019) and since 2026 transmission must be immediate, so stay well inside it.
MAX_BACKDATE = timedelta(days=30)
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
THREE_DIGITS = re.compile(r"^[0-9]{3}$")


def validate_sale(sale: EcuadorSale, *, today: date) -> list[Problem]:
    """All problems of a sale; an empty list means it may be numbered and signed."""
    problems: list[Problem] = []
    problems += _issuer_problems(sale)
    problems += _date_problems(sale.issue_date, today)
    problems += _buyer_problems(sale.buyer)
    if not sale.lines:
        problems.append(Problem(field="lines", code="EC.LINES.EMPTY", message="an invoice needs at least one line"))
    for index, line in enumerate(sale.lines):
        problems += _line_problems(f"lines[{index}]", line, sale.issue_date or today)
    problems += _payment_problems(sale.payments)
    problems += _additional_info_problems(sale)
    problems += _money_problems("tip", sale.tip)
    if not problems or all(p.severity == "warning" for p in problems):
        problems += _totals_problems(sale)
    return problems


def _issuer_problems(sale: EcuadorSale) -> list[Problem]:
    problems = ruc_problems("issuer.ruc", sale.issuer.ruc)
    for name in ("establishment", "emission_point"):
        value = getattr(sale.issuer, name)
        if not THREE_DIGITS.match(value) or value == "000":
            problems.append(Problem(field=f"issuer.{name}", code="EC.SERIES.FORMAT",
                                    message="must be three digits from 001 to 999"))
    return problems


def _date_problems(issue_date: date | None, today: date) -> list[Problem]:
    if issue_date is None:
        return []
    if issue_date > today:
        return [Problem(field="issue_date", code="EC.DATE.FUTURE",
                        message=f"{issue_date} is in the future; the SRI refuses future dates (error 65)")]
    if today - issue_date > MAX_BACKDATE:
        return [Problem(field="issue_date", code="EC.DATE.TOO_OLD",
                        message=f"{issue_date} is more than {MAX_BACKDATE.days} days old; "
                        "the SRI refuses late documents (error 65)")]
    return []


def _buyer_problems(buyer: Buyer) -> list[Problem]:
    problems = _text_problems("buyer.name", buyer.name, MAX_TEXT)
    if buyer.address is not None:
        problems += _text_problems("buyer.address", buyer.address, MAX_TEXT)
    if buyer.email is not None and not EMAIL.match(buyer.email):
        problems.append(Problem(field="buyer.email", code="EC.BUYER.EMAIL", message="not an e-mail address"))
    ident, field = buyer.identification, "buyer.identification"
    if ident == CONSUMIDOR_FINAL_ID and buyer.id_type != BuyerIdType.CONSUMIDOR_FINAL:
        problems.append(Problem(field="buyer.id_type", code="EC.BUYER.ID_TYPE",
                                message="9999999999999 is the consumidor final id; use id_type 07"))
    checks: dict[BuyerIdType, Callable[[str, str], list[Problem]]] = {
        BuyerIdType.RUC: ruc_problems,
        BuyerIdType.CEDULA: cedula_problems,
        BuyerIdType.CONSUMIDOR_FINAL: _consumidor_final_id_problems,
        BuyerIdType.PASAPORTE: _foreign_id_problems,
        BuyerIdType.EXTERIOR: _foreign_id_problems,
    }
    return problems + checks[buyer.id_type](field, ident)


def _consumidor_final_id_problems(field: str, value: str) -> list[Problem]:
    if value != CONSUMIDOR_FINAL_ID:
        return [Problem(field=field, code="EC.BUYER.CONSUMIDOR_FINAL_ID",
                        message=f"a consumidor final is identified as {CONSUMIDOR_FINAL_ID}")]
    return []


def _foreign_id_problems(field: str, value: str) -> list[Problem]:
    if not 1 <= len(value) <= 20 or not value.isalnum():
        return [Problem(field=field, code="EC.BUYER.FOREIGN_ID",
                        message="a passport or foreign id has 1 to 20 letters and digits")]
    return []


def _line_problems(field: str, line: SaleLine, on: date) -> list[Problem]:
    problems = _text_problems(f"{field}.description", line.description, MAX_TEXT)
    for name in ("code", "auxiliary_code"):
        value = getattr(line, name)
        if value is not None:
            problems += _text_problems(f"{field}.{name}", value, MAX_CODE)
    if line.unit is not None:
        problems += _text_problems(f"{field}.unit", line.unit, 50)
    if line.quantity <= 0:
        problems.append(Problem(field=f"{field}.quantity", code="EC.LINE.QUANTITY", message="must be greater than 0"))
    problems += _precision_problems(f"{field}.quantity", line.quantity, 6, MAX_QUANTITY)
    if line.unit_price < 0:
        problems.append(Problem(field=f"{field}.unit_price", code="EC.LINE.PRICE", message="must not be negative"))
    problems += _precision_problems(f"{field}.unit_price", line.unit_price, 6, MAX_QUANTITY)
    problems += _money_problems(f"{field}.discount", line.discount)
    if line.discount > line.quantity * line.unit_price:
        problems.append(Problem(field=f"{field}.discount", code="EC.LINE.DISCOUNT",
                                message="the discount exceeds quantity × unit price"))
    problems += _iva_code_problems(f"{field}.iva_code", line.iva_code, on)
    if len(line.details) > MAX_LINE_DETAILS:
        problems.append(Problem(field=f"{field}.details", code="EC.LINE.DETAILS",
                                message=f"at most {MAX_LINE_DETAILS} additional details per line"))
    for index, detail in enumerate(line.details):
        problems += _text_problems(f"{field}.details[{index}].name", detail.name, MAX_TEXT)
        problems += _text_problems(f"{field}.details[{index}].value", detail.value, MAX_TEXT)
    return problems


def _iva_code_problems(field: str, code: str, on: date) -> list[Problem]:
    rate = IVA_RATES.get(code)
    if rate is None:
        known = ", ".join(f"{c} ({r.label})" for c, r in IVA_RATES.items() if r.in_force(on))
        return [Problem(field=field, code="EC.IVA.UNKNOWN", message=f"unknown IVA code {code!r}; use one of {known}")]
    if not rate.in_force(on):
        return [Problem(field=field, code="EC.IVA.NOT_IN_FORCE",
                        message=f"{rate.label} (code {code}) is not in force on {on}")]
    return []


def _payment_problems(payments: list[Payment]) -> list[Problem]:
    if not payments:
        return [Problem(field="payments", code="EC.PAYMENTS.EMPTY", message="state at least one forma de pago")]
    problems: list[Problem] = []
    for index, payment in enumerate(payments):
        field = f"payments[{index}]"
        if payment.method not in PAYMENT_METHODS:
            problems.append(Problem(field=f"{field}.method", code="EC.PAYMENT.METHOD",
                                    message=f"unknown forma de pago {payment.method!r}; "
                                    f"use one of {', '.join(PAYMENT_METHODS)}"))
        if payment.amount <= 0:
            problems.append(Problem(field=f"{field}.amount", code="EC.PAYMENT.AMOUNT",
                                    message="must be greater than 0"))
        problems += _money_problems(f"{field}.amount", payment.amount)
        if payment.term is not None and payment.term < 0:
            problems.append(Problem(field=f"{field}.term", code="EC.PAYMENT.TERM", message="must not be negative"))
        if payment.time_unit is not None:
            problems += _text_problems(f"{field}.time_unit", payment.time_unit, 10)
    return problems


def _additional_info_problems(sale: EcuadorSale) -> list[Problem]:
    # The buyer's e-mail is added as one more campoAdicional, which counts towards the SRI's 15.
    room = MAX_ADDITIONAL_FIELDS - (1 if sale.buyer.email else 0)
    problems = []
    if len(sale.additional_info) > room:
        problems.append(Problem(field="additional_info", code="EC.INFO.TOO_MANY",
                                message=f"at most {room} additional fields (the SRI allows 15 in all)"))
    for index, item in enumerate(sale.additional_info):
        problems += _text_problems(f"additional_info[{index}].name", item.name, MAX_TEXT)
        problems += _text_problems(f"additional_info[{index}].value", item.value, MAX_TEXT)
    return problems


def _totals_problems(sale: EcuadorSale) -> list[Problem]:
    totals = compute_totals(sale)
    problems = []
    paid = sum((p.amount for p in sale.payments), ZERO)
    if paid != totals.total:
        problems.append(Problem(field="payments", code="EC.PAYMENTS.TOTAL",
                                message=f"payments add up to {paid} but the invoice total is {totals.total}"))
    if sale.expected_total is not None and sale.expected_total != totals.total:
        problems.append(Problem(field="expected_total", code="EC.TOTAL.MISMATCH",
                                message=f"the lines give a total of {totals.total}, not {sale.expected_total}"))
    if totals.total > MAX_MONEY:
        problems.append(Problem(field="lines", code="EC.TOTAL.TOO_LARGE", message="the total exceeds 14 digits"))
    if sale.buyer.id_type == BuyerIdType.CONSUMIDOR_FINAL and totals.total > CONSUMIDOR_FINAL_LIMIT:
        problems.append(Problem(field="buyer.id_type", code="EC.BUYER.CONSUMIDOR_FINAL_LIMIT",
                                message=f"a consumidor final invoice may not exceed USD {CONSUMIDOR_FINAL_LIMIT} "
                                f"(total {totals.total}); identify the buyer"))
    return problems


def _money_problems(field: str, value: Decimal) -> list[Problem]:
    problems = _precision_problems(field, value, 2, MAX_MONEY)
    if value < 0:
        problems.append(Problem(field=field, code="EC.AMOUNT.NEGATIVE", message="must not be negative"))
    return problems


def _precision_problems(field: str, value: Decimal, places: int, maximum: Decimal) -> list[Problem]:
    if decimal_places(value) > places:
        return [Problem(field=field, code="EC.AMOUNT.DECIMALS", message=f"at most {places} decimals, got {value}")]
    if abs(value) > maximum:
        return [Problem(field=field, code="EC.AMOUNT.TOO_LARGE", message=f"{value} is too large")]
    return []


def _text_problems(field: str, value: str, max_length: int) -> list[Problem]:
    if not value:
        return [Problem(field=field, code="EC.TEXT.EMPTY", message="must not be empty")]
    if len(value) > max_length:
        return [Problem(field=field, code="EC.TEXT.TOO_LONG", message=f"at most {max_length} characters")]
    return []


def has_errors(problems: Iterable[Problem]) -> bool:
    return any(p.severity == "error" for p in problems)
