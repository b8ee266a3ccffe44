"""Hand shapes from the 21 hand landmarks: which fingers are held out or curled, pointing, open
palm. Uses the metric world landmarks, so a shape reads the same whatever the hand's size or place.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass

import numpy as np

from kiosk.landmarks.types import HandLandmarks

WRIST = 0
# (base, middle joint, tip) chains: thumb, index, middle, ring, pinky. For a finger the joints
# are MCP, PIP, DIP and tip.
FINGER_CHAINS = ((1, 2, 3, 4), (5, 6, 7, 8), (9, 10, 11, 12), (13, 14, 15, 16), (17, 18, 19, 20))
THUMB_TIP, INDEX_MCP, INDEX_DIP, INDEX_TIP, MIDDLE_MCP, PINKY_MCP = 4, 5, 7, 8, 9, 17
THUMB_STRAIGHT_DEG = 50.0
# A finger held out may still bend a little: on real photos the hand model puts 25-45 degrees
# into a straight-looking index (most of it at the last joint). Beyond these it is hooked.
FINGER_MAX_BEND_DEG = 70.0  # PIP + DIP together
FINGER_MAX_DIP_BEND_DEG = 50.0  # the last joint alone (a hook, or a pen held at the fingertip)
# The thumb's tip this close to the index's last joint or tip (in lengths of the palm, wrist to
# middle knuckle, ~9 cm on an adult) holds something between them: a pen grip, a pinch, "OK".
# When pointing, the thumb rests on the curled middle finger, 0.55 palms or more away.
PINCH_PALMS = 0.3


@dataclass(frozen=True)
class HandShape:
    handedness: str
    extended: tuple[bool, bool, bool, bool, bool]  # thumb, index, middle, ring, pinky
    pointing: bool  # index held out, middle, ring and pinky curled, no pinch
    open_palm: bool  # all fingers held out, palm toward the camera side
    index_direction: tuple[float, float, float]  # unit vector, camera axes
    index_tip_px: tuple[float, float]
    pinch: bool = False  # the thumb's tip at the index's tip or last joint (pen grip, "OK")


def _bends_deg(points: np.ndarray, chain: tuple[int, ...]) -> list[float]:
    """The angle between successive bones of a chain, one per inner joint."""
    bones = np.diff(points[list(chain)], axis=0)
    bends = []
    for a, b in itertools.pairwise(bones):
        cos = float(np.dot(a, b) / ((np.linalg.norm(a) * np.linalg.norm(b)) or 1.0))
        bends.append(math.degrees(math.acos(max(-1.0, min(1.0, cos)))))
    return bends


def _reach(points: np.ndarray, chain: tuple[int, ...]) -> np.ndarray:
    """Distance of each joint of a chain from the wrist."""
    return np.linalg.norm(points[list(chain)] - points[WRIST], axis=1)


def finger_held_out(points: np.ndarray, chain: tuple[int, ...]) -> bool:
    """Each joint beyond the one before it, seen from the wrist (true in any direction, toward
    the camera too, since the points are metric 3-D), and only modestly bent."""
    mcp, pip, dip, tip = _reach(points, chain)
    if not mcp < pip < dip < tip:
        return False
    _, pip_bend, dip_bend = _bends_deg(points, (WRIST, *chain))
    return pip_bend + dip_bend <= FINGER_MAX_BEND_DEG and dip_bend <= FINGER_MAX_DIP_BEND_DEG


def finger_curled(points: np.ndarray, chain: tuple[int, ...]) -> bool:
    """The tip folded back nearer the wrist than the finger's middle joint (PIP)."""
    _, pip, _, tip = _reach(points, chain)
    return bool(tip < pip)


def pinch(points: np.ndarray) -> bool:
    palm_m = float(np.linalg.norm(points[MIDDLE_MCP] - points[WRIST])) or 1.0
    gap_m = min(np.linalg.norm(points[THUMB_TIP] - points[k]) for k in (INDEX_DIP, INDEX_TIP))
    return bool(gap_m < PINCH_PALMS * palm_m)


def palm_normal(hand: HandLandmarks) -> np.ndarray:
    """Unit normal out of the palm, camera axes (z away from the camera)."""
    w = hand.world_m
    a, b = w[INDEX_MCP] - w[WRIST], w[PINKY_MCP] - w[WRIST]
    normal = np.cross(a, b) if hand.handedness == "Right" else np.cross(b, a)
    return normal / (np.linalg.norm(normal) or 1.0)


def hand_shape(hand: HandLandmarks) -> HandShape:
    w = hand.world_m
    thumb = sum(_bends_deg(w, FINGER_CHAINS[0])) < THUMB_STRAIGHT_DEG
    index, middle, ring, pinky = (finger_held_out(w, chain) for chain in FINGER_CHAINS[1:])
    others_curled = all(finger_curled(w, chain) for chain in FINGER_CHAINS[2:])
    pinched = pinch(w)
    pointing = index and others_curled and not pinched
    open_palm = index and middle and ring and pinky and bool(palm_normal(hand)[2] < -0.3)
    direction = w[INDEX_TIP] - w[INDEX_MCP]
    direction = direction / (np.linalg.norm(direction) or 1.0)
    return HandShape(
        handedness=hand.handedness,
        extended=(bool(thumb), index, middle, ring, pinky),
        pointing=bool(pointing),
        open_palm=open_palm,
        index_direction=(float(direction[0]), float(direction[1]), float(direction[2])),
        index_tip_px=(float(hand.pixels[INDEX_TIP, 0]), float(hand.pixels[INDEX_TIP, 1])),
        pinch=pinched,
    )
