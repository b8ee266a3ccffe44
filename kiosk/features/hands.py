"""Hand shapes from the 21 hand landmarks: which fingers are straight, pointing, open palm.

Uses the metric world landmarks, so a shape reads the same whatever the hand's size or place.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass

import numpy as np

from kiosk.landmarks.types import HandLandmarks

WRIST = 0
# (base, middle joint, tip) chains: thumb, index, middle, ring, pinky
FINGER_CHAINS = ((1, 2, 3, 4), (5, 6, 7, 8), (9, 10, 11, 12), (13, 14, 15, 16), (17, 18, 19, 20))
INDEX_MCP, INDEX_TIP, PINKY_MCP = 5, 8, 17
STRAIGHT_DEG = 45.0  # a finger bent less than this at its joints (in total) is extended
THUMB_STRAIGHT_DEG = 50.0


@dataclass(frozen=True)
class HandShape:
    handedness: str
    extended: tuple[bool, bool, bool, bool, bool]  # thumb, index, middle, ring, pinky
    pointing: bool  # index straight, middle, ring and pinky curled
    open_palm: bool  # all fingers straight, palm toward the camera side
    index_direction: tuple[float, float, float]  # unit vector, camera axes
    index_tip_px: tuple[float, float]


def _bend_deg(points: np.ndarray, chain: tuple[int, ...]) -> float:
    """Total bend along a finger: the sum of the angles between successive bones."""
    bones = np.diff(points[list(chain)], axis=0)
    total = 0.0
    for a, b in itertools.pairwise(bones):
        cos = float(np.dot(a, b) / ((np.linalg.norm(a) * np.linalg.norm(b)) or 1.0))
        total += math.degrees(math.acos(max(-1.0, min(1.0, cos))))
    return total


def palm_normal(hand: HandLandmarks) -> np.ndarray:
    """Unit normal out of the palm, camera axes (z away from the camera)."""
    w = hand.world_m
    a, b = w[INDEX_MCP] - w[WRIST], w[PINKY_MCP] - w[WRIST]
    normal = np.cross(a, b) if hand.handedness == "Right" else np.cross(b, a)
    return normal / (np.linalg.norm(normal) or 1.0)


def hand_shape(hand: HandLandmarks) -> HandShape:
    w = hand.world_m
    # A straight finger's tip is also far from the wrist: curled fingers fold back toward it.
    extended = []
    for i, chain in enumerate(FINGER_CHAINS):
        straight = _bend_deg(w, chain) < (THUMB_STRAIGHT_DEG if i == 0 else STRAIGHT_DEG)
        if i > 0:
            reach = np.linalg.norm(w[chain[-1]] - w[WRIST])
            straight = straight and reach > np.linalg.norm(w[chain[0]] - w[WRIST]) * 1.3
        extended.append(bool(straight))
    thumb, index, middle, ring, pinky = extended
    pointing = index and not middle and not ring and not pinky
    open_palm = index and middle and ring and pinky and bool(palm_normal(hand)[2] < -0.3)
    direction = w[INDEX_TIP] - w[INDEX_MCP]
    direction = direction / (np.linalg.norm(direction) or 1.0)
    return HandShape(
        handedness=hand.handedness,
        extended=(thumb, index, middle, ring, pinky),
        pointing=pointing,
        open_palm=open_palm,
        index_direction=(float(direction[0]), float(direction[1]), float(direction[2])),
        index_tip_px=(float(hand.pixels[INDEX_TIP, 0]), float(hand.pixels[INDEX_TIP, 1])),
    )
