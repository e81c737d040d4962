"""What the DIAN recomputes from a document: CUFE/CUDE, SoftwareSecurityCode and NIT check digits.

Written from the reference (§4.1–§4.4, §4.6) independently of :mod:`domain.colombia`, so a shared
mistake between product and simulator cannot hide: DIAN's ``Validator.ValidateCufe`` truncates
every amount to two decimals and always includes the 01/04/03 tax literals.
"""

from __future__ import annotations

import hashlib
from decimal import ROUND_DOWN, Decimal

from simulators.dian.document import Document

_WEIGHTS = (3, 7, 13, 17, 19, 23, 29, 37, 41, 43, 47, 53, 59, 67, 71)
_TWO_PLACES = Decimal("0.01")


def nit_check_digit(nit: str) -> str:
    total = sum(int(digit) * weight for digit, weight in zip(reversed(nit), _WEIGHTS, strict=False))
    remainder = total % 11
    return str(remainder if remainder in (0, 1) else 11 - remainder)


def _amount(value: Decimal) -> str:
    return str(value.quantize(_TWO_PLACES, rounding=ROUND_DOWN))


def document_key(document: Document, secret: str) -> str:
    """CUFE (secret = technical key) or CUDE (secret = software PIN) of ``document``."""
    text = (
        document.number
        + document.issue_date
        + document.issue_time
        + _amount(document.monetary["LineExtensionAmount"])
        + "01" + _amount(document.header_tax("01"))
        + "04" + _amount(document.header_tax("04"))
        + "03" + _amount(document.header_tax("03"))
        + _amount(document.monetary["PayableAmount"])
        + document.supplier.company_id
        + document.customer.company_id
        + secret
        + document.environment
    )
    return hashlib.sha384(text.encode("utf-8")).hexdigest()


def security_code(software_id: str, pin: str, number: str) -> str:
    return hashlib.sha384(f"{software_id}{pin}{number}".encode()).hexdigest()


def uses_cude(document: Document) -> bool:
    """Credit notes and the tipo 03 transmission instrument carry a CUDE (reference §3.1)."""
    return document.kind == "CreditNote" or document.type_code == "03"
