"""What a backend sends to invoice a sale made in Ecuador.

The model is strict about types and lenient about business rules on purpose: a sale with a wrong
RUC or inconsistent totals must still be accepted, so that it can be parked in NEEDS_FIX with every
problem listed and repaired by support staff, instead of bouncing off the API and being lost.
Business rules live in :mod:`domain.ecuador.validation`.
"""

from datetime import date
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from domain.ecuador.catalog import BuyerIdType
from domain.text import CleanText

ORDER_ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$"


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class IssuerRef(_Model):
    """Which company, establishment and point of emission issues the invoice.

    Only the reference travels in the request: the legal data and the signing certificate belong to
    the issuer's configuration in the worker, so a backend can never sign in another company's name.
    """

    ruc: str
    establishment: str = "001"
    emission_point: str = "001"


class Buyer(_Model):
    id_type: BuyerIdType
    identification: str
    name: CleanText
    address: CleanText | None = None
    email: str | None = None


class LineDetail(_Model):
    name: CleanText
    value: CleanText


class SaleLine(_Model):
    code: CleanText | None = None
    auxiliary_code: CleanText | None = None
    description: CleanText
    quantity: Decimal
    unit_price: Decimal
    discount: Decimal = Decimal("0")
    iva_code: str = Field(description="SRI tabla 17 codigoPorcentaje: 0, 4 (15 %), 5, 6 (no objeto), 7 (exento)")
    unit: CleanText | None = None
    details: list[LineDetail] = Field(default_factory=list)


class Payment(_Model):
    method: str = Field(description="SRI tabla 24 forma de pago, e.g. 01 cash, 19 credit card, 20 transfer")
    amount: Decimal
    term: int | None = None
    time_unit: CleanText | None = None


class AdditionalField(_Model):
    name: CleanText
    value: CleanText


class EcuadorSale(_Model):
    country: Literal["EC"] = "EC"
    order_id: str = Field(pattern=ORDER_ID_PATTERN, description="the backend's own order id; the idempotency key")
    issuer: IssuerRef
    issue_date: date | None = Field(default=None, description="fecha de emisión; default: today in Guayaquil")
    buyer: Buyer
    lines: list[SaleLine]
    payments: list[Payment]
    tip: Decimal = Decimal("0")
    additional_info: list[AdditionalField] = Field(default_factory=list)
    expected_total: Decimal | None = Field(
        default=None, description="the total the backend charged; checked against the lines"
    )

    # What the workflow needs from any country's sale, under the same names.
    @property
    def issuer_id(self) -> str:
        return self.issuer.ruc

    @property
    def buyer_email(self) -> str | None:
        return self.buyer.email

    @property
    def buyer_name(self) -> str:
        return self.buyer.name

    @property
    def buyer_identification(self) -> str:
        return self.buyer.identification
