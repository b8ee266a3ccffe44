"""Composition root: builds sources, trackers and features from the config and runs them.

Nothing else constructs hardware or models; cli.py parses arguments and calls in here.
"""

from __future__ import annotations

import dataclasses
import functools
import json
import logging
import threading
import time
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from kiosk import gpio
from kiosk.analysis import FrameResult
from kiosk.camera.open import open_source
from kiosk.camera.scene import SceneSource
from kiosk.camera.types import Frame, FrameSource
from kiosk.config import CameraConfig, Config, TrackerConfig
from kiosk.errors import CameraUnavailableError, ConfigError, OutputError, SourceError
from kiosk.feedback.button import KeyboardPause, PauseButton
from kiosk.feedback.leds import build_leds
from kiosk.feedback.pause import PauseState
from kiosk.feedback.rules import NudgeRules
from kiosk.loop import LoopParts, LoopStats, Presses, run_loop
from kiosk.pipeline import Pipeline, StepResult
from kiosk.presence.interaction import InteractionTracker
from kiosk.presence.sensors import open_presence
from kiosk.scenes.library import get_scenario
from kiosk.scenes.render import SceneRig
from kiosk.storage.events_file import EventsFile
from kiosk.storage.recorder import Recorder
from kiosk.storage.rows import WallClock
from kiosk.storage.shifts import ShiftSchedule
from kiosk.storage.writer import StoreWriter
from kiosk.systemd_notify import SystemdNotifier

log = logging.getLogger(__name__)


def build_tracker(
    config: TrackerConfig,
    *,
    static_images: bool,
    segmentation: bool = False,
    threads: bool | None = None,
):
    """The MediaPipe tracker, imported here so that nothing else pays for loading mediapipe.

    Video is tracked through the scheduler (`[tracker] schedule`: which model runs on which
    frame; `threads` None follows `[tracker] threads`); photos run every model on every image.
    """
    from kiosk.landmarks.mediapipe_tracker import MediaPipeTracker
    from kiosk.landmarks.scheduler import ScheduledTracker

    if static_images or segmentation:
        return MediaPipeTracker(config, static_images=static_images, segmentation=segmentation)
    threads = config.threads if threads is None else threads
    return ScheduledTracker(
        config, functools.partial(single_model_tracker, config), threads=threads and config.schedule
    )


def single_model_tracker(config: TrackerConfig, part: str):
    """One MediaPipe model ("face", "pose" or "hands") tracking video: the scheduler's unit."""
    from kiosk.landmarks.mediapipe_tracker import MediaPipeTracker

    only = dataclasses.replace(
        config, face=part == "face", pose=part == "pose", hands=part == "hands"
    )
    return MediaPipeTracker(only, static_images=False)


@functools.lru_cache(maxsize=4)
def _scene_rig(width: int, height: int, hfov_deg: float) -> SceneRig:
    from kiosk.camera.files import read_rgb
    from kiosk.samples import astronaut_path
    from kiosk.scenes.render import place_photo

    photo = read_rgb(astronaut_path())
    if photo is None:
        raise SourceError(f"{astronaut_path()}: the sample photo cannot be read")
    canvas = place_photo(photo, width, height)
    tracker_config = TrackerConfig(face=True, pose=True, hands=False)
    with build_tracker(tracker_config, static_images=True, segmentation=True) as tracker:
        landmarks = tracker.track(Frame(canvas, 0.0, 0), face=True, pose=True)
    if landmarks.face is None:
        raise SourceError("no face found in the scene photo; cannot render scenes")
    return SceneRig(canvas, landmarks.face, landmarks.pose, hfov_deg)


def build_scene_rig(camera: CameraConfig) -> SceneRig:
    """The renderer for scene sources, at the camera's size and field of view (built once)."""
    return _scene_rig(camera.width, camera.height, camera.hfov_deg)


def open_frame_source(spec: str, config: Config, fps: float | None = None) -> FrameSource:
    return open_source(spec, config.camera, fps, scene_rig=lambda: build_scene_rig(config.camera))


