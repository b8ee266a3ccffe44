"""Scripted timelines turned into the frames a live camera delivers: a nominal rate, 20 % of frames
dropped at random, intervals jittered by +-30 %, and stalls with no frames at all (seeded)."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from kiosk.features.frame import FrameFeatures
from kiosk.features.head_pose import HeadPose

FPS_RATES = (5.0, 10.0, 15.0, 30.0)
SEED = 1
STALL = object()  # a segment value: the camera delivers nothing


def frames(
    segments: Sequence[tuple[float, Any]],
    fps: float,
    *,
    seed: int = SEED,
    drop: float = 0.2,
    jitter: float = 0.3,
    start_s: float = 0.0,
) -> list[tuple[float, Any]]:
    """(t_s, value) for the frames delivered while the `segments` ((seconds, value) each; a
    callable value is called with t_s) play from `start_s`."""
    rng = np.random.default_rng([seed, round(fps * 1000)])
    bounds = start_s + np.cumsum([seconds for seconds, _ in segments])
    out = []
    t = start_s
    while t < bounds[-1]:
        value = segments[int(np.searchsorted(bounds, t, side="right"))][1]
        if rng.random() >= drop and value is not STALL:
            out.append((t, value(t) if callable(value) else value))
        t += rng.uniform(1.0 - jitter, 1.0 + jitter) / fps
    return out


def end_s(segments: Sequence[tuple[float, Any]], start_s: float = 0.0) -> float:
    return start_s + sum(seconds for seconds, _ in segments)


def segment_bounds(segments: Sequence[tuple[float, Any]], index: int) -> tuple[float, float]:
    start_s = sum(seconds for seconds, _ in segments[:index])
    return start_s, start_s + segments[index][0]


def around(times: Sequence[float], t_s: float) -> tuple[float, float]:
    """The last frame time before `t_s` and the first at or after it: all a camera can know of
    when something that changed at `t_s` changed."""
    before = max(t for t in times if t < t_s)
    after = min(t for t in times if t >= t_s)
    return before, after


def gaze(t_s: float, on_customer: bool | None) -> FrameFeatures:
    """None: no face."""
    return FrameFeatures(t_s, face=on_customer is not None, gaze_on_customer=on_customer)


def head(t_s: float, pitch_deg: float, yaw_deg: float = 0.0) -> FrameFeatures:
    pose = HeadPose(yaw_deg, pitch_deg, 0.0, np.eye(3), (0.0, 0.0, 70.0), 1.0)
    return FrameFeatures(t_s, face=True, head=pose, head_to_customer=True)


def posture(
    t_s: float,
    torso_facing: bool | None = True,
    head_to_customer: bool | None = True,
    distance_cm: float | None = 70.0,
) -> FrameFeatures:
    """Torso facing: yaw 0 or 45 degrees (None: no body); distance: head to camera."""
    return FrameFeatures(
        t_s,
        face=head_to_customer is not None,
        head_to_customer=head_to_customer,
        head_distance_cm=distance_cm if head_to_customer is not None else None,
        torso_yaw_deg=None if torso_facing is None else (0.0 if torso_facing else 45.0),
    )


def nod_train(start_s: float, freq_hz: float, count: int, amplitude_deg: float, base_deg=-15.0):
    """Pitch over time: `count` cosine dips from `base_deg` starting at `start_s`."""
    end = start_s + count / freq_hz

    def pitch(t_s: float) -> float:
        if start_s <= t_s < end:
            phase = 2 * math.pi * freq_hz * (t_s - start_s)
            return base_deg - amplitude_deg * (1 - math.cos(phase)) / 2
        return base_deg

    return pitch


def run(signal, timeline: list[tuple[float, FrameFeatures]], finish_s: float | None = None):
    """Feed `signal` (update(t_s, features) -> events); returns (per-frame records, events).

    A record is (t_s, faults on that frame, state after it, events closed on it)."""
    records, events = [], []
    for t_s, features in timeline:
        new = signal.update(t_s, features)
        records.append((t_s, signal.faults, signal.state, new))
        events += new
    if finish_s is not None:
        events += signal.finish(finish_s)
    return records, events


def feed(
    signal,
    segments: Sequence[tuple[float, Any]],
    fps: float,
    features: Callable[[float, Any], FrameFeatures],
    **options,
):
    """Play `segments` at `fps` into `signal`, building each frame's features from its value."""
    timeline = [(t, features(t, value)) for t, value in frames(segments, fps, **options)]
    return run(signal, timeline, end_s(segments, options.get("start_s", 0.0)))
