"""Country-neutral entry to the pure business rules, usable inside workflows (update validators).

Only pure domain code is reachable from here: no issuer configuration, no I/O; the validate activity
adds the checks that need the worker's configuration.
"""

from datetime import datetime

from domain.colombia.credit import credit_problems as colombian_credit_problems
from domain.colombia.validation import validate_sale as validate_colombian_sale
from domain.ecuador.clock import GUAYAQUIL
from domain.ecuador.credit import credit_problems as ecuadorian_credit_problems
from domain.ecuador.validation import validate_sale as validate_ecuadorian_sale
from domain.invoice import CreditLine, Sale
from domain.mexico.credit import credit_problems as mexican_credit_problems
from domain.problems import Problem


def sale_problems(sale: Sale, now: datetime) -> list[Problem]:
    """Every business problem of a sale, judged at instant ``now`` (in the country's own calendar)."""
    if sale.country == "EC":
        return validate_ecuadorian_sale(sale, today=now.astimezone(GUAYAQUIL).date())
    if sale.country == "CO":
        # Bogotá shares Guayaquil's fixed UTC−05:00 offset (neither has daylight saving time).
        return validate_colombian_sale(sale, today=now.astimezone(GUAYAQUIL).date(), resolution=None)
    if sale.country == "MX":
        # Mexico's rules need the issuer's régimen and postal code, which only the worker knows: here the
        # patch is checked for shape, and the validate activity runs the CFDI40xxx rules right after.
        return []
    raise ValueError(f"no rules for country {sale.country}")


def credit_problems(sale: Sale, lines: list[CreditLine], reason: str) -> list[Problem]:
    """Whether this credit note may be issued for this sale, by the rules of the sale's country."""
    if sale.country == "EC":
        return ecuadorian_credit_problems(sale, lines, reason)
    if sale.country == "CO":
        return colombian_credit_problems(sale, lines, reason)
    return mexican_credit_problems(sale, lines, reason)
