"""Numbering-range rules: is this resolution usable today, is this number inside it, and early alerts.

DIAN rejects a number outside the authorised range (FAD05d), an issue date before the authorisation
starts (FAD09a) or after it ends (FAB08b), and a prefix that is not the range's (FAB10b) (reference §8).
An exhausted or expired range cannot be fixed by support staff alone, it needs a new resolution from
the DIAN (MUISCA form 1302, reference §9 step 4), hence the warnings well before it happens.
"""

from dataclasses import dataclass
from datetime import date

from domain.colombia.resolution import NumberingResolution
from domain.problems import Problem

MAX_ID_LENGTH = 20  # cbc:ID 1–20 characters (FAD05)
MAX_PREFIX_LENGTH = 4  # sts:Prefix 0–4 characters (FAB10)


@dataclass(frozen=True)
class WarningThreshold:
    """When to start warning: fewer than ``numbers`` left, or fewer than ``days`` of validity left."""

    numbers: int = 500
    days: int = 30


def resolution_problems(resolution: NumberingResolution, *, on: date, field: str = "resolution") -> list[Problem]:
    problems = []
    prefix = resolution.prefix_text
    if len(prefix) > MAX_PREFIX_LENGTH or (prefix and not prefix.isalnum()):
        problems.append(Problem(field=f"{field}.prefix", code="CO.RESOLUTION.PREFIX",
                                message=f"prefix {prefix!r} must have at most 4 letters or digits (FAB10)"))
    if len(resolution.document_number(resolution.range_to)) > MAX_ID_LENGTH:
        problems.append(Problem(field=f"{field}.range_to", code="CO.RESOLUTION.ID_LENGTH",
                                message="prefix and number exceed the 20 characters of cbc:ID (FAD05)"))
    if on < resolution.valid_from:
        problems.append(Problem(field=f"{field}.valid_from", code="CO.RESOLUTION.NOT_YET_VALID",
                                message=f"numbering resolution {resolution.authorization} is valid only from "
                                f"{resolution.valid_from} (FAD09a)"))
    if on > resolution.valid_to:
        problems.append(Problem(field=f"{field}.valid_to", code="CO.RESOLUTION.EXPIRED",
                                message=f"numbering resolution {resolution.authorization} expired on "
                                f"{resolution.valid_to}; request a new one from the DIAN (form 1302)"))
    return problems


def number_problems(resolution: NumberingResolution, number: int, *, field: str = "number") -> list[Problem]:
    if number > resolution.range_to:
        return [Problem(field=field, code="CO.RESOLUTION.EXHAUSTED",
                        message=f"numbering range {resolution.prefix_text}{resolution.range_from}–"
                        f"{resolution.range_to} of resolution {resolution.authorization} is exhausted "
                        f"(next number {number}); request a new range from the DIAN (form 1302)")]
    if number < resolution.range_from:
        return [Problem(field=field, code="CO.RESOLUTION.OUT_OF_RANGE",
                        message=f"number {number} is below the authorised range starting at "
                        f"{resolution.range_from} (FAD05d)")]
    return []


def resolution_warnings(
    resolution: NumberingResolution,
    next_number: int,
    today: date,
    threshold: WarningThreshold | None = None,
) -> list[Problem]:
    """Alerts for operators: the range is nearly used up or the resolution is about to expire."""
    limits = threshold or WarningThreshold()
    warnings = []
    remaining = resolution.remaining(next_number)
    if 0 < remaining <= limits.numbers:
        warnings.append(Problem(field="resolution.range_to", code="CO.RESOLUTION.NEARLY_EXHAUSTED",
                                severity="warning",
                                message=f"only {remaining} numbers left in resolution {resolution.authorization} "
                                f"(up to {resolution.document_number(resolution.range_to)}); request a new range"))
    days_left = (resolution.valid_to - today).days
    if 0 <= days_left <= limits.days:
        warnings.append(Problem(field="resolution.valid_to", code="CO.RESOLUTION.EXPIRING",
                                severity="warning",
                                message=f"resolution {resolution.authorization} expires on {resolution.valid_to} "
                                f"({days_left} days left); request a new one"))
    return warnings
