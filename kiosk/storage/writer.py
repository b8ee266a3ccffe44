"""The writer thread: drains the recorder about once a second and commits one transaction per
batch, so the frame loop never waits for the disk and a `kill -9` loses at most the last batch.

A batch that cannot be written (database locked, disk full) stays in memory, up to a bound, and
is written with the next one; the live loop never stops for storage.
"""

from __future__ import annotations

import contextlib
import json
import logging
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from kiosk.errors import StorageBusyError, StorageError
from kiosk.storage.db import connect
from kiosk.storage.recorder import MINUTE_FIELDS, Batch, Op, Recorder
from kiosk.storage.rows import interaction_metrics, iso
from kiosk.storage.shifts import ShiftSpan

log = logging.getLogger(__name__)

MAX_PENDING = 100_000  # rows kept in memory while the database cannot be written
_RETENTION_EVERY_S = 3600.0
_ERROR_LOG_EVERY_S = 60.0

_MINUTE_UPSERT = (
    f"INSERT INTO minutes (counter, minute_utc, shift_id, {', '.join(MINUTE_FIELDS)}) "
    f"VALUES (?, ?, ?, {', '.join('?' for _ in MINUTE_FIELDS)}) "
    "ON CONFLICT (counter, minute_utc) DO UPDATE SET "
    + ", ".join(f"{f} = {f} + excluded.{f}" for f in MINUTE_FIELDS)
)


def now_utc() -> datetime:
    return datetime.now(UTC)


