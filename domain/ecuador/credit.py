"""Rules of the Ecuadorian nota de crédito (codDoc 04) over an authorized factura (reference §5, §16)."""

from decimal import Decimal

from domain.ecuador.catalog import BuyerIdType
from domain.ecuador.sale import EcuadorSale, SaleLine
from domain.invoice import CreditLine
from domain.money import round2
from domain.problems import Problem


def credit_problems(sale: EcuadorSale, lines: list[CreditLine], reason: str) -> list[Problem]:
    problems = []
    # Ficha §5.7 and Res. NAC-DGERCGC14-00790: a nota de crédito needs an identified buyer; an invoice
    # to a consumidor final cannot be credited.
    if sale.buyer.id_type == BuyerIdType.CONSUMIDOR_FINAL:
        problems.append(Problem(field="buyer.id_type", code="EC.CREDIT.CONSUMIDOR_FINAL",
                                message="the SRI does not allow a nota de crédito for a consumidor final "
                                "invoice; refund it outside the electronic invoice"))
    if not reason.strip() or len(reason) > 300:
        problems.append(Problem(field="reason", code="EC.CREDIT.REASON",
                                message="state a reason of 1 to 300 characters"))
    seen: set[int] = set()
    for index, item in enumerate(lines):
        field = f"lines[{index}]"
        if not 0 <= item.line < len(sale.lines):
            problems.append(Problem(field=f"{field}.line", code="EC.CREDIT.LINE",
                                    message=f"the invoice has no line {item.line}"))
            continue
        if item.line in seen:
            problems.append(Problem(field=f"{field}.line", code="EC.CREDIT.LINE_REPEATED",
                                    message=f"line {item.line} is credited twice"))
        seen.add(item.line)
        original = sale.lines[item.line].quantity
        if not Decimal(0) < item.quantity <= original:
            problems.append(Problem(field=f"{field}.quantity", code="EC.CREDIT.QUANTITY",
                                    message=f"must be more than 0 and at most the invoiced {original}"))
    return problems


def credited_sale(sale: EcuadorSale, lines: list[CreditLine]) -> EcuadorSale:
    """The part of the sale being credited, as a sale: all of it, or some quantities of some lines.

    A partially returned line keeps its unit price; its discount is prorated to the returned quantity.
    """
    if not lines:
        return sale.model_copy(update={"tip": Decimal(0)})
    credited: list[SaleLine] = []
    for item in lines:
        original = sale.lines[item.line]
        share = item.quantity / original.quantity
        credited.append(original.model_copy(update={"quantity": item.quantity,
                                                    "discount": round2(original.discount * share)}))
    return sale.model_copy(update={"lines": credited, "tip": Decimal(0)})
