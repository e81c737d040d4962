"""Sales to issue, per country. A country joins the benchmark by adding its sample factory here."""

from collections.abc import Callable

from domain.invoice import Sale
from starter.samples import demo_sales

# order id, position in the run → a valid sale for that order.
SaleFactory = Callable[[str, int], Sale]


def ecuador() -> SaleFactory:
    """The five demo sales in turn (RUC, cédula, consumidor final, exento, passport; 1–2 lines each)."""
    templates = [sample.sale for sample in demo_sales("BENCH")]

    def make(order_id: str, index: int) -> Sale:
        # The templates are already validated; only the order id (the idempotency key) changes.
        return templates[index % len(templates)].model_copy(update={"order_id": order_id})

    return make


COUNTRIES: dict[str, Callable[[], SaleFactory]] = {"EC": ecuador}
