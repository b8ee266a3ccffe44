"""Storage faults injected for real: a database another process holds at start, a full disk
(SQLite's own SQLITE_FULL, from a page limit on the writer's connection), the memory bound while
it lasts. Records wait in memory and are written when possible; nothing raises into the loop."""

from __future__ import annotations

import sqlite3
import threading

from kiosk.storage import db, schema
from kiosk.storage import writer as writer_module
from kiosk.storage.store import Store
from tests.unit.storage.storage_support import START, interaction, make_writer, step


def _fill_disk(writer) -> None:
    """No page may be added to the database from now on: what a full SD card does."""
    pages = writer.conn.execute("PRAGMA page_count").fetchone()[0]
    writer.conn.execute(f"PRAGMA max_page_count = {pages}")


def _free_disk(writer) -> None:
    writer.conn.execute("PRAGMA max_page_count = 1073741823")


def test_a_full_disk_keeps_every_record_in_memory_and_writes_them_when_space_returns(tmp_path):
    recorder, writer = make_writer(tmp_path / "k.db")
    writer.flush()
    _fill_disk(writer)
    for i in range(40):  # 40 interactions and their minutes: more than the free pages hold
        recorder.record(interaction(60.0 * i, 60.0 * i + 45.0, eye=0.5 + i / 100))
        recorder.frame(60.0 * i + 1.0, step())
    assert not writer.flush()
    assert not writer.flush()  # still full: a second try neither raises nor loses anything
    assert writer.conn.in_transaction is False
    _free_disk(writer)
    assert writer.flush()
    writer.close()
    store = Store.open(tmp_path / "k.db")
    ratios = [i["eye_contact_ratio"] for i in store.interactions(START, limit=100)]
    assert len(ratios) == 40 and ratios[0] == 0.5 and ratios[-1] == 0.89
    assert writer.dropped == 0


def test_a_disk_still_full_at_the_end_is_logged_not_raised(tmp_path, caplog):
    recorder, writer = make_writer(tmp_path / "k.db")
    writer.flush()
    _fill_disk(writer)
    for i in range(40):
        recorder.record(interaction(60.0 * i, 60.0 * i + 45.0, eye=0.5))
    writer.close()
    assert "could not be written at the end" in caplog.text
    assert sqlite3.connect(tmp_path / "k.db").execute("PRAGMA integrity_check").fetchone() == (
        "ok",
    )


def test_a_database_locked_at_start_is_opened_later_with_the_run_and_everything_recorded(
    tmp_path, monkeypatch
):
    path = tmp_path / "k.db"
    make_writer(path)[1].close()  # the database exists; another process now holds it
    monkeypatch.setattr(db, "BUSY_TIMEOUT_MS", 50)
    blocker = sqlite3.connect(path, isolation_level=None)
    blocker.execute("BEGIN EXCLUSIVE")
    recorder, writer = make_writer(path)  # no error: the loop starts anyway
    assert writer.run_id is None
    recorder.record(interaction(0.0, 30.0, eye=0.6))
    recorder.frame(1.0, step())
    assert not writer.flush()
    blocker.execute("ROLLBACK")
    assert writer.flush()
    writer.close()
    conn = sqlite3.connect(path)
    assert conn.execute("SELECT COUNT(*) FROM runs WHERE ended_utc IS NOT NULL").fetchone() == (2,)
    store = Store.open(path)
    assert [i["eye_contact_ratio"] for i in store.interactions(START)] == [0.6]


def test_beyond_the_memory_bound_the_oldest_records_go_first_and_are_counted(tmp_path, monkeypatch):
    monkeypatch.setattr(writer_module, "MAX_PENDING", 10)
    recorder, writer = make_writer(tmp_path / "k.db")
    writer.flush()
    _fill_disk(writer)
    for i in range(25):
        recorder.record(interaction(60.0 * i, 60.0 * i + 45.0, eye=i / 100))
    assert not writer.flush()
    assert writer.dropped == 15
    _free_disk(writer)
    assert writer.flush()
    writer.close()
    ratios = [i["eye_contact_ratio"] for i in Store.open(tmp_path / "k.db").interactions(START)]
    assert ratios == [i / 100 for i in range(15, 25)]  # the newest ten


def test_two_connections_creating_a_new_database_at_once_both_succeed(tmp_path, monkeypatch):
    """kiosk run and kiosk serve started together on a fresh install: the one that waited for
    the write lock finds the schema already made (before, "table shifts already exists")."""
    path = tmp_path / "k.db"
    first = db.connect(path, create=True)
    read = []
    real = schema.schema_version

    def stale_first_read(conn):
        read.append(1)
        return 0 if len(read) == 1 else real(conn)  # read before the other one migrated

    monkeypatch.setattr(schema, "schema_version", stale_first_read)
    second = db.connect(path, create=True)
    assert real(second) == real(first) == schema.VERSION


def test_many_threads_opening_a_new_database_at_once_all_succeed(tmp_path):
    path = tmp_path / "k.db"
    errors: list[Exception] = []
    start = threading.Barrier(6)

    def open_it():
        start.wait()
        try:
            db.connect(path, create=True).close()
        except Exception as exc:  # collected for the assertion
            errors.append(exc)

    threads = [threading.Thread(target=open_it) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []


def test_a_database_that_turns_out_unusable_when_opened_later_is_logged_not_fatal(
    tmp_path, monkeypatch, caplog
):
    """Busy at start, then another error on opening (a newer schema, say): the writer's
    thread logs it and keeps the records for a later try; it never dies silently."""
    from kiosk.errors import StorageBusyError, StorageError

    def busy(path, create=False):
        raise StorageBusyError("busy")

    monkeypatch.setattr(writer_module, "connect", busy)
    recorder, writer = make_writer(tmp_path / "k.db")
    recorder.record(interaction(0.0, 30.0, eye=0.6))

    def newer(path, create=False):
        raise StorageError("the database has schema version 9, newer than this kiosk's")

    monkeypatch.setattr(writer_module, "connect", newer)
    assert not writer.flush()
    writer.close()  # logs, does not raise
    assert "newer than this kiosk" in caplog.text
