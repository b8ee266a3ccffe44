"""Opening the shift database: WAL mode, so `kiosk serve` reads while `kiosk run` writes, and a
crash or power cut never corrupts it; migrated to the current schema on open."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import NoReturn

from kiosk.errors import StorageBusyError, StorageError
from kiosk.storage.schema import migrate

BUSY_TIMEOUT_MS = 10_000  # a writer's batch takes milliseconds; wait rather than fail


def connect(path: str | Path, *, create: bool = False) -> sqlite3.Connection:
    """An autocommit connection (transactions are explicit) to the database at `path`.

    `create` makes the file (and its folder) when missing; otherwise a missing file is an error
    naming the setting to change.
    """
    path = Path(path)
    if not path.exists():
        if not create:
            raise StorageError(
                f"{path}: no shift database there yet (kiosk run creates it; check [storage] path)"
            )
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StorageError(
                f"{path.parent}: cannot create the data folder ({exc.strerror}): set [storage] "
                "path to a writable place, or [storage] enabled = false"
            ) from None
    conn = None
    try:
        conn = sqlite3.connect(
            str(path), timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None, check_same_thread=False
        )
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
        if mode != "wal":
            raise StorageError(f"{path}: SQLite cannot use WAL mode here (got {mode!r})")
        # FULL in WAL mode: each committed batch (one a second) is on the card before the
        # commit returns, so a power cut loses at most the batch being written and never
        # corrupts the file (NORMAL would survive a crash of the process but could lose every
        # batch since the last checkpoint to a power cut). One fsync a second, on the writer's
        # thread, never the frame loop's.
        conn.execute("PRAGMA synchronous = FULL")
        conn.execute("PRAGMA foreign_keys = ON")
        migrate(conn)
    except BaseException as exc:
        if conn is not None:
            conn.close()
        _raise_storage_error(path, exc)
    return conn


def _raise_storage_error(path: Path, exc: BaseException) -> NoReturn:
    """Turn SQLite's error on opening into one line that says what to do."""
    if isinstance(exc, sqlite3.OperationalError):
        if _is_busy(exc):
            raise StorageBusyError(
                f"{path}: the shift database cannot be written now ({exc})"
            ) from None
        raise StorageError(
            f"{path}: cannot open the shift database ({exc}): check its folder's permissions "
            "or set [storage] path"
        ) from None
    if isinstance(exc, sqlite3.DatabaseError):
        raise StorageError(f"{path}: not a usable kiosk database: {exc}") from None
    raise exc


def _is_busy(exc: sqlite3.Error) -> bool:
    """A database another process holds, or a full disk: both pass by themselves."""
    code = getattr(exc, "sqlite_errorcode", None)
    if code is not None:
        return code & 0xFF in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED, sqlite3.SQLITE_FULL)
    text = str(exc)
    return "locked" in text or "disk is full" in text or "busy" in text