def _open_output(path: str | Path, stack: ExitStack, what: str):
    try:
        return stack.enter_context(Path(path).open("w", encoding="utf-8"))
    except OSError as exc:
        raise OutputError(f"{path}: cannot write the {what}: {exc.strerror}") from None


def _write_line(stream, record: dict[str, Any]) -> None:
    stream.write(json.dumps(record, allow_nan=False) + "\n")
    stream.flush()


def analyze(
    spec: str,
    config: Config,
    *,
    fps: float | None = None,
    per_frame_path: str | Path | None = None,
    on_frame: Callable[[FrameResult], None] | None = None,
) -> dict[str, Any]:
    """Run the measuring pipeline over a source and return the summary object.

    The whole input is one interaction (no presence sensor, no nudges). Per-frame lines are
    written and flushed as they are made, so an error or Ctrl-C part way keeps everything
    measured until then; Ctrl-C ends the run with the summary so far.
    """
    if not config.tracker.face:
        raise ConfigError("analyze needs the face model: set [tracker] face = true")
    with ExitStack() as stack:
        per_frame = (
            _open_output(per_frame_path, stack, "per-frame file") if per_frame_path else None
        )
        source = open_frame_source(spec, config, fps)
        stack.callback(source.close)
        # No model threads: an analysis gives the same answer every time it is run.
        tracker = build_tracker(config.tracker, static_images=not source.sequence, threads=False)
        stack.callback(tracker.close)
        pipeline = Pipeline(
            config,
            tracker,
            source_name=source.name,
            fps=source.fps,
            interactions=InteractionTracker.whole_input(),
            sequence=source.sequence,
        )
        end_s = 0.0
        try:
            for frame in source:
                step = pipeline.step(frame)
                if step is None:
                    continue
                end_s = frame.t_s + 1.0 / source.fps
                if per_frame is not None:
                    _write_line(per_frame, step.frame.to_json())
                if on_frame is not None:
                    on_frame(step.frame)
        except KeyboardInterrupt:
            log.warning(
                "interrupted after %d frames; summarising what was measured", pipeline.frames
            )
        pipeline.finish(end_s)
        return pipeline.closed[0]["summary"] if pipeline.closed else pipeline.empty_summary()


def _leds_factory(backend: str, pin_factory):
    """The pin factory for the kiosk's own LEDs and button: injected (tests), gpiozero's mock,
    the real pins, or none for the console."""
    if pin_factory is not None or backend == "console":
        return pin_factory
    return gpio.pin_factory(backend)


@dataclass(frozen=True)
class CameraToCome:
    """What the run knows of a live camera it could not open at start: its name and rate."""

    name: str
    fps: float
    live: bool = True
    sequence: bool = True


