from decimal import Decimal

from domain.ecuador.sale import EcuadorSale
from domain.ecuador.totals import compute_totals
from domain.money import round2


def _sale(lines: list[dict[str, str]], tip: str = "0") -> EcuadorSale:
    return EcuadorSale.model_validate({
        "order_id": "T-1", "issuer": {"ruc": "1792146739001"},
        "buyer": {"id_type": "05", "identification": "1713328506", "name": "Ana"},
        "lines": lines, "payments": [{"method": "01", "amount": "1"}], "tip": tip,
    })


def test_round_half_up() -> None:
    assert round2(Decimal("3.0165")) == Decimal("3.02")
    assert round2(Decimal("0.005")) == Decimal("0.01")
    assert round2(Decimal("2.675")) == Decimal("2.68")  # a float would give 2.67


def test_reference_example_totals() -> None:
    # Reference §4.3/§7: 2 × 10.555555 − 1.00 = 20.11111 → 20.11; IVA 3.0165 → 3.02; total 28.13.
    totals = compute_totals(_sale([
        {"description": "a", "quantity": "2", "unit_price": "10.555555", "discount": "1.00", "iva_code": "4"},
        {"description": "b", "quantity": "1", "unit_price": "5", "iva_code": "0"},
    ]))
    assert totals.subtotal == Decimal("25.11")
    assert totals.discount == Decimal("1.00")
    assert [(g.iva_code, g.base, g.value) for g in totals.groups] == [
        ("0", Decimal("5.00"), Decimal("0.00")), ("4", Decimal("20.11"), Decimal("3.02"))]
    assert totals.total == Decimal("28.13")


def test_iva_is_computed_per_rate_not_summed_per_line() -> None:
    # Three lines of 0.10 at 15 %: per line 0.015 → 0.02 each = 0.06; per group 0.30 × 15 % = 0.045 → 0.05.
    totals = compute_totals(_sale([{"description": "x", "quantity": "1", "unit_price": "0.10", "iva_code": "4"}] * 3))
    assert sum(line.iva for line in totals.lines) == Decimal("0.06")
    assert totals.iva == Decimal("0.05")
    assert totals.total == Decimal("0.35")


def test_tip_is_added_without_tax() -> None:
    totals = compute_totals(_sale([{"description": "x", "quantity": "1", "unit_price": "100", "iva_code": "4"}],
                                  tip="10"))
    assert totals.total == Decimal("125.00")
