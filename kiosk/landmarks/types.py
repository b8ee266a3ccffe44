"""Plain landmark values handed from the tracker to the features; no MediaPipe types leak out.

Image coordinates: x to the right, y down, both normalised to [0, 1] by the image width and
height; `z` is MediaPipe's relative depth (smaller is nearer the camera), in units of the image
width. Pixel coordinates are x, y in pixels. Pose world landmarks are metres, origin between the
hips, x toward the image's right, y down, z away from the camera. "Left" and "right" name the
person's own side, as MediaPipe's pose and (after un-mirroring) hand models do.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

FACE_POINTS = 478  # face mesh with refine_landmarks: 468 mesh points and 2 x 5 iris points
POSE_POINTS = 33
HAND_POINTS = 21


def to_pixels(normalized: np.ndarray, width: int, height: int) -> np.ndarray:
    """Normalised (N, 2+) landmarks to (N, 2) pixel coordinates."""
    return normalized[:, :2] * np.array([width, height], dtype=np.float64)


@dataclass(frozen=True)
class FaceLandmarks:
    normalized: np.ndarray  # (478, 3)
    pixels: np.ndarray  # (478, 2)


@dataclass(frozen=True)
class PoseLandmarks:
    normalized: np.ndarray  # (33, 3)
    pixels: np.ndarray  # (33, 2)
    visibility: np.ndarray  # (33,), 0..1
    world_m: np.ndarray  # (33, 3) metres, hip-centred
    # Person mask (H, W) float32 in 0..1, only when the tracker was built with segmentation
    # (the scene renderer's photo); never stored or sent anywhere.
    segmentation: np.ndarray | None = None


@dataclass(frozen=True)
class HandLandmarks:
    normalized: np.ndarray  # (21, 3)
    pixels: np.ndarray  # (21, 2)
    world_m: np.ndarray  # (21, 3) metres, hand-centred
    handedness: str  # "Left" or "Right": the person's own hand
    score: float


@dataclass(frozen=True)
class Landmarks:
    """Everything tracked in one frame; a part that was not run or not found is None / empty."""

    t_s: float
    frame_index: int
    width: int
    height: int
    face: FaceLandmarks | None = None
    pose: PoseLandmarks | None = None
    hands: tuple[HandLandmarks, ...] = ()
