"""Gaze direction from head pose and the iris's place in the eye, and whether it meets the customer.

The eyes turn in their sockets about a 1.2 cm radius; the iris offset from the eye's centre,
as a fraction of the eye's width (about 3 cm), gives that turn. Angles follow head pose.
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
class Gaze:
    yaw_deg: float  # where the eyes point, in camera axes
    pitch_deg: float
    eye_yaw_deg: float  # the eyes' turn within the head
    eye_pitch_deg: float
    vector: tuple[float, float, float]  # unit gaze direction in camera axes


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


def iris_offsets(points_px: np.ndarray) -> tuple[float, float]:
    """Iris offset from the eye centre, right, down, in eye widths (mean of both eyes)."""
    horizontal = points_px[LEFT_EYE[0]] - points_px[RIGHT_EYE[0]]
    horizontal = horizontal / (np.linalg.norm(horizontal) or 1.0)
    vertical = np.array([-horizontal[1], horizontal[0]])  # image "down" for an upright face
    offsets, weights = [], []
    for outer, inner, upper, lower, iris in (RIGHT_EYE, LEFT_EYE):
        width = float(np.linalg.norm(points_px[outer] - points_px[inner]))
        if width < 1e-6:
            continue
        centre_x = (points_px[outer] + points_px[inner]) / 2
        centre_y = (points_px[upper] + points_px[lower]) / 2
        rel = points_px[iris]
        dx = float(np.dot(rel - centre_x, horizontal)) / width
        dy = float(np.dot(rel - centre_y, vertical)) / width
        offsets.append((dx, dy))
        weights.append(width)  # the eye seen more squarely is measured better
    if not offsets:
        return 0.0, 0.0
    # np.average's arithmetic in plain floats (the same value, without its overhead per frame)
    total = sum(weights)
    dx = sum(w * o[0] for w, o in zip(weights, offsets, strict=True)) / total
    dy = sum(w * o[1] for w, o in zip(weights, offsets, strict=True)) / total
    return float(dx), float(dy)


def estimate_gaze(
    face: FaceLandmarks, head: HeadPose, iris_gain: float = 1.0, neutral_offsets=(0.0, 0.0)
) -> Gaze:
    """Gaze from the head's rotation and the eyes' turn. `iris_gain` corrects the iris model's
    under-reading; `neutral_offsets` are the iris offsets (right, down) of this person looking
    straight ahead, from calibration."""
    dx, dy = iris_offsets(face.pixels)
    scale = iris_gain * EYE_WIDTH_CM / EYEBALL_RADIUS_CM
    eye_yaw = math.degrees(math.asin(max(-1.0, min(1.0, (dx - neutral_offsets[0]) * scale))))
    eye_pitch = -math.degrees(math.asin(max(-1.0, min(1.0, (dy - neutral_offsets[1]) * scale))))
    vector = head.rotation @ rotation_from_angles(eye_yaw, eye_pitch, 0.0) @ _FORWARD
    yaw, pitch = direction_angles(vector)
    return Gaze(
        yaw, pitch, eye_yaw, eye_pitch, (float(vector[0]), float(vector[1]), float(vector[2]))
    )


def customer_direction(
    head: HeadPose, offset_yaw_deg: float, offset_pitch_deg: float
) -> np.ndarray:
    """Unit vector from the agent's head toward the customer's eyes: the direction to the
    camera, turned by the configured offset of the customer's eyes from the camera."""
    to_camera = -np.array(head.translation_cm)
    yaw, pitch = direction_angles(to_camera)
    return direction_vector(yaw + offset_yaw_deg, pitch + offset_pitch_deg)
