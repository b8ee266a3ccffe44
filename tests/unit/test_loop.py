"""The live loop with stand-in sources, tracker and LEDs: pause, camera faults, stop, records."""

from __future__ import annotations

import threading

import numpy as np
import pytest

from kiosk.camera.types import Frame
from kiosk.config import Config
from kiosk.errors import CameraStoppedError
from kiosk.feedback.pause import PauseState
from kiosk.feedback.rules import NudgeRules
from kiosk.landmarks.types import Landmarks
from kiosk.loop import LoopParts, run_loop
from kiosk.pipeline import Pipeline
from kiosk.presence.interaction import InteractionTracker

TINY = np.zeros((4, 4, 3), dtype=np.uint8)


class Source:
    """`count` frames at `fps` from `t0_s`; a live one may stop with a camera error."""

    def __init__(self, count, fps=10.0, t0_s=0.0, live=False, fail=False, times=None):
        self.times = times if times is not None else [t0_s + i / fps for i in range(count)]
        self.fps, self.live, self.fail = fps, live, fail
        self.name, self.sequence, self.closed = "stand-in", True, False
        self.before_frame = lambda index: None

    def __iter__(self):
        for i, t in enumerate(self.times):
            self.before_frame(i)
            yield Frame(TINY, t, i)
        self.before_frame(len(self.times))
        if self.fail:
            raise CameraStoppedError("the stand-in camera stopped")

    def close(self):
        self.closed = True


class Tracker:
    """Finds nothing, and counts the frames it was asked to look at."""

    def __init__(self):
        self.calls = 0

    def track(self, frame, *, face=True, pose=False, hands=False):
        self.calls += 1
        return Landmarks(frame.t_s, frame.index, frame.width, frame.height)

    def close(self):
        pass


class Leds:
    def __init__(self):
        self.cues, self.statuses, self.dark = [], [], False

    def show(self, cue, t_s):
        if not self.cues or self.cues[-1][1] != cue:
            self.cues.append((t_s, cue))

    def set_status(self, status, t_s):
        self.statuses.append((t_s, status))

    def refresh(self, now_s):
        pass

    def off(self):
        self.dark = True

    def close(self):
        pass


class Presence:
    def __init__(self, present=lambda t: True):
        self._present = present

    def present(self, t_s):
        return self._present(t_s)

    def close(self):
        pass


def parts_for(sources, *, present=lambda t: True, auto_resume_min=0.0, timing=(2.0, 5.0)):
    config = Config()
    tracker = Tracker()
    sources = list(sources)
    records = []
    pipeline = Pipeline(
        config,
        tracker,
        source_name="stand-in",
        fps=10.0,
        interactions=InteractionTracker(*timing),
        rules=NudgeRules(config.nudges, config.cues),
    )
    parts = LoopParts(
        open_source=lambda: sources.pop(0),
        pipeline=pipeline,
        leds=Leds(),
        presence=Presence(present),
        pause=PauseState(auto_resume_min),
        write=records.append,
    )
    return parts, tracker, records


def kinds(records):
    return [r["kind"] for r in records]


def test_a_finite_source_ends_the_run_closing_the_interaction_and_darkening_the_leds():
    parts, tracker, records = parts_for([Source(100)])
    stats = run_loop(parts)
    assert tracker.calls == 100 and stats.processed == 100
    assert kinds(records) == ["interaction_start", "interaction"]
    interaction = records[-1]
    assert (interaction["start_s"], interaction["end_s"]) == (2.0, 10.0)
    assert interaction["summary"]["frames"] == 80
    assert parts.leds.dark
    assert [s for _, s in parts.leds.statuses] == ["tracking"]


def test_the_pause_button_stops_all_processing_until_pressed_again():
    source = Source(200)
    parts, tracker, records = parts_for([source])

    def press_before(index):
        if index in (50, 150):
            parts.presses.press()

    source.before_frame = press_before
    run_loop(parts)
    # frames 50..149 arrive paused: the tracker never sees them (frame 150 is the resume)
    assert tracker.calls == 100
    assert kinds(records) == [
        "interaction_start",
        "interaction",
        "pause",
        "interaction_start",
        "interaction",
    ]
    assert (records[1]["end_s"], records[2]["start_s"], records[2]["end_s"]) == (5.0, 5.0, 15.0)
    assert records[1]["summary"]["frames"] == 30  # 2.0 <= t < 5.0
    statuses = [s for _, s in parts.leds.statuses]
    assert statuses == ["tracking", "paused", "tracking"]


def test_auto_resume_ends_a_pause_by_itself():
    parts, tracker, records = parts_for([Source(1300)], auto_resume_min=1.0)
    parts.presses.press()
    run_loop(parts)
    pause = next(r for r in records if r["kind"] == "pause")
    assert (pause["start_s"], pause["end_s"]) == (0.0, 60.0)
    assert tracker.calls == 1300 - 600


def test_without_a_customer_no_interaction_is_recorded():
    parts, tracker, records = parts_for([Source(100)], present=lambda t: False)
    run_loop(parts)
    assert tracker.calls == 100 and records == []
    assert [s for _, s in parts.leds.statuses] == ["no_customer"]


