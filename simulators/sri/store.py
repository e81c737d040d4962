"""Durable simulator state in SQLite (stdlib ``sqlite3``), so restarts keep the SRI's memory.

Three tables:

* ``documents`` — one row per clave the SRI has accepted (RECIBIDA at least once), with the
  status of its latest attempt and its secuencial scope (ruc|codDoc|estab|ptoEmi|secuencial).
* ``attempts`` — each RECIBIDA submission: exact bytes, reception time, when processing is
  due, and once decided: status, processing time (fechaAutorizacion) and messages.
  A NO AUTORIZADO document may be corrected and re-sent with the same clave (ficha §5.10,
  reference §8.3), which creates a new attempt.
* ``receptions`` — every Recepción call and its outcome, including DEVUELTA ones, which the
  SRI does not store as documents (reference §14) but which tests and operators want to see.

One connection guarded by a lock: every call is short, and all of them run in worker
threads so the event loop never blocks on disk.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from simulators.sri.messages import Mensaje, error

EN_PROCESO = "EN PROCESO"
AUTORIZADO = "AUTORIZADO"
NO_AUTORIZADO = "NO AUTORIZADO"
RECIBIDA = "RECIBIDA"
DEVUELTA = "DEVUELTA"

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


def _dump(messages: list[Mensaje] | tuple[Mensaje, ...]) -> str:
    return json.dumps([m.to_json() for m in messages], ensure_ascii=False)


def _load(raw: str) -> tuple[Mensaje, ...]:
    return tuple(Mensaje.from_json(item) for item in json.loads(raw))


class Store:
    def __init__(self, state_dir: Path) -> None:
        state_dir.mkdir(parents=True, exist_ok=True)
        self.path = state_dir / "sri-simulator.sqlite3"
        self._lock = threading.Lock()
        self._db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        # WAL + NORMAL survives process crashes (the restart case); only an OS crash could
        # lose the last transactions, which a simulator can afford for throughput.
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.executescript(_SCHEMA)

    def close(self) -> None:
        with self._lock:
            self._db.close()

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
                    "INSERT INTO attempts (clave, xml, ambiente, received_at, due_at, status) "
                    "VALUES (?, ?, ?, ?, ?, ?)",
                    (clave, xml, ambiente, received_at, due_at, EN_PROCESO),
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
                "SELECT a.id, a.clave, a.xml, a.ambiente, a.received_at, a.due_at, a.status, a.decided_at, "
                "a.messages FROM documents d JOIN attempts a ON a.id = d.latest_attempt WHERE d.clave = ?",
                (clave,),
            ).fetchone()
        return _attempt(row) if row else None

    def decided_attempts(self, clave: str) -> list[Attempt]:
        with self._lock:
            rows = self._db.execute(
                "SELECT id, clave, xml, ambiente, received_at, due_at, status, decided_at, messages "
                "FROM attempts WHERE clave = ? AND status <> ? ORDER BY id",
                (clave, EN_PROCESO),
            ).fetchall()
        return [_attempt(row) for row in rows]

    def settle(self, attempt_id: int, *, status: str, decided_at: float, messages: list[Mensaje]) -> bool:
        """Record the decision once; False if another worker decided first."""
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
                db.execute("COMMIT")
            except BaseException:
                db.execute("ROLLBACK")
                raise
        return won

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
                "SELECT id, clave, xml, ambiente, received_at, due_at, status, decided_at, messages "
                "FROM attempts WHERE id = ?",
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
        with self._lock:
            self._db.executescript("DELETE FROM documents; DELETE FROM attempts; DELETE FROM receptions;")


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
    )
