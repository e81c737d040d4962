"""The DIAN's content rules on a parsed document (reference §8, §12 item 4).

Each check returns rule messages; all are collected, as DIAN lists every failed rule in one answer.
Arithmetic compares with a tolerance of one peso: DIAN compares rounded whole pesos (Anexo §5.2.1,
reference §2.6); the CUFE itself is compared exactly.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

from simulators.dian.document import Document
from simulators.dian.recompute import document_key, nit_check_digit, security_code, uses_cude
from simulators.dian.rules import RuleMessage, rule

BOGOTA = timezone(timedelta(hours=-5))
DIAN_NIT = "800197268"
TOLERANCE = Decimal("1.00")
INVOICE_OPERATIONS = frozenset({"09", "10", "11", "12", "13", "14", "15", "16"})
CREDIT_NOTE_OPERATIONS = frozenset({"20", "22", "23"})
_NO_SPACES = re.compile(r"^[A-Za-z0-9]+$")


@dataclass(frozen=True)
class Resolution:
    """A numbering range the simulated DIAN knows for an issuer (its --resolutions file)."""

    nit: str
    authorization: str
    prefix: str
    range_from: int
    range_to: int
    valid_from: date
    valid_to: date
    technical_key: str


@dataclass(frozen=True)
class AcceptedInvoice:
    nit: str
    number: str
    uuid: str
    issue_date: str


@dataclass(frozen=True)
class Context:
    software_pins: Mapping[str, str]
    resolutions: Sequence[Resolution]
    test_technical_key: str
    find_invoice: Callable[[str], AcceptedInvoice | None]  # by CUFE


def check_document(document: Document, context: Context, signing_time: datetime | None) -> list[RuleMessage]:
    letter = document.letter
    problems: list[RuleMessage] = []
    problems += _header(document, signing_time)
    problems += _parties(document)
    problems += _extension(document, context)
    secret, numbering = _numbering(document, context)
    problems += numbering
    if secret is not None and document.uuid.lower() != document_key(document, secret):
        key = "CUDE" if uses_cude(document) else "CUFE"
        problems.append(rule("AD06", letter, key=key))
    problems += _arithmetic(document)
    if document.kind == "CreditNote":
        problems += _reference(document, context)
    return problems


def _header(document: Document, signing_time: datetime | None) -> list[RuleMessage]:
    letter, problems = document.letter, []
    operations = INVOICE_OPERATIONS if document.kind == "Invoice" else CREDIT_NOTE_OPERATIONS
    if document.customization not in operations:
        problems.append(rule("AD02", letter))
    if not 1 <= len(document.number) <= 20:
        problems.append(rule("AD05", letter))
    elif not _NO_SPACES.match(document.number):
        problems.append(rule("AD05a", letter))
    if document.currency != "COP":
        problems.append(rule("AD15a", letter))
    if document.line_count and document.line_count != str(len(document.lines)):
        problems.append(rule("AV02", letter))
    if signing_time is not None:
        signed_on = (signing_time if signing_time.tzinfo else signing_time.replace(tzinfo=BOGOTA))
        if signed_on.astimezone(BOGOTA).date().isoformat() != document.issue_date:
            problems.append(rule("AD09e", letter))
    expected_scheme = "CUDE-SHA384" if uses_cude(document) else "CUFE-SHA384"
    if document.uuid_scheme != expected_scheme:
        problems.append(rule("ZB01", detail=f"cbc:UUID@schemeName debe ser {expected_scheme}"))
    return problems


def _parties(document: Document) -> list[RuleMessage]:
    problems = []
    for party, key in ((document.supplier, "AJ24"), (document.customer, "AK24")):
        if party.id_type == "31" and (not party.company_id.isdigit()
                                      or party.dv != nit_check_digit(party.company_id)):
            problems.append(rule(key, document.letter))
    return problems


def _extension(document: Document, context: Context) -> list[RuleMessage]:
    values, letter, problems = document.extension, document.letter, []
    if values.get("IdentificationCode") != "CO":
        problems.append(rule("AB15", letter))
    provider = values.get("ProviderID", "")
    if not provider.isdigit() or values.get("ProviderID@schemeID") != nit_check_digit(provider):
        problems.append(rule("AB34", letter))
    if values.get("AuthorizationProviderID") != DIAN_NIT:
        problems.append(rule("AB31", letter))
    pin = context.software_pins.get(values.get("SoftwareID", ""))
    if pin is None or values.get("SoftwareSecurityCode", "").lower() != security_code(
        values.get("SoftwareID", ""), pin, document.number
    ):
        problems.append(rule("AB27b", letter))
    return problems


def _numbering(document: Document, context: Context) -> tuple[str | None, list[RuleMessage]]:
    """The CUFE/CUDE secret to use (None: cannot recompute) and the numbering problems."""
    if uses_cude(document):
        return context.software_pins.get(document.extension.get("SoftwareID", "")), []
    control, letter = document.control, document.letter
    if control is None:
        return None, [rule("AB05a", letter, detail="falta sts:InvoiceControl")]
    problems = []
    known = next((r for r in context.resolutions
                  if r.nit == document.supplier.company_id and r.authorization == control.authorization), None)
    if known is not None:
        if control.prefix != known.prefix:
            problems.append(rule("AB10b", letter))
        if control.start != known.valid_from.isoformat():
            problems.append(rule("AB07b", letter))
        if control.end != known.valid_to.isoformat():
            problems.append(rule("AB08b", letter))
        low, high = known.range_from, known.range_to
        start, end = known.valid_from.isoformat(), known.valid_to.isoformat()
        secret: str | None = known.technical_key
    elif document.environment == "2":
        # Habilitación: any declared range is taken at its word, and every CUFE uses the configured
        # test key, as DIAN does outside production (reference §2.3, §4.1).
        low, high, start, end, secret = control.range_from, control.range_to, control.start, control.end, \
            context.test_technical_key
    else:
        return None, [rule("AB05a", letter)]
    if not document.number.startswith(control.prefix):
        problems.append(rule("AB10b", letter, detail="el número no empieza por el prefijo"))
    digits = document.number[len(control.prefix):]
    if not digits.isdigit() or not low <= int(digits) <= high:
        problems.append(rule("AD05d", letter))
    if document.issue_date < start:
        problems.append(rule("AD09a", letter))
    if document.issue_date > end:
        problems.append(rule("AB08b", letter, detail="la resolución de numeración está vencida"))
    return secret, problems


def _near(a: Decimal, b: Decimal) -> bool:
    return abs(a - b) <= TOLERANCE


def _arithmetic(document: Document) -> list[RuleMessage]:
    letter, problems = document.letter, []
    amounts = [*document.monetary.items()]
    negative = any(v < 0 for k, v in amounts if k != "PayableRoundingAmount") or any(
        s.taxable < 0 or s.amount < 0 or s.percent < 0 for t in document.tax_totals for s in t.subtotals
    ) or any(line.extension < 0 or line.quantity < 0 for line in document.lines)
    if negative:
        problems.append(rule("VLR01"))
    for total in document.tax_totals:
        if not _near(total.amount, sum((s.amount for s in total.subtotals), Decimal(0))):
            problems.append(rule("AS02", letter))
        if any(not _near(s.amount, s.taxable * s.percent / 100) for s in total.subtotals):
            problems.append(rule("AS07", letter))
    for line in document.lines:
        if any(not _near(s.amount, s.taxable * s.percent / 100) for t in line.taxes for s in t.subtotals):
            problems.append(rule("AX07", letter))
            break
    money = document.monetary
    lines_total = sum((line.extension for line in document.lines), Decimal(0))
    taxable_lines = sum((line.extension for line in document.lines if line.taxes), Decimal(0))
    taxes = sum((t.amount for t in document.tax_totals), Decimal(0))
    inclusive = money.get("TaxInclusiveAmount", money["LineExtensionAmount"] + taxes)
    if not _near(money["LineExtensionAmount"], lines_total):
        problems.append(rule("AU02", letter))
    if "TaxExclusiveAmount" in money and not _near(money["TaxExclusiveAmount"], taxable_lines):
        problems.append(rule("AU04", letter))
    if not _near(inclusive, money["LineExtensionAmount"] + taxes):
        problems.append(rule("AU06", letter))
    expected_payable = inclusive - money.get("AllowanceTotalAmount", Decimal(0)) + money.get(
        "ChargeTotalAmount", Decimal(0)) + money.get("PayableRoundingAmount", Decimal(0))
    if not _near(money["PayableAmount"], expected_payable):
        problems.append(rule("AU14", letter))
    return problems


def _reference(document: Document, context: Context) -> list[RuleMessage]:
    problems = []
    if document.discrepancy_code == "2" and document.customization != "20":
        problems.append(rule("AD02a", "C"))
    reference = document.reference
    if reference is None or not reference.uuid:
        return [*problems, rule("BG02", "C")] if document.customization == "20" else problems
    invoice = context.find_invoice(reference.uuid.lower())
    if invoice is None or invoice.number != reference.number:
        problems.append(rule("BG04a", "C"))
    elif invoice.nit != document.supplier.company_id:
        problems.append(rule("BG04b", "C"))
    elif document.issue_date < invoice.issue_date:
        problems.append(rule("BG06", "C"))
    return problems
