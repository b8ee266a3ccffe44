"""The shift database's schema and its migrations, versioned with SQLite's `user_version`.

Only numbers and names are stored: no table has a column for an image, a landmark or a frame.
A migration is applied once, in a transaction, in order; a database from a newer kiosk is refused.
"""

from __future__ import annotations

import json
import logging
import sqlite3

from kiosk.errors import StorageError
from kiosk.storage.rows import interaction_metrics

log = logging.getLogger(__name__)

# Version 1 was the first shift database: interactions carried their metrics only inside
# `summary_json`, and there were no API tokens.
_V1 = """
CREATE TABLE shifts (
    id INTEGER PRIMARY KEY,
    counter TEXT NOT NULL,
    name TEXT NOT NULL,
    date TEXT NOT NULL,            -- local date the shift starts, YYYY-MM-DD
    start_utc TEXT NOT NULL,
    end_utc TEXT NOT NULL,
    UNIQUE (counter, start_utc, name)
);
CREATE TABLE runs (
    id INTEGER PRIMARY KEY,
    counter TEXT NOT NULL,
    site TEXT NOT NULL,
    source TEXT NOT NULL,
    started_utc TEXT NOT NULL,
    ended_utc TEXT
);
CREATE TABLE interactions (
    id INTEGER PRIMARY KEY,
    run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    shift_id INTEGER NOT NULL REFERENCES shifts(id) ON DELETE CASCADE,
    counter TEXT NOT NULL,
    start_utc TEXT NOT NULL,
    end_utc TEXT NOT NULL,
    start_s REAL NOT NULL,
    end_s REAL NOT NULL,
    arrived_s REAL,
    nudges INTEGER NOT NULL,
    summary_json TEXT NOT NULL
);
CREATE TABLE minutes (
    counter TEXT NOT NULL,
    minute_utc TEXT NOT NULL,
    shift_id INTEGER NOT NULL REFERENCES shifts(id) ON DELETE CASCADE,
    frames INTEGER NOT NULL DEFAULT 0,
    customer_frames INTEGER NOT NULL DEFAULT 0,
    measuring_frames INTEGER NOT NULL DEFAULT 0,
    gaze_frames INTEGER NOT NULL DEFAULT 0,      -- measuring, gaze measurable
    eye_contact_frames INTEGER NOT NULL DEFAULT 0,
    body_frames INTEGER NOT NULL DEFAULT 0,      -- measuring, torso measurable
    facing_frames INTEGER NOT NULL DEFAULT 0,
    lean_frames INTEGER NOT NULL DEFAULT 0,      -- measuring, lean measurable
    forward_frames INTEGER NOT NULL DEFAULT 0,
    back_frames INTEGER NOT NULL DEFAULT 0,
    nods INTEGER NOT NULL DEFAULT 0,
    pointing INTEGER NOT NULL DEFAULT 0,
    nudges INTEGER NOT NULL DEFAULT 0,
    paused_frames INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (counter, minute_utc)
);
CREATE TABLE nudges (
    id INTEGER PRIMARY KEY,
    shift_id INTEGER NOT NULL REFERENCES shifts(id) ON DELETE CASCADE,
    counter TEXT NOT NULL,
    t_utc TEXT NOT NULL,
    t_s REAL NOT NULL,
    cue TEXT NOT NULL,
    reason TEXT NOT NULL,
    latency_ms REAL
);
CREATE TABLE events (
    id INTEGER PRIMARY KEY,
    shift_id INTEGER NOT NULL REFERENCES shifts(id) ON DELETE CASCADE,
    counter TEXT NOT NULL,
    t_utc TEXT NOT NULL,
    t_s REAL NOT NULL,
    kind TEXT NOT NULL,
    duration_s REAL NOT NULL,
    detail_json TEXT NOT NULL
);
CREATE TABLE pauses (
    id INTEGER PRIMARY KEY,
    shift_id INTEGER NOT NULL REFERENCES shifts(id) ON DELETE CASCADE,
    counter TEXT NOT NULL,
    start_utc TEXT NOT NULL,
    end_utc TEXT NOT NULL,
    start_s REAL NOT NULL,
    end_s REAL NOT NULL
);
CREATE TABLE camera_faults (
    id INTEGER PRIMARY KEY,
    shift_id INTEGER NOT NULL REFERENCES shifts(id) ON DELETE CASCADE,
    counter TEXT NOT NULL,
    start_utc TEXT,
    end_utc TEXT,
    down_s REAL NOT NULL,
    error TEXT NOT NULL
);
CREATE TABLE status (
    counter TEXT PRIMARY KEY,
    site TEXT NOT NULL,
    status TEXT NOT NULL,
    since_utc TEXT,
    updated_utc TEXT NOT NULL,
    source TEXT,
    interaction_start_utc TEXT,
    cue TEXT,
    counters_json TEXT NOT NULL
);
CREATE TABLE users (
    name TEXT PRIMARY KEY,
    password_hash TEXT NOT NULL,
    created_utc TEXT NOT NULL
);
"""

