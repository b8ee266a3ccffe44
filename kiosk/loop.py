"""The live loop of `kiosk run` and `kiosk demo`: frames in, LEDs and records out.

Live cameras are read on their own thread keeping only the newest frame; a camera that stops is
retried with back-off while the status LED says so; the pause button drops frames unprocessed.
The loop stops when `stop` is set (SIGTERM, Ctrl-C) or a finite source ends, closing the
interaction in progress and darkening the LEDs.
"""

from __future__ import annotations

import itertools
import logging
import math
import threading
import time
from collections import Counter, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from kiosk.camera.latest import LatestFrameReader
from kiosk.camera.types import Frame, FrameSource
from kiosk.errors import CameraStoppedError, CameraUnavailableError, SourceError, TrackerError
from kiosk.feedback.leds import Leds
from kiosk.feedback.pause import PauseState
from kiosk.pipeline import Pipeline, StepResult
from kiosk.presence.sensors import PresenceSensor
from kiosk.systemd_notify import SystemdNotifier
from kiosk.throttle import Throttle

log = logging.getLogger(__name__)

RETRY_DELAYS_S = (1.0, 2.0, 4.0, 8.0, 15.0, 30.0)
_POLL_S = 0.1  # how often a waiting loop looks at the stop flag
_ALIVE_EVERY_S = 1.0  # while retrying a camera, the loop tells systemd it is alive this often
# A live camera that delivers only unusable frames (empty, the wrong shape or type, a timestamp
# that is not a number) this long is treated as a stopped camera and reopened.
BAD_FRAMES_FAULT_S = 5.0
# The models failing on every frame this long ends the run with an error (systemd restarts the
# service, which loads them afresh); a failure now and then only skips its frame.
MODEL_FAULT_S = 60.0
_ERROR_LOG_EVERY_S = 60.0


class Presses:
    """Button presses handed from gpiozero's (or the keyboard's) thread to the loop."""

    def __init__(self) -> None:
        self._count = 0
        self._lock = threading.Lock()

    def press(self) -> None:
        with self._lock:
            self._count += 1

    def take(self) -> int:
        with self._lock:
            count, self._count = self._count, 0
        return count


@dataclass
class LoopStats:
    """Counts for the closing report, in bounded memory over any length of run."""

    frames: int = 0
    processed: int = 0
    paused_frames: int = 0
    dropped: int = 0
    bad_frames: int = 0  # unusable frames skipped (empty, wrong shape or type, bad timestamp)
    model_errors: int = 0  # frames the models (or the pipeline) failed on, skipped
    camera_faults: int = 0
    interactions: int = 0
    nudges_by_cue: Counter = field(default_factory=Counter)
    # the most recent nudges' capture-to-LED latencies, for percentiles
    latencies_ms: deque = field(default_factory=lambda: deque(maxlen=1000))
    recent_t_s: deque = field(default_factory=lambda: deque(maxlen=32))  # for the current fps

    @property
    def fps(self) -> float | None:
        """Processed frames per second over the last few dozen frames."""
        recent = list(self.recent_t_s)
        if len(recent) < 2 or recent[-1] <= recent[0]:
            return None
        return round((len(recent) - 1) / (recent[-1] - recent[0]), 2)

    @property
    def nudges(self) -> int:
        return sum(self.nudges_by_cue.values())


@dataclass
class LoopParts:
    """What the composition root builds for a run (see kiosk.app)."""

    open_source: Callable[[], FrameSource]
    pipeline: Pipeline
    leds: Leds
    presence: PresenceSensor
    pause: PauseState
    presses: Presses = field(default_factory=Presses)
    write: Callable[[dict[str, Any]], None] = lambda record: None
    # Storage's view of every handled frame (step None: paused) and of each status change.
    on_frame: Callable[[float, StepResult | None], None] = lambda t_s, step: None
    on_status: Callable[[str, float | None], None] = lambda status, t_s: None
    stats: LoopStats = field(default_factory=LoopStats)
    # systemd's READY, WATCHDOG (fed per frame, never on a timer), STATUS and STOPPING.
    notifier: SystemdNotifier = field(default_factory=lambda: SystemdNotifier(None))


