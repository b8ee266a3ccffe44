"""`kiosk bench`: figures for speed, measured against a baseline in the same run.

Landmarks of a scenario are tracked once (timing each MediaPipe model), then the pure per-frame
work (the pipeline step: features, every signal, interactions and nudge rules) is replayed over
them many times, so its cost per frame can be
set beside the models' on this very machine and moment.
"""

from __future__ import annotations

import statistics
import time
from dataclasses import dataclass

from kiosk.config import Config
from kiosk.feedback.rules import NudgeRules
from kiosk.landmarks.types import Landmarks
from kiosk.pipeline import Pipeline
from kiosk.presence.interaction import InteractionTracker


@dataclass(frozen=True)
class BenchResult:
    frames: int
    render_ms: float
    model_ms: dict[str, float]  # median per frame, per model
    signals_us: float  # median per frame over the repeats: the pipeline step without models
    repeats: int

    def lines(self) -> list[str]:
        out = [f"frames: {self.frames} (rendered scene, {self.render_ms:.1f} ms/frame to draw)"]
        for part, ms in self.model_ms.items():
            out.append(f"tracker {part:5s}: {ms:7.2f} ms/frame (median)")
        total_ms = sum(self.model_ms.values())
        out.append(
            f"step without models (features, signals, rules): {self.signals_us:7.1f} us/frame "
            f"(median of {self.repeats} replays) = {self.signals_us / 10 / total_ms:.2f}% "
            f"of the models' {total_ms:.1f} ms"
        )
        return out


def run_bench(source, tracker, config: Config, repeats: int = 20) -> BenchResult:
    """`source` yields frames; `tracker` has face, pose and hands enabled."""
    recorded = []
    model_ms: dict[str, list[float]] = {"face": [], "pose": [], "hands": []}
    render_ms = []
    frames = iter(source)
    while True:
        t0 = time.perf_counter()
        frame = next(frames, None)
        if frame is None:
            break
        render_ms.append((time.perf_counter() - t0) * 1000)
        parts = {}
        for part in model_ms:
            t0 = time.perf_counter()
            parts[part] = tracker.track(frame, **{p: p == part for p in model_ms})
            model_ms[part].append((time.perf_counter() - t0) * 1000)
        recorded.append(
            Landmarks(
                t_s=frame.t_s,
                frame_index=frame.index,
                width=frame.width,
                height=frame.height,
                face=parts["face"].face,
                pose=parts["pose"].pose,
                hands=parts["hands"].hands,
            )
        )
    per_frame_us = []
    for _ in range(repeats):
        pipeline = Pipeline(
            config,
            None,
            source_name=getattr(source, "name", "bench"),
            fps=getattr(source, "fps", 15.0),
            interactions=InteractionTracker.whole_input(),
            rules=NudgeRules(config.nudges, config.cues),
        )
        t0 = time.perf_counter()
        for landmarks in recorded:
            pipeline.step_landmarks(landmarks)
        per_frame_us.append((time.perf_counter() - t0) * 1e6 / max(1, len(recorded)))
    return BenchResult(
        frames=len(recorded),
        render_ms=statistics.median(render_ms) if render_ms else 0.0,
        model_ms={part: statistics.median(v) for part, v in model_ms.items() if v},
        signals_us=statistics.median(per_frame_us),
        repeats=repeats,
    )
