"""Arms for the scene renderer, which the photo cannot provide when they are raised.

Each arm is two links from its shoulder joint to a wrist placed in the body's plane, bent at the
elbow by two-link inverse kinematics, and drawn over the rendered frame as tapered capsules: a
sleeve in the clothes' colour and a hand in the skin's, shaded as lit cylinders and kept behind
the face.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import cv2
import numpy as np

from kiosk.scenes.script import Posture

# Arms: two 30 cm links, a sleeve tapering from shoulder to wrist (radii, cm), a hand of an
# adult's size. An elbow bends out, down and back (a pole in those directions), so that it
# moves smoothly wherever the wrist goes in the body's plane.
UPPER_ARM_CM = 30.0
FOREARM_CM = 30.0
SLEEVE_RADII_CM = (5.5, 5.0, 4.2)
ELBOW_POLE = (1.0, -0.7, 1.0)  # out, up, back
# The hand, as capsules (from, to, radius) in cm: along the fingers from the wrist, and across
# the palm toward the thumb's side.
HAND_CAPSULES_CM = (
    ((0.0, 0.0), (2.5, 0.0), 2.6),  # the wrist into the palm
    ((2.0, -1.9), (8.0, -2.1), 2.3),  # the palm, little finger's half
    ((2.0, 1.9), (8.0, 2.1), 2.3),  # the palm, thumb's half
    ((9.0, -3.2), (15.0, -3.9), 0.8),  # little finger
    ((9.5, -1.1), (17.0, -1.3), 0.9),  # ring finger
    ((9.5, 1.0), (17.7, 1.0), 0.95),  # middle finger
    ((9.2, 3.0), (16.6, 3.5), 0.9),  # index finger
    ((2.5, 3.6), (7.5, 7.6), 1.1),  # thumb
)
# Lit from the front, a little from above and the image's left (camera axes, toward the light).
LIGHT_DIRECTION = np.array([-0.3, -0.5, -1.0]) / np.linalg.norm([-0.3, -0.5, -1.0])
AMBIENT_LIGHT = 0.35
DIFFUSE_LIGHT = 0.75


class Arms:
    """A body's two arms, hanging from its shoulder joints, ready to be posed and drawn.

    `shoulders_cm` holds the shoulder joints in the photo's camera axes (cm), the person's right
    (the image's left) first; `hip_cm` is where the upper body turns and leans, as in the rig.
    """

    def __init__(
        self,
        shoulders_cm: np.ndarray,
        hip_cm: np.ndarray,
        sleeve_rgb: np.ndarray,
        skin_rgb: np.ndarray,
    ) -> None:
        right_shoulder, left_shoulder = shoulders_cm
        self._shoulder_cm = {"right": right_shoulder, "left": left_shoulder}
        self._hip_cm = hip_cm
        self._sleeve_rgb = sleeve_rgb
        self._skin_rgb = skin_rgb

    def joints_cm(self, posture: Posture, body: np.ndarray) -> dict[str, np.ndarray]:
        """Shoulder, elbow and wrist (3, 3) in camera cm for each placed arm ("right"/"left",
        the person's), on the body turned by `body` about the hips and shifted with it."""
        joints = {}
        for side, wrist_cm, outward in (
            ("right", posture.wrist_right_cm, -1.0),
            ("left", posture.wrist_left_cm, 1.0),
        ):
            if wrist_cm is None:
                continue
            arm = self._shoulder_cm[side] + _arm_offsets_cm(wrist_cm, outward)
            arm = (arm - self._hip_cm) @ body.T + self._hip_cm
            arm[:, 0] += posture.shift_x_cm
            joints[side] = arm
        return joints

    def draw(
        self,
        rgb: np.ndarray,
        posture: Posture,
        body: np.ndarray,
        occluder_px: np.ndarray,
        project: Callable[[np.ndarray], np.ndarray],
        focal_px: float,
    ) -> np.ndarray:
        """Sleeves and hands over the picture, behind the face (`occluder_px`, a polygon): the
        arms hang from the shoulders' plane, which lies behind the face. `project` takes camera
        cm to pixels through a camera of focal length `focal_px`."""
        forward = body @ np.array([0.0, 0.0, -1.0])
        capsules = []
        for side, (shoulder, elbow, wrist) in self.joints_cm(posture, body).items():
            outward = body @ np.array([-1.0 if side == "right" else 1.0, 0.0, 0.0])
            upward = body @ np.array([0.0, -1.0, 0.0])
            r_shoulder, r_elbow, r_wrist = SLEEVE_RADII_CM
            capsules += [
                (shoulder, elbow, r_shoulder, r_elbow, self._sleeve_rgb),
                (elbow, wrist, r_elbow, r_wrist, self._sleeve_rgb),
            ]
            fingers = (wrist - elbow) / max(float(np.linalg.norm(wrist - elbow)), 1e-9)
            across = np.cross(fingers, forward)
            across /= max(float(np.linalg.norm(across)), 1e-9)
            if across @ (0.3 * upward - outward) < 0:  # the palm faces the camera: thumb inward
                across = -across
            for (f0, a0), (f1, a1), radius in HAND_CAPSULES_CM:
                start = wrist + fingers * f0 + across * a0
                end = wrist + fingers * f1 + across * a1
                capsules.append((start, end, radius, radius, self._skin_rgb))
        return _paint(rgb, capsules, occluder_px, project, focal_px)


def _arm_offsets_cm(wrist_cm: tuple[float, float], outward: float) -> np.ndarray:
    """Shoulder, elbow and wrist (3, 3) relative to the shoulder, in the photo's camera axes,
    for a wrist `wrist_cm` (out, up) from it in the body's plane: two-link inverse kinematics,
    the elbow bent toward ELBOW_POLE."""
    out = np.array([outward, 0.0, 0.0])
    up = np.array([0.0, -1.0, 0.0])
    back = np.array([0.0, 0.0, 1.0])
    wrist = out * wrist_cm[0] + up * wrist_cm[1]
    reach = (UPPER_ARM_CM + FOREARM_CM) * 0.999
    distance = float(np.linalg.norm(wrist))
    if distance < 1.0:  # the wrist at the shoulder: fold the arm downward
        wrist, distance = -up, 1.0
    elif distance > reach:
        wrist, distance = wrist * (reach / distance), reach
    axis = wrist / distance
    pole = out * ELBOW_POLE[0] + up * ELBOW_POLE[1] + back * ELBOW_POLE[2]
    bend = pole - axis * (pole @ axis)
    bend /= np.linalg.norm(bend)
    along = (UPPER_ARM_CM**2 - FOREARM_CM**2 + distance**2) / (2 * distance)
    height = math.sqrt(max(UPPER_ARM_CM**2 - along**2, 0.0))
    return np.array([np.zeros(3), axis * along + bend * height, wrist])


def _paint(
    rgb: np.ndarray,
    capsules: list,
    occluder_px: np.ndarray,
    project: Callable[[np.ndarray], np.ndarray],
    focal_px: float,
) -> np.ndarray:
    """Draw 3D capsules (start, end, radii in cm, colour), in order, shaded as lit cylinders
    and anti-aliased, except where `occluder_px` (a polygon) covers them."""
    height, width = rgb.shape[:2]
    drawn = []
    for start, end, r0, r1, colour in capsules:
        (a, b) = project(np.array([start, end]))
        ra = r0 * focal_px / max(float(start[2]), 1.0)
        rb = r1 * focal_px / max(float(end[2]), 1.0)
        drawn.append((a, b, ra, rb, colour))
    ends = np.array([p for a, b, *_ in drawn for p in (a, b)])
    reach = max(max(ra, rb) for _, _, ra, rb, _ in drawn) + 2
    x0, y0 = np.maximum(np.floor(ends.min(axis=0) - reach).astype(int), 0)
    x1, y1 = np.minimum(np.ceil(ends.max(axis=0) + reach).astype(int), [width, height])
    if x1 - x0 < 1 or y1 - y0 < 1:
        return rgb
    canvas = rgb[y0:y1, x0:x1].astype(np.float32)
    hidden = np.zeros(canvas.shape[:2], np.float32)
    shifted = np.round((occluder_px - [x0, y0]) * 16).astype(np.int32)
    cv2.fillPoly(hidden, [shifted], 1.0, lineType=cv2.LINE_AA, shift=4)
    for a, b, ra, rb, colour in drawn:
        _paint_capsule(canvas, hidden, a - [x0, y0], b - [x0, y0], ra, rb, colour)
    result = rgb.copy()
    result[y0:y1, x0:x1] = np.clip(canvas + 0.5, 0, 255).astype(np.uint8)
    return result


def _paint_capsule(
    canvas: np.ndarray,
    hidden: np.ndarray,
    a: np.ndarray,
    b: np.ndarray,
    ra: float,
    rb: float,
    colour: np.ndarray,
) -> None:
    """Blend one tapered capsule from `a` to `b` (pixels, radii `ra`, `rb`) into `canvas`, lit
    as a cylinder with round ends from LIGHT_DIRECTION, nowhere that `hidden` is 1."""
    h, w = canvas.shape[:2]
    reach = max(ra, rb) + 1.5
    x0, y0 = np.maximum(np.floor(np.minimum(a, b) - reach).astype(int), 0)
    x1, y1 = np.minimum(np.ceil(np.maximum(a, b) + reach).astype(int) + 1, [w, h])
    if x1 <= x0 or y1 <= y0:
        return
    ys, xs = np.mgrid[y0:y1, x0:x1].astype(np.float32)
    axis = (b - a).astype(np.float32)
    t = np.zeros_like(xs)
    length2 = float(axis @ axis)
    if length2 > 1e-9:
        t = np.clip(((xs - a[0]) * axis[0] + (ys - a[1]) * axis[1]) / length2, 0.0, 1.0)
    dx = xs - (a[0] + t * axis[0])
    dy = ys - (a[1] + t * axis[1])
    radius = ra + (rb - ra) * t
    distance = np.sqrt(dx * dx + dy * dy)
    cover = np.clip(radius - distance + 0.5, 0.0, 1.0) * (1.0 - hidden[y0:y1, x0:x1])
    facing = np.sqrt(np.clip(1.0 - (distance / radius) ** 2, 0.0, 1.0))
    light = LIGHT_DIRECTION.astype(np.float32)
    lit = (dx * light[0] + dy * light[1]) / radius - facing * light[2]
    shade = AMBIENT_LIGHT + DIFFUSE_LIGHT * np.maximum(lit, 0.0)
    alpha = cover[..., None]
    region = canvas[y0:y1, x0:x1]
    region *= 1.0 - alpha
    region += alpha * shade[..., None] * colour
