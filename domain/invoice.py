"""The invoice workflow's contract: its input, the step results it records, and its status answer."""

from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Discriminator, Field, Tag, TypeAdapter

from domain.colombia.sale import ColombiaSale
from domain.documents import DocumentRef
from domain.ecuador.sale import EcuadorSale
from domain.mexico.sale import MexicoSale
from domain.problems import Problem
from domain.status import InvoiceStatus


def _country_of(value: object) -> str | None:
    # Ecuador came first: its sales may omit `country`, and existing backends keep working.
    if isinstance(value, dict):
        return str(value.get("country", "EC"))
    return getattr(value, "country", None)


# One sale model per country, told apart by `country`.
Sale = Annotated[
    Annotated[EcuadorSale, Tag("EC")] | Annotated[ColombiaSale, Tag("CO")] | Annotated[MexicoSale, Tag("MX")],
    Discriminator(_country_of),
]
SALE = TypeAdapter(Sale)


def parse_sale(raw: object) -> Sale:
    """A sale from JSON-like data; raises pydantic.ValidationError naming every wrong field."""
    return SALE.validate_python(raw)
DocumentKind = Literal["invoice", "credit_note"]


def invoice_key(country: str, issuer_id: str, order_id: str) -> str:
    """The workflow id and the ledger's natural key: one invoice per order, ever."""
    return f"invoice-{country}-{issuer_id}-{order_id}"


def sale_key(sale: Sale) -> str:
    return invoice_key(sale.country, sale.issuer_id, sale.order_id)


def credit_note_key(original_key: str, sequence: int) -> str:
    return f"credit-{original_key.removeprefix('invoice-')}-{sequence}"


class PipelineTimings(BaseModel):
    """Every duration the workflows use, with production defaults; tests pass short ones.

    Durations are inputs because the time-skipping test server is not available: the only way to test
    a 24-hour authorization budget is to make it 5 seconds in the test.
    """

    model_config = ConfigDict(frozen=True)

    step_timeout: timedelta = timedelta(seconds=60)
    retry_initial: timedelta = timedelta(seconds=1)
    retry_max: timedelta = timedelta(seconds=30)
    # The online window: how long submission retries an unreachable authority before the invoice goes
    # into contingency instead of blocking the sale.
    submit_window: timedelta = timedelta(minutes=2)
    # Overrides the country's contingency alert lead time (domain.contingency); tests use seconds.
    contingency_alert_after: timedelta | None = None
    # In contingency: how long to wait for the authority-health workflow's "back" signal before an
    # invoice tries on its own (a safety net; normally the health workflow releases it).
    contingency_retry: timedelta = timedelta(minutes=30)
    # The SRI recommends waiting a few seconds after RECIBIDA; it may take up to 24 h (ficha §7.4).
    poll_interval: timedelta = timedelta(seconds=2)
    poll_max_interval: timedelta = timedelta(minutes=5)
    authorization_deadline: timedelta = timedelta(hours=24)
    # How long the submitting activity itself waits for the decision (polling every poll_interval) before
    # leaving the rest to the polling step: most documents are decided in a second or two, and waiting in
    # the activity saves a round trip through the server and the retry timer's delay.
    decision_wait: timedelta = timedelta(seconds=10)
    # The submitting step reports progress at least this often (before and after each call to the
    # authority, and while it waits for the decision): a worker that dies mid-step is noticed after this
    # long, not after step_timeout, so the retry still falls inside the online window. Longer than one
    # call to the authority (COMPROBANTE_SRI_TIMEOUT_SECONDS, 20 s).
    heartbeat_timeout: timedelta = timedelta(seconds=30)
    # How long delivery steps (PDF, mail, ledger) keep retrying before an operator is needed.
    delivery_window: timedelta = timedelta(hours=6)
    # An invoice left in NEEDS_FIX this long raises an alert (and stays visible).
    needs_fix_alert_after: timedelta = timedelta(hours=4)


class IssueInvoiceInput(BaseModel):
    sale: Sale
    timings: PipelineTimings = Field(default_factory=PipelineTimings)
    requested_by: str = "api"


class Numbering(BaseModel):
    """The legal identity of a document, allocated once and reused by every retry and every fix."""

    model_config = ConfigDict(frozen=True)

    series: str  # Ecuador: establecimiento-punto de emisión ("001-001")
    sequential: int
    document_number: str  # as printed: "001-001-000000123"
    issue_date: date
    # The authority's key when it is known at numbering time (Ecuador's clave de acceso); countries
    # whose key comes from the document (CUFE) or the stamp (UUID) fill it later.
    access_key: str | None = None


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


class CreditLine(BaseModel):
    """Return part of an invoice line: the index of the original line and the quantity returned."""

    model_config = ConfigDict(frozen=True)

    line: int
    quantity: Decimal


class CreditRequest(BaseModel):
    """What to credit: everything (no lines), or some quantities of some lines."""

    model_config = ConfigDict(frozen=True)

    reason: str
    lines: list[CreditLine] = Field(default_factory=list)
    requested_by: str = "support"


class CreditNoteSummary(BaseModel):
    model_config = ConfigDict(frozen=True)

    key: str
    status: InvoiceStatus
    document_number: str | None = None
    amount: Decimal | None = None


class InvoiceState(BaseModel):
    """The whole picture, answered by the workflows' ``status`` query."""

    invoice_key: str
    kind: DocumentKind = "invoice"
    country: str
    issuer_id: str
    order_id: str
    status: InvoiceStatus = InvoiceStatus.RECEIVED
    step: str = "validate"
    revision: int = 1
    problems: list[Problem] = Field(default_factory=list)
    authority_messages: list[AuthorityMessage] = Field(default_factory=list)
    numbering: Numbering | None = None
    authorization: Authorization | None = None
    documents: dict[str, DocumentRef] = Field(default_factory=dict)
    total: Decimal | None = None
    attempts: dict[str, int] = Field(default_factory=dict)
    email_message_id: str | None = None
    contingency_since: datetime | None = None
    credit_notes: list[CreditNoteSummary] = Field(default_factory=list)
    alerts: list[str] = Field(default_factory=list)
    # The sale as it stands now (after any fix): what support reads before fixing or crediting.
    sale: Sale | None = None
    history: list[StatusChange] = Field(default_factory=list)


class IssueInvoiceResult(BaseModel):
    state: InvoiceState


# --- support operations ------------------------------------------------------------------------
class SupportRequest(BaseModel):
    """Who asks and why: every support operation is recorded in the audit trail with both."""

    actor: str
    reason: str = ""


class FixRequest(SupportRequest):
    """Replace whole sections of the sale (buyer, lines, payments, additional_info, tip...).

    The invoice's identity (country, issuer, order id) cannot change: a different sale is a new invoice.
    """

    changes: dict[str, Any]


class ResendRequest(SupportRequest):
    to: str | None = None


class CancelRequest(SupportRequest):
    pass


class CreditNoteInput(BaseModel):
    original_key: str
    original_sale: Sale
    original_numbering: Numbering
    original_total: Decimal
    request: CreditRequest
    timings: PipelineTimings = Field(default_factory=PipelineTimings)
    sequence: int = 1
    # False when compensating an invoice the ledger refused: there is no receivable to reduce.
    book_in_ledger: bool = True


class CreditNoteResult(BaseModel):
    state: InvoiceState
    amount: Decimal


