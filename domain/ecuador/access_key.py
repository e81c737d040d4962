"""Clave de acceso: the 49-digit key that is also the SRI's authorization number (ficha tabla 1)."""

from dataclasses import dataclass
from datetime import date

ACCESS_KEY_LENGTH = 49
NORMAL_EMISSION = "1"  # tabla 2: contingency emission (2) was abolished in 2015; always emit 1


def mod11_check_digit(digits: str) -> int:
    """Módulo 11 over 48 digits, weights 2..7 from the rightmost digit; 11 → 0 and 10 → 1."""
    total = sum(int(d) * (2 + i % 6) for i, d in enumerate(reversed(digits)))
    check = 11 - total % 11
    if check == 11:
        return 0
    if check == 10:
        return 1
    return check


@dataclass(frozen=True)
class AccessKeyParts:
    issue_date: date
    doc_code: str
    ruc: str
    environment: str
    establishment: str
    emission_point: str
    sequential: str
    numeric_code: str


def build_access_key(parts: AccessKeyParts) -> str:
    body = (
        parts.issue_date.strftime("%d%m%Y")
        + parts.doc_code
        + parts.ruc
        + parts.environment
        + parts.establishment
        + parts.emission_point
        + parts.sequential
        + parts.numeric_code
        + NORMAL_EMISSION
    )
    if len(body) != ACCESS_KEY_LENGTH - 1 or not body.isdigit():
        raise ValueError(f"access key body must be 48 digits, got {body!r}")
    return body + str(mod11_check_digit(body))


def is_valid_access_key(key: str) -> bool:
    return (
        len(key) == ACCESS_KEY_LENGTH and key.isdigit() and mod11_check_digit(key[:-1]) == int(key[-1])
    )
