"""Schema versions: a version-1 database is migrated with its data; a newer one is refused."""

from __future__ import annotations

import json
import sqlite3

import pytest

from kiosk.errors import StorageError
from kiosk.storage.schema import VERSION, migrate
from kiosk.storage.store import Store

SUMMARY = {
    "frames": 450,
    "fps": 15.0,
    "eye_contact": {"ratio": 0.61, "longest_gaze_s": 5.5, "staring_bouts": 1, "no_look_spells": 0},
    "facing": {"ratio": 0.8, "head_only_turns": 1},
    "lean": {"forward_ratio": 0.3, "back_ratio": 0.0},
    "nods": {"count": 4, "per_minute": 8.0, "impatient_bouts": 1},
    "pointing": {"events": 0, "open_palm_events": 2, "at_face": 0},
    "events": [{"kind": "staring"}, {"kind": "impatient_nodding"}],
}


def test_a_version_1_database_is_migrated_and_its_interactions_get_their_metrics(tmp_path):
    path = tmp_path / "old.db"
    conn = sqlite3.connect(path, isolation_level=None)
    migrate(conn, upto=1)
    conn.execute(
        "INSERT INTO shifts VALUES (1, 'counter-1', 'day', '2026-11-01', "
        "'2026-11-01T00:00:00.000+00:00', '2026-11-02T00:00:00.000+00:00')"
    )
    conn.execute(
        "INSERT INTO runs VALUES (1, 'counter-1', 'site-1', 'picamera', "
        "'2026-11-01T08:00:00.000+00:00', NULL)"
    )
    conn.execute(
        "INSERT INTO interactions (id, run_id, shift_id, counter, start_utc, end_utc, start_s, "
        "end_s, arrived_s, nudges, summary_json) VALUES (1, 1, 1, 'counter-1', "
        "'2026-11-01T09:00:00.000+00:00', '2026-11-01T09:00:30.000+00:00', "
        "100.0, 130.0, 98.0, 2, ?)",
        (json.dumps(SUMMARY),),
    )
    conn.close()
    store = Store.open(path)
    assert sqlite3.connect(path).execute("PRAGMA user_version").fetchone()[0] == VERSION == 2
    [row] = store.shift_interactions(1)
    assert (row["duration_s"], row["eye_contact_ratio"], row["facing_ratio"]) == (30.0, 0.61, 0.8)
    assert (row["nods"], row["impatient_bouts"], row["faults"], row["nudges"]) == (4, 1, 2, 2)
    assert store.shift(1)["summary"]["staring_bouts"] == 1


def test_a_database_from_a_newer_kiosk_is_refused_untouched(tmp_path):
    path = tmp_path / "new.db"
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA user_version = 99")
    conn.close()
    with pytest.raises(StorageError, match="newer than this kiosk"):
        Store.open(path)
    assert sqlite3.connect(path).execute("PRAGMA user_version").fetchone()[0] == 99


def test_no_table_has_a_column_that_could_hold_an_image(tmp_path):
    conn = Store.open(tmp_path / "k.db", create=True)._conn()
    tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
    declared = {
        (table, column[1]): column[2]
        for table in tables
        for column in conn.execute(f"PRAGMA table_info({table})")
    }
    assert len(declared) > 60
    assert {kind for kind in declared.values()} <= {"INTEGER", "REAL", "TEXT"}  # no BLOB
