"""The SQLite file behind each simulator's durable state, so a restart keeps the authority's memory.

One connection guarded by a lock: every call is short, and all of them run in worker threads
so the event loop never blocks on disk. Subclasses own the schema and every query.
"""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path


class SqliteStore:
    def __init__(self, state_dir: Path, file_name: str, schema: str) -> None:
        state_dir.mkdir(parents=True, exist_ok=True)
        self.path = state_dir / file_name
        self._lock = threading.Lock()
        # Autocommit (isolation_level=None): transactions are explicit BEGIN IMMEDIATE where needed.
        self._db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        # WAL + NORMAL survives process crashes (the restart case); only an OS crash could
        # lose the last transactions, which a simulator can afford for throughput.
        self._db.execute("PRAGMA synchronous=NORMAL")
        try:
            self._db.executescript(schema)
            self._upgrade()
        except BaseException:
            self._db.close()
            raise

    def _upgrade(self) -> None:
        """Bring an older state file up to date after the schema script ran (nothing by default)."""

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def _clear(self, *tables: str) -> None:
        """Delete every row of ``tables`` (the admin API's reset)."""
        with self._lock:
            self._db.executescript("".join(f"DELETE FROM {table};" for table in tables))
