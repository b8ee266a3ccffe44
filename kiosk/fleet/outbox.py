"""The durable outbox: messages not yet acknowledged by the broker, one row each in a SQLite file,
so neither a broker restart nor a kiosk restart (or power cut) loses a summary."""

from __future__ import annotations

import logging
import sqlite3
import threading
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from kiosk.errors import StorageError

log = logging.getLogger(__name__)

SCHEMA_VERSION = 1
# AUTOINCREMENT: ids never come back after the newest rows are deleted, so "rows after the
# last one sent" never skips a new row.
_SCHEMA = """
CREATE TABLE IF NOT EXISTS outbox (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    topic TEXT NOT NULL,
    payload TEXT NOT NULL,
    queued_utc TEXT NOT NULL
)
"""


@dataclass(frozen=True)
class Queued:
    id: int
    topic: str
    payload: str


class Outbox:
    """At most `max_queued` messages, oldest first; adding beyond the bound drops the oldest.

    Every call commits before it returns (WAL, synchronous FULL: a message added survives a
    power cut). Thread-safe; the publisher's thread is its only regular user.
    """

    def __init__(self, path: str | Path, max_queued: int) -> None:
        self.path = Path(path)
        self.max_queued = max_queued
        self._lock = threading.Lock()
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._conn = sqlite3.connect(
                str(self.path), timeout=10.0, isolation_level=None, check_same_thread=False
            )
            self._conn.execute("PRAGMA journal_mode = WAL")
            self._conn.execute("PRAGMA synchronous = FULL")
            version = self._conn.execute("PRAGMA user_version").fetchone()[0]
            if version > SCHEMA_VERSION:
                raise StorageError(
                    f"{self.path}: the MQTT queue was written by a newer kiosk (schema "
                    f"{version}); move it away or set [mqtt] queue_path"
                )
            self._conn.execute(_SCHEMA)
            self._conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
            self._count = self._conn.execute("SELECT COUNT(*) FROM outbox").fetchone()[0]
        except (OSError, sqlite3.Error) as exc:
            raise StorageError(
                f"{self.path}: cannot open the MQTT queue ({exc}): check the folder's "
                "permissions or set [mqtt] queue_path"
            ) from None

    def __len__(self) -> int:
        return self._count

    def add(self, messages: list[tuple[str, str]]) -> int:
        """Queue (topic, payload) pairs; returns how many of the oldest were dropped to stay
        within the bound. sqlite3.Error when the disk refuses (nothing is queued then)."""
        if not messages:
            return 0
        queued_utc = datetime.now(UTC).isoformat(timespec="milliseconds")
        with self._lock:
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                self._conn.executemany(
                    "INSERT INTO outbox (topic, payload, queued_utc) VALUES (?, ?, ?)",
                    [(topic, payload, queued_utc) for topic, payload in messages],
                )
                count = self._count + len(messages)
                dropped = max(0, count - self.max_queued)
                if dropped:
                    self._conn.execute(
                        "DELETE FROM outbox WHERE id IN "
                        "(SELECT id FROM outbox ORDER BY id LIMIT ?)",
                        (dropped,),
                    )
                self._conn.execute("COMMIT")
            except BaseException:
                if self._conn.in_transaction:  # a failed COMMIT may have ended it already
                    self._conn.execute("ROLLBACK")
                raise
            self._count = count - dropped
        return dropped

    def after(self, last_id: int, limit: int) -> list[Queued]:
        """Up to `limit` messages queued after the one with id `last_id`, oldest first."""
        with self._lock:
            rows = self._conn.execute(
                "SELECT id, topic, payload FROM outbox WHERE id > ? ORDER BY id LIMIT ?",
                (last_id, limit),
            ).fetchall()
        return [Queued(*row) for row in rows]

    def remove(self, ids: list[int]) -> None:
        """Forget acknowledged messages (ids already gone, e.g. dropped, are ignored)."""
        if not ids:
            return
        with self._lock:
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                for start in range(0, len(ids), 500):
                    chunk = ids[start : start + 500]
                    marks = ", ".join("?" for _ in chunk)
                    self._conn.execute(f"DELETE FROM outbox WHERE id IN ({marks})", chunk)
                count = self._conn.execute("SELECT COUNT(*) FROM outbox").fetchone()[0]
                self._conn.execute("COMMIT")
            except BaseException:
                if self._conn.in_transaction:  # a failed COMMIT may have ended it already
                    self._conn.execute("ROLLBACK")
                raise
            self._count = count

    def close(self) -> None:
        with self._lock:
            self._conn.close()