class _Run:
    def __init__(
        self,
        parts: LoopParts,
        stop: threading.Event,
        realtime: bool,
        on_step: Callable[[StepResult], None] | None,
        clock: Callable[[], float],
        retry_delays_s: tuple[float, ...],
    ) -> None:
        self.parts = parts
        self.stop = stop
        self.realtime = realtime
        self.on_step = on_step
        self.clock = clock
        self.retry_delays_s = retry_delays_s
        self.stats = parts.stats
        self.status: str | None = None
        self.last_t_s: float | None = None
        self.frame_interval_s = 0.1
        self.source: FrameSource | None = None
        self.reader: LatestFrameReader | None = None
        self.frames = None
        self._pace_anchor: tuple[float, float] | None = None
        self._good_frame_s = clock()  # the last usable frame (or the source's opening)
        self._model_failing_since: float | None = None  # the first of the failures in a row
        self._log = Throttle(_ERROR_LOG_EVERY_S, clock, log)

    # -- records and LEDs -------------------------------------------------------------------
    def emit(self, records) -> None:
        for record in records:
            kind = record.get("kind")
            if kind == "interaction":
                self.stats.interactions += 1
            self.parts.write(record)

    def set_status(self, status: str, t_s: float | None) -> None:
        if status != self.status:
            self.status = status
            self.parts.leds.set_status(status, t_s or 0.0)
            self.parts.on_status(status, t_s)
            self.parts.notifier.status(status)

    # -- the source -------------------------------------------------------------------------
    def open(self) -> None:
        self.source = self.parts.open_source()
        self._good_frame_s = self.clock()
        self.frame_interval_s = 1.0 / self.source.fps
        if self.source.live:
            self.reader = LatestFrameReader(self.source)
        else:
            self.frames = iter(self.source)

    def close_source(self) -> None:
        if self.reader is not None:
            self.stats.dropped += self.reader.dropped
            self.reader.close()
        elif self.source is not None:
            self.source.close()
        self.source = self.reader = self.frames = None

    def next_frame(self) -> Frame | None:
        """The next frame; None when none is ready yet; StopIteration at the end of a file."""
        if self.reader is not None:
            return self.reader.get(_POLL_S)
        assert self.frames is not None
        frame = next(self.frames)
        if self.realtime:
            self._pace(frame.t_s)
        return frame

    def _pace(self, t_s: float) -> None:
        now = self.clock()
        if self._pace_anchor is None:
            self._pace_anchor = (now, t_s)
            return
        wall0, t0 = self._pace_anchor
        delay = (t_s - t0) - (now - wall0)
        if delay > 0:
            self.stop.wait(delay)

    def camera_fault(self, exc: Exception) -> bool:
        """The camera stopped: close the interaction, show the fault, retry with back-off.
        Returns False when stopping instead of recovering."""
        self.stats.camera_faults += 1
        t_s = self.last_t_s
        log.error("camera fault: %s; retrying", exc)
        if t_s is not None:
            self.emit(self.parts.pipeline.interrupt(t_s))
        self.parts.leds.show(None, t_s or 0.0)
        self.set_status("camera_fault", t_s)
        self.close_source()
        started_s = self.clock()
        recovered = False
        for attempt in itertools.count():
            delay_s = self.retry_delays_s[min(attempt, len(self.retry_delays_s) - 1)]
            if self._wait_alive(delay_s):
                break
            try:
                self.open()
            except SourceError as again:
                log.warning("camera still unavailable (%s); trying again", again)
                continue
            recovered = True
            break
        down_s = self.clock() - started_s
        log.warning("camera %s after %.1f s", "back" if recovered else "still down", down_s)
        # The fault's length is measured on one clock and added to the last frame's time, so
        # the record never mixes a frame timestamp with another clock's reading.
        self.emit(
            [
                {
                    "kind": "camera_fault",
                    "start_s": None if t_s is None else round(t_s, 3),
                    "end_s": None if t_s is None else round(t_s + down_s, 3),
                    "down_s": round(down_s, 3),
                    "error": str(exc),
                }
            ]
        )
        return recovered

    def _wait_alive(self, delay_s: float) -> bool:
        """Wait `delay_s` (True if stopped meanwhile), telling systemd the loop is alive: it is
        retrying a camera, not hung, so the watchdog must not restart it (a camera that hangs
        without an error still starves it)."""
        end_s = self.clock() + delay_s
        while True:
            self.parts.notifier.frame(self.clock())
            left_s = end_s - self.clock()
            if left_s <= 0:
                return self.stop.is_set()
            if self.stop.wait(min(left_s, _ALIVE_EVERY_S)):
                return True

    def usable(self, frame: Frame) -> bool:
        """False (counted, logged sparingly) for a frame nothing can be measured on; raises
        CameraStoppedError when a live camera has sent nothing else for BAD_FRAMES_FAULT_S."""
        problem = frame_problem(frame)
        now = self.clock()
        if problem is None:
            self._good_frame_s = now
            return True
        self.stats.bad_frames += 1
        self._log(logging.ERROR, "frame", "unusable frame skipped: %s", problem)
        live = self.source is not None and self.source.live
        if live and now - self._good_frame_s >= BAD_FRAMES_FAULT_S:
            raise CameraStoppedError(
                f"the camera sent only unusable frames for {BAD_FRAMES_FAULT_S:g} s ({problem})"
            )
        return False

    def step(self, frame: Frame, present: bool | None) -> StepResult | None:
        """The pipeline's step; a failure of the models skips the frame (the signals see a
        dropped frame), and failing on every frame for MODEL_FAULT_S ends the run."""
        try:
            step = self.parts.pipeline.step(frame, present)
        except Exception as exc:
            self.stats.model_errors += 1
            self._log(
                logging.ERROR,
                "model",
                "the pipeline failed on a frame (skipped): %s",
                exc,
                exc_info=True,
            )
            now = self.clock()
            if self._model_failing_since is None:
                self._model_failing_since = now
            if now - self._model_failing_since >= MODEL_FAULT_S:
                raise TrackerError(
                    f"the models failed on every frame for {MODEL_FAULT_S:g} s ({exc}); "
                    "restarting the service loads them afresh"
                ) from exc
            return None
        self._model_failing_since = None
        return step

    # -- one frame --------------------------------------------------------------------------
    def handle(self, frame: Frame, got_s: float) -> None:
        parts = self.parts
        self.stats.frames += 1
        t_s = frame.t_s
        for _ in range(parts.presses.take()):
            span = parts.pause.toggle(t_s)
            if parts.pause.paused:
                log.info("paused by the button at t=%.1f s", t_s)
                self.emit(parts.pipeline.interrupt(t_s))
                parts.leds.show(None, t_s)
            elif span is not None:
                log.info("resumed at t=%.1f s", t_s)
                self.emit([span.to_json()])
        span = parts.pause.check(t_s)
        if span is not None:
            log.info("resumed by itself at t=%.1f s", t_s)
            self.emit([span.to_json()])
        if parts.pause.paused:
            self.stats.paused_frames += 1
            self.set_status("paused", t_s)
            self.last_t_s = t_s
            parts.on_frame(t_s, None)
            return  # dropped unprocessed: nothing computed, only counted
        step = self.step(frame, parts.presence.present(t_s))
        if step is None:
            return
        self.stats.processed += 1
        self.stats.recent_t_s.append(t_s)
        parts.leds.show(step.cue, t_s)
        led_s = self.clock()
        self.set_status("tracking" if step.customer else "no_customer", t_s)
        records = list(step.records)
        captured_s = t_s if self.source is not None and self.source.live else got_s
        for i, record in enumerate(records):
            if record.get("kind") == "nudge":
                record = records[i] = record | {"latency_ms": round((led_s - captured_s) * 1e3, 1)}
                self.stats.nudges_by_cue[record["cue"]] += 1
                self.stats.latencies_ms.append(record["latency_ms"])
                log.info(
                    "nudge %s: fault reached its minimum time at t=%.2f s, LED lit on the frame "
                    "of t=%.2f s, %.1f ms after capture (%s)",
                    record["cue"],
                    record["fault_active_s"],
                    record["t_s"],
                    record["latency_ms"],
                    record["reason"],
                )
        self.last_t_s = t_s
        if self.on_step is not None:
            self.on_step(step)
        parts.on_frame(t_s, step)
        self.emit(records)

    def run(self) -> LoopStats:
        try:
            if self._open_first():
                self._frames()
            self.parts.notifier.stopping()
        finally:
            self.finish()
        return self.stats

    def _open_first(self) -> bool:
        """Open the source; a camera that is not there yet is a camera fault, retried like one
        that stops (False: stopped while waiting for it)."""
        try:
            self.open()
        except CameraUnavailableError as exc:
            return self.camera_fault(exc)
        return True

    def _frames(self) -> None:
        while not self.stop.is_set():
            try:
                frame = self.next_frame()
                if frame is not None and not self.usable(frame):
                    continue
            except StopIteration:
                break
            except SourceError as exc:
                if self.source is None or not self.source.live:
                    raise
                if not self.camera_fault(exc):
                    break
                continue
            if frame is not None:
                self.handle(frame, self.clock())
                self.parts.notifier.frame(self.clock())

    def finish(self) -> None:
        parts = self.parts
        end_s = (self.last_t_s or 0.0) + self.frame_interval_s
        try:
            self.emit(parts.pipeline.finish(end_s))
            span = parts.pause.resume(end_s)
            if span is not None:
                self.emit([span.to_json()])
        finally:
            parts.leds.off()
            self.close_source()


