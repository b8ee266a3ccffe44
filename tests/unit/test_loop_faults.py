"""Faults injected into the live loop (stand-in sources, tracker and LEDs from test_loop): a
camera missing at start, garbage and empty frames, the models raising, a stop at any moment,
and systemd's watchdog fed while a camera is retried."""

from __future__ import annotations

import threading
import time

import numpy as np
import pytest

from kiosk import loop as loop_module
from kiosk.camera.types import Frame
from kiosk.errors import CameraUnavailableError, TrackerError
from kiosk.loop import frame_problem, run_loop
from tests.unit.test_loop import TINY, Source, kinds, lockstep, parts_for


class Notifier:
    """Counts what the loop tells systemd."""

    def __init__(self):
        self.alive, self.statuses, self.stopped = [], [], False

    def frame(self, now_s):
        self.alive.append(now_s)

    def status(self, text):
        self.statuses.append(text)

    def stopping(self):
        self.stopped = True


class Clock:
    """A monotonic clock the test moves by hand, and that each reading nudges forward."""

    def __init__(self):
        self.now = 0.0

    def __call__(self):
        self.now += 0.001
        return self.now


def test_a_camera_missing_at_start_is_a_camera_fault_retried_until_it_comes():
    attempts = []
    later = Source(30, t0_s=50.0, live=True)

    def open_source():
        attempts.append(1)
        if len(attempts) < 3:
            raise CameraUnavailableError("no Camera Module found")
        return later

    parts, tracker, records = parts_for([])
    parts.open_source = open_source
    parts.notifier = Notifier()
    stats = run_loop(parts, retry_delays_s=(0.01,), on_step=lockstep(later))
    assert len(attempts) == 3 and stats.camera_faults == 1
    assert tracker.calls == 30
    statuses = [s for _, s in parts.leds.statuses]
    assert statuses == ["camera_fault", "tracking"]
    fault = next(r for r in records if r["kind"] == "camera_fault")
    assert fault["start_s"] is None and "no Camera Module found" in fault["error"]
    assert kinds(records)[-2:] == ["interaction_start", "interaction"]


def test_while_a_camera_is_retried_the_watchdog_is_fed_between_attempts(monkeypatch):
    """A 30 s back-off must not starve systemd's 30 s watchdog: the loop is alive, retrying."""
    monkeypatch.setattr(loop_module, "_ALIVE_EVERY_S", 0.01)
    stop = threading.Event()
    attempts = []

    def open_source():
        attempts.append(1)
        if len(attempts) == 2:
            stop.set()
        raise CameraUnavailableError("no camera")

    parts, _, _ = parts_for([])
    parts.open_source = open_source
    parts.notifier = Notifier()
    run_loop(parts, stop=stop, retry_delays_s=(0.2,))
    # about one ping per 0.01 s of the 0.2 s wait (each wait at least 10 pings)
    assert len(parts.notifier.alive) >= 10 and parts.notifier.stopped


@pytest.mark.parametrize(
    "rgb, problem",
    [
        (None, "no image"),
        (np.zeros((0, 0, 3), np.uint8), "empty"),
        (np.zeros((480, 640), np.uint8), "not an RGB image"),
        (np.zeros((480, 640, 4), np.uint8), "not an RGB image"),
        (np.zeros((480, 640, 3), np.float32), "not 8-bit"),
    ],
)
def test_unusable_frames_are_named(rgb, problem):
    assert problem in frame_problem(Frame(rgb, 1.0, 0))
    assert frame_problem(Frame(TINY, float("nan"), 0)).startswith("timestamp")
    assert frame_problem(Frame(TINY, 1.0, 0)) is None


class Garbage(Source):
    """A live stand-in whose frames `bad` (by index) are empty or torn buffers."""

    def __init__(self, count, bad, **kwargs):
        super().__init__(count, **kwargs)
        self.bad = bad

    def __iter__(self):
        for frame in super().__iter__():
            if frame.index in self.bad:
                yield Frame(np.zeros((0, 0, 3), np.uint8), frame.t_s, frame.index)
            else:
                yield frame


def test_garbage_frames_are_skipped_and_counted_and_the_rest_measured():
    source = Garbage(100, bad=set(range(10, 40, 3)))
    parts, tracker, records = parts_for([source])
    stats = run_loop(parts)
    assert stats.bad_frames == 10 and tracker.calls == 90 and stats.processed == 90
    assert kinds(records) == ["interaction_start", "interaction"]


