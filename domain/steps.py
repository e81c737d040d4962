"""Inputs and results of every activity: one pydantic model in, one out.

They live in ``domain`` so the workflow can import them without importing any I/O code.
"""

from datetime import datetime
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from domain.documents import DocumentRef
from domain.invoice import AuthorityMessage, Authorization, Numbering, Sale
from domain.problems import Problem


class _Step(BaseModel):
    model_config = ConfigDict(frozen=True)


class ValidateInput(_Step):
    sale: Sale


class ValidateResult(_Step):
    problems: list[Problem]
    total: Decimal | None = None


class NumberInput(_Step):
    invoice_key: str
    sale: Sale


class SignInput(_Step):
    invoice_key: str
    sale: Sale
    numbering: Numbering
    # Bumped after a support fix changes the data: a new revision is rebuilt and re-signed under the
    # same number; retries of one revision always reuse its stored bytes.
    revision: int = 1


class SignResult(_Step):
    document: DocumentRef
    signed_at: datetime


class SubmitInput(_Step):
    invoice_key: str
    access_key: str
    document: DocumentRef


class SubmitResult(_Step):
    # RECEIVED: accepted now. ALREADY_RECEIVED: an earlier attempt got through (SRI 43 / 70), or the
    # authority already decided it; both mean "go and poll".
    outcome: Literal["RECEIVED", "ALREADY_RECEIVED"]
    attempt: int


class PollInput(_Step):
    invoice_key: str
    access_key: str
    revision: int = 1


class PollResult(_Step):
    authorized: bool
    authorization: Authorization | None = None
    authorized_document: DocumentRef | None = None
    messages: list[AuthorityMessage] = Field(default_factory=list)
    attempt: int = 1


class RenderInput(_Step):
    invoice_key: str
    authorized_document: DocumentRef
    authorization: Authorization | None
    revision: int = 1


class NotifyInput(_Step):
    invoice_key: str
    sale: Sale
    numbering: Numbering
    total: Decimal
    pdf: DocumentRef
    authorized_document: DocumentRef
    # A resend gets its own purpose so it is a new message; retries of one purpose never are.
    purpose: str = "authorized"
    recipient_override: str | None = None


class NotifyResult(_Step):
    message_id: str | None
    recipient: str | None
    sent_now: bool
    skipped_reason: str | None = None


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
    authorization: Authorization
    total: Decimal
    documents: dict[str, DocumentRef]


class LedgerResult(_Step):
    receivable_posted_now: bool


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
