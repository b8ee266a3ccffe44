"""Gaze direction from head pose and the iris's place between the eye's corners, and whether
it meets the customer.

The eye's turn is read against its corners, which are fixed in the head (the lids are not: a
smile narrows them, a look down lowers them). The constants of the eye model (EyeModel) were
fitted on real faces (8 people of the Pointing'04 set looking at known markers, see README,
"Measured accuracy"); a person's own neutral offsets come from calibration. Angles follow head pose.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from kiosk.features.head_pose import HeadPose, rotation_from_angles
from kiosk.landmarks.types import FaceLandmarks

# (outer corner, inner corner, upper lid, lower lid, iris centre) per eye
RIGHT_EYE = (33, 133, 159, 145, 468)
LEFT_EYE = (263, 362, 386, 374, 473)
EYE_WIDTH_CM = 3.0
EYEBALL_RADIUS_CM = 1.2
_FORWARD = np.array([0.0, 0.0, -1.0])


@dataclass(frozen=True)
class EyeModel:
    """How the iris moves against the eye's corners, in eye widths (fitted on real faces by
    `kiosk accuracy --fit`: least squares over the 717 faces of the Pointing'04 development
    photos; each constant moved by less than 0.03 when any one person was left out)."""

    # Looking up or down moves the iris against the corner line this fraction of the way the
    # same turn moves it sideways (the corners sit on the lower lid's curve, which follows).
    vertical_travel: float = 0.44
    # The iris stands in front of the corners, so a head turned from the camera shifts it
    # against them with the eyes still: this much per unit of the camera's direction across
    # (and up-down) in the head's axes.
    parallax_across: float = 0.238
    parallax_up_down: float = -0.049


EYE_MODEL = EyeModel()
# The lids closer together than this (of the eye's width, both eyes' mean) are closed: the
# iris landmarks then say nothing about the gaze (real open eyes measured 0.12-0.64 even when
# looking 30 degrees down).
EYES_CLOSED_OPENNESS = 0.1


@dataclass(frozen=True)
class Gaze:
    yaw_deg: float  # where the eyes point, in camera axes
    pitch_deg: float
    eye_yaw_deg: float  # the eyes' turn within the head
    eye_pitch_deg: float
    vector: tuple[float, float, float]  # unit gaze direction in camera axes
    eyes_open: bool = True  # False: a blink or closed eyes; the vector is the head's then


@dataclass(frozen=True)
class EyeOffsets:
    """The iris's offset from the midpoint of the eye's corners, along the corner line (right)
    and across it (down), in eye widths, and the lids' opening; both eyes weighted by width."""

    right: float
    down: float
    openness: float


def direction_angles(vector: np.ndarray) -> tuple[float, float]:
    """(yaw, pitch) in degrees of a direction in camera axes, in the head-pose conventions."""
    yaw = math.degrees(math.atan2(vector[0], -vector[2]))
    pitch = math.degrees(math.atan2(-vector[1], math.hypot(vector[0], vector[2])))
    return yaw, pitch


def direction_vector(yaw_deg: float, pitch_deg: float) -> np.ndarray:
    return rotation_from_angles(yaw_deg, pitch_deg, 0.0) @ _FORWARD


def angle_between_deg(a: np.ndarray, b: np.ndarray) -> float:
    cos = float(np.dot(a, b) / (np.linalg.norm(a) * np.linalg.norm(b)))
    return math.degrees(math.acos(max(-1.0, min(1.0, cos))))


