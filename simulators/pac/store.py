"""Durable PAC state in SQLite (stdlib ``sqlite3``): a restart keeps every timbre and cancellation.

* ``documents``: one row per stamped CFDI (its UUID), keyed for duplicates by the SHA-256 of its Sello:
  the sello signs the whole cadena, so the same sello is the same document whatever its byte layout.
* ``hashes``: every exact byte form (SHA-256) a document arrived in, for ``stamped(sha256)`` lookups.
* ``requests``: every stamp/cancel call and its outcome, for ``/admin/stats`` and the tests.

The connection, its lock and the reset are ``simulators.common.store``'s.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from simulators.common.store import SqliteStore

_SCHEMA = """
CREATE TABLE IF NOT EXISTS documents (
    uuid TEXT PRIMARY KEY,
    sello_hash TEXT NOT NULL UNIQUE,
    rfc_emisor TEXT NOT NULL,
    rfc_receptor TEXT NOT NULL,
    total TEXT NOT NULL,
    total_mxn TEXT NOT NULL,
    tipo TEXT NOT NULL,
    serie TEXT NOT NULL,
    folio TEXT NOT NULL,
    fecha TEXT NOT NULL,
    related TEXT NOT NULL,
    stamped_xml BLOB NOT NULL,
    fecha_timbrado TEXT NOT NULL,
    stamped_at REAL NOT NULL,
    stamp_requests INTEGER NOT NULL DEFAULT 1,
    cancel_state TEXT NOT NULL DEFAULT '',
    cancel_motive TEXT NOT NULL DEFAULT '',
    cancel_substitute TEXT NOT NULL DEFAULT '',
    cancel_requested_at REAL,
    cancel_decided_at REAL,
    acuse TEXT NOT NULL DEFAULT ''
);
CREATE TABLE IF NOT EXISTS hashes (xml_hash TEXT PRIMARY KEY, uuid TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS requests (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at REAL NOT NULL,
    operation TEXT NOT NULL,
    uuid TEXT NOT NULL,
    outcome TEXT NOT NULL,
    codes TEXT NOT NULL
);
"""
_COLUMNS = (
    "uuid, sello_hash, rfc_emisor, rfc_receptor, total, total_mxn, tipo, serie, folio, fecha, related, stamped_xml, "
    "fecha_timbrado, stamped_at, stamp_requests, cancel_state, cancel_motive, cancel_substitute, "
    "cancel_requested_at, cancel_decided_at, acuse"
)


@dataclass(frozen=True, slots=True)
class StoredDocument:
    uuid: str
    sello_hash: str
    rfc_emisor: str
    rfc_receptor: str
    total: str
    total_mxn: str
    tipo: str
    serie: str
    folio: str
    fecha: str
    related: tuple[tuple[str, str], ...]
    stamped_xml: bytes
    fecha_timbrado: str
    stamped_at: float
    stamp_requests: int
    cancel_state: str  # "" until a cancellation is requested, then the SAT's EstatusCancelacion wording
    cancel_motive: str
    cancel_substitute: str
    cancel_requested_at: float | None
    cancel_decided_at: float | None
    acuse: str


class Store(SqliteStore):
    def __init__(self, state_dir: Path) -> None:
        super().__init__(state_dir, "pac-simulator.sqlite3", _SCHEMA)

    def insert(self, document: StoredDocument, xml_hash: str) -> StoredDocument:
        """Store a new timbre; if another request stored the same sello first, return that one (307)."""
        with self._lock:
            db = self._db
            db.execute("BEGIN IMMEDIATE")
            try:
                existing = db.execute("SELECT uuid FROM documents WHERE sello_hash = ?",
                                      (document.sello_hash,)).fetchone()
                if existing is None:
                    values = [getattr(document, name.strip()) for name in _COLUMNS.split(",")]
                    values[10] = json.dumps([list(pair) for pair in document.related])
                    db.execute(f"INSERT INTO documents ({_COLUMNS}) VALUES ({', '.join('?' * len(values))})", values)
                uuid = existing[0] if existing else document.uuid
                db.execute("INSERT OR IGNORE INTO hashes (xml_hash, uuid) VALUES (?, ?)", (xml_hash, uuid))
                db.execute("COMMIT")
            except BaseException:
                db.execute("ROLLBACK")
                raise
        found = self.by_uuid(uuid)
        assert found is not None
        return found

    def by_uuid(self, uuid: str) -> StoredDocument | None:
        return self._one(f"SELECT {_COLUMNS} FROM documents WHERE uuid = ?", (uuid.upper(),))

    def by_sello(self, sello_hash: str) -> StoredDocument | None:
        return self._one(f"SELECT {_COLUMNS} FROM documents WHERE sello_hash = ?", (sello_hash,))

    def by_xml_hash(self, xml_hash: str) -> StoredDocument | None:
        return self._one(
            f"SELECT {', '.join('d.' + c.strip() for c in _COLUMNS.split(','))} FROM documents d "
            "JOIN hashes h ON h.uuid = d.uuid WHERE h.xml_hash = ?", (xml_hash,))

    def relating_to(self, uuid: str) -> list[StoredDocument]:
        """Documents whose CfdiRelacionados name ``uuid`` (credit notes, substitutions…)."""
        like = f'%"{uuid.upper()}"%'
        with self._lock:
            rows = self._db.execute(f"SELECT {_COLUMNS} FROM documents WHERE related LIKE ?", (like,)).fetchall()
        return [_document(row) for row in rows]

    def count_stamp_request(self, uuid: str, xml_hash: str) -> None:
        with self._lock:
            self._db.execute("UPDATE documents SET stamp_requests = stamp_requests + 1 WHERE uuid = ?", (uuid,))
            self._db.execute("INSERT OR IGNORE INTO hashes (xml_hash, uuid) VALUES (?, ?)", (xml_hash, uuid))

    def set_cancellation(
        self, uuid: str, *, state: str, motive: str | None = None, substitute: str | None = None,
        requested_at: float | None = None, decided_at: float | None = None, acuse: str | None = None,
    ) -> None:
        assignments, values = ["cancel_state = ?"], [state]
        for column, value in (("cancel_motive", motive), ("cancel_substitute", substitute),
                              ("cancel_requested_at", requested_at), ("cancel_decided_at", decided_at),
                              ("acuse", acuse)):
            if value is not None:
                assignments.append(f"{column} = ?")
                values.append(value)  # type: ignore[arg-type]  # str | float, both bound by sqlite3
        with self._lock:
            self._db.execute(f"UPDATE documents SET {', '.join(assignments)} WHERE uuid = ?", (*values, uuid))

    def pending_cancellations(self) -> list[StoredDocument]:
        return self._many(f"SELECT {_COLUMNS} FROM documents WHERE cancel_state = ?", ("En proceso",))

    def log(self, *, at: float, operation: str, uuid: str, outcome: str, codes: list[str]) -> None:
        with self._lock:
            self._db.execute("INSERT INTO requests (at, operation, uuid, outcome, codes) VALUES (?, ?, ?, ?, ?)",
                             (at, operation, uuid, outcome, json.dumps(codes)))

    def requests_for(self, uuid: str) -> list[dict[str, Any]]:
        with self._lock:
            rows = self._db.execute("SELECT at, operation, outcome, codes FROM requests WHERE uuid = ? ORDER BY id",
                                    (uuid,)).fetchall()
        return [{"at": r[0], "operation": r[1], "outcome": r[2], "codes": json.loads(r[3])} for r in rows]

    def stats(self) -> dict[str, Any]:
        with self._lock:
            outcomes = self._db.execute(
                "SELECT operation || ':' || outcome, COUNT(*) FROM requests GROUP BY operation, outcome").fetchall()
            codes = self._db.execute(
                "SELECT value, COUNT(*) FROM requests, json_each(requests.codes) GROUP BY value").fetchall()
            documents = self._db.execute("SELECT COUNT(*) FROM documents").fetchone()[0]
            cancels = self._db.execute("SELECT cancel_state, COUNT(*) FROM documents WHERE cancel_state <> '' "
                                       "GROUP BY cancel_state").fetchall()
        return {
            "documents": documents,
            "requests": {str(k): v for k, v in outcomes},
            "codes": {str(k): v for k, v in codes},
            "cancellations": {str(k): v for k, v in cancels},
        }

    def reset(self) -> None:
        self._clear("documents", "hashes", "requests")

    def _one(self, sql: str, params: tuple[Any, ...]) -> StoredDocument | None:
        rows = self._many(sql, params)
        return rows[0] if rows else None

    def _many(self, sql: str, params: tuple[Any, ...]) -> list[StoredDocument]:
        with self._lock:
            rows = self._db.execute(sql, params).fetchall()
        return [_document(row) for row in rows]


def _document(row: tuple[Any, ...]) -> StoredDocument:
    values = list(row)
    values[10] = tuple((str(a), str(b)) for a, b in json.loads(values[10]))
    values[11] = bytes(values[11])
    return StoredDocument(*values)