def delete_older_than(conn: sqlite3.Connection, cutoff: datetime) -> int:
    """Retention: every shift that ended before `cutoff`, with all its records."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        deleted = conn.execute("DELETE FROM shifts WHERE end_utc < ?", (iso(cutoff),)).rowcount
        conn.execute(
            "DELETE FROM runs WHERE ended_utc < ? AND id NOT IN (SELECT run_id FROM interactions)",
            (iso(cutoff),),
        )
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:  # a failed COMMIT may have ended it already
            conn.execute("ROLLBACK")
        raise
    return deleted


class StoreWriter:
    def __init__(
        self,
        path: str | Path,
        recorder: Recorder,
        *,
        site: str,
        source: str,
        retention_days: int,
        flush_s: float = 1.0,
        counters: Callable[[], dict[str, Any]] = dict,
        clock: Callable[[], datetime] = now_utc,
    ) -> None:
        self.path = Path(path)
        self.recorder = recorder
        self.counter = recorder.counter
        self.site = site
        self.source = source
        self.retention = timedelta(days=retention_days)
        self.flush_s = flush_s
        self.counters = counters
        self.clock = clock
        self._shift_ids: dict[tuple[str, str], int] = {}
        self._pending = Batch()
        self._failing_since: float | None = None
        self._logged_s = 0.0
        self.dropped = 0
        self.written = 0
        self._retained_s = time.monotonic()
        self._started = self.clock()
        self.run_id: int | None = None
        # A database that is locked or on a full disk now is opened (and the run recorded) by
        # the writer's thread once it can be; anything else wrong with it is an error now.
        self.conn: sqlite3.Connection | None = None
        try:
            self._open()
        except (StorageBusyError, sqlite3.Error) as exc:
            self._failed(exc)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="kiosk-storage", daemon=True)
        self._thread.start()

    def _open(self) -> None:
        """Connect, apply retention and record the run: once, when the database allows it."""
        if self.conn is None:
            self.conn = connect(self.path, create=True)
            self._apply_retention()
        if self.run_id is None:
            with self._transaction():
                self.run_id = self.conn.execute(
                    "INSERT INTO runs (counter, site, source, started_utc) VALUES (?, ?, ?, ?)",
                    (self.counter, self.site, self.source, iso(self._started)),
                ).lastrowid

    # -- the thread -------------------------------------------------------------------------
    def _run(self) -> None:
        while not self._stop.wait(self.flush_s):
            self.flush()
            if self.conn is not None and time.monotonic() - self._retained_s >= _RETENTION_EVERY_S:
                self._retained_s = time.monotonic()
                self._apply_retention()

    def _apply_retention(self) -> None:
        assert self.conn is not None
        try:
            deleted = delete_older_than(self.conn, self.clock() - self.retention)
        except sqlite3.Error as exc:
            log.warning("storage: retention skipped this time: %s", exc)
            return
        if deleted:
            log.info("storage: deleted %d shift(s) older than the retention period", deleted)

    def flush(self) -> bool:
        """Write everything recorded so far; False (kept for later) if the database refused."""
        batch = self._pending.merge_into(self.recorder.drain())
        try:
            self._open()
            self._write(batch)
        except (sqlite3.Error, StorageError) as exc:
            self._pending = self._bound(batch)
            self._failed(exc)
            return False
        if self._failing_since is not None:
            log.warning(
                "storage: writing again after %.0f s", time.monotonic() - self._failing_since
            )
            self._failing_since = None
        self._pending = Batch()
        self.written += len(batch)
        return True

    def _failed(self, exc: Exception) -> None:
        now = time.monotonic()
        if self._failing_since is None:
            self._failing_since = now
        if now - self._logged_s >= _ERROR_LOG_EVERY_S:
            self._logged_s = now
            log.error(
                "storage: cannot write %s (%s); %d record(s) kept in memory and retried",
                self.path,
                exc,
                len(self._pending),
            )

    def _bound(self, batch: Batch) -> Batch:
        excess = len(batch) - MAX_PENDING
        if excess > 0:
            # The oldest rows go first: the newest say most about a counter that is still running.
            del batch.ops[: min(excess, len(batch.ops))]
            self.dropped += excess
        return batch

    # -- SQL --------------------------------------------------------------------------------
    @contextlib.contextmanager
    def _transaction(self) -> Iterator[None]:
        """BEGIN IMMEDIATE ... COMMIT; rolled back on any error, a failed COMMIT (a full disk)
        included, so the connection is never left inside a transaction it cannot end."""
        conn = self.conn
        assert conn is not None
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:  # a failed COMMIT may have ended it already
                with contextlib.suppress(sqlite3.Error):
                    conn.execute("ROLLBACK")
            raise

    def _shift_id(self, span: ShiftSpan, new_ids: dict[tuple[str, str], int]) -> int:
        key = (span.name, iso(span.start))
        found = self._shift_ids.get(key) or new_ids.get(key)
        if found is not None:
            return found
        self.conn.execute(
            "INSERT OR IGNORE INTO shifts (counter, name, date, start_utc, end_utc) "
            "VALUES (?, ?, ?, ?, ?)",
            (self.counter, span.name, span.date.isoformat(), key[1], iso(span.end)),
        )
        shift_id = self.conn.execute(
            "SELECT id FROM shifts WHERE counter = ? AND start_utc = ? AND name = ?",
            (self.counter, key[1], span.name),
        ).fetchone()[0]
        new_ids[key] = shift_id
        return shift_id

    def _insert(self, op: Op, shift_id: int) -> None:
        row = dict(op.row)
        if op.table == "interactions":
            summary = row.pop("summary")
            row |= interaction_metrics(summary, row["end_s"] - row["start_s"])
            row["summary_json"] = json.dumps(summary, allow_nan=False)
            row["run_id"] = self.run_id
        elif op.table == "events":
            row["detail_json"] = json.dumps(row.pop("detail"), allow_nan=False)
        row["shift_id"] = shift_id
        columns = ", ".join(row)
        marks = ", ".join("?" for _ in row)
        self.conn.execute(
            f"INSERT INTO {op.table} ({columns}) VALUES ({marks})", list(row.values())
        )

    def _write(self, batch: Batch, *, final_status: str | None = None) -> None:
        new_ids: dict[tuple[str, str], int] = {}
        with self._transaction():
            for op in batch.ops:
                self._insert(op, self._shift_id(op.shift, new_ids))
            for minute, (span, counts) in sorted(batch.minutes.items()):
                values = [counts.get(f, 0) for f in MINUTE_FIELDS]
                self.conn.execute(
                    _MINUTE_UPSERT,
                    [self.counter, iso(minute), self._shift_id(span, new_ids), *values],
                )
            if batch.status is not None:
                self._write_status(batch, final_status)
        self._shift_ids.update(new_ids)

    def _write_status(self, batch: Batch, final_status: str | None) -> None:
        live = batch.status
        assert live is not None
        status = final_status or live.status
        since = self.clock() if final_status else live.since
        self.conn.execute(
            "INSERT INTO status (counter, site, status, since_utc, updated_utc, source, "
            "interaction_start_utc, cue, counters_json) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) "
            "ON CONFLICT (counter) DO UPDATE SET site = excluded.site, status = excluded.status, "
            "since_utc = excluded.since_utc, updated_utc = excluded.updated_utc, "
            "source = excluded.source, interaction_start_utc = excluded.interaction_start_utc, "
            "cue = excluded.cue, counters_json = excluded.counters_json",
            (
                self.counter,
                self.site,
                status,
                since and iso(since),
                iso(self.clock()),
                self.source,
                None if final_status else live.interaction_start and iso(live.interaction_start),
                None if final_status else live.cue,
                json.dumps(self.counters(), allow_nan=False),
            ),
        )

    # -- the end ----------------------------------------------------------------------------
    def close(self) -> None:
        """Write what is left, mark the counter stopped and the run ended."""
        self._stop.set()
        self._thread.join()
        batch = self._pending.merge_into(self.recorder.drain())
        try:
            self._open()
            assert self.conn is not None
            self._write(batch, final_status="stopped")
            with self._transaction():
                self.conn.execute(
                    "UPDATE runs SET ended_utc = ? WHERE id = ?", (iso(self.clock()), self.run_id)
                )
        except (sqlite3.Error, StorageError) as exc:
            log.error("storage: %d record(s) could not be written at the end: %s", len(batch), exc)
        finally:
            if self.conn is not None:
                self.conn.close()
        if self.dropped:
            log.error(
                "storage: %d record(s) were dropped while the database was unwritable", self.dropped
            )
