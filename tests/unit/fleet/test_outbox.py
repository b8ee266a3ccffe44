import sqlite3

import pytest

from kiosk.errors import StorageError
from kiosk.fleet.outbox import Outbox


def payloads(outbox: Outbox) -> list[str]:
    return [row.payload for row in outbox.after(0, 1000)]


def test_queued_messages_survive_closing_and_reopening_the_file_oldest_first(tmp_path):
    path = tmp_path / "q.db"
    first = Outbox(path, 100)
    first.add([("t/interactions", "a"), ("t/interactions", "b")])
    first.add([("t/interactions", "c")])
    first.close()  # a kiosk restart (a crash, too: every add has committed)
    again = Outbox(path, 100)
    assert payloads(again) == ["a", "b", "c"]
    assert len(again) == 3
    assert [row.topic for row in again.after(0, 10)] == ["t/interactions"] * 3


def test_beyond_max_queued_the_oldest_are_dropped_and_counted(tmp_path):
    outbox = Outbox(tmp_path / "q.db", 5)
    assert outbox.add([("t", str(i)) for i in range(4)]) == 0
    assert outbox.add([("t", str(i)) for i in range(4, 7)]) == 2
    assert payloads(outbox) == ["2", "3", "4", "5", "6"]
    assert len(outbox) == 5
    # one batch larger than the bound keeps its own newest
    assert outbox.add([("t", f"x{i}") for i in range(8)]) == 8
    assert payloads(outbox) == ["x3", "x4", "x5", "x6", "x7"]


def test_a_removed_row_is_gone_for_the_next_process_and_unknown_ids_are_ignored(tmp_path):
    path = tmp_path / "q.db"
    outbox = Outbox(path, 100)
    outbox.add([("t", "a"), ("t", "b"), ("t", "c")])
    ids = [row.id for row in outbox.after(0, 10)]
    outbox.remove([ids[0], ids[2], 999])
    assert len(outbox) == 1
    outbox.close()
    assert payloads(Outbox(path, 100)) == ["b"]


def test_ids_never_come_back_so_rows_after_the_last_sent_include_every_new_one(tmp_path):
    outbox = Outbox(tmp_path / "q.db", 100)
    outbox.add([("t", "a"), ("t", "b"), ("t", "c")])
    last_sent = max(row.id for row in outbox.after(0, 10))
    outbox.remove([row.id for row in outbox.after(0, 10)])  # all acknowledged
    outbox.add([("t", "d")])
    assert [row.payload for row in outbox.after(last_sent, 10)] == ["d"]


def test_after_pages_through_the_queue(tmp_path):
    outbox = Outbox(tmp_path / "q.db", 100)
    outbox.add([("t", str(i)) for i in range(7)])
    first = outbox.after(0, 3)
    second = outbox.after(first[-1].id, 3)
    third = outbox.after(second[-1].id, 3)
    assert [r.payload for r in first + second + third] == [str(i) for i in range(7)]


def test_an_unusable_place_is_one_storage_error_naming_the_setting(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    with pytest.raises(StorageError, match=r"cannot open the MQTT queue .*\[mqtt\] queue_path"):
        Outbox(blocker / "q.db", 10)


def test_a_queue_written_by_a_newer_kiosk_is_refused_not_altered(tmp_path):
    path = tmp_path / "q.db"
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA user_version = 7")
    conn.close()
    with pytest.raises(StorageError, match="newer kiosk"):
        Outbox(path, 10)
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == 7
