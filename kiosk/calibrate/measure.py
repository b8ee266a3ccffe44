"""The calibration steps that look through the camera: is the agent's face well in frame, where
the customer is (the direction that means "looking at the customer"), and the agent's neutral
posture and face. Frames are tracked and dropped; only numbers are kept."""

from __future__ import annotations

import argparse
import math
import statistics
from collections.abc import Callable, Iterator

import cv2
import numpy as np

from kiosk import app
from kiosk.calibrate.result import Calibration
from kiosk.camera.types import Frame
from kiosk.config import Config
from kiosk.features.expression import POPULATION_NEUTRAL_CM
from kiosk.features.frame import extract_features
from kiosk.features.gaze import (
    EYES_CLOSED_OPENNESS,
    direction_angles,
    estimate_gaze,
    eye_offsets,
)
from kiosk.features.head_pose import HeadPose, head_pose_from_face, plausible_fit
from kiosk.landmarks.types import Landmarks

SETTLE_S = 0.5  # after each instruction, the head and eyes are still moving
# check-camera's advice: the face mesh wants a face of this many pixels across the eyes' outer
# corners (about 110 px of face height), a face region neither dark nor burnt out (mean luma),
# and edges (variance of the Laplacian on the face) that motion blur or focus has not washed out.
MIN_EYE_SPAN_PX = 40.0
LUMA_RANGE = (60.0, 200.0)
MIN_SHARPNESS = 40.0


def _tracked(
    config: Config, source: str | None, seconds: float
) -> Iterator[tuple[float, Frame, Landmarks]]:
    """(seconds since the first frame, frame, landmarks) for `seconds` of the source."""
    frames = app.open_frame_source(source or config.camera.source, config)
    tracker = app.build_tracker(config.tracker, static_images=False, threads=False)
    try:
        start_s = None
        for frame in frames:
            start_s = frame.t_s if start_s is None else start_s
            elapsed_s = frame.t_s - start_s
            if elapsed_s >= seconds:
                break
            yield elapsed_s, frame, tracker.track(frame, face=True, pose=config.tracker.pose)
    finally:
        tracker.close()
        frames.close()


def _head(config: Config, landmarks: Landmarks) -> HeadPose | None:
    face = landmarks.face
    if face is None:
        return None
    head = head_pose_from_face(face, landmarks.width, landmarks.height, config.camera.hfov_deg)
    return head if head is not None and plausible_fit(head, face) else None


def check_camera(
    config: Config, args: argparse.Namespace, *, say: Callable[[str], None]
) -> Calibration:
    """Resolution and frame rate, and the agent's face: found, big enough, lit, sharp."""
    result = Calibration()
    say(f"watching {args.source or config.camera.source} for {args.seconds:g} s")
    times, spans, lumas, sharpness, size = [], [], [], [], None
    frames = 0
    for elapsed_s, frame, landmarks in _tracked(config, args.source, args.seconds):
        frames += 1
        times.append(elapsed_s)
        size = (frame.width, frame.height)
        face = landmarks.face
        if face is None:
            continue
        points = face.pixels
        spans.append(float(np.linalg.norm(points[263] - points[33])))
        x0, y0 = np.maximum(points.min(axis=0).astype(int), 0)
        x1, y1 = np.minimum(points.max(axis=0).astype(int), [frame.width, frame.height])
        if x1 - x0 < 8 or y1 - y0 < 8:
            continue
        gray = cv2.cvtColor(frame.rgb[y0:y1, x0:x1], cv2.COLOR_RGB2GRAY)
        lumas.append(float(gray.mean()))
        sharpness.append(float(cv2.Laplacian(gray, cv2.CV_64F).var()))
    if frames == 0:
        result.lines.append("no frames came from the camera: check the cable and [camera] source")
        return result
    fps = (frames - 1) / times[-1] if frames > 1 and times[-1] > 0 else float("nan")
    result.lines.append(f"camera: {size[0]}x{size[1]}, {fps:.1f} fps over {frames} frames")
    found = len(spans) / frames
    result.lines.append(f"face found on {found:.0%} of frames")
    if not spans:
        result.lines.append("advice: no face: aim the camera at the agent's seat, at eye height")
        return result
    span, luma, sharp = (statistics.median(v) for v in (spans, lumas or [0.0], sharpness or [0.0]))
    result.lines.append(
        f"face: {span:.0f} px between the eyes' outer corners, brightness {luma:.0f} of 255, "
        f"sharpness {sharp:.0f}"
    )
    advice = []
    if found < 0.9:
        advice.append("the face is lost on some frames: check the framing and the light")
    if span < MIN_EYE_SPAN_PX:
        advice.append(
            f"the face is small ({span:.0f} px < {MIN_EYE_SPAN_PX:.0f}): move the camera "
            "nearer or use a narrower lens"
        )
    if luma < LUMA_RANGE[0]:
        advice.append("the face is dark: add light in front of the agent, not behind")
    if luma > LUMA_RANGE[1]:
        advice.append("the face is burnt out: less direct light, or lower exposure")
    if sharp < MIN_SHARPNESS:
        advice.append("the face is blurred: focus the lens (Camera Module 2) or clean it")
    if fps < 0.8 * config.camera.fps:
        advice.append(f"the frame rate is under the configured {config.camera.fps:g} fps")
    result.lines += ["advice: " + a for a in advice] or ["advice: none, the camera is fine"]
    return result


