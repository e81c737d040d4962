"""Audit entries written in batches when an invoice comes to rest: one transaction, retries harmless."""

from datetime import UTC, datetime, timedelta
from pathlib import Path

from adapters.ledger.books import Books, TransitionEntry
from adapters.ledger.database import make_engine

AT = datetime(2026, 11, 21, 10, tzinfo=UTC)
STATUSES = ["RECEIVED", "NUMBERED", "SIGNED", "SUBMITTED", "AUTHORIZED"]


def entries(first: int, last: int) -> list[TransitionEntry]:
    return [TransitionEntry(sequence=n, status=STATUSES[n - 1], actor="worker", note=f"step {n}",
                            at=AT + timedelta(seconds=n)) for n in range(first, last + 1)]


def books(tmp_path: Path) -> Books:
    return Books(make_engine(f"sqlite:///{tmp_path / 'ledger.db'}"))


def record(ledger: Books, batch: list[TransitionEntry]) -> int:
    return ledger.record_transitions("inv-1", batch, country="EC", issuer_id="1792146739001", order_id="A-1")


def test_a_batch_becomes_the_audit_trail_and_the_latest_status(tmp_path: Path) -> None:
    ledger = books(tmp_path)
    assert record(ledger, entries(1, 3)) == 3
    assert [(e.sequence, e.status) for e in ledger.audit_trail("inv-1")] == [(1, "RECEIVED"), (2, "NUMBERED"),
                                                                             (3, "SIGNED")]
    row = ledger.invoice("inv-1")
    assert row is not None and row.status == "SIGNED" and row.order_id == "A-1"


def test_a_retried_or_overlapping_batch_adds_only_what_is_new(tmp_path: Path) -> None:
    ledger = books(tmp_path)
    record(ledger, entries(1, 3))
    assert record(ledger, entries(1, 3)) == 0  # the local activity retried after its commit
    assert record(ledger, entries(2, 5)) == 2
    assert [e.sequence for e in ledger.audit_trail("inv-1")] == [1, 2, 3, 4, 5]
    row = ledger.invoice("inv-1")
    assert row is not None and row.status == "AUTHORIZED"


def test_an_empty_batch_writes_nothing(tmp_path: Path) -> None:
    ledger = books(tmp_path)
    assert record(ledger, []) == 0
    assert ledger.invoice("inv-1") is None
