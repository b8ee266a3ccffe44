import logging
import sqlite3
import time

from fleet_support import (
    IDENTITY,
    TOPICS,
    WALL,
    FakeClient,
    interaction,
    publisher,
    queued_rows,
    until,
)

from kiosk.fleet.outbox import Outbox
from kiosk.fleet.publisher import Publisher, Throttle


def test_a_summary_is_on_disk_before_any_network_attempt_and_waits_there(tmp_path):
    client = FakeClient(connected=False)
    made, outbox = publisher(client, tmp_path / "q.db")
    made.record(interaction())
    assert until(lambda: len(outbox) == 1)
    assert client.on_topic(TOPICS.interactions) == []  # no broker: nothing handed to the client
    made.close(0.2)
    (row,) = queued_rows(tmp_path / "q.db")
    assert row["duration_s"] == 60.0


def test_a_summary_leaves_the_outbox_only_when_the_broker_acknowledges_it(tmp_path):
    client = FakeClient(connected=True, auto_ack=False)
    made, outbox = publisher(client, tmp_path / "q.db")
    made.record(interaction())
    assert until(lambda: client.on_topic(TOPICS.interactions))
    (sent,) = client.on_topic(TOPICS.interactions)
    assert (sent.qos, sent.retain) == (1, False)
    time.sleep(0.05)
    assert len(outbox) == 1  # sent, not yet acknowledged
    client.ack(sent.mid)
    assert until(lambda: len(outbox) == 0)
    made.close(1.0)


def test_qos_follows_the_setting(tmp_path):
    client = FakeClient(connected=True)
    made, outbox = publisher(client, tmp_path / "q.db", qos=2)
    made.record(interaction())
    assert until(lambda: client.on_topic(TOPICS.interactions) and len(outbox) == 0)
    assert client.on_topic(TOPICS.interactions)[0].qos == 2
    made.close(1.0)


def test_only_finished_interactions_are_queued(tmp_path):
    client = FakeClient(connected=False)
    made, _ = publisher(client, tmp_path / "q.db")
    for record in (
        {"kind": "interaction_start", "start_s": 1.0, "arrived_s": 0.0},
        {"kind": "nudge", "t_s": 3.0, "cue": "staring"},
        {"kind": "event", "t_s": 4.0},
        {"kind": "pause", "start_s": 5.0, "end_s": 9.0},
        {"kind": "camera_fault", "start_s": None, "end_s": None, "down_s": 2.0},
        interaction(),
    ):
        made.record(record)
    made.close(0.2)
    assert len(queued_rows(tmp_path / "q.db")) == 1


def test_a_refused_summary_stays_queued_and_says_why(tmp_path, caplog):
    client = FakeClient(connected=True, auto_ack=False)
    made, outbox = publisher(client, tmp_path / "q.db")
    made.record(interaction())
    assert until(lambda: client.on_topic(TOPICS.interactions))
    client.ack(client.on_topic(TOPICS.interactions)[0].mid, "Not authorized")
    assert until(lambda: any("Not authorized" in r.getMessage() for r in caplog.records))
    assert len(outbox) == 1
    made.close(0.3)
    assert len(queued_rows(tmp_path / "q.db")) == 1


def test_queued_summaries_go_out_with_their_own_ids_once_the_broker_is_back(tmp_path):
    client = FakeClient(connected=False)
    made, outbox = publisher(client, tmp_path / "q.db")
    for i in range(30):  # more than the client is given at once
        made.record(interaction(start_s=100.0 * i, end_s=100.0 * i + 50.0))
    assert until(lambda: len(outbox) == 30)
    ids = [row["id"] for row in queued_rows(tmp_path / "q.db")]
    client.connect()
    assert until(lambda: len(outbox) == 0)
    assert [s.payload["id"] for s in client.on_topic(TOPICS.interactions)] == ids
    made.close(1.0)


def test_after_a_kiosk_restart_the_queue_is_sent_by_the_next_run(tmp_path):
    path = tmp_path / "q.db"
    first, _ = publisher(FakeClient(connected=False), path)
    first.record(interaction(10.0, 20.0))
    first.record(interaction(30.0, 40.0))
    first.close(0.2)
    ids = [row["id"] for row in queued_rows(path)]
    client = FakeClient(connected=True)
    second, outbox = publisher(client, path)
    assert until(lambda: len(outbox) == 0)
    assert [s.payload["id"] for s in client.on_topic(TOPICS.interactions)] == ids
    second.close(1.0)


def test_the_status_is_retained_and_sent_again_after_every_reconnect(tmp_path):
    client = FakeClient(connected=True)
    made, _ = publisher(client, tmp_path / "q.db")
    assert until(lambda: client.on_topic(TOPICS.status))
    assert client.on_topic(TOPICS.status)[0].payload["status"] == "starting"
    made.status("tracking", 65.0)
    assert until(lambda: client.on_topic(TOPICS.status)[-1].payload["status"] == "tracking")
    latest = client.on_topic(TOPICS.status)[-1]
    assert latest.retain and latest.qos == 0  # a newer status is never overtaken by a re-send
    assert latest.payload["since"] == "2025-03-04T09:01:05.000+00:00"
    client.drop()
    made.status("paused", 80.0)  # while the broker is away: not lost, sent on reconnect
    client.connect()
    assert until(lambda: client.on_topic(TOPICS.status)[-1].payload["status"] == "paused")
    count = len(client.on_topic(TOPICS.status))
    client.drop()
    client.connect()  # the broker may have published our Last Will meanwhile: say it again
    assert until(lambda: len(client.on_topic(TOPICS.status)) == count + 1)
    assert client.on_topic(TOPICS.status)[-1].payload["status"] == "paused"
    made.close(1.0)


