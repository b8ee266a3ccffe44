"""Records in, the dashboard's numbers out: through the real recorder, writer and database."""

from __future__ import annotations

import sqlite3
import threading
import time
from datetime import date, timedelta

import pytest
from storage_support import START, Clock, interaction, make_writer, step

from kiosk.errors import StorageError
from kiosk.storage import db
from kiosk.storage.store import Store


def test_an_interaction_round_trips_with_every_metric_and_its_summary(tmp_path):
    recorder, writer = make_writer(tmp_path / "k.db")
    record = interaction(10.0, 70.0, eye=0.64, nudges=1)
    recorder.record({"kind": "interaction_start", "start_s": 10.0, "arrived_s": 8.0})
    recorder.record(
        {"kind": "nudge", "cue": "staring", "t_s": 30.0, "reason": "r", "latency_ms": 70.1}
    )
    recorder.record({"kind": "pointing", "t_s": 40.0, "duration_s": 1.5, "at_face": True})
    recorder.record(record)
    writer.close()
    store = Store.open(tmp_path / "k.db")
    [row] = store.interactions(START)
    assert row["start"] == "2026-11-28T09:00:10.000+00:00"
    assert row["end"] == "2026-11-28T09:01:10.000+00:00"
    assert (row["duration_s"], row["eye_contact_ratio"], row["facing_ratio"]) == (60.0, 0.64, 0.9)
    assert (row["nods"], row["nods_per_min"], row["nudges"], row["faults"]) == (2, 2.0, 1, 1)
    assert row["summary"] == record["summary"]
    shift = store.shift(row["shift_id"])
    assert shift["nudges"][0] | {} == {
        "t": "2026-11-28T09:00:30.000+00:00",
        "t_s": 30.0,
        "cue": "staring",
        "reason": "r",
    }
    events = sqlite3.connect(tmp_path / "k.db").execute("SELECT kind, detail_json FROM events")
    assert events.fetchall() == [("pointing", '{"at_face": true}')]


def test_a_shift_summary_weights_each_interaction_by_its_length(tmp_path):
    recorder, writer = make_writer(tmp_path / "k.db")
    recorder.record(interaction(0.0, 30.0, eye=0.9, facing=None, nods=1))
    recorder.record(interaction(100.0, 190.0, eye=0.5, facing=0.6, nods=3))
    writer.close()
    store = Store.open(tmp_path / "k.db")
    [item] = store.shifts()
    detail = store.shift(item["id"])
    summary = detail["summary"]
    assert summary["interactions"] == item["interactions"] == 2
    assert summary["mean_interaction_s"] == pytest.approx(60.0)
    assert summary["eye_contact_ratio"] == pytest.approx((0.9 * 30 + 0.5 * 90) / 120, abs=1e-3)
    assert summary["facing_ratio"] == pytest.approx(0.6)  # the unmeasured one does not count
    assert summary["nods"] == 4 and summary["nods_per_min"] == pytest.approx(2.0)
    assert [i["eye_contact_ratio"] for i in detail["interactions"]] == [0.9, 0.5]


def test_minutes_add_up_across_batches_and_paused_frames_are_counted_apart(tmp_path):
    recorder, writer = make_writer(tmp_path / "k.db")
    for i in range(30):  # 09:00:00-09:00:29, eye contact on 2 frames in 3
        recorder.frame(float(i), step(gaze=i % 3 != 0, lean="forward" if i < 6 else "upright"))
    assert writer.flush()
    for i in range(30, 60):
        recorder.frame(float(i), step(gaze=i % 3 != 0, facing=None, nod=i == 45))
    for i in range(60, 70):
        recorder.frame(float(i), None, paused=True)
    writer.close()
    store = Store.open(tmp_path / "k.db")
    minutes = store.shift(store.shifts()[0]["id"])["minutes"]
    assert [m["frames"] for m in minutes] == [60, 10]
    first, second = minutes
    assert first["eye_contact_ratio"] == pytest.approx(40 / 60, abs=1e-3)
    assert first["facing_ratio"] == 1.0  # measured on the first 30 frames only
    assert first["lean_forward_ratio"] == pytest.approx(6 / 60, abs=1e-3)
    assert first["nods"] == 1 and first["customer_ratio"] == 1.0
    assert second["paused_frames"] == 10 and second["customer_ratio"] is None


