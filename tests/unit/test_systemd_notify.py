"""systemd's notify protocol: READY on the first frame, WATCHDOG only while frames flow (never
from a timer), STATUS and STOPPING, received on a real unix datagram socket standing in for
$NOTIFY_SOCKET."""

from __future__ import annotations

import dataclasses
import logging
import os
import select
import socket
import threading
import time
import uuid
from pathlib import Path

import pytest
from test_loop import Source, Tracker, parts_for

from kiosk.loop import run_loop
from kiosk.systemd_notify import SystemdNotifier


class Receiver:
    """A bound datagram socket like systemd's, read on a thread as systemd reads its own (the
    kernel queues only a few datagrams: net.unix.max_dgram_qlen)."""

    def __init__(self, address: str) -> None:
        self.socket = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.socket.bind(address)
        self.socket.setblocking(False)
        self._messages: list[str] = []
        self._taken = 0
        self._lock = threading.Lock()
        self._closed = threading.Event()
        self._thread = threading.Thread(target=self._read, daemon=True)
        self._thread.start()

    def _read(self) -> None:
        while not self._closed.is_set():
            with self._lock:  # a datagram is taken and kept in one step (see drain)
                try:
                    self._messages.append(self.socket.recv(4096).decode())
                    continue
                except BlockingIOError:
                    pass
            select.select([self.socket], [], [], 0.01)

    def drain(self) -> list[str]:
        """Every message sent so far and not yet drained, in order."""
        while True:
            with self._lock:
                if not select.select([self.socket], [], [], 0)[0]:
                    new = self._messages[self._taken :]
                    self._taken = len(self._messages)
                    return new
            time.sleep(0.001)

    def close(self) -> None:
        self._closed.set()
        self._thread.join(5.0)
        self.socket.close()


@pytest.fixture
def notify_socket(tmp_path):
    """$NOTIFY_SOCKET's stand-in: yields (its path, a function draining what it received)."""
    path = str(tmp_path / "notify")
    receiver = Receiver(path)
    yield path, receiver.drain
    receiver.close()


def frame_clock(source):
    """The loop's clock reads the time of the frame the source is producing, so a test drives
    minutes of frames in milliseconds and the watchdog's throttle sees frame time."""
    now = {"s": 0.0}
    before = source.before_frame

    def tick(index):
        if index < len(source.times):
            now["s"] = source.times[index]
        before(index)

    source.before_frame = tick
    return lambda: now["s"]


# -- the notifier on its own ------------------------------------------------------------------


def test_without_notify_socket_nothing_is_sent_and_nothing_fails():
    notifier = SystemdNotifier.from_environ({})
    assert not notifier.enabled
    notifier.frame(0.0)
    notifier.frame(100.0)
    notifier.status("tracking")
    notifier.stopping()
    assert notifier.send("READY=1") is False
    notifier.close()


def test_the_watchdog_interval_is_half_of_watchdog_usec_and_only_for_the_watched_process():
    env = {"NOTIFY_SOCKET": "/run/systemd/notify", "WATCHDOG_USEC": "30000000"}
    assert SystemdNotifier.from_environ(env).watchdog_interval_s == 15.0
    mine = env | {"WATCHDOG_PID": str(os.getpid())}
    assert SystemdNotifier.from_environ(mine).watchdog_interval_s == 15.0
    # a parent's watchdog (WATCHDOG_PID names another process) is not ours to feed
    assert (
        SystemdNotifier.from_environ(env | {"WATCHDOG_PID": "1"}, pid=4242).watchdog_interval_s
        is None
    )
    assert SystemdNotifier.from_environ({"NOTIFY_SOCKET": "/x"}).watchdog_interval_s is None
    assert SystemdNotifier.from_environ(env | {"WATCHDOG_USEC": "0"}).watchdog_interval_s is None
    # no socket: no watchdog either, whatever WATCHDOG_USEC says
    assert SystemdNotifier.from_environ({"WATCHDOG_USEC": "30000000"}).watchdog_interval_s is None