def test_closing_sends_the_backlog_then_offline_then_disconnects(tmp_path):
    client = FakeClient(connected=False)
    made, outbox = publisher(client, tmp_path / "q.db")
    made.record(interaction())
    assert until(lambda: len(outbox) == 1)
    client.connect()
    made.close(2.0)
    topics = [s.topic for s in client.sent]
    assert topics[-1] == TOPICS.status and client.sent[-1].payload["status"] == "offline"
    assert TOPICS.interactions in topics
    assert client.events[-2:] == ["disconnect", "loop_stop"]
    assert queued_rows(tmp_path / "q.db") == []


def test_closing_without_a_broker_returns_within_its_timeout_and_keeps_the_queue(tmp_path):
    client = FakeClient(connected=True, auto_ack=False)  # connected, but nothing acknowledged
    made, _ = publisher(client, tmp_path / "q.db")
    made.record(interaction())
    assert until(lambda: client.on_topic(TOPICS.interactions))
    started = time.monotonic()
    made.close(0.3)
    assert 0.25 <= time.monotonic() - started < 1.5
    assert len(queued_rows(tmp_path / "q.db")) == 1
    # "offline" never went out: the broker is asked to send the Last Will, so the retained
    # status does not stay at the last live one
    assert "disconnect: Disconnect with will message" in client.events
    assert "disconnect" not in client.events


def test_record_and_status_never_raise_into_the_frame_loop(tmp_path, caplog):
    client = FakeClient(connected=True)
    made, outbox = publisher(client, tmp_path / "q.db")
    for _ in range(100):
        made.record({"kind": "interaction", "summary": {}})  # no start_s / end_s
        made.status("tracking", "not a time")  # type: ignore[arg-type]
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert len(errors) == 2  # one line each, not two hundred
    client.failing = OSError("socket gone")
    made.record(interaction())
    made.status("no_customer", 12.0)
    assert until(lambda: len(outbox) == 1)  # on disk, waiting for a client that works
    client.failing = None
    made.record(interaction())
    assert until(lambda: len(outbox) == 0)
    made.close(1.0)


def test_a_full_queue_drops_the_oldest_with_a_warning(tmp_path, caplog):
    client = FakeClient(connected=False)
    made, _ = publisher(client, tmp_path / "q.db", max_queued=3)
    for i in range(5):
        made.record(interaction(start_s=10.0 * i, end_s=10.0 * i + 5))
    made.close(0.2)
    starts = [row["start"] for row in queued_rows(tmp_path / "q.db")]
    assert starts == [
        "2025-03-04T09:00:20.000+00:00",
        "2025-03-04T09:00:30.000+00:00",
        "2025-03-04T09:00:40.000+00:00",
    ]
    assert any("max_queued = 3" in r.getMessage() for r in caplog.records)


def test_a_disk_that_refuses_writes_keeps_summaries_in_memory_until_it_recovers(
    tmp_path, monkeypatch
):
    client = FakeClient(connected=False)
    made, outbox = publisher(client, tmp_path / "q.db")
    real_add = outbox.add

    def full_disk(messages):
        raise sqlite3.OperationalError("database or disk is full")

    monkeypatch.setattr(outbox, "add", full_disk)
    made.record(interaction())
    assert until(lambda: made.queued == 1)
    time.sleep(0.05)
    assert len(outbox) == 0
    monkeypatch.setattr(outbox, "add", real_add)
    made.record(interaction())
    assert until(lambda: len(outbox) == 2)
    made.close(0.2)


def test_the_throttle_logs_a_repeated_problem_once_a_minute_and_counts_the_rest(caplog):
    now = [0.0]
    throttle = Throttle(60.0, clock=lambda: now[0])
    with caplog.at_level(logging.WARNING):
        for t in (0.0, 10.0, 59.0, 61.0, 62.0, 130.0):
            now[0] = t
            throttle(logging.WARNING, "lost", "broker %s away", "b1")
        throttle(logging.WARNING, "other", "something else")
    assert [r.getMessage() for r in caplog.records] == [
        "broker b1 away",
        "broker b1 away (2 more like this since)",
        "broker b1 away (1 more like this since)",
        "something else",
    ]


def test_close_is_safe_twice_and_before_start(tmp_path):
    made, _ = publisher(FakeClient(connected=True), tmp_path / "q.db")
    made.close(0.5)
    made.close(0.5)
    unstarted = Publisher(
        FakeClient(), Outbox(tmp_path / "other.db", 10), identity=IDENTITY, topics=TOPICS, wall=WALL
    )
    unstarted.close(0.5)
