"""Composition root: builds sources, trackers and features from the config and runs them.

Nothing else constructs hardware or models; cli.py parses arguments and calls in here.
"""

from __future__ import annotations

import dataclasses
import json
import logging
from collections.abc import Callable
from contextlib import ExitStack
from pathlib import Path
from typing import Any

from kiosk.analysis import AnalysisSummary, FrameResult
from kiosk.camera.open import open_source
from kiosk.camera.types import FrameSource
from kiosk.config import Config, TrackerConfig
from kiosk.errors import ConfigError, OutputError
from kiosk.features.head_pose import head_pose_from_face

log = logging.getLogger(__name__)


def build_tracker(config: TrackerConfig, source: FrameSource):
    """The MediaPipe tracker, imported here so that nothing else pays for loading mediapipe."""
    from kiosk.landmarks.mediapipe_tracker import MediaPipeTracker

    return MediaPipeTracker(config, static_images=not source.sequence)


def _open_per_frame(path: str | Path, stack: ExitStack):
    try:
        return stack.enter_context(Path(path).open("w", encoding="utf-8"))
    except OSError as exc:
        raise OutputError(f"{path}: cannot write the per-frame file: {exc.strerror}") from None


def analyze(
    spec: str,
    config: Config,
    *,
    fps: float | None = None,
    per_frame_path: str | Path | None = None,
    on_frame: Callable[[FrameResult], None] | None = None,
) -> dict[str, Any]:
    """Run the measuring pipeline over a source and return the summary object.

    Per-frame lines are written and flushed as they are made, so an error or Ctrl-C part way
    keeps everything measured until then; Ctrl-C ends the run with the summary so far.
    """
    if not config.tracker.face:
        raise ConfigError("analyze needs the face model: set [tracker] face = true")
    # Head pose needs the face alone; do not pay for pose and hands models nobody reads yet.
    tracker_config = dataclasses.replace(config.tracker, pose=False, hands=False)
    with ExitStack() as stack:
        per_frame = _open_per_frame(per_frame_path, stack) if per_frame_path else None
        source = open_source(spec, config.camera, fps)
        stack.callback(source.close)
        tracker = build_tracker(tracker_config, source)
        stack.callback(tracker.close)
        summary = AnalysisSummary(source.name, source.fps)
        try:
            for frame in source:
                landmarks = tracker.track(frame, face=True)
                pose = None
                if landmarks.face is not None:
                    pose = head_pose_from_face(
                        landmarks.face, frame.width, frame.height, config.camera.hfov_deg
                    )
                result = FrameResult(
                    frame.index, frame.t_s, frame.file, landmarks.face is not None, pose
                )
                summary.add(result)
                if per_frame is not None:
                    per_frame.write(json.dumps(result.to_json(), allow_nan=False) + "\n")
                    per_frame.flush()
                if on_frame is not None:
                    on_frame(result)
        except KeyboardInterrupt:
            log.warning(
                "interrupted after %d frames; summarising what was measured", summary.frames
            )
        return summary.to_json()
