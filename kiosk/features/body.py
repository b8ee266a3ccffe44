"""Body features from pose landmarks: which way the torso faces, raised wrists (watch checks)."""

from __future__ import annotations

import math

import numpy as np

from kiosk.landmarks.types import PoseLandmarks

LEFT_SHOULDER, RIGHT_SHOULDER = 11, 12
LEFT_ELBOW, RIGHT_ELBOW = 13, 14
LEFT_WRIST, RIGHT_WRIST = 15, 16
MIN_VISIBILITY = 0.5


def shoulders_visible(pose: PoseLandmarks) -> bool:
    return bool(pose.visibility[[LEFT_SHOULDER, RIGHT_SHOULDER]].min() >= MIN_VISIBILITY)


def torso_yaw_deg(pose: PoseLandmarks) -> float | None:
    """Yaw of the shoulder line in the head-pose convention (> 0: chest turned toward the
    image's right), from the pose's metric world landmarks; None without both shoulders."""
    if not shoulders_visible(pose):
        return None
    across = pose.world_m[LEFT_SHOULDER] - pose.world_m[RIGHT_SHOULDER]
    # Facing the camera the person's left shoulder is on the image's right (x > 0); turning
    # toward the image's right takes it away from the camera (z grows).
    return math.degrees(math.atan2(across[2], across[0]))


def shoulder_line_y_px(pose: PoseLandmarks) -> float | None:
    if not shoulders_visible(pose):
        return None
    return float(pose.pixels[[LEFT_SHOULDER, RIGHT_SHOULDER], 1].mean())


def wrist_raised(pose: PoseLandmarks) -> bool:
    """A wrist lifted above its elbow in front of the body, as when looking at a watch."""
    for wrist, elbow in ((LEFT_WRIST, LEFT_ELBOW), (RIGHT_WRIST, RIGHT_ELBOW)):
        if min(pose.visibility[wrist], pose.visibility[elbow]) < MIN_VISIBILITY:
            continue
        above_elbow = pose.pixels[wrist, 1] < pose.pixels[elbow, 1]
        in_front = pose.world_m[wrist, 2] < pose.world_m[[LEFT_SHOULDER, RIGHT_SHOULDER], 2].mean()
        if above_elbow and in_front:
            return True
    return False


def shoulder_width_px(pose: PoseLandmarks) -> float | None:
    if not shoulders_visible(pose):
        return None
    return float(np.linalg.norm(pose.pixels[LEFT_SHOULDER] - pose.pixels[RIGHT_SHOULDER]))
