"""Rules of the Colombian nota crédito over an accepted invoice: all of it, or some quantities of some lines."""

from decimal import Decimal

from domain.colombia.sale import ColombiaSale, ColombiaSaleLine
from domain.invoice import CreditLine
from domain.problems import Problem


def credit_problems(sale: ColombiaSale, lines: list[CreditLine], reason: str) -> list[Problem]:
    problems = []
    if not reason.strip() or len(reason) > 500:
        problems.append(Problem(field="reason", code="CO.CREDIT.REASON",
                                message="state a reason of 1 to 500 characters (DiscrepancyResponse)"))
    seen: set[int] = set()
    for index, item in enumerate(lines):
        field = f"lines[{index}]"
        if not 0 <= item.line < len(sale.lines):
            problems.append(Problem(field=f"{field}.line", code="CO.CREDIT.LINE",
                                    message=f"the invoice has no line {item.line}"))
            continue
        if item.line in seen:
            problems.append(Problem(field=f"{field}.line", code="CO.CREDIT.LINE_REPEATED",
                                    message=f"line {item.line} is credited twice"))
        seen.add(item.line)
        if not Decimal(0) < item.quantity <= sale.lines[item.line].quantity:
            problems.append(Problem(field=f"{field}.quantity", code="CO.CREDIT.QUANTITY",
                                    message=f"must be more than 0 and at most the invoiced "
                                    f"{sale.lines[item.line].quantity}"))
    return problems


def credited_sale(sale: ColombiaSale, lines: list[CreditLine]) -> ColombiaSale:
    """The part of the sale being credited; a partially returned line keeps its price, its discount prorated."""
    if not lines:
        return sale
    credited: list[ColombiaSaleLine] = []
    for item in lines:
        original = sale.lines[item.line]
        share = item.quantity / original.quantity
        discount = (original.discount * share).quantize(Decimal("0.01"))
        credited.append(original.model_copy(update={"quantity": item.quantity, "discount": discount}))
    return sale.model_copy(update={"lines": credited})
