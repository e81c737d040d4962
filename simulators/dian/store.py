"""Durable simulator state in SQLite, so a restart keeps the DIAN's memory (reference §4.7, §12).

* ``documents`` — accepted documents only (DIAN registers nothing it rejected): the duplicate identity
  (sender NIT + type + number, 01/02/04 collapsed) is UNIQUE, so acceptance happens once per number.
* ``outcomes`` — the latest answer per CUFE/CUDE, rejected ones included, for GetStatus.
* ``submissions`` — every call and its status, for the admin API (``registered`` marks the one call
  that made the document accepted).
* ``batches`` — ZipKeys of asynchronous uploads; ``software`` and ``resolutions`` — what the
  simulated DIAN knows about issuers (PINs, numbering ranges).
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from simulators.common.store import SqliteStore
from simulators.dian.checks import AcceptedInvoice, Resolution

_SCHEMA = """
CREATE TABLE IF NOT EXISTS documents (
    uuid TEXT PRIMARY KEY,
    identity TEXT NOT NULL UNIQUE,
    nit TEXT NOT NULL,
    kind TEXT NOT NULL,
    number TEXT NOT NULL,
    issue_date TEXT NOT NULL,
    file_name TEXT NOT NULL,
    xml BLOB NOT NULL,
    application_response BLOB NOT NULL,
    accepted_at REAL NOT NULL,
    ready_at REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS outcomes (
    uuid TEXT PRIMARY KEY,
    answer TEXT NOT NULL,
    application_response BLOB,
    at REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS submissions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at REAL NOT NULL,
    operation TEXT NOT NULL,
    uuid TEXT,
    file_name TEXT,
    status_code TEXT NOT NULL,
    errors TEXT NOT NULL,
    registered INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS submissions_uuid ON submissions(uuid);
CREATE TABLE IF NOT EXISTS batches (
    zip_key TEXT PRIMARY KEY,
    created_at REAL NOT NULL,
    ready_at REAL NOT NULL,
    test_set_id TEXT,
    uuids TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS software (id TEXT PRIMARY KEY, pin TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS resolutions (
    nit TEXT NOT NULL, authorization TEXT NOT NULL, prefix TEXT NOT NULL, range_from INTEGER NOT NULL,
    range_to INTEGER NOT NULL, valid_from TEXT NOT NULL, valid_to TEXT NOT NULL, technical_key TEXT NOT NULL,
    PRIMARY KEY (nit, authorization, prefix)
);
CREATE TABLE IF NOT EXISTS counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
"""


@dataclass(frozen=True)
class Accepted:
    uuid: str
    identity: str
    nit: str
    kind: str
    number: str
    issue_date: str
    file_name: str
    application_response: bytes
    ready_at: float


class Store(SqliteStore):
    def __init__(self, state_dir: Path) -> None:
        super().__init__(state_dir, "dian-simulator.sqlite3", _SCHEMA)

    def _one(self, sql: str, args: tuple[Any, ...]) -> tuple[Any, ...] | None:
        with self._lock:
            row: tuple[Any, ...] | None = self._db.execute(sql, args).fetchone()
        return row

    # --- documents -------------------------------------------------------------------------
    _ACCEPTED = "SELECT uuid, identity, nit, kind, number, issue_date, file_name, application_response, ready_at " \
                "FROM documents"

    def by_identity(self, identity: str) -> Accepted | None:
        row = self._one(f"{self._ACCEPTED} WHERE identity = ?", (identity,))
        return _accepted(row) if row else None

    def by_uuid(self, uuid: str) -> Accepted | None:
        row = self._one(f"{self._ACCEPTED} WHERE uuid = ?", (uuid,))
        return _accepted(row) if row else None

    def accepted_invoice(self, uuid: str) -> AcceptedInvoice | None:
        found = self.by_uuid(uuid)
        if found is None or found.kind != "Invoice":
            return None
        return AcceptedInvoice(found.nit, found.number, found.uuid, found.issue_date)

    def register(self, accepted: Accepted, xml: bytes, at: float) -> Accepted | None:
        """Store an accepted document; if its identity is already taken, return the earlier one."""
        with self._lock:
            try:
                self._db.execute(
                    "INSERT INTO documents (uuid, identity, nit, kind, number, issue_date, file_name, xml, "
                    "application_response, accepted_at, ready_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (accepted.uuid, accepted.identity, accepted.nit, accepted.kind, accepted.number,
                     accepted.issue_date, accepted.file_name, xml, accepted.application_response, at,
                     accepted.ready_at),
                )
            except sqlite3.IntegrityError:
                row = self._db.execute(f"{self._ACCEPTED} WHERE identity = ? OR uuid = ?",
                                       (accepted.identity, accepted.uuid)).fetchone()
                return _accepted(row)
        return None

    def next_sequence(self, name: str) -> int:
        with self._lock:
            self._db.execute("INSERT INTO counters (name, value) VALUES (?, 1) "
                             "ON CONFLICT(name) DO UPDATE SET value = value + 1", (name,))
            row = self._db.execute("SELECT value FROM counters WHERE name = ?", (name,)).fetchone()
        return int(row[0])

    # --- outcomes and submissions ----------------------------------------------------------
    def save_outcome(self, uuid: str, answer: dict[str, Any], application_response: bytes | None, at: float) -> None:
        with self._lock:
            self._db.execute(
                "INSERT INTO outcomes (uuid, answer, application_response, at) VALUES (?, ?, ?, ?) "
                "ON CONFLICT(uuid) DO UPDATE SET answer = excluded.answer, "
                "application_response = excluded.application_response, at = excluded.at",
                (uuid, json.dumps(answer, ensure_ascii=False), application_response, at),
            )

    def outcome(self, uuid: str) -> tuple[dict[str, Any], bytes | None] | None:
        row = self._one("SELECT answer, application_response FROM outcomes WHERE uuid = ?", (uuid,))
        if row is None:
            return None
        return json.loads(row[0]), bytes(row[1]) if row[1] is not None else None

    def log_submission(self, *, operation: str, uuid: str | None, file_name: str | None, status_code: str,
                       errors: list[str], registered: bool, at: float) -> None:
        with self._lock:
            self._db.execute(
                "INSERT INTO submissions (at, operation, uuid, file_name, status_code, errors, registered) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)",
                (at, operation, uuid, file_name, status_code, json.dumps(errors, ensure_ascii=False), int(registered)),
            )

    # --- batches -----------------------------------------------------------------------------
    def save_batch(self, zip_key: str, *, created_at: float, ready_at: float, test_set_id: str | None,
                   uuids: list[str]) -> None:
        with self._lock:
            self._db.execute("INSERT INTO batches VALUES (?, ?, ?, ?, ?)",
                             (zip_key, created_at, ready_at, test_set_id, json.dumps(uuids)))

    def batch(self, zip_key: str) -> tuple[float, str | None, list[str]] | None:
        row = self._one("SELECT ready_at, test_set_id, uuids FROM batches WHERE zip_key = ?", (zip_key,))
        return (row[0], row[1], json.loads(row[2])) if row else None

    # --- registry ----------------------------------------------------------------------------
    def add_software(self, software_id: str, pin: str) -> None:
        with self._lock:
            self._db.execute("INSERT INTO software VALUES (?, ?) ON CONFLICT(id) DO UPDATE SET pin = excluded.pin",
                             (software_id, pin))

    def software_pins(self) -> dict[str, str]:
        with self._lock:
            return dict(self._db.execute("SELECT id, pin FROM software").fetchall())

    def add_resolution(self, resolution: Resolution) -> None:
        with self._lock:
            self._db.execute(
                "INSERT OR REPLACE INTO resolutions VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (resolution.nit, resolution.authorization, resolution.prefix, resolution.range_from,
                 resolution.range_to, resolution.valid_from.isoformat(), resolution.valid_to.isoformat(),
                 resolution.technical_key),
            )

    def resolutions(self) -> list[Resolution]:
        with self._lock:
            rows = self._db.execute("SELECT * FROM resolutions").fetchall()
        return [Resolution(r[0], r[1], r[2], r[3], r[4], date.fromisoformat(r[5]), date.fromisoformat(r[6]), r[7])
                for r in rows]

    # --- admin ---------------------------------------------------------------------------------
    def document_report(self, uuid: str) -> dict[str, Any] | None:
        accepted = self.by_uuid(uuid)
        with self._lock:
            submissions = self._db.execute(
                "SELECT at, operation, file_name, status_code, errors, registered FROM submissions "
                "WHERE uuid = ? ORDER BY id", (uuid,)).fetchall()
        if accepted is None and not submissions:
            return None
        return {
            "uuid": uuid,
            "status": "accepted" if accepted else "rejected",
            "number": accepted.number if accepted else None,
            "identity": accepted.identity if accepted else None,
            "accepted_submissions": sum(1 for s in submissions if s[5]),
            "submissions": [
                {"at": s[0], "operation": s[1], "file_name": s[2], "status_code": s[3], "errors": json.loads(s[4])}
                for s in submissions
            ],
        }

    def stats(self) -> dict[str, Any]:
        with self._lock:
            by_status = dict(self._db.execute(
                "SELECT status_code, COUNT(*) FROM submissions GROUP BY status_code").fetchall())
            documents = dict(self._db.execute("SELECT kind, COUNT(*) FROM documents GROUP BY kind").fetchall())
            rules = self._db.execute(
                "SELECT substr(value, 8, instr(value, ',') - 8) AS code, COUNT(*) FROM submissions, "
                "json_each(submissions.errors) GROUP BY code").fetchall()
        return {
            "submissions": {"total": sum(by_status.values()), **by_status},
            "documents": {"total": sum(documents.values()), **documents},
            "rules": {str(code): count for code, count in rules},
        }

    def reset(self) -> None:
        """Forget documents, answers and batches; the software and resolution registry stays."""
        self._clear("documents", "outcomes", "submissions", "batches")


def _accepted(row: tuple[Any, ...]) -> Accepted:
    return Accepted(uuid=row[0], identity=row[1], nit=row[2], kind=row[3], number=row[4], issue_date=row[5],
                    file_name=row[6], application_response=bytes(row[7]), ready_at=row[8])
