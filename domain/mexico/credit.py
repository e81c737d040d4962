"""Rules of a Mexican CFDI de Egreso that credits all or part of a stamped Ingreso (TipoRelacion 01)."""

from decimal import Decimal

from domain.invoice import CreditLine
from domain.mexico.sale import MexicoSale
from domain.problems import Problem


def credit_problems(sale: MexicoSale, lines: list[CreditLine], reason: str) -> list[Problem]:
    problems = []
    if not reason.strip():
        problems.append(Problem(field="reason", code="MX.CREDIT.REASON", message="state the reason for the Egreso"))
    seen: set[int] = set()
    for index, item in enumerate(lines):
        field = f"lines[{index}]"
        if not 0 <= item.line < len(sale.lines):
            problems.append(Problem(field=f"{field}.line", code="MX.CREDIT.LINE",
                                    message=f"the invoice has no concepto {item.line}"))
            continue
        if item.line in seen:
            problems.append(Problem(field=f"{field}.line", code="MX.CREDIT.LINE_REPEATED",
                                    message=f"concepto {item.line} is credited twice"))
        seen.add(item.line)
        if not Decimal(0) < item.quantity <= sale.lines[item.line].quantity:
            problems.append(Problem(field=f"{field}.quantity", code="MX.CREDIT.QUANTITY",
                                    message=f"must be more than 0 and at most {sale.lines[item.line].quantity}"))
    return problems


def credited_sale(sale: MexicoSale, lines: list[CreditLine]) -> MexicoSale:
    if not lines:
        return sale
    credited = []
    for item in lines:
        original = sale.lines[item.line]
        share = item.quantity / original.quantity
        discount = (original.discount * share).quantize(Decimal("0.01"))
        credited.append(original.model_copy(update={"quantity": item.quantity, "discount": discount}))
    return sale.model_copy(update={"lines": credited})
