"""Durable simulator state in SQLite (stdlib ``sqlite3``), so restarts keep the SRI's memory.

Four tables:

* ``documents`` — one row per clave the SRI has accepted (RECIBIDA at least once), with the
  status of its latest attempt and its secuencial scope (ruc|codDoc|estab|ptoEmi|secuencial).
* ``attempts`` — each RECIBIDA submission: exact bytes, reception time, when processing is
  due, and once decided: status, processing time (fechaAutorizacion) and messages.
  A NO AUTORIZADO document may be corrected and re-sent with the same clave (ficha §5.10,
  reference §8.3), which creates a new attempt.
* ``receptions`` — every Recepción call and its outcome, including DEVUELTA ones, which the
  SRI does not store as documents (reference §14) but which tests and operators want to see.
* ``document_index`` — one row per decided clave (latest decision): the ``DocumentSummary``
  that cross-document checks read (a nota de crédito's factura: number, date, total, buyer,
  status; the notas de crédito already authorized against it). Written in the same
  transaction as the decision, with ``decided_at`` so a check sees the records as of the
  moment its own document is processed.

``attempts.refers_to`` keeps the secuencial scope of the document an attempt modifies
(numDocModificado), so the service can decide the documents a nota de crédito depends on
first. Schema versions live in ``PRAGMA user_version``; ``_migrate`` upgrades older state
files in place (version 1 adds the index and backfills it from the stored attempts).

The connection, its lock and the reset are ``simulators.common.store``'s.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from simulators.common.store import SqliteStore
from simulators.sri.documents import summarize_xml
from simulators.sri.messages import Mensaje, error
from simulators.sri.summary import DocumentSummary, IndexedDocument

EN_PROCESO = "EN PROCESO"
AUTORIZADO = "AUTORIZADO"
NO_AUTORIZADO = "NO AUTORIZADO"
RECIBIDA = "RECIBIDA"
DEVUELTA = "DEVUELTA"

NOTA_CREDITO = "04"  # codDoc (Tabla 3)

_SCHEMA = """
CREATE TABLE IF NOT EXISTS documents (
    clave TEXT PRIMARY KEY,
    sequence_key TEXT NOT NULL,
    status TEXT NOT NULL,
    latest_attempt INTEGER NOT NULL,
    created_at REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS documents_sequence ON documents(sequence_key);
CREATE TABLE IF NOT EXISTS attempts (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    clave TEXT NOT NULL,
    xml BLOB NOT NULL,
    ambiente TEXT NOT NULL,
    received_at REAL NOT NULL,
    due_at REAL NOT NULL,
    status TEXT NOT NULL,
    decided_at REAL,
    messages TEXT NOT NULL DEFAULT '[]'
);
CREATE INDEX IF NOT EXISTS attempts_clave ON attempts(clave);
CREATE TABLE IF NOT EXISTS receptions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at REAL NOT NULL,
    clave TEXT NOT NULL,
    estado TEXT NOT NULL,
    messages TEXT NOT NULL,
    size INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS receptions_clave ON receptions(clave);
"""

SCHEMA_VERSION = 1

# Version 1: cross-document records for notas de crédito (see the module docstring).
_SCHEMA_V1 = """
CREATE TABLE IF NOT EXISTS document_index (
    clave TEXT PRIMARY KEY,
    attempt_id INTEGER NOT NULL,
    status TEXT NOT NULL,
    decided_at REAL NOT NULL,
    ambiente TEXT NOT NULL,
    ruc TEXT NOT NULL,
    cod_doc TEXT NOT NULL,
    num_doc TEXT NOT NULL,
    fecha_emision TEXT NOT NULL,
    total TEXT NOT NULL,
    buyer_type TEXT NOT NULL,
    buyer_id TEXT NOT NULL,
    modified_cod_doc TEXT,
    modified_num_doc TEXT
);
CREATE INDEX IF NOT EXISTS document_index_number ON document_index(ruc, cod_doc, num_doc);
CREATE INDEX IF NOT EXISTS document_index_modified ON document_index(ruc, modified_cod_doc, modified_num_doc);
CREATE INDEX IF NOT EXISTS attempts_refers_to ON attempts(refers_to);
"""

_ATTEMPT_COLUMNS = "id, clave, xml, ambiente, received_at, due_at, status, decided_at, messages, refers_to"


@dataclass(frozen=True, slots=True)
class Attempt:
    id: int
    clave: str
    xml: bytes
    ambiente: str
    received_at: float
    due_at: float
    status: str
    decided_at: float | None
    messages: tuple[Mensaje, ...]
    refers_to: str | None = None  # secuencial scope of the modified document (notas de crédito)


def _dump(messages: list[Mensaje] | tuple[Mensaje, ...]) -> str:
    return json.dumps([m.to_json() for m in messages], ensure_ascii=False)


def _load(raw: str) -> tuple[Mensaje, ...]:
    return tuple(Mensaje.from_json(item) for item in json.loads(raw))


class Store(SqliteStore):
    def __init__(self, state_dir: Path) -> None:
        super().__init__(state_dir, "sri-simulator.sqlite3", _SCHEMA)

    def _upgrade(self) -> None:
        """Bring a state file of any earlier version up to ``SCHEMA_VERSION`` (idempotent)."""
        db = self._db
        db.execute("BEGIN IMMEDIATE")  # another process opening the same file waits here
        try:
            version = db.execute("PRAGMA user_version").fetchone()[0]
            if version > SCHEMA_VERSION:
                raise RuntimeError(
                    f"{self.path} has schema version {version}; this simulator knows up to {SCHEMA_VERSION}"
                )
            if version < 1:
                columns = {row[1] for row in db.execute("PRAGMA table_info(attempts)")}
                if "refers_to" not in columns:
                    db.execute("ALTER TABLE attempts ADD COLUMN refers_to TEXT")
                for statement in _SCHEMA_V1.split(";"):
                    if statement.strip():
                        db.execute(statement)
                self._backfill_v1()
            if version != SCHEMA_VERSION:
                db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise

    def _backfill_v1(self) -> None:
        """Index the documents decided before version 1 and tag pending notas de crédito."""
        rows = self._db.execute(
            "SELECT a.id, a.xml, a.status, a.decided_at, a.due_at FROM documents d "
            "JOIN attempts a ON a.id = d.latest_attempt"
        ).fetchall()
        for attempt_id, xml, status, decided_at, due_at in rows:
            summary = summarize_xml(bytes(xml))
            if summary is None:
                continue
            self._db.execute(
                "UPDATE attempts SET refers_to = ? WHERE id = ?", (summary.modified_sequence_key, attempt_id)
            )
            if status in (AUTORIZADO, NO_AUTORIZADO):
                self._index(summary, attempt_id=attempt_id, status=status, decided_at=decided_at or due_at)

    # --- Recepción ---------------------------------------------------------------------
    def register(
        self,
        *,
        clave: str,
        sequence_key: str,
        xml: bytes,
        ambiente: str,
        received_at: float,
        due_at: float,
        refers_to: str | None = None,
    ) -> Mensaje | None:
        """Store a RECIBIDA document atomically, or return the uniqueness error (43/45/70).

        The RECIBIDA entry of the request log is written in the same transaction, so
        ``accepted_receptions`` always equals the number of stored attempts.
        """
        with self._lock:
            db = self._db
            db.execute("BEGIN IMMEDIATE")
            try:
                row = db.execute("SELECT status FROM documents WHERE clave = ?", (clave,)).fetchone()
                if row is not None:
                    if row[0] == EN_PROCESO:
                        # Never resend while processing (ficha §7.4, reference §1.10).
                        db.execute("ROLLBACK")
                        return error("70", f"La clave de acceso {clave} está en procesamiento")
                    if row[0] == AUTORIZADO:
                        db.execute("ROLLBACK")
                        return error("43", f"La clave de acceso {clave} ya se encuentra registrada")
                    # NO AUTORIZADO: the corrected document comes back with the same clave.
                clash = db.execute(
                    "SELECT clave FROM documents WHERE sequence_key = ? AND clave <> ? AND status <> ? LIMIT 1",
                    (sequence_key, clave, NO_AUTORIZADO),
                ).fetchone()
                if clash is not None:
                    ruc, cod_doc, estab, pto_emi, secuencial = sequence_key.split("|")
                    db.execute("ROLLBACK")
                    return error(
                        "45",
                        f"El secuencial {estab}-{pto_emi}-{secuencial} del comprobante {cod_doc} del RUC "
                        f"{ruc} ya fue registrado con la clave de acceso {clash[0]}",
                    )
                cursor = db.execute(
                    "INSERT INTO attempts (clave, xml, ambiente, received_at, due_at, status, refers_to) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?)",
                    (clave, xml, ambiente, received_at, due_at, EN_PROCESO, refers_to),
                )
                attempt_id = cursor.lastrowid
                db.execute(
                    "INSERT INTO documents (clave, sequence_key, status, latest_attempt, created_at) "
                    "VALUES (?, ?, ?, ?, ?) ON CONFLICT(clave) DO UPDATE SET "
                    "status = excluded.status, latest_attempt = excluded.latest_attempt, "
                    "sequence_key = excluded.sequence_key",
                    (clave, sequence_key, EN_PROCESO, attempt_id, received_at),
                )
                db.execute(
                    "INSERT INTO receptions (at, clave, estado, messages, size) VALUES (?, ?, ?, '[]', ?)",
                    (received_at, clave, RECIBIDA, len(xml)),
                )
                db.execute("COMMIT")
            except BaseException:
                db.execute("ROLLBACK")
                raise
        return None

    def log_reception(self, *, clave: str, estado: str, messages: list[Mensaje], size: int, at: float) -> None:
        with self._lock:
            self._db.execute(
                "INSERT INTO receptions (at, clave, estado, messages, size) VALUES (?, ?, ?, ?, ?)",
                (at, clave, estado, _dump(messages), size),
            )

    # --- Autorización ------------------------------------------------------------------
    def latest_attempt(self, clave: str) -> Attempt | None:
        with self._lock:
            row = self._db.execute(
                f"SELECT {_qualified('a')} FROM documents d JOIN attempts a ON a.id = d.latest_attempt "
                "WHERE d.clave = ?",
                (clave,),
            ).fetchone()
        return _attempt(row) if row else None

    def decided_attempts(self, clave: str) -> list[Attempt]:
        with self._lock:
            rows = self._db.execute(
                f"SELECT {_ATTEMPT_COLUMNS} FROM attempts WHERE clave = ? AND status <> ? ORDER BY id",
                (clave, EN_PROCESO),
            ).fetchall()
        return [_attempt(row) for row in rows]

    def settle(
        self,
        attempt_id: int,
        *,
        status: str,
        decided_at: float,
        messages: list[Mensaje],
        summary: DocumentSummary | None = None,
    ) -> bool:
        """Record the decision once (and index ``summary``); False if another worker decided first."""
        with self._lock:
            db = self._db
            db.execute("BEGIN IMMEDIATE")
            try:
                cursor = db.execute(
                    "UPDATE attempts SET status = ?, decided_at = ?, messages = ? WHERE id = ? AND status = ?",
                    (status, decided_at, _dump(messages), attempt_id, EN_PROCESO),
                )
                won = cursor.rowcount == 1
                if won:
                    db.execute("UPDATE documents SET status = ? WHERE latest_attempt = ?", (status, attempt_id))
                    if summary is not None:
                        self._index(summary, attempt_id=attempt_id, status=status, decided_at=decided_at)
                db.execute("COMMIT")
            except BaseException:
                db.execute("ROLLBACK")
                raise
        return won

    def _index(self, summary: DocumentSummary, *, attempt_id: int, status: str, decided_at: float) -> None:
        """Upsert the index row of ``summary.clave`` (caller holds the lock and a transaction)."""
        self._db.execute(
            "INSERT INTO document_index (clave, attempt_id, status, decided_at, ambiente, ruc, cod_doc, num_doc, "
            "fecha_emision, total, buyer_type, buyer_id, modified_cod_doc, modified_num_doc) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(clave) DO UPDATE SET "
            "attempt_id = excluded.attempt_id, status = excluded.status, decided_at = excluded.decided_at, "
            "ambiente = excluded.ambiente, ruc = excluded.ruc, cod_doc = excluded.cod_doc, "
            "num_doc = excluded.num_doc, fecha_emision = excluded.fecha_emision, total = excluded.total, "
            "buyer_type = excluded.buyer_type, buyer_id = excluded.buyer_id, "
            "modified_cod_doc = excluded.modified_cod_doc, modified_num_doc = excluded.modified_num_doc",
            (
                summary.clave,
                attempt_id,
                status,
                decided_at,
                summary.ambiente,
                summary.ruc,
                summary.cod_doc,
                summary.num_doc,
                summary.fecha_emision,
                str(summary.total),
                summary.buyer_type,
                summary.buyer_id,
                summary.modified_cod_doc,
                summary.modified_num_doc,
            ),
        )

    def pending_dependencies(self, attempt: Attempt) -> list[int]:
        """Undecided attempts a nota de crédito's decision depends on, oldest due first.

        The modified document itself when due no later than ``attempt``, and the other
        notas de crédito of that document due before it (ties: received first), so that
        decisions taken "as of" their due time never depend on which one was asked first.
        """
        if attempt.refers_to is None:
            return []
        with self._lock:
            rows = self._db.execute(
                "SELECT a.id FROM documents d JOIN attempts a ON a.id = d.latest_attempt "
                "WHERE a.status = ? AND a.id <> ? AND ("
                "(d.sequence_key = ? AND a.due_at <= ?) OR "
                "(a.refers_to = ? AND (a.due_at < ? OR (a.due_at = ? AND a.id < ?)))"
                ") ORDER BY a.due_at, a.id",
                (
                    EN_PROCESO,
                    attempt.id,
                    attempt.refers_to,
                    attempt.due_at,
                    attempt.refers_to,
                    attempt.due_at,
                    attempt.due_at,
                    attempt.id,
                ),
            ).fetchall()
        return [row[0] for row in rows]

    def records_as_of(self, moment: float) -> SupportingRecords:
        """The SRI's records as they stood at ``moment`` (decisions taken at or before it)."""
        return SupportingRecords(self, moment)

    def indexed_document(
        self, *, ambiente: str, ruc: str, cod_doc: str, num_doc: str, as_of: float
    ) -> IndexedDocument | None:
        with self._lock:
            row = self._db.execute(
                f"SELECT {_INDEX_COLUMNS} FROM document_index "
                "WHERE ruc = ? AND cod_doc = ? AND num_doc = ? AND ambiente = ? AND decided_at <= ? "
                "ORDER BY status = ? DESC, decided_at DESC, attempt_id DESC LIMIT 1",
                (ruc, cod_doc, num_doc, ambiente, as_of, AUTORIZADO),
            ).fetchone()
        return _indexed(row) if row else None

    def authorized_modifications(
        self, *, ambiente: str, ruc: str, cod_doc: str, num_doc: str, excluding: str, as_of: float
    ) -> list[IndexedDocument]:
        with self._lock:
            rows = self._db.execute(
                f"SELECT {_INDEX_COLUMNS} FROM document_index "
                "WHERE ruc = ? AND modified_cod_doc = ? AND modified_num_doc = ? AND ambiente = ? "
                "AND cod_doc = ? AND status = ? AND decided_at <= ? AND clave <> ? ORDER BY decided_at, attempt_id",
                (ruc, cod_doc, num_doc, ambiente, NOTA_CREDITO, AUTORIZADO, as_of, excluding),
            ).fetchall()
        return [_indexed(row) for row in rows]

    def due_attempts(self, now: float, limit: int = 100) -> list[int]:
        with self._lock:
            rows = self._db.execute(
                "SELECT a.id FROM documents d JOIN attempts a ON a.id = d.latest_attempt "
                "WHERE a.status = ? AND a.due_at <= ? ORDER BY a.due_at LIMIT ?",
                (EN_PROCESO, now, limit),
            ).fetchall()
        return [row[0] for row in rows]

    def attempt(self, attempt_id: int) -> Attempt | None:
        with self._lock:
            row = self._db.execute(
                f"SELECT {_ATTEMPT_COLUMNS} FROM attempts WHERE id = ?",
                (attempt_id,),
            ).fetchone()
        return _attempt(row) if row else None

    # --- Admin -------------------------------------------------------------------------
    def document_report(self, clave: str) -> dict[str, Any] | None:
        with self._lock:
            document = self._db.execute(
                "SELECT status, sequence_key, created_at FROM documents WHERE clave = ?", (clave,)
            ).fetchone()
            receptions = self._db.execute(
                "SELECT at, estado, messages, size FROM receptions WHERE clave = ? ORDER BY id", (clave,)
            ).fetchall()
            attempts = self._db.execute(
                "SELECT id, received_at, due_at, status, decided_at, messages FROM attempts "
                "WHERE clave = ? ORDER BY id",
                (clave,),
            ).fetchall()
        if document is None and not receptions:
            return None
        return {
            "clave": clave,
            # DEVUELTA-only claves are unknown to the SRI (not stored, reference §14).
            "status": document[0] if document else None,
            "sequence_key": document[1] if document else None,
            "accepted_receptions": sum(1 for r in receptions if r[1] == RECIBIDA),
            "receptions": [
                {"at": r[0], "estado": r[1], "mensajes": json.loads(r[2]), "size": r[3]} for r in receptions
            ],
            "attempts": [
                {
                    "id": a[0],
                    "received_at": a[1],
                    "due_at": a[2],
                    "status": a[3],
                    "decided_at": a[4],
                    "mensajes": json.loads(a[5]),
                }
                for a in attempts
            ],
        }

    def stats(self) -> dict[str, Any]:
        with self._lock:
            receptions = dict(self._db.execute("SELECT estado, COUNT(*) FROM receptions GROUP BY estado").fetchall())
            documents = dict(self._db.execute("SELECT status, COUNT(*) FROM documents GROUP BY status").fetchall())
            codes = self._db.execute(
                "SELECT json_extract(value, '$.identificador') AS code, COUNT(*) FROM receptions, "
                "json_each(receptions.messages) GROUP BY code"
            ).fetchall()
        return {
            "receptions": {"total": sum(receptions.values()), **receptions},
            "documents": {"total": sum(documents.values()), **documents},
            "reception_errors_by_code": {str(code): count for code, count in codes},
        }

    def reset(self) -> None:
        self._clear("documents", "attempts", "receptions", "document_index")


class SupportingRecords:
    """``SupportingDocuments`` (summary.py) over the store, frozen at one moment."""

    def __init__(self, store: Store, as_of: float) -> None:
        self._store = store
        self._as_of = as_of

    def find(self, *, ambiente: str, ruc: str, cod_doc: str, num_doc: str) -> IndexedDocument | None:
        return self._store.indexed_document(
            ambiente=ambiente, ruc=ruc, cod_doc=cod_doc, num_doc=num_doc, as_of=self._as_of
        )

    def authorized_modifications(
        self, *, ambiente: str, ruc: str, cod_doc: str, num_doc: str, excluding: str
    ) -> list[IndexedDocument]:
        return self._store.authorized_modifications(
            ambiente=ambiente, ruc=ruc, cod_doc=cod_doc, num_doc=num_doc, excluding=excluding, as_of=self._as_of
        )


def _qualified(alias: str) -> str:
    return ", ".join(f"{alias}.{column.strip()}" for column in _ATTEMPT_COLUMNS.split(","))


_INDEX_COLUMNS = (
    "clave, cod_doc, ambiente, ruc, num_doc, fecha_emision, total, buyer_type, buyer_id, "
    "modified_cod_doc, modified_num_doc, status, decided_at"
)


def _indexed(row: tuple[Any, ...]) -> IndexedDocument:
    return IndexedDocument(
        summary=DocumentSummary(
            clave=row[0],
            cod_doc=row[1],
            ambiente=row[2],
            ruc=row[3],
            num_doc=row[4],
            fecha_emision=row[5],
            total=Decimal(row[6]),
            buyer_type=row[7],
            buyer_id=row[8],
            modified_cod_doc=row[9],
            modified_num_doc=row[10],
        ),
        status=row[11],
        decided_at=row[12],
    )


def _attempt(row: tuple[Any, ...]) -> Attempt:
    return Attempt(
        id=row[0],
        clave=row[1],
        xml=bytes(row[2]),
        ambiente=row[3],
        received_at=row[4],
        due_at=row[5],
        status=row[6],
        decided_at=row[7],
        messages=_load(row[8]),
        refers_to=row[9],
    )
