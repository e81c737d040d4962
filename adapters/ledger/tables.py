"""Ledger tables. Every table has a natural unique key so every write can be an idempotent upsert."""

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Column, Numeric, UniqueConstraint
from sqlmodel import Field, SQLModel


def _money_column() -> Column[Decimal]:
    return Column(Numeric(16, 2), nullable=False)


class SequenceCounter(SQLModel, table=True):
    """Last secuencial handed out per (RUC, document type, establecimiento, punto de emisión)."""

    __tablename__ = "sequence_counters"
    ruc: str = Field(primary_key=True)
    doc_code: str = Field(primary_key=True)
    establishment: str = Field(primary_key=True)
    emission_point: str = Field(primary_key=True)
    last_value: int = 0


class NumberAllocation(SQLModel, table=True):
    """A number bound to one invoice forever: the unique constraints are the legal guarantee."""

    __tablename__ = "number_allocations"
    __table_args__ = (UniqueConstraint("ruc", "doc_code", "establishment", "emission_point", "sequential"),)
    invoice_key: str = Field(primary_key=True)
    ruc: str
    doc_code: str
    establishment: str
    emission_point: str
    sequential: int
    access_key: str = Field(unique=True)
    issue_date: date
    allocated_at: datetime
    # A number is never reused: a voided invoice keeps it, marked here with the reason.
    voided_at: datetime | None = None
    void_reason: str | None = None


class InvoiceRecord(SQLModel, table=True):
    __tablename__ = "invoices"
    invoice_key: str = Field(primary_key=True)
    country: str
    issuer_id: str = Field(index=True)
    order_id: str
    status: str = Field(default="RECEIVED", index=True)
    document_number: str | None = None
    access_key: str | None = Field(default=None, index=True)
    issue_date: date | None = None
    buyer_identification: str | None = None
    buyer_name: str | None = None
    subtotal: Decimal | None = Field(default=None, sa_column=Column(Numeric(16, 2)))
    tax: Decimal | None = Field(default=None, sa_column=Column(Numeric(16, 2)))
    total: Decimal | None = Field(default=None, sa_column=Column(Numeric(16, 2)))
    authorization_number: str | None = None
    authorized_at: datetime | None = None
    signed_xml_key: str | None = None
    authorized_xml_key: str | None = None
    pdf_key: str | None = None
    updated_at: datetime


class Receivable(SQLModel, table=True):
    """Cartera: what the buyer owes for an authorized invoice."""

    __tablename__ = "receivables"
    invoice_key: str = Field(primary_key=True)
    issuer_id: str = Field(index=True)
    buyer_identification: str = Field(index=True)
    buyer_name: str
    amount: Decimal = Field(sa_column=_money_column())
    balance: Decimal = Field(sa_column=_money_column())
    # Reserved or posted by credit notes; never more than `amount` (a conditional UPDATE enforces it).
    credited: Decimal = Field(default=Decimal("0"), sa_column=Column(Numeric(16, 2), nullable=False, default=0))
    issue_date: date
    due_date: date
    status: str = "OPEN"
    posted_at: datetime


class CreditAllocation(SQLModel, table=True):
    """One credit note's share of an invoice: reserved before it is issued, posted once authorized."""

    __tablename__ = "credit_allocations"
    credit_key: str = Field(primary_key=True)
    original_key: str = Field(index=True)
    amount: Decimal = Field(sa_column=_money_column())
    status: str = "RESERVED"  # RESERVED → POSTED, or RELEASED when the credit note could not be issued
    document_number: str | None = None
    created_at: datetime


class AuditEntry(SQLModel, table=True):
    """Every state change of an invoice, with when and who; (invoice, sequence) makes retries harmless."""

    __tablename__ = "audit_trail"
    __table_args__ = (UniqueConstraint("invoice_key", "sequence"),)
    id: int | None = Field(default=None, primary_key=True)
    invoice_key: str = Field(index=True)
    sequence: int
    status: str
    actor: str
    note: str = ""
    at: datetime


class MailLog(SQLModel, table=True):
    """Messages sent, keyed by a Message-ID derived from the invoice: checked before every send."""

    __tablename__ = "mail_log"
    message_id: str = Field(primary_key=True)
    invoice_key: str = Field(index=True)
    recipient: str
    sent_at: datetime


class WebhookDelivery(SQLModel, table=True):
    __tablename__ = "webhook_deliveries"
    delivery_id: str = Field(primary_key=True)
    invoice_key: str = Field(index=True)
    event: str
    status_code: int
    delivered_at: datetime
