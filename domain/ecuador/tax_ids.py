"""Cédula and RUC checks, with the SRI's real-world exceptions.

The check-digit arithmetic comes from python-stdnum (``stdnum.ec``). On top of it sits the rule the
SRI itself states: only cédula-based RUCs (third digit 0–5) have a reliable check digit. Many active
company and public RUCs (third digit 9 or 6, S.A.S. and extended numbering since about 2020) fail the
algorithm, so for those a checksum failure is a warning, never a blocking error
(reference §9.2; python-stdnum issues #290, #457, #497).
"""

from stdnum import exceptions as stdnum_errors
from stdnum.ec import ci as cedula_algorithm
from stdnum.ec import ruc as ruc_algorithm

from domain.problems import Problem


def cedula_problems(field: str, value: str) -> list[Problem]:
    """A buyer cédula: ten digits, province 01–24 or 30, third digit below 6, módulo 10."""
    if len(value) != 10 or not value.isdigit():
        return [Problem(field=field, code="EC.CEDULA.FORMAT", message="a cédula has exactly 10 digits")]
    try:
        cedula_algorithm.validate(value)
    except stdnum_errors.InvalidChecksum:
        return [Problem(field=field, code="EC.CEDULA.CHECK_DIGIT",
                        message=f"cédula {value} has a wrong check digit (módulo 10)")]
    except stdnum_errors.ValidationError:
        return [Problem(field=field, code="EC.CEDULA.PROVINCE",
                        message=f"cédula {value} does not start with a valid province code (01–24, 30)")]
    return []


def ruc_problems(field: str, value: str) -> list[Problem]:
    """A RUC: 13 digits; the check digit blocks only for natural persons (third digit 0–5)."""
    structural = _ruc_structure_problems(field, value)
    if structural:
        return structural
    try:
        ruc_algorithm.validate(value)
    except stdnum_errors.ValidationError:
        if int(value[2]) < 6:
            return [Problem(field=field, code="EC.RUC.CHECK_DIGIT",
                            message=f"RUC {value} has a wrong check digit for a natural person")]
        return [Problem(field=field, code="EC.RUC.CHECK_DIGIT_UNVERIFIABLE", severity="warning",
                        message=f"RUC {value} fails the check-digit algorithm; the SRI issues such "
                        "company RUCs, so it is accepted")]
    return []


def _ruc_structure_problems(field: str, value: str) -> list[Problem]:
    """Length, province, taxpayer type and establishment suffix: reliable for every kind of RUC."""
    if len(value) != 13 or not value.isdigit():
        return [Problem(field=field, code="EC.RUC.FORMAT", message="a RUC has exactly 13 digits")]
    province, third = int(value[:2]), int(value[2])
    if not (1 <= province <= 24 or province in (30, 50)):
        return [Problem(field=field, code="EC.RUC.PROVINCE",
                        message=f"RUC {value} does not start with a valid province code (01–24, 30)")]
    if third in (7, 8):
        return [Problem(field=field, code="EC.RUC.TYPE",
                        message=f"RUC {value}: third digit {third} is not a taxpayer type (0–6 or 9)")]
    # Public entities (third digit 6) use four digits for the establishment, the others three.
    suffix = value[9:] if third == 6 else value[10:]
    if int(suffix) == 0:
        return [Problem(field=field, code="EC.RUC.ESTABLISHMENT",
                        message=f"RUC {value} must end in an establishment number such as 001")]
    return []
