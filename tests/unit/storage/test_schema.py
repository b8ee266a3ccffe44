"""Schema versions: a version-1 or version-2 database is migrated with its data; a newer one is
refused."""

from __future__ import annotations

import json
import sqlite3

import pytest

from kiosk.errors import StorageError
from kiosk.storage.schema import VERSION, migrate
from kiosk.storage.store import Store

V3_COLUMNS = (
    "greeting_s",
    "frown_ratio",
    "smile_ratio",
    "blank_stare_spells",
    "gesturing_ratio",
    "wide_gestures",
    "stiff_spells",
    "hidden_hands",
)

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
    assert sqlite3.connect(path).execute("PRAGMA user_version").fetchone()[0] == VERSION == 3
    [row] = store.shift_interactions(1)
    assert (row["duration_s"], row["eye_contact_ratio"], row["facing_ratio"]) == (30.0, 0.61, 0.8)
    assert (row["nods"], row["impatient_bouts"], row["faults"], row["nudges"]) == (4, 1, 2, 2)
    assert store.shift(1)["summary"]["staring_bouts"] == 1
    # Through version 3 as well: a summary from before issue 18 has none of its numbers.
    assert row["greeting_s"] is None and row["hidden_hands"] is None


# Two interactions stored by a version-2 kiosk with issue 18's keys in their summaries (as a
# kiosk that recorded them before its database was upgraded would have), and one without.
V2_SUMMARIES = [
    SUMMARY
    | {
        "greeting_s": 4.2,
        "expression": {"frown_ratio": 0.1, "smile_ratio": 0.4, "blank_stare_spells": 1},
        "gestures": {"gesturing_ratio": 0.2, "wide_gestures": 2, "hidden_hands": False},
        "stiffness": {"stiff_spells": 0},
    },
    SUMMARY
    | {
        "greeting_s": 1.0,
        "expression": {"frown_ratio": 0.3, "smile_ratio": None, "blank_stare_spells": 0},
        "gestures": {"gesturing_ratio": None, "wide_gestures": 0, "hidden_hands": True},
        "stiffness": {"stiff_spells": 2},
    },
    SUMMARY,
]


def test_a_version_2_database_gains_issue_18s_columns_filled_from_its_summaries(tmp_path):
    path = tmp_path / "v2.db"
    conn = sqlite3.connect(path, isolation_level=None)
    migrate(conn, upto=2)
    conn.execute(
        "INSERT INTO shifts VALUES (1, 'counter-1', 'day', '2026-11-01', "
        "'2026-11-01T00:00:00.000+00:00', '2026-11-02T00:00:00.000+00:00')"
    )
    conn.execute(
        "INSERT INTO runs VALUES (1, 'counter-1', 'site-1', 'picamera', "
        "'2026-11-01T08:00:00.000+00:00', NULL)"
    )
    for i, (summary, duration_s) in enumerate(zip(V2_SUMMARIES, (30.0, 90.0, 60.0), strict=True)):
        start_s = 100.0 + 200 * i
        conn.execute(
            "INSERT INTO interactions (run_id, shift_id, counter, start_utc, end_utc, start_s, "
            "end_s, arrived_s, nudges, summary_json, duration_s, faults, eye_contact_ratio) "
            "VALUES (1, 1, 'counter-1', ?, ?, ?, ?, NULL, 0, ?, ?, 2, 0.61)",
            (
                f"2026-11-01T09:0{i}:00.000+00:00",
                f"2026-11-01T09:0{i}:30.000+00:00",
                start_s,
                start_s + duration_s,
                json.dumps(summary),
                duration_s,
            ),
        )
    conn.execute(
        "INSERT INTO minutes (counter, minute_utc, shift_id, frames, measuring_frames) "
        "VALUES ('counter-1', '2026-11-01T09:00:00.000+00:00', 1, 900, 800)"
    )
    conn.close()

    store = Store.open(path)
    assert sqlite3.connect(path).execute("PRAGMA user_version").fetchone()[0] == 3
    first, second, old = store.shift_interactions(1)
    assert (first["greeting_s"], first["frown_ratio"], first["smile_ratio"]) == (4.2, 0.1, 0.4)
    assert (first["blank_stare_spells"], first["wide_gestures"], first["stiff_spells"]) == (1, 2, 0)
    assert first["gesturing_ratio"] == 0.2 and first["hidden_hands"] is False
    assert second["hidden_hands"] is True
    assert second["smile_ratio"] is None and second["gesturing_ratio"] is None
    assert all(old[column] is None for column in V3_COLUMNS)
    # Version 2's own columns are left as they were.
    assert [row["eye_contact_ratio"] for row in (first, second, old)] == [0.61] * 3
    stored = sqlite3.connect(path).execute("SELECT hidden_hands FROM interactions ORDER BY id")
    assert stored.fetchall() == [(0,), (1,), (None,)]

    summary = store.shift(1)["summary"]
    assert summary["mean_greeting_s"] == pytest.approx((4.2 + 1.0) / 2)
    assert summary["frown_ratio"] == pytest.approx((0.1 * 30 + 0.3 * 90) / 120, abs=1e-3)
    assert summary["smile_ratio"] == pytest.approx(0.4)  # measured in the first one only
    assert (summary["blank_stare_spells"], summary["wide_gestures"]) == (1, 2)
    assert (summary["stiff_spells"], summary["hidden_hands_interactions"]) == (2, 1)
    # A minute recorded before the upgrade: expression and gestures unmeasured, not "none".
    [minute] = store.shift(1)["minutes"]
    assert minute["frames"] == 900 and minute["frowns"] == 0
    assert minute["frown_ratio"] is None and minute["gesturing_ratio"] is None


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