# Version 2: every interaction metric in its own column, so shift summaries, trends and the
# CSV export are plain SQL; API tokens; indexes for the dashboard's time-range queries.
_V2 = """
ALTER TABLE interactions ADD COLUMN duration_s REAL;
ALTER TABLE interactions ADD COLUMN faults INTEGER NOT NULL DEFAULT 0;
ALTER TABLE interactions ADD COLUMN frames INTEGER;
ALTER TABLE interactions ADD COLUMN fps REAL;
ALTER TABLE interactions ADD COLUMN face_visible_ratio REAL;
ALTER TABLE interactions ADD COLUMN eye_contact_ratio REAL;
ALTER TABLE interactions ADD COLUMN longest_gaze_s REAL;
ALTER TABLE interactions ADD COLUMN staring_bouts INTEGER;
ALTER TABLE interactions ADD COLUMN no_look_spells INTEGER;
ALTER TABLE interactions ADD COLUMN facing_ratio REAL;
ALTER TABLE interactions ADD COLUMN head_only_turns INTEGER;
ALTER TABLE interactions ADD COLUMN lean_forward_ratio REAL;
ALTER TABLE interactions ADD COLUMN lean_back_ratio REAL;
ALTER TABLE interactions ADD COLUMN nods INTEGER;
ALTER TABLE interactions ADD COLUMN nods_per_min REAL;
ALTER TABLE interactions ADD COLUMN impatient_bouts INTEGER;
ALTER TABLE interactions ADD COLUMN pointing_events INTEGER;
ALTER TABLE interactions ADD COLUMN pointing_at_face INTEGER;
ALTER TABLE interactions ADD COLUMN open_palm_events INTEGER;
CREATE TABLE tokens (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    created_utc TEXT NOT NULL,
    revoked_utc TEXT
);
CREATE INDEX interactions_by_start ON interactions (counter, start_utc);
CREATE INDEX interactions_by_shift ON interactions (shift_id);
CREATE INDEX nudges_by_time ON nudges (counter, t_utc);
CREATE INDEX nudges_by_shift ON nudges (shift_id);
CREATE INDEX minutes_by_shift ON minutes (shift_id);
CREATE INDEX events_by_shift ON events (shift_id);
CREATE INDEX pauses_by_shift ON pauses (shift_id);
CREATE INDEX faults_by_shift ON camera_faults (shift_id);
CREATE INDEX shifts_by_start ON shifts (counter, start_utc);
"""

# The interaction columns version 2 added, filled from the summaries stored before it.
_V2_COLUMNS = (
    "duration_s",
    "faults",
    "frames",
    "fps",
    "face_visible_ratio",
    "eye_contact_ratio",
    "longest_gaze_s",
    "staring_bouts",
    "no_look_spells",
    "facing_ratio",
    "head_only_turns",
    "lean_forward_ratio",
    "lean_back_ratio",
    "nods",
    "nods_per_min",
    "impatient_bouts",
    "pointing_events",
    "pointing_at_face",
    "open_palm_events",
)