def test_minutes_count_expressions_gesturing_and_the_new_faults_while_measuring(tmp_path):
    recorder, writer = make_writer(tmp_path / "k.db")
    # 09:00: 60 measuring frames. No face read on 10, a frown on 10, a smile on 20; a hand
    # gesturing on 15.
    for i in range(60):
        expression = None if i < 10 else "frown" if i < 20 else "smile" if i < 40 else "neutral"
        recorder.frame(float(i), step(expression=expression, gesturing=i >= 45))
    # 09:01: 20 measuring frames, then 20 with the customer gone, frowning and gesturing (not
    # measured), then 20 paused.
    for i in range(60, 80):
        recorder.frame(float(i), step(expression="smile", gesturing=i % 2 == 0))
    for i in range(80, 100):
        recorder.frame(
            float(i), step(customer=False, measuring=False, expression="frown", gesturing=True)
        )
    for i in range(100, 120):
        recorder.frame(float(i), None, paused=True)
    # Fault events count in the minute they began: hidden hands are judged at the interaction's
    # end, after its last frame, about an interaction that began in the first minute.
    for kind, t_s in (
        ("slow_greeting", 3.0),
        ("frown", 12.0),
        ("frown", 65.0),
        ("blank_stare", 70.0),
        ("stiff", 30.0),
        ("wide_gesture", 50.0),
        ("hidden_hands", 1.0),
        ("staring", 20.0),  # counted per interaction only, as before
    ):
        recorder.record({"kind": kind, "t_s": t_s, "duration_s": 4.0})
    writer.close()
    store = Store.open(tmp_path / "k.db")
    first, second = store.shift(store.shifts()[0]["id"])["minutes"]
    assert first["frown_ratio"] == pytest.approx(10 / 50, abs=1e-3)
    assert first["smile_ratio"] == pytest.approx(20 / 50, abs=1e-3)
    assert first["gesturing_ratio"] == pytest.approx(15 / 60, abs=1e-3)
    assert (second["frown_ratio"], second["smile_ratio"]) == (0.0, 1.0)
    assert second["gesturing_ratio"] == 0.5
    counts = ("slow_greetings", "frowns", "blank_stares", "stiff_spells", "wide_gestures")
    assert [first[c] for c in counts] == [1, 1, 0, 1, 1] and first["hidden_hands"] == 1
    assert [second[c] for c in counts] == [0, 1, 1, 0, 0] and second["hidden_hands"] == 0


def conduct(
    record: dict,
    *,
    greeting_s: float | None,
    frown: float | None,
    smile: float | None,
    gesturing: float | None,
    hidden: bool | None,
    counts: tuple[int, int, int],
) -> dict:
    """`record` (an interaction) with issue 18's numbers in its summary; counts are blank
    stares, wide gestures and stiff spells."""
    blank, wide, stiff = counts
    record["summary"] |= {
        "greeting_s": greeting_s,
        "expression": {"frown_ratio": frown, "smile_ratio": smile, "blank_stare_spells": blank},
        "gestures": {"gesturing_ratio": gesturing, "wide_gestures": wide, "hidden_hands": hidden},
        "stiffness": {"stiff_spells": stiff},
    }
    return record