def test_a_live_camera_sending_only_garbage_is_reopened_like_a_stopped_one(monkeypatch):
    monkeypatch.setattr(loop_module, "BAD_FRAMES_FAULT_S", 0.05)
    broken = Garbage(10_000, bad=set(range(5, 10_000)), live=True)
    broken.before_frame = lambda index: time.sleep(0.002)  # a camera's pace, not a flood
    fine = Source(20, t0_s=2000.0, live=True)
    parts, tracker, records = parts_for([broken, fine])
    release = lockstep(fine)
    stats = run_loop(parts, retry_delays_s=(0.01,), on_step=release)
    assert stats.camera_faults == 1 and broken.closed
    fault = next(r for r in records if r["kind"] == "camera_fault")
    assert "only unusable frames" in fault["error"]
    # the camera reopened gives every frame (the broken one's first five may have been dropped
    # by the newest-frame reader, as a live camera's are)
    assert 20 <= tracker.calls <= 25


class Failing:
    """A tracker that raises on the frames `fail` says, as MediaPipe may."""

    def __init__(self, fail):
        self.fail, self.calls = fail, 0

    def track(self, frame, *, face=True, pose=False, hands=False):
        self.calls += 1
        if self.fail(frame.index):
            raise RuntimeError("CalculatorGraph::Run() failed: stand-in")
        from kiosk.landmarks.types import Landmarks

        return Landmarks(frame.t_s, frame.index, frame.width, frame.height)

    def close(self):
        pass


def test_the_models_raising_now_and_then_skip_those_frames_and_the_loop_goes_on(caplog):
    parts, _, records = parts_for([Source(100)])
    parts.pipeline.tracker = Failing(lambda i: i % 7 == 3)
    stats = run_loop(parts)
    failed = len([i for i in range(100) if i % 7 == 3])
    assert stats.model_errors == failed and stats.processed == 100 - failed
    assert kinds(records) == ["interaction_start", "interaction"]
    # logged once with its traceback, not once a frame
    assert caplog.text.count("the pipeline failed on a frame") == 1


def test_models_failing_on_every_frame_for_a_minute_end_the_run_with_an_error(monkeypatch):
    monkeypatch.setattr(loop_module, "MODEL_FAULT_S", 0.5)
    clock = Clock()
    parts, _, records = parts_for([Source(10_000)])
    parts.pipeline.tracker = Failing(lambda i: i >= 50)
    with pytest.raises(TrackerError, match="failed on every frame"):
        run_loop(parts, clock=clock)
    # the interaction in progress is still closed and the LEDs darkened on the way out
    assert kinds(records) == ["interaction_start", "interaction"] and parts.leds.dark


def test_a_stop_while_paused_or_while_the_camera_is_retried_ends_the_run_cleanly():
    stop = threading.Event()
    source = Source(1000)
    parts, tracker, records = parts_for([source])

    def press_and_stop(index):
        if index == 30:
            parts.presses.press()
        if index == 60:
            stop.set()

    source.before_frame = press_and_stop
    run_loop(parts, stop=stop)
    assert tracker.calls == 30 and parts.leds.dark
    assert kinds(records) == ["interaction_start", "interaction", "pause"]

    stop = threading.Event()
    parts, _, records = parts_for([])

    def never(attempts=[]):  # noqa: B006 - counts the attempts
        attempts.append(1)
        if len(attempts) == 2:
            stop.set()
        raise CameraUnavailableError("no camera")

    parts.open_source = never
    run_loop(parts, stop=stop, retry_delays_s=(0.01,))
    assert parts.leds.dark and [r["kind"] for r in records] == ["camera_fault"]


def test_one_model_error_after_a_long_pause_is_only_skipped(monkeypatch):
    """The minute of failures counts from the first failure in a row, not from the last
    success: frames not processed for a while (paused, a camera fault) do not count."""
    monkeypatch.setattr(loop_module, "MODEL_FAULT_S", 0.5)
    clock = Clock()
    source = Source(100)
    parts, _, _ = parts_for([source])
    parts.pipeline.tracker = Failing(lambda i: i == 50)

    def long_gap(index):
        if index == 50:
            clock.now += 120.0  # two minutes without a processed frame

    source.before_frame = long_gap
    stats = run_loop(parts, clock=clock)
    assert stats.model_errors == 1 and stats.processed == 99
