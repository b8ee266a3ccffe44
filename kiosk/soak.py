"""`kiosk soak`: a scene replayed through the live loop as fast as it goes for a shift of
simulated time, to show that memory and the time per frame do not grow over a shift.

The scene is rendered and tracked once with the real models (the scheduler without threads, as
`kiosk analyze` tracks); its landmarks are then replayed loop after loop, each loop's times
shifted so that simulated time runs on, through kiosk.loop's live loop: the pipeline with the
scenario's customer (repeating), the nudge rules, LEDs on gpiozero's mock pins and a fresh shift
database, flushed once per `[storage] flush_s` of simulated time. `models` tracks every loop's
frames with MediaPipe instead (slow: for short soaks). Frames stay in memory. The verdict and
the report are kiosk.soak_report's.
"""

from __future__ import annotations

import array
import ctypes
import ctypes.util
import dataclasses
import functools
import gc
import math
import os
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from contextlib import ExitStack
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from kiosk.bench import percentile
from kiosk.camera.types import Frame
from kiosk.config import Config
from kiosk.errors import ConfigError, KioskError
from kiosk.feedback.leds import build_leds
from kiosk.feedback.pause import PauseState
from kiosk.feedback.rules import NudgeRules
from kiosk.landmarks.types import Landmarks
from kiosk.loop import LoopParts, LoopStats, run_loop
from kiosk.pipeline import Pipeline
from kiosk.presence.interaction import InteractionTracker
from kiosk.scenes.library import SCENARIOS
from kiosk.scenes.script import Scenario
from kiosk.signals.events import EVENT_KINDS
from kiosk.soak_report import database_rows, judge
from kiosk.storage.recorder import Recorder
from kiosk.storage.rows import WallClock
from kiosk.storage.shifts import ShiftSchedule
from kiosk.storage.writer import StoreWriter

DEFAULT_SOURCE = "scene:counter_shift"
WINDOW_S = 3600.0  # figures per simulated hour; the first one is the warm-up and the baseline
MIN_WINDOWS = 4  # a short soak is cut into quarters instead
MIN_FRAMES = 100
_WRITER_IDLE_S = 1e9  # the writer's own thread never flushes: the soak flushes on simulated time
_NO_IMAGE = np.zeros((2, 2, 3), dtype=np.uint8)  # a replayed frame: its landmarks stand in


def number(option: str, text: str, *, minimum: float = 0.0, strict: bool = True) -> float:
    """A command-line number above (or, not `strict`, at least) `minimum`, or a ConfigError."""
    try:
        value = float(text)
    except ValueError:
        raise ConfigError(f"{option} {text}: not a number") from None
    low = value <= minimum if strict else value < minimum
    if not math.isfinite(value) or low:
        bound = "above" if strict else "at least"
        raise ConfigError(f"{option} {text}: must be a finite number {bound} {minimum:g}")
    return value


def rss_mb() -> float:
    """This process's resident memory now (VmRSS), in MB."""
    try:
        with Path("/proc/self/status").open(encoding="ascii") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    raise KioskError("kiosk soak reads memory from /proc/self/status: it runs on Linux only")


@functools.cache
def _sqlite_memory_used():
    """SQLite's own count of the memory it holds, from the library Python's sqlite3 uses."""
    name = ctypes.util.find_library("sqlite3")
    try:
        used = ctypes.CDLL(name).sqlite3_memory_used if name else None
    except (OSError, AttributeError):
        return None
    if used is not None:
        used.restype = ctypes.c_int64
    return used


def sqlite_mb() -> float | None:
    """Memory held by SQLite (page caches, statements), in MB; None where it cannot be read."""
    used = _sqlite_memory_used()
    return None if used is None else round(used() / 2**20, 2)