def eye_offsets(points_px: np.ndarray) -> EyeOffsets | None:
    """The iris against the eye's corners (mean of both eyes); None without a measurable eye."""
    horizontal = points_px[LEFT_EYE[0]] - points_px[RIGHT_EYE[0]]
    horizontal = horizontal / (np.linalg.norm(horizontal) or 1.0)
    vertical = np.array([-horizontal[1], horizontal[0]])  # image "down" for an upright face
    total = right = down = openness = 0.0
    for outer, inner, upper, lower, iris in (RIGHT_EYE, LEFT_EYE):
        width = float(np.linalg.norm(points_px[outer] - points_px[inner]))
        if width < 1e-6:
            continue
        rel = points_px[iris] - (points_px[outer] + points_px[inner]) / 2
        # the eye seen more squarely is measured better: weigh each by its width
        total += width
        right += float(np.dot(rel, horizontal))
        down += float(np.dot(rel, vertical))
        openness += float(np.linalg.norm(points_px[upper] - points_px[lower]))
    if total == 0.0:
        return None
    return EyeOffsets(right / total, down / total, openness / total)


def _eye_turn(
    offsets: EyeOffsets,
    to_camera: np.ndarray,
    iris_gain: float,
    neutral: tuple[float, float],
    model: EyeModel,
) -> np.ndarray:
    """The gaze direction in the head's axes (x right, y down, forward -z) that puts the iris
    where it is seen, given the camera's direction in the head's axes (the eye model above)."""
    cx, cy, cz = (float(v) for v in to_camera)
    across = EYEBALL_RADIUS_CM / EYE_WIDTH_CM / iris_gain  # iris travel per unit turn
    up_down = across * model.vertical_travel
    x0, y0 = neutral
    uy = max(-0.95, min(0.95, (offsets.down - y0 - model.parallax_up_down * cy) / up_down))
    # Seen from off its axis, the iris's offset is foreshortened along the line of sight: a
    # few fixed-point steps solve for the sideways turn (each moves it by a fraction of c_x).
    squeeze = 1.0 - cx * cx
    seen = (offsets.right - model.parallax_across * cx) * squeeze - x0
    ux = 0.0
    for _ in range(4):
        uz = -math.sqrt(max(0.0, 1.0 - ux * ux - uy * uy))
        along = x0 * cx + y0 * cy + up_down * uy * cy + across * uz * cz
        ux = (seen + cx * along) / (across * squeeze)
        limit = math.sqrt(max(0.0, 0.9999 - uy * uy))
        ux = max(-limit, min(limit, ux))
    uz = -math.sqrt(max(0.0, 1.0 - ux * ux - uy * uy))
    return np.array([ux, uy, uz])


def estimate_gaze(
    face: FaceLandmarks,
    head: HeadPose,
    iris_gain: float = 1.0,
    neutral_offsets: tuple[float, float] = (0.0, 0.0),
    model: EyeModel = EYE_MODEL,
) -> Gaze:
    """Gaze from the head's rotation and the eyes' turn. `iris_gain` scales the eye turn read
    from the iris; `neutral_offsets` are the iris offsets (right, down; eye widths, against the
    corners) of this person looking at the camera, from calibration or the population's.
    With the eyes closed the iris says nothing: the gaze is the head's direction."""
    offsets = eye_offsets(face.pixels)
    eyes_open = offsets is not None and offsets.openness >= EYES_CLOSED_OPENNESS
    if eyes_open:
        to_camera = -np.array(head.translation_cm)
        to_camera = head.rotation.T @ (to_camera / (np.linalg.norm(to_camera) or 1.0))
        in_head = _eye_turn(offsets, to_camera, iris_gain, neutral_offsets, model)
    else:
        in_head = _FORWARD
    eye_yaw, eye_pitch = direction_angles(in_head)
    vector = head.rotation @ in_head
    yaw, pitch = direction_angles(vector)
    return Gaze(
        yaw,
        pitch,
        eye_yaw,
        eye_pitch,
        (float(vector[0]), float(vector[1]), float(vector[2])),
        eyes_open,
    )


def customer_direction(
    head: HeadPose, offset_yaw_deg: float, offset_pitch_deg: float
) -> np.ndarray:
    """Unit vector from the agent's head toward the customer's eyes: the direction to the
    camera, turned by the configured offset of the customer's eyes from the camera."""
    to_camera = -np.array(head.translation_cm)
    yaw, pitch = direction_angles(to_camera)
    return direction_vector(yaw + offset_yaw_deg, pitch + offset_pitch_deg)
