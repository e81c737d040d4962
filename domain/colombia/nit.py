"""NIT check digit (dígito de verificación, DV), reference §4.6.

python-stdnum's ``co.nit`` implements exactly the DIAN algorithm (weights 3, 7, 13, …, 71 from the
right, sum mod 11, DV = r for r in {0, 1} else 11 − r: its lookup string ``'01987654321'`` is that
rule), and it is checked in the tests against DIAN's own NIT (800197268-4) and the edge cases of the
reference, so it is used instead of a copy.
"""

import re

from stdnum.co import nit as stdnum_nit

from domain.problems import Problem

# A NIT without DV: up to 15 digits (the weights cover 15 positions).
_NIT = re.compile(r"^[0-9]{1,15}$")


def check_digit(nit: str) -> str:
    """The DV of ``nit`` (digits only, without DV)."""
    if not _NIT.match(nit):
        raise ValueError(f"a NIT has 1 to 15 digits, got {nit!r}")
    return str(stdnum_nit.calc_check_digit(nit))


def is_valid(nit: str, dv: str) -> bool:
    return bool(_NIT.match(nit)) and check_digit(nit) == dv


def nit_problems(field: str, nit: str, dv: str | None, *, dv_field: str, code_prefix: str) -> list[Problem]:
    """Format and DV problems of a NIT (rules FAJ24/FAK24: "El DV no está correctamente calculado")."""
    if not _NIT.match(nit):
        return [Problem(field=field, code=f"{code_prefix}.FORMAT",
                        message="a NIT has 1 to 15 digits, without dots, hyphens or the check digit")]
    expected = check_digit(nit)
    if dv is None:
        return [Problem(field=dv_field, code=f"{code_prefix}.CHECK_DIGIT_MISSING",
                        message=f"the check digit (DV) of NIT {nit} is required; it is {expected}")]
    if dv != expected:
        return [Problem(field=dv_field, code=f"{code_prefix}.CHECK_DIGIT",
                        message=f"the check digit of NIT {nit} is {expected}, not {dv}")]
    return []