def _neutral_for_camera(
    landmarks: Landmarks, head: HeadPose, iris_gain: float
) -> tuple[float, float]:
    """The neutral iris offsets that make this frame's gaze point at the camera: the eye model
    read backwards (a few Newton steps from the population's neutral)."""
    target = np.array(direction_angles(-np.array(head.translation_cm)))

    def error(neutral: np.ndarray) -> np.ndarray:
        gaze = estimate_gaze(landmarks.face, head, iris_gain, (neutral[0], neutral[1]))
        return np.array([gaze.yaw_deg, gaze.pitch_deg]) - target

    neutral, step = np.zeros(2), 1e-3
    for _ in range(4):
        now = error(neutral)
        jacobian = np.column_stack(
            [(error(neutral + step * np.eye(2)[k]) - now) / step for k in range(2)]
        )
        neutral = neutral - np.linalg.solve(jacobian, now)
    return float(neutral[0]), float(neutral[1])


def customer_target(
    config: Config, args: argparse.Namespace, *, say: Callable[[str], None]
) -> Calibration:
    """The agent looks into the camera's lens for `lens_s` (its iris offsets then are its
    neutral ones), then at the eyes of a helper standing where customers stand for
    `customer_s`: the median gaze, against the direction to the camera, is the customer's
    direction ([customer] yaw_deg, pitch_deg), and its spread says whether the cone fits."""
    result = Calibration()
    say(
        f"the agent looks into the camera's lens for {args.lens_s:g} s, then at the helper's "
        f"eyes for {args.customer_s:g} s"
    )
    lens: list[tuple[float, float]] = []
    helper: list[tuple[Landmarks, HeadPose]] = []
    total_s = args.lens_s + args.customer_s
    prompts = [
        (0.0, "now: look into the camera's lens"),
        (args.lens_s, "now: look at the helper's eyes"),
    ]
    for elapsed_s, _, landmarks in _tracked(config, args.source, total_s):
        # The seconds count from the first frame, which comes once the models have loaded
        # (seconds on a Pi): the agent waits for each prompt.
        while prompts and elapsed_s >= prompts[0][0]:
            say(prompts.pop(0)[1])
        head = _head(config, landmarks)
        if head is None:
            continue
        if SETTLE_S <= elapsed_s < args.lens_s:
            offsets = eye_offsets(landmarks.face.pixels)
            if offsets is not None and offsets.openness >= EYES_CLOSED_OPENNESS:
                lens.append(_neutral_for_camera(landmarks, head, config.eye_contact.iris_gain))
        elif elapsed_s >= args.lens_s + SETTLE_S:
            helper.append((landmarks, head))
    result.lines.append(f"looking into the lens: {len(lens)} frames with open eyes")
    result.lines.append(f"looking at the helper: {len(helper)} frames with a face")
    if len(lens) < 5 or len(helper) < 5:
        result.lines.append("too few frames with the face found: run check-camera first")
        return result
    neutral = (statistics.median(r for r, _ in lens), statistics.median(d for _, d in lens))
    eyes = config.eye_contact
    offsets = []
    for landmarks, head in helper:
        gaze = estimate_gaze(landmarks.face, head, eyes.iris_gain, neutral)
        if not gaze.eyes_open:
            continue
        camera_yaw, camera_pitch = direction_angles(-np.array(head.translation_cm))
        offsets.append((gaze.yaw_deg - camera_yaw, gaze.pitch_deg - camera_pitch))
    yaw = statistics.median(o[0] for o in offsets)
    pitch = statistics.median(o[1] for o in offsets)
    spread = sorted(math.hypot(o[0] - yaw, o[1] - pitch) for o in offsets)
    p90 = spread[int(0.9 * (len(spread) - 1))]
    result.lines.append(
        f"the customer is {abs(yaw):.1f} degrees to the {'right' if yaw > 0 else 'left'} of "
        f"the camera (as the agent sees it) and {abs(pitch):.1f} degrees "
        f"{'above' if pitch > 0 else 'below'} it; 90 % of the looks within {p90:.1f} degrees"
    )
    result.lines.append(
        f"neutral iris offsets (looking into the lens): right {neutral[0]:+.3f}, down "
        f"{neutral[1]:+.3f} eye widths"
    )
    if p90 > config.customer.gaze_cone_deg:
        result.lines.append(
            f"advice: the looks spread past [customer] gaze_cone_deg "
            f"({config.customer.gaze_cone_deg:g}): run again with the agent's eyes on the "
            "helper's, or widen the cone"
        )
    result.set("customer", "yaw_deg", round(yaw, 1))
    result.set("customer", "pitch_deg", round(pitch, 1))
    result.set("eye_contact", "neutral_iris_right", round(neutral[0], 3))
    result.set("eye_contact", "neutral_iris_down", round(neutral[1], 3))
    return result