def test_a_shift_sums_up_greetings_expressions_and_gestures_weighting_ratios_by_length(tmp_path):
    recorder, writer = make_writer(tmp_path / "k.db")
    recorder.record({"kind": "slow_greeting", "t_s": 0.0, "duration_s": 3.0, "greeting_s": 5.0})
    recorder.record(
        conduct(
            interaction(0.0, 30.0, eye=0.9),
            greeting_s=5.0,
            frown=0.1,
            smile=0.5,
            gesturing=None,  # the hands model was off
            hidden=None,
            counts=(1, 0, 2),
        )
    )
    recorder.record(
        conduct(
            interaction(100.0, 190.0, eye=0.5),
            greeting_s=1.0,
            frown=0.3,
            smile=0.1,
            gesturing=0.4,
            hidden=True,
            counts=(0, 3, 1),
        )
    )
    recorder.record(interaction(200.0, 260.0, eye=0.5))  # recorded before issue 18's signals
    writer.close()
    store = Store.open(tmp_path / "k.db")
    [item] = store.shifts()
    summary = store.shift(item["id"])["summary"]
    expected = {
        "mean_greeting_s": 3.0,
        "slow_greetings": 1,
        "frown_ratio": round((0.1 * 30 + 0.3 * 90) / 120, 3),
        "smile_ratio": round((0.5 * 30 + 0.1 * 90) / 120, 3),
        "gesturing_ratio": 0.4,
        "blank_stare_spells": 1,
        "wide_gestures": 3,
        "stiff_spells": 3,
        "hidden_hands_interactions": 1,
    }
    assert {key: summary[key] for key in expected} == expected
    assert {key: item[key] for key in expected} == expected
    [day] = store.trends(today=date.fromisoformat(item["date"]))
    assert {key: day[key] for key in expected} == expected
    assert [i["hidden_hands"] for i in store.shift_interactions(item["id"])] == [None, True, None]


def test_status_is_live_while_written_offline_when_silent_and_stopped_after_close(tmp_path):
    clock = Clock()
    recorder, writer = make_writer(tmp_path / "k.db", clock=clock)
    recorder.status("tracking", 5.0)
    recorder.record({"kind": "interaction_start", "start_s": 20.0, "arrived_s": 18.0})
    recorder.frame(21.0, step(cue="staring"))
    clock.advance(21.0)
    writer.flush()
    store = Store.open(tmp_path / "k.db")
    now = START + timedelta(seconds=25)
    status = store.status(now=now)
    assert status["status"] == "tracking" and status["since"] == "2026-11-28T09:00:05.000+00:00"
    assert status["interaction"] == {"start": "2026-11-28T09:00:20.000+00:00", "elapsed_s": 5.0}
    assert status["cue"] == "staring"
    assert status["counters"]["processed"] == 9
    assert store.status(now=START + timedelta(seconds=36))["status"] == "tracking"
    offline = store.status(now=START + timedelta(seconds=36.5))
    assert offline["status"] == "offline" and offline["interaction"] is None
    writer.close()
    assert store.status(now=START + timedelta(hours=5))["status"] == "stopped"


def test_nudges_in_the_last_hour_count_by_cue(tmp_path):
    recorder, writer = make_writer(tmp_path / "k.db")
    for t_s, cue in (
        (0.0, "staring"),
        (4000.0, "staring"),
        (4100.0, "not_facing"),
        (4200.0, "staring"),
    ):
        recorder.record({"kind": "nudge", "cue": cue, "t_s": t_s, "reason": ""})
    writer.close()
    status = Store.open(tmp_path / "k.db").status(now=START + timedelta(seconds=4300))
    assert status["nudges_last_hour"] == {"total": 3, "by_cue": {"staring": 2, "not_facing": 1}}


def test_a_locked_database_keeps_records_in_memory_and_writes_them_later(tmp_path, monkeypatch):
    monkeypatch.setattr(db, "BUSY_TIMEOUT_MS", 50)
    recorder, writer = make_writer(tmp_path / "k.db")
    blocker = sqlite3.connect(tmp_path / "k.db", isolation_level=None)
    blocker.execute("BEGIN EXCLUSIVE")
    recorder.record(interaction(0.0, 30.0, eye=0.5))
    recorder.frame(1.0, step())
    assert not writer.flush()
    recorder.record(interaction(40.0, 60.0, eye=0.7))
    recorder.frame(41.0, step())
    assert not writer.flush()
    blocker.execute("ROLLBACK")
    assert writer.flush()
    writer.close()
    store = Store.open(tmp_path / "k.db")
    assert [i["eye_contact_ratio"] for i in store.interactions(START)] == [0.5, 0.7]
    assert store.shift(store.shifts()[0]["id"])["minutes"][0]["frames"] == 2