def run_loop(
    parts: LoopParts,
    *,
    stop: threading.Event | None = None,
    realtime: bool = False,
    on_step: Callable[[StepResult], None] | None = None,
    clock: Callable[[], float] = time.monotonic,
    retry_delays_s: tuple[float, ...] = RETRY_DELAYS_S,
) -> LoopStats:
    """Run until the source ends or `stop` is set; returns counts for the closing report."""
    run = _Run(parts, stop or threading.Event(), realtime, on_step, clock, retry_delays_s)
    return run.run()


def frame_problem(frame: Frame) -> str | None:
    """Why nothing can be measured on `frame` (None: it is usable). A camera or a decoder can
    hand over an empty or torn buffer, or a timestamp that is not a number (frames whose time
    repeats or runs backwards are the pipeline's to skip)."""
    rgb = frame.rgb
    if not isinstance(rgb, np.ndarray):
        return f"no image ({type(rgb).__name__})"
    if rgb.ndim != 3 or rgb.shape[2] != 3:
        return f"not an RGB image (shape {rgb.shape})"
    if rgb.dtype != np.uint8:
        return f"not 8-bit (dtype {rgb.dtype})"
    if rgb.size == 0:
        return f"empty ({rgb.shape[1]}x{rgb.shape[0]})"
    if not math.isfinite(frame.t_s):
        return f"timestamp {frame.t_s!r}"
    return None
