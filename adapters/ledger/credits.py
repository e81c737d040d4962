"""Credits and voids: the ledger side of compensation.

The sum of credit notes can never exceed the invoice. The reservation is one conditional UPDATE on the
receivable (`credited + amount <= amount`), atomic in SQLite and Postgres alike, so two credit notes
issued at the same moment cannot both pass a check that only one of them fits.
"""

from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal

from sqlalchemy import update
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from adapters.ledger.tables import CreditAllocation, InvoiceRecord, NumberAllocation, Receivable


@dataclass(frozen=True)
class Reservation:
    reserved: bool
    invoice_total: Decimal
    already_credited: Decimal


class Credits:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def reserve(self, original_key: str, credit_key: str, amount: Decimal) -> Reservation:
        with Session(self._engine) as session, session.begin():
            receivable = session.get(Receivable, original_key)
            if receivable is None:
                return Reservation(False, Decimal(0), Decimal(0))
            existing = session.get(CreditAllocation, credit_key)
            if existing is not None and existing.status != "RELEASED":
                return Reservation(True, receivable.amount, receivable.credited - existing.amount)
            result = session.execute(
                update(Receivable)
                .where(Receivable.invoice_key == original_key)  # type: ignore[arg-type]
                .where(Receivable.credited + amount <= Receivable.amount)  # type: ignore[arg-type]
                .values(credited=Receivable.credited + amount)
            )
            if result.rowcount != 1:  # type: ignore[attr-defined]
                return Reservation(False, receivable.amount, receivable.credited)
            if existing is None:
                session.add(CreditAllocation(credit_key=credit_key, original_key=original_key, amount=amount,
                                             created_at=datetime.now(UTC)))
            else:
                existing.status, existing.amount = "RESERVED", amount
            return Reservation(True, receivable.amount, receivable.credited)

    def release(self, credit_key: str) -> None:
        """Give back a reservation whose credit note was never authorized."""
        with Session(self._engine) as session, session.begin():
            allocation = session.get(CreditAllocation, credit_key)
            if allocation is None or allocation.status != "RESERVED":
                return
            session.execute(
                update(Receivable).where(Receivable.invoice_key == allocation.original_key)  # type: ignore[arg-type]
                .values(credited=Receivable.credited - allocation.amount))
            allocation.status = "RELEASED"

    def post(self, credit_key: str, document_number: str) -> bool:
        """The credit note is authorized: the buyer owes that much less. False when already posted."""
        with Session(self._engine) as session, session.begin():
            allocation = session.get(CreditAllocation, credit_key)
            if allocation is None or allocation.status == "POSTED":
                return False
            receivable = session.get(Receivable, allocation.original_key)
            if receivable is not None:
                receivable.balance -= allocation.amount
                receivable.status = "CREDITED" if receivable.balance <= 0 else "PARTIALLY_CREDITED"
            invoice = session.get(InvoiceRecord, allocation.original_key)
            if invoice is not None and receivable is not None and receivable.balance <= 0:
                invoice.status, invoice.updated_at = "CREDITED", datetime.now(UTC)
            allocation.status, allocation.document_number = "POSTED", document_number
            return True

    def for_invoice(self, original_key: str) -> list[CreditAllocation]:
        with Session(self._engine) as session:
            query = select(CreditAllocation).where(CreditAllocation.original_key == original_key)
            return list(session.exec(query))

    def void(self, invoice_key: str, reason: str) -> None:
        """Before the authority saw it: the number stays spent, marked voided; no receivable remains."""
        with Session(self._engine) as session, session.begin():
            allocation = session.get(NumberAllocation, invoice_key)
            if allocation is not None and allocation.voided_at is None:
                allocation.voided_at, allocation.void_reason = datetime.now(UTC), reason[:500]
            receivable = session.get(Receivable, invoice_key)
            if receivable is not None:
                receivable.balance, receivable.status = Decimal(0), "REVERSED"