def test_retention_deletes_old_shifts_with_everything_in_them(tmp_path):
    clock = Clock()
    recorder, writer = make_writer(tmp_path / "k.db", clock=clock)
    recorder.record(interaction(0.0, 30.0, eye=0.5))
    recorder.record({"kind": "nudge", "cue": "staring", "t_s": 10.0, "reason": ""})
    recorder.frame(5.0, step())
    writer.close()
    clock.advance(86400 * 3)  # three days on; keep two days
    recorder, writer = make_writer(tmp_path / "k.db", clock=clock, retention_days=2)
    recorder.wall = type(recorder.wall)(clock.now)
    recorder.record(interaction(0.0, 20.0, eye=0.8))
    writer.close()
    conn = sqlite3.connect(tmp_path / "k.db")
    counts = {
        t: conn.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0]
        for t in ("shifts", "interactions", "nudges", "minutes")
    }
    assert counts == {"shifts": 1, "interactions": 1, "nudges": 0, "minutes": 0}
    assert Store.open(tmp_path / "k.db").interactions(START)[0]["eye_contact_ratio"] == 0.8


def test_a_reader_never_sees_database_is_locked_while_the_writer_commits(tmp_path):
    recorder, writer = make_writer(tmp_path / "k.db")
    store = Store.open(tmp_path / "k.db")
    errors: list[Exception] = []
    done = threading.Event()

    def read() -> None:
        while not done.is_set():
            try:
                store.status()
                store.shifts()
            except Exception as exc:  # the test's point: nothing at all may go wrong
                errors.append(exc)

    reader = threading.Thread(target=read)
    reader.start()
    deadline = time.monotonic() + 1.5
    t_s = 0.0
    while time.monotonic() < deadline:
        for _ in range(50):
            recorder.frame(t_s, step())
            t_s += 0.1
        recorder.record(interaction(t_s, t_s + 1, eye=0.5))
        writer.flush()
    done.set()
    reader.join()
    writer.close()
    assert errors == []
    assert len(store.interactions(START, limit=5000)) > 10


def test_users_and_tokens_removing_a_user_revokes_their_tokens(tmp_path):
    store = Store.open(tmp_path / "k.db", create=True)
    store.add_user("ana", "hash-1")
    store.add_user("ana", "hash-2")  # a new password replaces the old
    store.add_token("ana", "t-hash")
    assert store.users() == ["ana"] and store.user_password_hash("ana") == "hash-2"
    assert store.token_owner("t-hash") == "ana"
    assert store.remove_user("ana") and not store.remove_user("ana")
    assert store.token_owner("t-hash") is None and store.user_password_hash("ana") is None


def test_opening_a_missing_or_foreign_file_is_one_clear_error(tmp_path):
    with pytest.raises(StorageError, match=r"\[storage\] path"):
        Store.open(tmp_path / "none.db")
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"this is not a database" * 100)
    with pytest.raises(StorageError, match="not a usable kiosk database"):
        Store.open(junk)


def test_an_unwritable_data_folder_is_one_line_that_says_what_to_set(tmp_path):
    blocked = tmp_path / "file"
    blocked.write_text("")
    with pytest.raises(StorageError, match=r"set \[storage\] path"):
        Store.open(blocked / "kiosk.db", create=True)  # a file where the folder should be


def test_a_shift_asked_for_with_a_counter_is_found_only_if_it_is_that_counters(tmp_path):
    path = tmp_path / "k.db"
    for counter in ("counter-1", "counter-2"):
        recorder, writer = make_writer(path, counter=counter)
        recorder.record(interaction(0.0, 30.0, eye=0.5))
        writer.close()
    store = Store.open(path)
    [own] = store.shifts("counter-1")
    [other] = store.shifts("counter-2")
    assert store.shift(own["id"], "counter-1")["shift"]["counter"] == "counter-1"
    assert store.shift(other["id"], "counter-1") is None
    assert store.shift(other["id"])["shift"]["counter"] == "counter-2"  # no counter: any
