"""Opening the shift database: WAL mode, so `kiosk serve` reads while `kiosk run` writes, and a
crash or power cut never corrupts it; migrated to the current schema on open."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from kiosk.errors import StorageError
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
    try:
        conn = sqlite3.connect(
            str(path), timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None, check_same_thread=False
        )
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
        if mode != "wal":
            raise StorageError(f"{path}: SQLite cannot use WAL mode here (got {mode!r})")
        # NORMAL in WAL mode: a committed batch survives a crash of the process; a power cut may
        # lose the last batches but never corrupts the file.
        conn.execute("PRAGMA synchronous = NORMAL")
        conn.execute("PRAGMA foreign_keys = ON")
        migrate(conn)
    except sqlite3.OperationalError as exc:
        raise StorageError(
            f"{path}: cannot open the shift database ({exc}): check its folder's permissions "
            "or set [storage] path"
        ) from None
    except sqlite3.DatabaseError as exc:
        raise StorageError(f"{path}: not a usable kiosk database: {exc}") from None
    return conn