@dataclasses.dataclass(frozen=True)
class Plan:
    """Whole loops of the scene, enough to cover `hours` of simulated time, cut into windows."""

    scenario: Scenario
    fps: float
    frames_per_loop: int
    loops: int
    windows: int

    @classmethod
    def make(cls, scenario: Scenario, fps: float, hours: float) -> Plan:
        per_loop = len(scenario.frames(fps))
        loops = math.ceil(hours * 3600 * fps / per_loop) if per_loop else 0
        if loops * per_loop < MIN_FRAMES:
            raise ConfigError(
                f"--hours {hours:g} at {fps:g} fps is under {MIN_FRAMES} frames: too short to "
                "measure anything"
            )
        windows = max(MIN_WINDOWS, round(loops * per_loop / fps / WINDOW_S))
        return cls(scenario, fps, per_loop, loops, windows)

    @property
    def loop_s(self) -> float:
        return self.frames_per_loop / self.fps

    @property
    def frames(self) -> int:
        return self.loops * self.frames_per_loop

    @property
    def window_s(self) -> float:
        return self.loops * self.loop_s / self.windows

    def index_in_loop(self, t_s: float) -> int:
        return round(t_s * self.fps) % self.frames_per_loop

    def loop_of(self, t_s: float) -> int:
        return round(t_s * self.fps) // self.frames_per_loop

    def window_of(self, t_s: float) -> int:
        return min(self.windows - 1, int(t_s / self.window_s))

    def customer(self) -> list[bool]:
        return [self.scenario.customer_present(i / self.fps) for i in range(self.frames_per_loop)]

    def expected_interactions(self, config: Config) -> list[int]:
        """Interactions starting in each loop, by the scenario's customer timeline alone."""
        tracker = InteractionTracker(config.presence.min_present_s, config.presence.absent_end_s)
        customer, per_loop = self.customer(), [0] * self.loops
        for k in range(self.frames):
            transition = tracker.update(k / self.fps, customer[k % self.frames_per_loop])
            if transition is not None and transition.kind == "start":
                per_loop[k // self.frames_per_loop] += 1
        return per_loop


class _Replay:
    """The scene's tracked landmarks again, at the replayed frame's time (a Tracker)."""

    def __init__(self, landmarks: list[Landmarks]) -> None:
        self.landmarks = landmarks

    def track(self, frame: Frame, *, face=True, pose=False, hands=False) -> Landmarks:
        tracked = self.landmarks[frame.index % len(self.landmarks)]
        return dataclasses.replace(tracked, t_s=frame.t_s, frame_index=frame.index)

    def close(self) -> None:
        pass


class _Customer:
    """The scenario's customer timeline, repeating with the loops (a presence sensor)."""

    name = "scene"

    def __init__(self, plan: Plan) -> None:
        self.plan, self.flags = plan, plan.customer()

    def present(self, t_s: float) -> bool | None:
        return self.flags[self.plan.index_in_loop(t_s)]

    def close(self) -> None:
        pass


class _Source:
    """The loops' frames, times running on; the soak's own work (flushing the database,
    sampling memory) is done between frames, outside the time measured for each frame."""

    live = False
    sequence = True

    def __init__(self, plan: Plan, images: Callable[[], Iterable[np.ndarray]], watch) -> None:
        self.plan, self.images, self.watch = plan, images, watch
        self.name = f"scene:{plan.scenario.name}"
        self.fps = plan.fps

    def __iter__(self) -> Iterator[Frame]:
        index = 0
        for _ in range(self.plan.loops):
            for rgb in self.images():
                t_s = index / self.plan.fps
                self.watch.between(t_s)
                started, cpu = time.perf_counter(), time.thread_time()
                yield Frame(rgb, t_s, index)  # the loop handles it before asking for the next
                self.watch.frame_ms.append((time.perf_counter() - started) * 1e3)
                self.watch.frame_cpu_ms.append((time.thread_time() - cpu) * 1e3)
                index += 1

    def close(self) -> None:
        pass


def track_scene(scenario: Scenario, config: Config, fps: float) -> list[Landmarks]:
    """The scene rendered and tracked once, as `kiosk analyze` tracks (no model threads)."""
    from kiosk import app

    source = app.open_frame_source(f"scene:{scenario.name}", config, fps)
    tracker = app.build_tracker(config.tracker, static_images=False, threads=False)
    parts = {"face": True, "pose": config.tracker.pose, "hands": config.tracker.hands}
    try:
        return [tracker.track(frame, **parts) for frame in source]
    finally:
        tracker.close()
        source.close()


def _rendered(scenario: Scenario, config: Config, fps: float) -> Callable[[], Iterator]:
    from kiosk import app

    def images() -> Iterator[np.ndarray]:
        source = app.open_frame_source(f"scene:{scenario.name}", config, fps)
        try:
            for frame in source:
                yield frame.rgb
        finally:
            source.close()

    return images


def scenario_of(source: str) -> Scenario:
    name = source.removeprefix("scene:")
    if not source.startswith("scene:"):
        raise ConfigError(f"--source {source}: a soak replays a scene (scene:NAME)")
    if name not in SCENARIOS:
        raise ConfigError(f"--source {source}: no such scene (built in: {', '.join(SCENARIOS)})")
    return SCENARIOS[name]


class _Tally:
    """What the run recorded, per loop and per window, from its records."""

    def __init__(self, plan: Plan) -> None:
        self.plan = plan
        # by loop, allocated up front: the soak's own bookkeeping must not grow with the run
        self.interactions = [0] * plan.loops
        self.nudges = [0] * plan.loops
        self.nudges_by_cue = Counter()
        self.events = 0
        self.window = Counter()  # this window's interactions and nudges

    def record(self, record: dict[str, Any]) -> None:
        kind = record.get("kind")
        if kind == "interaction":
            self.interactions[self.plan.loop_of(record["start_s"])] += 1
            self.window["interactions"] += 1
        elif kind == "nudge":
            self.nudges[self.plan.loop_of(record["t_s"])] += 1
            self.nudges_by_cue[record["cue"]] += 1
            self.window["nudges"] += 1
        elif kind in EVENT_KINDS:
            self.events += 1


def run_soak(
    config: Config,
    *,
    source: str = DEFAULT_SOURCE,
    hours: float = 8.0,
    fps: float | None = None,
    models: bool = False,
    db_path: str | None = None,
    max_growth_mb: float = 5.0,
    max_slowdown: float = 1.25,
    progress: Callable[[str], None] = lambda message: None,
) -> dict[str, Any]:
    """Run the soak; its figures and verdict (see `describe` and the README for the keys)."""
    scenario = scenario_of(source)
    if not hours > 0:
        raise ConfigError(f"--hours {hours}: must be above 0")
    fps = fps or config.camera.fps
    plan = Plan.make(scenario, fps, hours)
    if db_path is not None and Path(db_path).exists():
        raise ConfigError(f"--db {db_path}: already exists; a soak writes a fresh database")
    expected = plan.expected_interactions(config)
    with ExitStack() as stack:
        path = db_path
        if path is None:
            path = str(Path(stack.enter_context(tempfile.TemporaryDirectory())) / "soak.db")
        if models:
            from kiosk import app

            progress(f"rendering and tracking every frame of {source} with the models (slow)")
            images = _rendered(scenario, config, fps)
            # no model threads: all of a frame's work is on the loop's thread, and timed
            tracker = app.build_tracker(config.tracker, static_images=False, threads=False)
            stack.callback(tracker.close)
        else:
            progress(f"rendering and tracking {source} at {fps:g} fps once (not timed)")
            landmarks = track_scene(scenario, config, fps)
            images, tracker = (lambda: [_NO_IMAGE] * len(landmarks)), _Replay(landmarks)
        result = _soak(config, plan, images, tracker, path, progress)
        result |= database_rows(path)
    result["db_path"] = db_path  # None: a temporary one, deleted
    return judge(result, plan, expected, models, max_growth_mb, max_slowdown)


def _soak(config, plan, images, tracker, db_path, progress) -> dict[str, Any]:
    from kiosk import app, gpio

    tally, stats = _Tally(plan), LoopStats()
    factory = gpio.mock_pin_factory()
    # Patterns follow simulated time, driven once per frame, instead of the 50 Hz thread.
    leds = build_leds(config, "mock", pin_factory=factory, animate=False)
    pipeline = Pipeline(
        config,
        tracker,
        source_name=f"scene:{plan.scenario.name}",
        fps=plan.fps,
        interactions=InteractionTracker(
            config.presence.min_present_s, config.presence.absent_end_s
        ),
        rules=NudgeRules(config.nudges, config.cues),
    )
    recorder = Recorder(
        counter=config.counter.name,
        schedule=ShiftSchedule(config.shifts.schedule),
        wall=WallClock(datetime.now(UTC), 0.0),
    )

    def counters() -> dict[str, Any]:  # the status row's, as app.open_recorder gives it
        return app.loop_counters(stats, pipeline)

    writer = StoreWriter(
        db_path,
        recorder,
        site=config.counter.site,
        source=f"soak of scene:{plan.scenario.name}",
        retention_days=config.storage.retention_days,
        flush_s=_WRITER_IDLE_S,
        counters=counters,
    )
    watch = _Watch(plan, writer, tally, progress, config.storage.flush_s)
    source = _Source(plan, images, watch)

    def write(record: dict[str, Any]) -> None:
        recorder.record(record)
        tally.record(record)

    parts = LoopParts(
        open_source=lambda: source,
        pipeline=pipeline,
        leds=leds,
        presence=_Customer(plan),
        pause=PauseState(config.pause.auto_resume_min),
        write=write,
        on_frame=lambda t_s, step: recorder.frame(t_s, step, paused=step is None),
        on_status=recorder.status,
        stats=stats,
    )
    started = time.perf_counter()
    load_start = os.getloadavg()[0]
    try:
        run_loop(parts, on_step=lambda step: leds.refresh(step.frame.t_s))
        watch.finish()
    finally:
        writer.close()
        leds.close()
    return {
        "wall_s": round(time.perf_counter() - started, 1),
        "load_avg_1min": {"start": round(load_start, 2), "end": round(os.getloadavg()[0], 2)},
        "frames": stats.processed,
        "windows": watch.rows,
        "flushes": watch.flushes,
        "flush_failures": watch.flush_failures,
        "storage_dropped": writer.dropped,
        "interactions": {
            "recorded": sum(tally.interactions),
            "by_loop": tally.interactions,
        },
        "nudges": {
            "recorded": sum(tally.nudges),
            "by_cue": dict(tally.nudges_by_cue),
            "by_loop": tally.nudges,
        },
        "events": {"recorded": tally.events},
    }


class _Watch:
    """Between frames: flushes on simulated time and, at each window's end, its figures."""

    def __init__(self, plan, writer, tally, progress, flush_s) -> None:
        self.plan, self.writer = plan, writer
        self.tally, self.progress, self.flush_s = tally, progress, flush_s
        self.next_flush_s = flush_s
        self.window = 0
        self.frame_ms = array.array("d")  # the current window's, wall clock
        self.frame_cpu_ms = array.array("d")  # the same frames, the loop thread's CPU time
        self.flush_ms = array.array("d")
        self.flushes = self.flush_failures = 0
        self.rows: list[dict[str, Any]] = []

    def between(self, t_s: float) -> None:
        while t_s >= self.next_flush_s:
            self.flush()
            self.next_flush_s += self.flush_s
        if self.plan.window_of(t_s) > self.window:
            self.close_window()
            self.window += 1

    def flush(self) -> None:
        started = time.perf_counter()
        self.flush_failures += not self.writer.flush()
        self.flush_ms.append((time.perf_counter() - started) * 1e3)
        self.flushes += 1

    def finish(self) -> None:
        self.flush()
        self.close_window()

    def close_window(self) -> None:
        frame_ms, self.frame_ms = list(self.frame_ms), array.array("d")
        cpu_ms, self.frame_cpu_ms = list(self.frame_cpu_ms), array.array("d")
        flush_ms, self.flush_ms = list(self.flush_ms), array.array("d")
        row = {
            "window": self.window + 1,
            "end_h": round(min(self.window + 1, self.plan.windows) * self.plan.window_s / 3600, 3),
            "frames": len(frame_ms),
            "frame_ms_median": _ms(frame_ms, 50),
            "frame_ms_p95": _ms(frame_ms, 95),
            "frame_cpu_ms_median": _ms(cpu_ms, 50),
            "frame_cpu_ms_p95": _ms(cpu_ms, 95),
            "flush_ms_median": _ms(flush_ms, 50),
            "flush_ms_p95": _ms(flush_ms, 95),
            "interactions": self.tally.window["interactions"],
            "nudges": self.tally.window["nudges"],
        }
        del frame_ms, cpu_ms, flush_ms
        gc.collect()  # what is kept, not garbage awaiting the collector
        row["python_blocks"] = sys.getallocatedblocks()
        row["sqlite_mb"] = sqlite_mb()
        row["rss_mb"] = round(rss_mb(), 2)
        self.tally.window.clear()
        self.rows.append(row)
        self.progress(
            f"window {row['window']}/{self.plan.windows} (to {row['end_h']} h simulated): "
            f"{row['frames']} frames, {row['frame_cpu_ms_median']} ms CPU per frame "
            f"({row['frame_ms_median']} ms wall), "
            f"RSS {row['rss_mb']} MB"
        )


def _ms(values: list[float], q: float) -> float | None:
    """The nearest-rank percentile `q` of `values` (ms), to the microsecond."""
    value = percentile(values, q)
    return None if value is None else round(value, 3)
