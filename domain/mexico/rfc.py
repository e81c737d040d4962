"""RFC (Registro Federal de Contribuyentes) rules: format, persona type, generic RFCs, check digit.

Reference §6. The check digit is only a warning: SAT's own register is the authority and some
valid RFCs carry a "wrong" digit (phpcfdi/rfc notes this), and the generic RFCs fail it outright.
"""

import re
from typing import Literal

from domain.problems import Problem

# tdCFDI:t_RFC (reference §6): 3 letters for a persona moral, 4 for a persona física.
RFC_PATTERN = re.compile(r"^[A-Z&Ñ]{3,4}[0-9]{2}(0[1-9]|1[012])(0[1-9]|[12][0-9]|3[01])[A-Z0-9]{2}[0-9A]$")
GENERIC_NATIONAL = "XAXX010101000"  # público en general
GENERIC_FOREIGN = "XEXX010101000"  # residents abroad
GENERIC_RFCS = frozenset({GENERIC_NATIONAL, GENERIC_FOREIGN})
PUBLICO_EN_GENERAL = "PUBLICO EN GENERAL"

PersonaType = Literal["fisica", "moral"]

# Reference §6 check-digit table: digits, A–N, '&', O–Z, space, Ñ in this order.
_CHECK_VALUES = {c: i for i, c in enumerate("0123456789ABCDEFGHIJKLMN&OPQRSTUVWXYZ Ñ")}
_PERSONA_FISICA_LENGTH = 13
_CHECK_MODULUS = 11


def persona_type(rfc: str) -> PersonaType | None:
    """Física for a 13-character RFC, moral for 12; None when the RFC is malformed."""
    if not RFC_PATTERN.match(rfc):
        return None
    return "fisica" if len(rfc) == _PERSONA_FISICA_LENGTH else "moral"


def expected_check_digit(rfc: str) -> str:
    """The modulo-11 digit for a well-formed RFC (reference §6, reproduced on six real RFCs)."""
    body = rfc[:12] if len(rfc) == _PERSONA_FISICA_LENGTH else " " + rfc[:11]
    total = sum(_CHECK_VALUES[char] * (13 - index) for index, char in enumerate(body))
    remainder = total % _CHECK_MODULUS
    if remainder == 0:
        return "0"
    return "A" if remainder == 1 else str(_CHECK_MODULUS - remainder)


def rfc_problems(field: str, rfc: str) -> list[Problem]:
    """Format errors, plus a warning when the check digit does not match (never a rejection)."""
    if not RFC_PATTERN.match(rfc):
        return [Problem(field=field, code="MX.RFC.FORMAT",
                        message=f"{rfc!r} is not an RFC: 3 (company) or 4 (person) letters, the date YYMMDD "
                        "and a 3-character homoclave, in capitals")]
    if rfc not in GENERIC_RFCS and expected_check_digit(rfc) != rfc[-1]:
        return [Problem(field=field, code="MX.RFC.CHECK_DIGIT", severity="warning",
                        message=f"the last character of {rfc} does not match its check digit; "
                        "please double-check the RFC against the Constancia de Situación Fiscal")]
    return []
