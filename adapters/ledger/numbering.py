"""Allocates document numbers exactly once per invoice.

The allocation is one transaction: bump the counter, insert the allocation keyed by the invoice. If the
invoice already holds a number (a retried or restarted activity), that number is returned and the
counter is untouched, so a number is never spent twice and never reused for another sale.
"""

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlalchemy import update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from adapters.ledger.tables import NumberAllocation, SequenceCounter


@dataclass(frozen=True)
class NumberRequest:
    invoice_key: str
    ruc: str
    doc_code: str
    establishment: str
    emission_point: str
    issue_date: date


@dataclass(frozen=True)
class Allocated:
    sequential: int
    access_key: str
    issue_date: date


# Builds the access key from the sequential and a random numeric code; the country decides the format.
KeyFactory = Callable[[int, str], str]


class NumberAllocator:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def allocate(self, request: NumberRequest, make_key: KeyFactory) -> Allocated:
        existing = self._existing(request.invoice_key)
        if existing is not None:
            return existing
        try:
            return self._allocate_new(request, make_key)
        except IntegrityError:
            # Another attempt for the same invoice won the race: its number is the invoice's number.
            existing = self._existing(request.invoice_key)
            if existing is None:
                raise
            return existing

    def peek(self, ruc: str, doc_code: str, establishment: str, emission_point: str) -> int:
        """The last number handed out in a series (0 before the first); reading it allocates nothing."""
        with Session(self._engine) as session:
            counter = session.get(SequenceCounter, (ruc, doc_code, establishment, emission_point))
            return 0 if counter is None else counter.last_value

    def _existing(self, invoice_key: str) -> Allocated | None:
        with Session(self._engine) as session:
            row = session.get(NumberAllocation, invoice_key)
            return None if row is None else Allocated(row.sequential, row.access_key, row.issue_date)

    def _ensure_counter(self, request: NumberRequest) -> None:
        """Create the series' counter on first use; when two invoices race to create it, one insert wins."""
        counter_key = (request.ruc, request.doc_code, request.establishment, request.emission_point)
        with Session(self._engine) as session:
            if session.get(SequenceCounter, counter_key) is not None:
                return
        try:
            with Session(self._engine) as session, session.begin():
                session.add(SequenceCounter(ruc=request.ruc, doc_code=request.doc_code,
                                            establishment=request.establishment,
                                            emission_point=request.emission_point, last_value=0))
        except IntegrityError:
            pass  # created concurrently by another allocation: exactly what we needed

    def _allocate_new(self, request: NumberRequest, make_key: KeyFactory) -> Allocated:
        self._ensure_counter(request)
        with Session(self._engine) as session, session.begin():
            # A single UPDATE takes the write lock, so two invoices can never read the same value.
            session.execute(
                update(SequenceCounter)
                .where(SequenceCounter.ruc == request.ruc)  # type: ignore[arg-type]
                .where(SequenceCounter.doc_code == request.doc_code)  # type: ignore[arg-type]
                .where(SequenceCounter.establishment == request.establishment)  # type: ignore[arg-type]
                .where(SequenceCounter.emission_point == request.emission_point)  # type: ignore[arg-type]
                .values(last_value=SequenceCounter.last_value + 1)
            )
            counter = session.exec(
                select(SequenceCounter)
                .where(SequenceCounter.ruc == request.ruc)
                .where(SequenceCounter.doc_code == request.doc_code)
                .where(SequenceCounter.establishment == request.establishment)
                .where(SequenceCounter.emission_point == request.emission_point)
            ).one()
            sequential = counter.last_value
            access_key = make_key(sequential, f"{secrets.randbelow(10**8):08d}")
            session.add(NumberAllocation(
                invoice_key=request.invoice_key, ruc=request.ruc, doc_code=request.doc_code,
                establishment=request.establishment, emission_point=request.emission_point,
                sequential=sequential, access_key=access_key, issue_date=request.issue_date,
                allocated_at=datetime.now(UTC),
            ))
        return Allocated(sequential, access_key, request.issue_date)