def test_ready_comes_once_and_pings_at_most_once_per_interval(notify_socket):
    path, drain = notify_socket
    notifier = SystemdNotifier(path, watchdog_interval_s=1.0)
    sent_at = []
    for i in range(100):  # 10 s of frames at 10 fps, with two dropped seconds in the middle
        t_s = i / 10
        if 4.0 <= t_s < 6.0:
            continue
        notifier.frame(t_s)
        sent_at += [(t_s, message) for message in drain()]
    notifier.close()
    assert sent_at[0] == (0.0, "READY=1")
    pings = [t for t, m in sent_at if m == "WATCHDOG=1"]
    # every whole second of frames, except that 4.0 and 5.0 had no frames: the first frame after
    # the gap (6.0) pings, and nothing was sent for the seconds without frames
    assert pings == [1.0, 2.0, 3.0, 6.0, 7.0, 8.0, 9.0]
    assert [m for _, m in sent_at].count("READY=1") == 1


def test_an_abstract_notify_socket_is_reached():
    name = f"kiosk-test-{uuid.uuid4().hex}"
    receiver = Receiver("\0" + name)
    try:
        notifier = SystemdNotifier.from_environ({"NOTIFY_SOCKET": "@" + name})
        notifier.frame(0.0)
        notifier.status("no_customer")
        notifier.close()
        assert receiver.drain() == ["READY=1", "STATUS=no_customer"]
    finally:
        receiver.close()


def test_a_notify_queue_nobody_reads_holds_the_loop_briefly_then_drops_the_message(tmp_path):
    qlen_file = Path("/proc/sys/net/unix/max_dgram_qlen")
    qlen = int(qlen_file.read_text()) if qlen_file.exists() else 10
    if qlen > 64:
        pytest.skip(f"net.unix.max_dgram_qlen is {qlen}: too deep a queue to fill quickly")
    path = str(tmp_path / "wedged")
    wedged = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)  # bound, never read
    wedged.bind(path)
    notifier = SystemdNotifier(path)
    waits_s, sent = [], []
    try:
        for i in range(qlen + 3):
            started_s = time.monotonic()
            sent.append(notifier.send(f"STATUS=message {i}"))
            waits_s.append(time.monotonic() - started_s)
    finally:
        notifier.close()
        wedged.close()
    # the queue takes about qlen messages; each one after that is dropped, not queued forever
    dropped = sent.index(False)
    assert dropped <= qlen + 1 and not any(sent[dropped:])
    # and costs the loop about SEND_TIMEOUT_S (0.1 s), never a hang
    assert max(waits_s) < 1.0
    assert min(waits_s[dropped:]) >= 0.05


def test_a_vanished_socket_is_logged_once_and_never_stops_the_kiosk(tmp_path, caplog):
    path = tmp_path / "gone"
    notifier = SystemdNotifier(str(path), watchdog_interval_s=0.5)
    with caplog.at_level(logging.WARNING, logger="kiosk.systemd_notify"):
        for i in range(10):
            notifier.frame(float(i))
        notifier.stopping()
    notifier.close()
    warnings = [r for r in caplog.records if "cannot notify systemd" in r.getMessage()]
    assert len(warnings) == 1


# -- the live loop ----------------------------------------------------------------------------


@pytest.mark.parametrize("fps", [5.0, 10.0, 30.0])
def test_the_loop_is_ready_on_its_first_frame_feeds_the_watchdog_each_second_and_stops(
    notify_socket, fps
):
    path, drain = notify_socket
    source = Source(int(10 * fps), fps=fps)  # 10 s of frames
    parts, _, _ = parts_for([source])
    parts.notifier = SystemdNotifier(path, watchdog_interval_s=1.0)  # WatchdogSec=2
    run_loop(parts, clock=frame_clock(source))
    # the same messages at every frame rate: one ping per second of frames after READY
    assert drain() == ["STATUS=tracking", "READY=1"] + ["WATCHDOG=1"] * 9 + ["STOPPING=1"]


