"""Idempotent ledger writes: invoice rows, receivables, the audit trail and delivery logs.

Each write is keyed by the invoice (plus a sequence or message id), so a retried activity rewrites the
same row instead of adding a second posting.
"""

from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from adapters.ledger.tables import AuditEntry, InvoiceRecord, MailLog, Receivable, WebhookDelivery


@dataclass(frozen=True)
class TransitionEntry:
    sequence: int
    status: str
    actor: str
    note: str
    at: datetime


class Books:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    # --- invoices -------------------------------------------------------------------------------
    def upsert_invoice(self, invoice_key: str, **fields: Any) -> None:
        """Create the invoice row or update the given columns; unknown keys are a programming error."""
        with Session(self._engine) as session, session.begin():
            row = session.get(InvoiceRecord, invoice_key)
            if row is None:
                row = InvoiceRecord(invoice_key=invoice_key, updated_at=datetime.now(UTC), **fields)
                session.add(row)
                return
            for name, value in fields.items():
                if not hasattr(row, name):
                    raise AttributeError(f"invoices has no column {name}")
                setattr(row, name, value)
            row.updated_at = datetime.now(UTC)

    def invoice(self, invoice_key: str) -> InvoiceRecord | None:
        with Session(self._engine) as session:
            return session.get(InvoiceRecord, invoice_key)

    # --- receivables ----------------------------------------------------------------------------
    def post_receivable(
        self, invoice_key: str, *, issuer_id: str, buyer_identification: str, buyer_name: str,
        amount: Decimal, issue_date: date, due_date: date,
    ) -> bool:
        """Book what the buyer owes; returns False when it was already booked (a retry)."""
        with Session(self._engine) as session, session.begin():
            if session.get(Receivable, invoice_key) is not None:
                return False
            session.add(Receivable(
                invoice_key=invoice_key, issuer_id=issuer_id, buyer_identification=buyer_identification,
                buyer_name=buyer_name, amount=amount, balance=amount, issue_date=issue_date,
                due_date=due_date, posted_at=datetime.now(UTC),
            ))
        return True

    def receivable(self, invoice_key: str) -> Receivable | None:
        with Session(self._engine) as session:
            return session.get(Receivable, invoice_key)

    # --- audit trail ----------------------------------------------------------------------------
    def record_transition(self, invoice_key: str, sequence: int, *, status: str, actor: str, note: str,
                          at: datetime, country: str, issuer_id: str, order_id: str) -> bool:
        """One audit entry and the status column; False when this transition was already recorded."""
        entry = TransitionEntry(sequence=sequence, status=status, actor=actor, note=note, at=at)
        return self.record_transitions(invoice_key, [entry], country=country, issuer_id=issuer_id,
                                       order_id=order_id) == 1

    def record_transitions(self, invoice_key: str, entries: list[TransitionEntry], *, country: str, issuer_id: str,
                           order_id: str) -> int:
        """Several audit entries and the latest status in one transaction; entries already recorded (a
        retried local activity) are skipped. Returns how many were new."""
        if not entries:
            return 0
        with Session(self._engine) as session, session.begin():
            known = set(session.exec(select(AuditEntry.sequence).where(
                AuditEntry.invoice_key == invoice_key,
                AuditEntry.sequence >= min(e.sequence for e in entries))))
            new = [e for e in entries if e.sequence not in known]
            for e in new:
                session.add(AuditEntry(invoice_key=invoice_key, sequence=e.sequence, status=e.status,
                                       actor=e.actor, note=e.note, at=e.at))
            latest = max(entries, key=lambda e: e.sequence)
            row = session.get(InvoiceRecord, invoice_key)
            if row is None:
                session.add(InvoiceRecord(invoice_key=invoice_key, country=country, issuer_id=issuer_id,
                                          order_id=order_id, status=latest.status, updated_at=datetime.now(UTC)))
            elif new:
                row.status, row.updated_at = latest.status, datetime.now(UTC)
        return len(new)

    def audit_trail(self, invoice_key: str) -> list[AuditEntry]:
        with Session(self._engine) as session:
            query = select(AuditEntry).where(AuditEntry.invoice_key == invoice_key).order_by(
                AuditEntry.sequence  # type: ignore[arg-type]
            )
            return list(session.exec(query))

    # --- delivery logs --------------------------------------------------------------------------
    def mail_sent(self, message_id: str) -> MailLog | None:
        with Session(self._engine) as session:
            return session.get(MailLog, message_id)

    def record_mail(self, message_id: str, invoice_key: str, recipient: str) -> None:
        with Session(self._engine) as session, session.begin():
            if session.get(MailLog, message_id) is None:
                session.add(MailLog(message_id=message_id, invoice_key=invoice_key, recipient=recipient,
                                    sent_at=datetime.now(UTC)))

    def mails_for(self, invoice_key: str) -> list[MailLog]:
        with Session(self._engine) as session:
            return list(session.exec(select(MailLog).where(MailLog.invoice_key == invoice_key)))

    def webhook_delivered(self, delivery_id: str) -> bool:
        with Session(self._engine) as session:
            return session.get(WebhookDelivery, delivery_id) is not None

    def record_webhook(self, delivery_id: str, invoice_key: str, event: str, status_code: int) -> None:
        with Session(self._engine) as session, session.begin():
            if session.get(WebhookDelivery, delivery_id) is None:
                session.add(WebhookDelivery(delivery_id=delivery_id, invoice_key=invoice_key, event=event,
                                            status_code=status_code, delivered_at=datetime.now(UTC)))