def run_kiosk(
    config: Config,
    *,
    source: str | None = None,
    leds_backend: str | None = None,
    events_path: str | Path | None = None,
    realtime: bool = False,
    stop: threading.Event | None = None,
    on_step: Callable[[StepResult], None] | None = None,
    on_record: Callable[[dict[str, Any]], None] | None = None,
    pin_factory=None,
    out=None,
    dashboard: bool = True,
) -> LoopStats:
    """The live kiosk: camera (or any source) to LEDs, until the source ends or `stop` is set.

    Everything is opened before the first frame (GPIO first: it fails fastest), so a busy pin
    is one clear error at start (a live camera that is not there yet is a camera fault, retried by
    the loop); everything opened is closed on the way out.
    """
    spec = source or config.camera.source
    backend = leds_backend or config.leds.backend
    scenario = get_scenario(spec.removeprefix("scene:")) if spec.startswith("scene:") else None
    with ExitStack() as stack:
        factory = _leds_factory(backend, pin_factory)
        leds = build_leds(config, backend, pin_factory=factory, out=out)
        stack.callback(leds.close)
        presence_factory = factory if backend == "mock" else None
        presence = open_presence(config.presence, scenario=scenario, pin_factory=presence_factory)
        stack.callback(presence.close)
        if presence.name == "always" and not spec.startswith("scene:"):
            log.warning(
                'no customer sensor ([presence] source resolves to "always"): the whole run '
                "is one interaction, recorded when the run ends"
            )
        presses = Presses()
        if config.pause.enabled:
            if backend == "console":
                button = KeyboardPause(presses.press)
            else:
                button = PauseButton(config.pause.pin, presses.press, pin_factory=factory)
            stack.callback(button.close)
        try:
            first: FrameSource | CameraToCome = open_frame_source(spec, config)
            stack.callback(first.close)
            opened = [first]
        except CameraUnavailableError as exc:
            # Not there yet (unplugged, not detected): the loop starts in the camera fault, says
            # so on the status LED and the dashboard, and opens it when it comes.
            log.error("%s; the kiosk starts without it and keeps trying", exc)
            first = CameraToCome(spec, config.camera.fps)
            opened = []

        def open_source() -> FrameSource:
            if opened:
                return opened.pop()
            return open_frame_source(spec, config)

        sinks = [on_record] if on_record is not None else []
        if events_path is not None:
            events = EventsFile(events_path)
            stack.callback(events.close)
            sinks.insert(0, events.write)

        def write(record: dict[str, Any]) -> None:
            for sink in sinks:
                sink(record)

        tracker = build_tracker(config.tracker, static_images=not first.sequence)
        stack.callback(tracker.close)
        stats = LoopStats()
        # Under systemd (Type=notify) the loop reports readiness and feeds the watchdog.
        notifier = SystemdNotifier.from_environ()
        stack.callback(notifier.close)
        pipeline = Pipeline(
            config,
            tracker,
            source_name=first.name,
            fps=first.fps,
            interactions=InteractionTracker(
                config.presence.min_present_s, config.presence.absent_end_s
            ),
            rules=NudgeRules(config.nudges, config.cues),
        )
        parts = LoopParts(
            open_source=open_source,
            pipeline=pipeline,
            leds=leds,
            presence=presence,
            pause=PauseState(config.pause.auto_resume_min),
            presses=presses,
            write=write,
            stats=stats,
            notifier=notifier,
        )
        # The fleet publisher comes after the recorder (it takes its clock); what it counts is
        # stored with the loop's counters once it exists.
        fleet_counters: dict[str, Callable[[], Any]] = {}
        recorder = open_recorder(
            config,
            stack,
            source=first,
            parts_stats=stats,
            pipeline=pipeline,
            extra_counters=fleet_counters,
        )
        if recorder is not None:
            sinks.append(recorder.record)
            parts.on_frame = lambda t_s, step: recorder.frame(t_s, step, paused=step is None)
            parts.on_status = recorder.status
        if config.mqtt.enabled:
            from kiosk.fleet import open_publisher

            wall = recorder.wall if recorder is not None else None
            publisher = open_publisher(config, stack, live=first.live, wall=wall)
            sinks.append(publisher.record)
            fleet_counters["mqtt_queued"] = lambda: publisher.queued
            fleet_counters["mqtt_connected"] = lambda: publisher.connected
            store_status = parts.on_status

            def on_status(status: str, t_s: float | None) -> None:
                store_status(status, t_s)
                publisher.status(status, t_s)

            parts.on_status = on_status
        if config.dashboard.enabled and dashboard:
            start_dashboard(config, stack)
        return run_loop(parts, stop=stop, realtime=realtime, on_step=on_step)


def loop_counters(
    stats: LoopStats,
    pipeline: Pipeline,
    extra: dict[str, Callable[[], Any]] | None = None,
) -> dict[str, Any]:
    """The live loop's counters as the status row stores them (and /api/status and /metrics
    serve them); `extra` adds named readings (the MQTT outbox's)."""
    return {
        "frames": stats.frames,
        "processed": stats.processed,
        "fps": stats.fps,
        "stage_ms": pipeline.stage_ms(),
        "camera_faults": stats.camera_faults,
        "interactions": stats.interactions,
        "nudges_by_cue": dict(stats.nudges_by_cue),
        "bad_frames": stats.bad_frames,
        "model_errors": stats.model_errors,
    } | {name: read() for name, read in (extra or {}).items()}