# Version 3 (issue 18): the greeting, the face's expression, gestures and stiffness. Per
# interaction as metric columns (hidden_hands: 1 the hands were never seen, 0 they were, NULL not
# judged); per minute the measuring frames with an expression read and of them those frowning
# and smiling, the measuring frames with gestures judged (every one from this version on: the
# minutes recorded before it read as unmeasured, not as no gesturing) and of them those with a
# hand gesturing, and the new fault events counted in the minute they began.
_V3 = """
ALTER TABLE interactions ADD COLUMN greeting_s REAL;
ALTER TABLE interactions ADD COLUMN frown_ratio REAL;
ALTER TABLE interactions ADD COLUMN smile_ratio REAL;
ALTER TABLE interactions ADD COLUMN blank_stare_spells INTEGER;
ALTER TABLE interactions ADD COLUMN gesturing_ratio REAL;
ALTER TABLE interactions ADD COLUMN wide_gestures INTEGER;
ALTER TABLE interactions ADD COLUMN stiff_spells INTEGER;
ALTER TABLE interactions ADD COLUMN hidden_hands INTEGER;
ALTER TABLE minutes ADD COLUMN expression_frames INTEGER NOT NULL DEFAULT 0;
ALTER TABLE minutes ADD COLUMN frown_frames INTEGER NOT NULL DEFAULT 0;
ALTER TABLE minutes ADD COLUMN smile_frames INTEGER NOT NULL DEFAULT 0;
ALTER TABLE minutes ADD COLUMN gesture_judged_frames INTEGER NOT NULL DEFAULT 0;
ALTER TABLE minutes ADD COLUMN gesturing_frames INTEGER NOT NULL DEFAULT 0;
ALTER TABLE minutes ADD COLUMN slow_greetings INTEGER NOT NULL DEFAULT 0;
ALTER TABLE minutes ADD COLUMN frowns INTEGER NOT NULL DEFAULT 0;
ALTER TABLE minutes ADD COLUMN blank_stares INTEGER NOT NULL DEFAULT 0;
ALTER TABLE minutes ADD COLUMN stiff_spells INTEGER NOT NULL DEFAULT 0;
ALTER TABLE minutes ADD COLUMN wide_gestures INTEGER NOT NULL DEFAULT 0;
ALTER TABLE minutes ADD COLUMN hidden_hands INTEGER NOT NULL DEFAULT 0;
"""
_V3_COLUMNS = (
    "greeting_s",
    "frown_ratio",
    "smile_ratio",
    "blank_stare_spells",
    "gesturing_ratio",
    "wide_gestures",
    "stiff_spells",
    "hidden_hands",
)


def _backfill(columns: tuple[str, ...]):
    """A migration step that fills `columns` of the interactions stored before it from their
    summaries (None where a summary has no such key). Each step names its own columns: a later
    version's columns do not exist yet when an older database passes through this one."""

    def backfill(conn: sqlite3.Connection) -> None:
        rows = conn.execute("SELECT id, start_s, end_s, summary_json FROM interactions")
        for row_id, start_s, end_s, summary_json in rows.fetchall():
            metrics = interaction_metrics(json.loads(summary_json), end_s - start_s)
            sets = ", ".join(f"{column} = ?" for column in columns)
            conn.execute(
                f"UPDATE interactions SET {sets} WHERE id = ?",
                [*(metrics[column] for column in columns), row_id],
            )

    return backfill


MIGRATIONS: tuple[tuple[str, object], ...] = (
    (_V1, None),
    (_V2, _backfill(_V2_COLUMNS)),
    (_V3, _backfill(_V3_COLUMNS)),
)
VERSION = len(MIGRATIONS)


def schema_version(conn: sqlite3.Connection) -> int:
    return conn.execute("PRAGMA user_version").fetchone()[0]


def migrate(conn: sqlite3.Connection, *, upto: int = VERSION) -> int:
    """Bring the database to version `upto` (default: the newest); returns the version found."""
    found = schema_version(conn)
    if found > VERSION:
        raise StorageError(
            f"the database has schema version {found}, newer than this kiosk's {VERSION}: "
            "upgrade the kiosk, or point [storage] path at another file"
        )
    for version in range(found + 1, upto + 1):
        script, backfill = MIGRATIONS[version - 1]
        log.info("storage: migrating the database to schema version %d", version)
        # One transaction per step: a migration interrupted half way leaves the old version.
        conn.execute("BEGIN IMMEDIATE")
        try:
            if schema_version(conn) >= version:
                # Another connection (kiosk serve and kiosk run starting together on a new
                # database) took this step while this one waited for the write lock.
                conn.execute("COMMIT")
                continue
            for statement in script.split(";"):
                if statement.strip():
                    conn.execute(statement)
            if backfill is not None:
                backfill(conn)
            conn.execute(f"PRAGMA user_version = {version}")
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:  # a failed COMMIT may have ended it already
                conn.execute("ROLLBACK")
            raise
    return found
