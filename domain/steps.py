"""Inputs and results of every activity: one pydantic model in, one out.

They live in ``domain`` so the workflows can import them without importing any I/O code. Every input
carries what the activity needs to find the country profile (the sale or the country).
"""

from datetime import datetime, timedelta
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from domain.documents import DocumentRef
from domain.invoice import (
    AuthorityMessage,
    Authorization,
    CreditLine,
    DocumentKind,
    Numbering,
    Sale,
)
from domain.problems import Problem


class _Step(BaseModel):
    model_config = ConfigDict(frozen=True)


class CreditSpec(_Step):
    """The part of a credit note that is not the original sale: what it modifies and why."""

    original_numbering: Numbering
    lines: list[CreditLine] = Field(default_factory=list)  # empty: the whole invoice
    reason: str


class ValidateInput(_Step):
    sale: Sale
    credit: CreditSpec | None = None


class ValidateResult(_Step):
    problems: list[Problem]
    total: Decimal | None = None


class NumberInput(_Step):
    invoice_key: str
    sale: Sale
    kind: DocumentKind = "invoice"


class SignInput(_Step):
    invoice_key: str
    sale: Sale
    numbering: Numbering
    # Bumped after a fix or a rejection: a new revision is rebuilt and re-signed under the same number;
    # retries of one revision always reuse its stored bytes.
    revision: int = 1
    kind: DocumentKind = "invoice"
    credit: CreditSpec | None = None
    contingency: bool = False


class SignResult(_Step):
    document: DocumentRef
    signed_at: datetime
    access_key: str | None = None


class PrepareInput(_Step):
    """Validate, number (once) and build and sign one revision: the three steps of an invoice that need
    nothing from outside, in one activity. Each part is idempotent on its own (the number is allocated
    once per invoice, each revision is signed once), so a retried activity redoes nothing twice."""

    invoice_key: str
    sale: Sale
    revision: int = 1
    kind: DocumentKind = "invoice"
    numbering: Numbering | None = None  # set once allocated: later revisions reuse it


class PrepareResult(_Step):
    problems: list[Problem]  # warnings and alerts too; errors mean nothing was numbered or signed
    total: Decimal | None = None
    numbering: Numbering | None = None
    signed: SignResult | None = None


class SubmitInput(_Step):
    invoice_key: str
    country: str
    issuer_id: str = ""
    numbering: Numbering
    document: DocumentRef


class SubmitResult(_Step):
    # RECEIVED: accepted now. ALREADY_RECEIVED: an earlier attempt got through (SRI 43 / 70), or the
    # authority already decided it; both mean "go and poll".
    outcome: Literal["RECEIVED", "ALREADY_RECEIVED"]
    attempt: int


class PollInput(_Step):
    invoice_key: str
    country: str
    issuer_id: str = ""
    numbering: Numbering
    revision: int = 1
    kind: DocumentKind = "invoice"
    document: DocumentRef | None = None  # the signed document the authority is deciding on


class PollResult(_Step):
    authorized: bool
    authorization: Authorization | None = None
    authorized_document: DocumentRef | None = None
    messages: list[AuthorityMessage] = Field(default_factory=list)
    attempt: int = 1


class TransmitInput(_Step):
    """Submit one signed revision and wait up to `decision_wait` for the authority's decision."""

    invoice_key: str
    country: str
    issuer_id: str = ""
    numbering: Numbering
    document: DocumentRef
    revision: int = 1
    kind: DocumentKind = "invoice"
    # False once the authority-health workflow released this invoice: it said the authority is back.
    check_health: bool = True
    poll_interval: timedelta = timedelta(seconds=2)
    poll_max_interval: timedelta = timedelta(seconds=30)
    decision_wait: timedelta = timedelta(seconds=10)


class TransmitResult(_Step):
    # AUTHORITY_DOWN: the authority-health workflow knows it is unreachable; nothing was sent.
    outcome: Literal["RECEIVED", "ALREADY_RECEIVED", "AUTHORITY_DOWN"]
    attempt: int
    down_since: datetime | None = None
    # The decision when it came within decision_wait; None leaves it to the polling step.
    decision: PollResult | None = None


class RenderInput(_Step):
    invoice_key: str
    country: str
    kind: DocumentKind = "invoice"
    # The authorized artefact, or the signed document when rendering a contingency copy.
    document: DocumentRef
    authorization: Authorization | None
    revision: int = 1


class NotifyInput(_Step):
    invoice_key: str
    sale: Sale
    kind: DocumentKind = "invoice"
    numbering: Numbering
    total: Decimal
    pdf: DocumentRef
    xml: DocumentRef
    # A resend or a contingency copy gets its own purpose so it is a new message; retries of one
    # purpose never are.
    purpose: str = "authorized"
    recipient_override: str | None = None


class NotifyResult(_Step):
    message_id: str | None
    recipient: str | None
    sent_now: bool
    skipped_reason: str | None = None
    # Whether this worker has a webhook endpoint: without one the workflow skips the webhook step.
    webhook_configured: bool = True


class WebhookInput(_Step):
    invoice_key: str
    event: str
    payload: dict[str, str]


class WebhookResult(_Step):
    delivered: bool
    status_code: int | None = None


class LedgerInput(_Step):
    invoice_key: str
    sale: Sale
    numbering: Numbering
    authorization: Authorization | None  # None while in contingency
    total: Decimal
    documents: dict[str, DocumentRef]
    status: str


class LedgerResult(_Step):
    receivable_posted_now: bool


class CreditLedgerInput(_Step):
    credit_key: str
    original_key: str
    sale: Sale
    numbering: Numbering
    authorization: Authorization
    amount: Decimal
    documents: dict[str, DocumentRef]


class ReserveCreditInput(_Step):
    original_key: str
    credit_key: str
    amount: Decimal


class ReserveCreditResult(_Step):
    reserved: bool
    invoice_total: Decimal
    already_credited: Decimal


class VoidInput(_Step):
    invoice_key: str
    sale: Sale
    numbering: Numbering | None
    reason: str
    actor: str


class TransitionInput(_Step):
    invoice_key: str
    country: str
    issuer_id: str
    order_id: str
    sequence: int
    status: str
    actor: str
    note: str
    at: datetime


class TransitionsInput(_Step):
    """Several audit entries written in one transaction (the steps between two resting points)."""

    transitions: list[TransitionInput]


class AlertInput(_Step):
    invoice_key: str
    kind: str  # needs_fix_overdue, contingency_deadline, compensated, ...
    message: str


class AuthorityInput(_Step):
    country: str


class AuthorityStatus(_Step):
    country: str
    up: bool
    since: datetime | None = None


class OutageReport(_Step):
    country: str
    invoice_key: str
    error: str


class CancelAtAuthority(_Step):
    """Cancel a document at the authority (Mexico: through the PAC, with the SAT's motive)."""

    invoice_key: str
    country: str
    issuer_id: str
    receiver_id: str
    uuid: str
    total: Decimal
    motive: Literal["01", "02", "03", "04"]
    substitute_uuid: str | None = None


class CancellationStatus(_Step):
    # EnProceso (waiting for the receiver), Cancelado, CanceladoSinAceptacion, PlazoVencido, Rechazado,
    # NoCancelable, Vigente, Error: the SAT's own states, shown as they are to the operator.
    state: str
    code: str = ""
    message: str = ""
    acuse: DocumentRef | None = None