def open_recorder(
    config: Config,
    stack: ExitStack,
    *,
    source: FrameSource | CameraToCome,
    parts_stats: LoopStats,
    pipeline: Pipeline,
    extra_counters: dict[str, Callable[[], Any]] | None = None,
) -> Recorder | None:
    """The shift database's recorder and writer thread for a run, or None when storage is off.

    A live camera stamps frames with the monotonic clock; a file or a scene is timed from the
    run's start. The writer is closed (its last batch written) when `stack` unwinds.
    """
    if not config.storage.enabled:
        return None
    wall = WallClock(datetime.now(UTC), time.monotonic() if source.live else 0.0)
    recorder = Recorder(
        counter=config.counter.name,
        schedule=ShiftSchedule(config.shifts.schedule),
        wall=wall,
    )

    def counters() -> dict[str, Any]:
        return loop_counters(parts_stats, pipeline, extra_counters)

    writer = StoreWriter(
        config.storage.path,
        recorder,
        site=config.counter.site,
        source=source.name,
        retention_days=config.storage.retention_days,
        flush_s=config.storage.flush_s,
        counters=counters,
    )
    stack.callback(writer.close)
    log.info("recording to %s as counter %s", config.storage.path, config.counter.name)
    return recorder


def start_dashboard(
    config: Config, stack: ExitStack, *, host: str | None = None, port: int | None = None
):
    """Serve the dashboard over `[storage] path` on a background thread (waitress) until
    `stack` unwinds; returns the server (its `.url`)."""
    from kiosk.dashboard import create_app
    from kiosk.dashboard.server import DashboardServer
    from kiosk.storage.store import Store

    store = Store.open(config.storage.path, create=True)
    stack.callback(store.close)
    server = DashboardServer(
        create_app(store, config),
        host if host is not None else config.dashboard.host,
        port if port is not None else config.dashboard.port,
    )
    server.start()
    stack.callback(server.stop)
    log.info("dashboard at %s", server.url)
    return server


def render_scene(
    name: str,
    out_path: str | Path,
    config: Config,
    *,
    truth_path: str | Path | None = None,
    fps: float | None = None,
) -> int:
    """Write scenario `name` as a video (and its ground truth as JSON lines); returns frames."""
    import cv2

    source = open_frame_source(f"scene:{name}", config, fps)
    assert isinstance(source, SceneSource)
    with ExitStack() as stack:
        truth = _open_output(truth_path, stack, "truth file") if truth_path else None
        fourcc = cv2.VideoWriter_fourcc(*("MJPG" if str(out_path).endswith(".avi") else "mp4v"))
        size = (config.camera.width, config.camera.height)
        writer = cv2.VideoWriter(str(out_path), fourcc, source.fps, size)
        if not writer.isOpened():
            raise OutputError(f"{out_path}: cannot write a video there (use .mp4 or .avi)")
        stack.callback(writer.release)
        count = 0
        for frame in source:
            writer.write(cv2.cvtColor(frame.rgb, cv2.COLOR_RGB2BGR))
            if truth is not None:
                _write_line(truth, source.truth(frame.index))
            count += 1
    return count


def bench(
    spec: str,
    config: Config,
    *,
    config_path: str | None = None,
    frames: int | None = None,
    latency: bool = True,
    latency_sources: tuple[str, ...] = (),
    progress: Callable[[str], None] = lambda message: None,
) -> dict[str, Any]:
    """The live pipeline against MediaPipe Holistic on the same frames (see kiosk.bench); each
    measured run loads `config_path` in its own process."""
    from kiosk.bench import run_bench

    return run_bench(
        spec,
        config_path=config_path,
        frames=frames,
        open_source=lambda name: open_frame_source(name, config),
        latency=latency,
        latency_sources=latency_sources,
        progress=progress,
    )
