"""Body features from pose landmarks: which way the torso faces, a wrist held up to read a watch,
the head's direction and whether someone is at the counter."""

from __future__ import annotations

import math
from dataclasses import dataclass

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


# Watch checks. Pose points: eyes, mouth corners; per side (wrist, elbow, pinky, index).
LEFT_EYE, RIGHT_EYE, MOUTH_LEFT, MOUTH_RIGHT = 2, 5, 9, 10
WATCH_SIDES = ((LEFT_WRIST, LEFT_ELBOW, 17, 19), (RIGHT_WRIST, RIGHT_ELBOW, 18, 20))
# A watch is looked at held in front of the chest: the wrist well in front of the shoulders, no
# lower than 0.8 shoulder widths (~30 cm) below them (writing at a standing counter: ~50 cm
# below, at the hips; seated at a desk, the forearm lies flat), no higher than the mouth, the
# forearm rising toward it, the back of the wrist turned toward the eyes, the hand not at the
# mouth (drinking, a phone). Shoulder widths, not torso lengths: the counter hides the hips.
WATCH_IN_FRONT_M = 0.10
WATCH_LOWEST_SHOULDER_WIDTHS = 0.8
WATCH_MIN_FOREARM_RISE_DEG = 20.0
WATCH_BACK_TO_EYES_MAX_DEG = 70.0
AT_MOUTH_M = 0.18  # a hand holding a cup or bottle to the lips: its knuckles within this


def watch_wrists(pose: PoseLandmarks) -> tuple[tuple[float, float, float], ...]:
    """For each wrist held as one holds a watch to read it: the unit direction from the eyes to
    it (camera axes, metric world points), for comparing with the gaze. Empty if none is."""
    vis, w = pose.visibility, pose.world_m
    core = [LEFT_SHOULDER, RIGHT_SHOULDER, LEFT_EYE, RIGHT_EYE, MOUTH_LEFT, MOUTH_RIGHT]
    if vis[core].min() < MIN_VISIBILITY:
        return ()
    shoulders = w[[LEFT_SHOULDER, RIGHT_SHOULDER]].mean(axis=0)
    lowest_y = shoulders[1] + WATCH_LOWEST_SHOULDER_WIDTHS * float(
        np.linalg.norm(w[LEFT_SHOULDER] - w[RIGHT_SHOULDER])
    )
    eyes = w[[LEFT_EYE, RIGHT_EYE]].mean(axis=0)
    mouth = w[[MOUTH_LEFT, MOUTH_RIGHT]].mean(axis=0)
    found = []
    for side, (wrist, elbow, pinky, index) in enumerate(WATCH_SIDES):
        if min(vis[wrist], vis[elbow]) < MIN_VISIBILITY:
            continue
        in_front = w[wrist, 2] < shoulders[2] - WATCH_IN_FRONT_M
        if not (in_front and mouth[1] < w[wrist, 1] < lowest_y):
            continue  # most frames stop here: the rest is for a wrist in front of the chest
        forearm = w[wrist] - w[elbow]
        rise_deg = math.degrees(math.asin(-forearm[1] / (np.linalg.norm(forearm) or 1.0)))
        to_eyes = eyes - w[wrist]
        to_eyes = to_eyes / (np.linalg.norm(to_eyes) or 1.0)
        # Out of the back of the hand: pinky x index (from the wrist) for the right hand,
        # mirrored for the left (index x pinky is out of a right palm: features.hands).
        a, b = w[index] - w[wrist], w[pinky] - w[wrist]
        back = np.cross(a, b) if side == 0 else np.cross(b, a)
        back = back / (np.linalg.norm(back) or 1.0)
        hand_to_mouth_m = min(np.linalg.norm(w[k] - mouth) for k in (wrist, pinky, index))
        if (
            rise_deg >= WATCH_MIN_FOREARM_RISE_DEG
            and float(np.dot(back, to_eyes)) >= math.cos(math.radians(WATCH_BACK_TO_EYES_MAX_DEG))
            and hand_to_mouth_m >= AT_MOUTH_M
        ):
            direction = -to_eyes
            found.append((float(direction[0]), float(direction[1]), float(direction[2])))
    return tuple(found)


def shoulder_width_px(pose: PoseLandmarks) -> float | None:
    if not shoulders_visible(pose):
        return None
    return float(np.linalg.norm(pose.pixels[LEFT_SHOULDER] - pose.pixels[RIGHT_SHOULDER]))


NOSE, LEFT_EAR, RIGHT_EAR = 0, 7, 8
# MediaPipe's ear points sit above the nose tip's level: a level head reads this far down.
# Measured on 717 real photos against the face mesh's head pitch (median; spread 4 degrees).
POSE_LEVEL_HEAD_PITCH_DEG = -11.0
SHOULDER_WIDTH_M = 0.38  # an adult's shoulders, between MediaPipe's shoulder points
AT_COUNTER_MAX_M = 1.5  # the agent stands within reach of the counter and the camera


@dataclass(frozen=True)
class PoseHead:
    """Which way the head points, from the body model's nose and ears (no face mesh)."""

    yaw_deg: float  # head-pose conventions: > 0 toward the image's right
    pitch_deg: float  # > 0 up


def head_direction_from_pose(pose: PoseLandmarks) -> PoseHead | None:
    """The head's direction from the nose against the ears' midpoint (metric world points);
    None when the body model does not see the head."""
    vis = pose.visibility
    if vis[NOSE] < MIN_VISIBILITY or max(vis[LEFT_EAR], vis[RIGHT_EAR]) < MIN_VISIBILITY:
        return None  # the nose and at least one ear (a turned head hides the other)
    w = pose.world_m
    forward = w[NOSE] - (w[LEFT_EAR] + w[RIGHT_EAR]) / 2
    yaw = math.degrees(math.atan2(forward[0], -forward[2]))
    pitch = math.degrees(math.atan2(-forward[1], math.hypot(forward[0], forward[2])))
    return PoseHead(yaw, pitch - POSE_LEVEL_HEAD_PITCH_DEG)


def agent_at_counter(pose: PoseLandmarks, focal_px: float) -> bool:
    """Someone's shoulders are seen, near enough to be at the counter (not a passer-by far
    behind): their apparent width puts them within AT_COUNTER_MAX_M of the camera."""
    width_px = shoulder_width_px(pose)
    return (
        width_px is not None
        and width_px > 0
        and (focal_px * SHOULDER_WIDTH_M / width_px <= AT_COUNTER_MAX_M)
    )