def test_a_paused_kiosk_still_feeds_the_watchdog_because_frames_still_flow(notify_socket):
    path, drain = notify_socket
    source = Source(100)
    parts, tracker, _ = parts_for([source])
    parts.notifier = SystemdNotifier(path, watchdog_interval_s=1.0)
    parts.presses.press()  # paused from the first frame: nothing is processed
    run_loop(parts, clock=frame_clock(source))
    assert tracker.calls == 0
    assert drain() == ["STATUS=paused", "READY=1"] + ["WATCHDOG=1"] * 9 + ["STOPPING=1"]


def test_a_camera_that_hangs_without_an_error_starves_the_watchdog(notify_socket):
    """A live camera delivers 30 frames, then its read blocks forever (no error for the loop to
    retry on): the pings stop with the frames, although the loop keeps polling, so systemd's
    WatchdogSec= restarts the service. A timer thread would have kept pinging here."""
    path, drain = notify_socket
    flowing = 30
    interval_s = 0.02
    handled = threading.Semaphore(1)
    hang = threading.Event()
    flowed = threading.Event()

    def camera(index):
        if index < flowing:
            handled.acquire(timeout=5.0)  # one frame at a time, none dropped
            time.sleep(interval_s / 2)
        else:
            hang.wait(10.0)  # the camera's read never returns

    def on_step(step):
        handled.release()
        if step.frame.index == flowing - 1:
            flowed.set()

    source = Source(flowing, live=True)
    source.before_frame = camera
    parts, _, _ = parts_for([source])
    parts.notifier = SystemdNotifier(path, watchdog_interval_s=interval_s)
    stop = threading.Event()
    loop = threading.Thread(
        target=run_loop, args=(parts,), kwargs={"stop": stop, "on_step": on_step}
    )
    loop.start()
    try:
        assert flowed.wait(10.0), "the stand-in camera's frames never reached the loop"
        time.sleep(0.1)  # the last frame's ping is sent just after on_step returns
        while_flowing = drain()
        time.sleep(30 * interval_s)  # the camera hangs for 30 watchdog intervals
        while_hung = drain()
    finally:
        stop.set()
        hang.set()
        loop.join(10.0)
    assert not loop.is_alive()
    assert while_flowing[:2] == ["STATUS=tracking", "READY=1"]
    # 30 frames at least interval/2 apart: about 15 pings; a loaded machine gives fewer, not none
    assert while_flowing.count("WATCHDOG=1") >= 3
    assert while_hung == []
    assert drain() == ["STOPPING=1"]


def test_kiosk_run_under_systemd_reports_ready_and_stopping(notify_socket, monkeypatch):
    """The composition root gives the loop a notifier from the environment systemd sets."""
    from kiosk import app
    from kiosk.config import Config
    from kiosk.gpio import mock_pin_factory

    path, drain = notify_socket
    monkeypatch.setenv("NOTIFY_SOCKET", path)
    monkeypatch.setenv("WATCHDOG_USEC", "30000000")
    monkeypatch.delenv("WATCHDOG_PID", raising=False)
    monkeypatch.setattr(app, "build_tracker", lambda *args, **kwargs: Tracker())
    monkeypatch.setattr(app, "open_frame_source", lambda spec, config, fps=None: Source(20))
    config = Config()
    config = dataclasses.replace(
        config,
        storage=dataclasses.replace(config.storage, enabled=False),
        dashboard=dataclasses.replace(config.dashboard, enabled=False),
    )
    stats = app.run_kiosk(
        config, source="stand-in", leds_backend="mock", pin_factory=mock_pin_factory()
    )
    assert stats.processed == 20
    messages = drain()
    assert messages[:2] == ["STATUS=tracking", "READY=1"]
    assert messages[-1] == "STOPPING=1"