def lockstep(*sources):
    """Live stand-ins that deliver a frame only once the loop has handled the previous one,
    so the test sees every frame (a real camera would have frames dropped instead)."""
    handled = threading.Semaphore(1)
    for source in sources:
        count = len(source.times)
        source.before_frame = lambda index, n=count: index < n and handled.acquire(timeout=5.0)
    return lambda step: handled.release()


def test_a_camera_that_stops_closes_the_interaction_shows_the_fault_and_resumes():
    first = Source(50, live=True, fail=True)
    again = Source(30, t0_s=100.0, live=True)
    parts, tracker, records = parts_for([first, again])
    release = lockstep(first, again)
    stats = run_loop(parts, retry_delays_s=(0.01,), on_step=release)
    assert stats.camera_faults == 1 and first.closed
    assert kinds(records)[:3] == ["interaction_start", "interaction", "camera_fault"]
    assert records[1]["end_s"] == pytest.approx(4.9)
    statuses = [s for _, s in parts.leds.statuses]
    assert statuses == ["tracking", "camera_fault", "tracking"]
    assert tracker.calls == 80


def test_a_camera_that_never_returns_keeps_retrying_until_stopped():
    stop = threading.Event()

    def open_source():
        if not opened:
            opened.append(1)
            return Source(20, live=True, fail=True)
        attempts.append(1)
        if len(attempts) == 3:
            stop.set()
        from kiosk.errors import SourceError

        raise SourceError("no camera")

    opened, attempts = [], []
    parts, _, records = parts_for([])
    parts.open_source = open_source
    run_loop(parts, stop=stop, retry_delays_s=(0.01, 0.02))
    assert len(attempts) == 3
    assert kinds(records)[-1] == "camera_fault"
    assert parts.leds.dark


def test_stop_ends_the_run_within_a_frame_and_records_the_interaction():
    stop = threading.Event()
    parts, tracker, records = parts_for([Source(1000)])

    def stop_at(step):
        if step.frame.index == 299:
            stop.set()

    run_loop(parts, stop=stop, on_step=stop_at)
    assert tracker.calls == 300
    assert records[-1]["kind"] == "interaction" and records[-1]["end_s"] == pytest.approx(30.0)


def test_frames_whose_time_goes_backwards_or_repeats_are_skipped():
    times = [0.0, 0.1, 0.2, 0.2, 0.15, 0.3, 0.4]
    parts, tracker, _ = parts_for([Source(0, times=times)])
    stats = run_loop(parts)
    assert stats.frames == 7 and stats.processed == 5
    assert tracker.calls == 5


def test_a_mock_floor_mat_opens_and_closes_an_interaction():
    from kiosk.config import PresenceConfig
    from kiosk.gpio import mock_pin_factory
    from kiosk.presence.sensors import ButtonPresence

    factory = mock_pin_factory()
    mat = ButtonPresence(PresenceConfig(source="button", sensor_pin=16), pin_factory=factory)
    parts, _, records = parts_for([Source(300)])
    parts.presence = mat
    pin = factory.pin(16)

    def step_on_and_off(step):
        if step.frame.index == 9:
            pin.drive_low()  # the customer steps on the mat (switch to ground)
        if step.frame.index == 149:
            pin.drive_high()

    run_loop(parts, on_step=step_on_and_off)
    mat.close()
    start, interaction = records
    assert (start["arrived_s"], start["start_s"]) == (1.0, 3.0)
    assert interaction["end_s"] == pytest.approx(14.9)
    assert interaction["summary"]["frames"] == 120


def test_a_mock_hc_sr04_opens_and_closes_an_interaction_in_real_time():
    from gpiozero.pins.mock import MockFactory, MockTriggerPin

    from kiosk.config import PresenceConfig
    from kiosk.presence.sensors import DistancePresence

    def echo_s(distance_cm):
        return distance_cm / 100.0 * 2.0 / 343.26

    factory = MockFactory()
    trigger = factory.pin(
        23, pin_class=MockTriggerPin, echo_pin=factory.pin(24), echo_time=echo_s(300.0)
    )
    sensor = DistancePresence(PresenceConfig(source="distance", near_cm=100.0), pin_factory=factory)
    source = Source(60)  # 6 s at 10 fps, paced in real time

    def customer(index):
        if index == 10:
            trigger.echo_time = echo_s(40.0)  # a customer steps up to the counter
        if index == 35:
            trigger.echo_time = echo_s(300.0)  # and leaves

    source.before_frame = customer
    parts, _, records = parts_for([source], timing=(0.5, 1.0))
    parts.presence = sensor
    try:
        run_loop(parts, realtime=True)
    finally:
        sensor.close()
    start, interaction = records
    # The customer moves just before frames 10 and 35 are paced (1.0 s, 3.5 s). The sensor takes
    # the median of 3 pings 60 ms apart, so it may answer on that very frame or a few tenths later:
    # the first present frame is 1.0 s or later, the last present one 3.4 s (frame 34) or later.
    assert 1.0 <= start["arrived_s"] <= 2.0 and start["start_s"] >= start["arrived_s"] + 0.5
    assert 3.4 <= interaction["end_s"] <= 4.5
