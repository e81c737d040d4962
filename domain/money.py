"""Money and quantity rounding shared by every country.

Tax authorities compare amounts to the cent, so every amount is a Decimal and is rounded
half-up (the rule the SRI, DIAN and SAT all document) at the points the law says, never floats.
"""

from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
MICRO = Decimal("0.000001")
ZERO = Decimal("0.00")


def round2(value: Decimal) -> Decimal:
    """Round to cents, half-up: line totals, tax amounts and document totals."""
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def round6(value: Decimal) -> Decimal:
    """Round quantities and unit prices, which the SRI accepts with up to six decimals."""
    return value.quantize(MICRO, rounding=ROUND_HALF_UP)


def decimal_places(value: Decimal) -> int:
    """How many significant decimals a value carries (``1.50`` has 1, ``2.983520`` has 5)."""
    normalized = value.normalize()
    exponent = normalized.as_tuple().exponent
    return max(0, -exponent) if isinstance(exponent, int) else 0
