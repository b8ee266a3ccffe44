"""Composition root: builds sources, trackers and features from the config and runs them.

Nothing else constructs hardware or models; cli.py parses arguments and calls in here.
"""

from __future__ import annotations

import dataclasses
import functools
import json
import logging
import time
from collections.abc import Callable
from contextlib import ExitStack
from pathlib import Path
from typing import Any

from kiosk.analysis import AnalysisSummary, FrameResult
from kiosk.camera.open import open_source
from kiosk.camera.scene import SceneSource
from kiosk.camera.types import Frame, FrameSource
from kiosk.config import CameraConfig, Config, TrackerConfig
from kiosk.errors import ConfigError, OutputError, SourceError
from kiosk.features.frame import extract_features
from kiosk.scenes.render import SceneRig
from kiosk.signals.session import SignalSet

log = logging.getLogger(__name__)


def build_tracker(config: TrackerConfig, *, static_images: bool, segmentation: bool = False):
    """The MediaPipe tracker, imported here so that nothing else pays for loading mediapipe."""
    from kiosk.landmarks.mediapipe_tracker import MediaPipeTracker

    return MediaPipeTracker(config, static_images=static_images, segmentation=segmentation)


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


def _pace(t_s: float, started: tuple[float, float] | None) -> tuple[float, float]:
    """Sleep until the wall clock catches up with the frame's time; returns the anchor."""
    now = time.monotonic()
    if started is None:
        return (now, t_s)
    wall0, t0 = started
    delay = (t_s - t0) - (now - wall0)
    if delay > 0:
        time.sleep(delay)
    return started


def analyze(
    spec: str,
    config: Config,
    *,
    fps: float | None = None,
    per_frame_path: str | Path | None = None,
    on_frame: Callable[[FrameResult], None] | None = None,
    realtime: bool = False,
) -> dict[str, Any]:
    """Run the measuring pipeline over a source and return the summary object.

    Per-frame lines are written and flushed as they are made, so an error or Ctrl-C part way
    keeps everything measured until then; Ctrl-C ends the run with the summary so far.
    `realtime` paces recorded sources (files, scenes) at their own frame rate, as a camera would.
    """
    if not config.tracker.face:
        raise ConfigError("analyze needs the face model: set [tracker] face = true")
    parts = {"face": True, "pose": config.tracker.pose, "hands": config.tracker.hands}
    with ExitStack() as stack:
        per_frame = (
            _open_output(per_frame_path, stack, "per-frame file") if per_frame_path else None
        )
        source = open_frame_source(spec, config, fps)
        stack.callback(source.close)
        tracker = build_tracker(config.tracker, static_images=not source.sequence)
        stack.callback(tracker.close)
        summary = AnalysisSummary(source.name, source.fps)
        signals = SignalSet(config)
        anchor = None
        end_s = 0.0
        try:
            for frame in source:
                if realtime and not source.live:
                    anchor = _pace(frame.t_s, anchor)
                features = extract_features(tracker.track(frame, **parts), config)
                frame_signals = signals.update(features)
                result = FrameResult(
                    frame.index, frame.t_s, frame.file, features.face, features.head, frame_signals
                )
                summary.add(result)
                end_s = frame.t_s + 1.0 / source.fps
                if per_frame is not None:
                    _write_line(per_frame, result.to_json())
                if on_frame is not None:
                    on_frame(result)
        except KeyboardInterrupt:
            log.warning(
                "interrupted after %d frames; summarising what was measured", summary.frames
            )
        signals.finish(end_s)
        return summary.to_json(signals.summary())


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


def bench(scene: str, config: Config, *, repeats: int = 20):
    """Time the models and the pure per-frame work on a scenario (see kiosk.bench)."""
    from kiosk.bench import run_bench

    all_models = dataclasses.replace(config.tracker, face=True, pose=True, hands=True)
    source = open_frame_source(f"scene:{scene}", config)
    with build_tracker(all_models, static_images=False) as tracker:
        return run_bench(source, tracker, config, repeats=repeats)
