"""What a backend sends to invoice a sale made in Colombia.

Like the Ecuadorian model, it is strict about types and lenient about business rules: a sale with a
wrong check digit or an unknown unit must still be accepted so that it can wait in NEEDS_FIX with every
problem listed. The rules live in :mod:`domain.colombia.validation`.
"""

from datetime import date, time
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from domain.colombia.catalog import IdType
from domain.ecuador.sale import ORDER_ID_PATTERN
from domain.text import CleanText


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ColombiaIssuerRef(_Model):
    """Which company issues, and from which numbering prefix.

    The legal data, the numbering resolution and the certificate come from the worker's issuer
    configuration (:class:`adapters.colombia.issuer.DianIssuerProfile`), never from the request.
    """

    nit: str = Field(description="NIT without the check digit (DV)")
    prefix: str | None = Field(default=None, description="numbering prefix; default: the resolution's")


class ColombiaAddress(_Model):
    """An address with DANE codes (reference §2.4: validated when present)."""

    city_code: str = Field(description="DANE municipio code, 5 digits, e.g. 11001 (Bogotá)")
    city_name: CleanText
    department_code: str = Field(description="DANE departamento code, 2 digits, e.g. 11")
    department_name: CleanText
    line: CleanText
    postal_code: str | None = None
    country_code: str = "CO"
    country_name: CleanText = "Colombia"


class ColombiaBuyer(_Model):
    id_type: IdType
    identification: str = Field(description="document number; for a NIT without the check digit")
    check_digit: str | None = Field(default=None, description="DV, only for id_type 31 (NIT)")
    name: CleanText = Field(description="razón social or full name, exactly as in the RUT")
    trade_name: CleanText | None = None
    person_type: Literal["1", "2"] = Field(default="2", description="1 persona jurídica, 2 persona natural")
    tax_responsibilities: list[str] = Field(default_factory=lambda: ["R-99-PN"])
    tax_regime: Literal["48", "49"] = Field(default="49", description="48 responsable de IVA, 49 no responsable")
    tax_scheme: Literal["01", "04", "ZA", "ZZ"] = "ZZ"
    address: ColombiaAddress | None = None
    email: str | None = None
    phone: str | None = None


class LineTax(_Model):
    """One tributo of a line. IVA at 0 % is *exento*; a line without an IVA entry is *excluido*."""

    scheme: Literal["01", "04"] = Field(description="01 IVA, 04 INC (impuesto nacional al consumo)")
    percent: Decimal


class ColombiaSaleLine(_Model):
    code: CleanText | None = None
    description: CleanText
    quantity: Decimal
    unit_code: str = Field(default="94", description="UN/ECE Rec 20 unit, e.g. 94 unidad")
    unit_price: Decimal
    discount: Decimal = Decimal("0")
    taxes: list[LineTax] = Field(default_factory=list)


class ColombiaPayment(_Model):
    form: Literal["1", "2"] = Field(default="1", description="forma de pago: 1 contado, 2 crédito")
    means_code: str = Field(default="10", description="medio de pago, e.g. 10 efectivo, 42/47 transferencia")
    due_date: date | None = Field(default=None, description="required for crédito")


class ColombiaSale(_Model):
    country: Literal["CO"] = "CO"
    order_id: str = Field(pattern=ORDER_ID_PATTERN, description="the backend's own order id; the idempotency key")
    issuer: ColombiaIssuerRef
    issue_date: date | None = Field(
        default=None, description="must be the signing day if given (FAD09e); default: today in Bogotá"
    )
    # Informational: the document carries the signing moment, since IssueDate/IssueTime must match the
    # signature's SigningTime (FAD09e), so a requested time is never written as such.
    issue_time: time | None = None
    buyer: ColombiaBuyer
    lines: list[ColombiaSaleLine]
    payment: ColombiaPayment = Field(default_factory=ColombiaPayment)
    notes: list[CleanText] = Field(default_factory=list)
    expected_total: Decimal | None = Field(
        default=None, description="the total the backend charged; checked against the lines"
    )

    # The workflow reads these on every country's sale.
    @property
    def issuer_id(self) -> str:
        return self.issuer.nit

    @property
    def buyer_email(self) -> str | None:
        return self.buyer.email

    @property
    def buyer_name(self) -> str:
        return self.buyer.name

    @property
    def buyer_identification(self) -> str:
        return self.buyer.identification
