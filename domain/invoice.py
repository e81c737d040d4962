"""The invoice workflow's contract: its input, the step results it records, and its status answer."""

from datetime import date, datetime, timedelta
from decimal import Decimal

from pydantic import BaseModel, ConfigDict, Field

from domain.documents import DocumentRef
from domain.ecuador.sale import EcuadorSale
from domain.problems import Problem
from domain.status import InvoiceStatus

# One sale model per country; Colombia and Mexico join this as a discriminated union on `country`.
Sale = EcuadorSale


def invoice_key(country: str, issuer_id: str, order_id: str) -> str:
    """The workflow id and the ledger's natural key: one invoice per order, ever."""
    return f"invoice-{country}-{issuer_id}-{order_id}"


def sale_key(sale: Sale) -> str:
    return invoice_key(sale.country, sale.issuer.ruc, sale.order_id)


class PipelineTimings(BaseModel):
    """Every duration the workflow uses, with production defaults; tests pass short ones.

    Durations are inputs because the time-skipping test server is not available: the only way to test
    a 24-hour authorization budget is to make it 5 seconds in the test.
    """

    model_config = ConfigDict(frozen=True)

    step_timeout: timedelta = timedelta(seconds=60)
    retry_initial: timedelta = timedelta(seconds=1)
    retry_max: timedelta = timedelta(seconds=30)
    # How long submission keeps retrying an unreachable authority before the invoice is parked.
    submit_window: timedelta = timedelta(minutes=5)
    # The SRI recommends waiting a few seconds after RECIBIDA; it may take up to 24 h (ficha §7.4).
    poll_interval: timedelta = timedelta(seconds=2)
    poll_max_interval: timedelta = timedelta(minutes=5)
    authorization_deadline: timedelta = timedelta(hours=24)
    # How long delivery steps (PDF, mail, ledger) keep retrying before an operator is needed.
    delivery_window: timedelta = timedelta(hours=6)


class IssueInvoiceInput(BaseModel):
    sale: Sale
    timings: PipelineTimings = Field(default_factory=PipelineTimings)
    requested_by: str = "api"


class Numbering(BaseModel):
    """The legal identity of the document, allocated once and reused by every retry."""

    model_config = ConfigDict(frozen=True)

    establishment: str
    emission_point: str
    sequential: str
    access_key: str
    issue_date: date

    @property
    def document_number(self) -> str:
        return f"{self.establishment}-{self.emission_point}-{self.sequential}"


class AuthorityMessage(BaseModel):
    model_config = ConfigDict(frozen=True)

    identifier: str
    message: str
    additional_info: str | None = None
    kind: str = "ERROR"


class Authorization(BaseModel):
    model_config = ConfigDict(frozen=True)

    number: str
    authorized_at: datetime
    environment: str
    messages: list[AuthorityMessage] = Field(default_factory=list)


class StatusChange(BaseModel):
    model_config = ConfigDict(frozen=True)

    status: InvoiceStatus
    at: datetime
    actor: str
    note: str = ""


class InvoiceState(BaseModel):
    """The whole picture, answered by the workflow's ``status`` query."""

    invoice_key: str
    country: str
    issuer_id: str
    order_id: str
    status: InvoiceStatus = InvoiceStatus.RECEIVED
    step: str = "validate"
    problems: list[Problem] = Field(default_factory=list)
    authority_messages: list[AuthorityMessage] = Field(default_factory=list)
    numbering: Numbering | None = None
    authorization: Authorization | None = None
    documents: dict[str, DocumentRef] = Field(default_factory=dict)
    total: Decimal | None = None
    attempts: dict[str, int] = Field(default_factory=dict)
    email_message_id: str | None = None
    history: list[StatusChange] = Field(default_factory=list)


class IssueInvoiceResult(BaseModel):
    state: InvoiceState