def neutral_posture(
    config: Config, args: argparse.Namespace, *, say: Callable[[str], None]
) -> Calibration:
    """The agent sits or stands as usual, facing the customer, with a relaxed face, for
    `seconds`: the head's distance (the lean's neutral), the shoulders' square-on width (the
    facing reference) and the face's neutral brows and mouth, each the median."""
    result = Calibration()
    say(f"the agent sits or stands as usual, facing the customer, for {args.seconds:g} s")
    distances, widths = [], []
    face: dict[str, list[float]] = {name: [] for name in POPULATION_NEUTRAL_CM}
    frames = 0
    for elapsed_s, _, landmarks in _tracked(config, args.source, args.seconds):
        frames += 1
        if frames == 1:
            say(f"now: sit or stand as usual, facing the customer, for {args.seconds:g} s")
        if elapsed_s < SETTLE_S:
            continue
        features = extract_features(landmarks, config)
        if features.head_distance_cm is not None:
            distances.append(features.head_distance_cm)
        if features.shoulder_width_cm is not None:
            widths.append(features.shoulder_width_cm)
        if features.face_actions is not None:
            for name in face:
                face[name].append(getattr(features.face_actions, name))
    result.lines.append(
        f"{frames} frames: head distance on {len(distances)}, shoulders on {len(widths)}"
    )
    if len(distances) < 5:
        result.lines.append("too few frames with the face found: run check-camera first")
        return result
    distance = statistics.median(distances)
    result.lines.append(f"neutral head distance {distance:.1f} cm (the lean is measured from it)")
    result.set("lean", "neutral_distance_cm", round(distance, 1))
    if len(widths) >= 5:
        width = statistics.median(widths)
        result.lines.append(f"shoulders square-on {width:.1f} cm wide (the facing reference)")
        result.set("facing", "square_on_width_cm", round(width, 1))
    else:
        result.lines.append("shoulders not seen: the facing reference stays learned")
    if all(len(v) >= 5 for v in face.values()):
        for name, values in face.items():
            result.set("expression", "neutral_" + name, round(statistics.median(values), 3))
        result.lines.append("the face's neutral brows and mouth measured (the [expression] keys)")
    return result
