"""Facial actions from the face mesh, in the face's own frame: brows drawn down and together
(a frown), lip corners up and out (a smile). Pure geometry, no labels of feeling.

The mesh's 3D points are aligned (rotation, scale, shift) to MediaPipe's canonical face on
points that do not move with expression (eye corners, nose, forehead, cheek edges), so a turned
or tilted head, or a face near or far, measures the same; the brows and lips are then read in
centimetres of the canonical face.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from kiosk.features.face_model import CANONICAL_POINTS_CM
from kiosk.landmarks.types import FaceLandmarks

# Points that stay put when the brows or lips move (no lips, no jaw, no brows, no nostrils).
_ANCHORS = (1, 4, 5, 6, 9, 10, 33, 133, 151, 168, 195, 197, 234, 263, 362, 454)
_ANCHOR_IDS = np.array(_ANCHORS, dtype=np.intp)
_CANONICAL = np.array([CANONICAL_POINTS_CM[i] for i in _ANCHORS], dtype=np.float64)
_CANONICAL_MEAN = _CANONICAL.mean(axis=0)
_CANONICAL_CENTRED = _CANONICAL - _CANONICAL_MEAN

# The inner and outer ends of the brows (lower edge, upper edge) per side, and the eyes' corners.
INNER_BROWS = ((55, 107), (285, 336))
OUTER_BROWS = ((46, 70), (276, 300))
INNER_EYE_CORNERS = (133, 362)
OUTER_EYE_CORNERS = (33, 263)
MOUTH_CORNERS = (61, 291)
SUBNASALE = 2  # below the nose: the skull's, not the lips'

# The mesh's depth is a guess from one image, so a face turned or tilted reads slightly
# different brows and mouth: a fit over the Pointing'04 development photos (717 neutral faces of
# 8 people, yaw -46..+57, pitch -21..+21 degrees; each person's own median removed) of each
# measurement against (pitch, pitch^2, |yaw|, yaw^2) in degrees, subtracted from it.
_POSE_TERMS_CM = {
    "brow_height_cm": (-3.7e-3, -8.38e-5, 6.75e-4, -5.51e-5),
    "brow_gap_cm": (-2.27e-3, 1.7e-4, -4.53e-3, -3.84e-5),
    "brow_tilt_cm": (4.97e-3, 1.61e-4, -1.07e-3, 1.26e-5),
    "corner_drop_cm": (1.49e-2, 3.37e-5, -4.62e-5, 2.01e-5),
    "mouth_width_cm": (1.66e-2, 3.92e-4, 1.81e-2, -1.28e-4),
}


@dataclass(frozen=True)
class FaceActions:
    """Raw measurements in canonical centimetres (compare them with a neutral face's)."""

    brow_height_cm: float  # inner brows above the eyes' inner corners
    brow_gap_cm: float  # between the two inner brows
    # outer brows' height above the outer eye corners less the inner brows' above the inner
    # corners: lowering the brows pulls the inner ends down most (the brows slant inward)
    brow_tilt_cm: float
    corner_drop_cm: float  # mouth corners below the nose's base
    mouth_width_cm: float  # corner to corner


# The population's neutral face, as measured (pose-corrected) on the same photos: medians of the
# 717 faces; the 8 people's own medians spread 1.61-2.22 (brow height), 2.80-2.99 (gap),
# -0.69 to -0.38 (tilt), 2.24-2.61 (corner drop) and 4.62-5.21 cm (mouth width).
POPULATION_NEUTRAL_CM = {
    "brow_height_cm": 1.845,
    "brow_gap_cm": 2.869,
    "brow_tilt_cm": -0.521,
    "corner_drop_cm": 2.391,
    "mouth_width_cm": 4.772,
}


def frown_cm(actions: FaceActions, neutral: dict[str, float]) -> float:
    """How far the brows are drawn down: the inner ends lower, slanting inward (the inner
    ends lower than the outer), and (half weight) drawn together."""
    return (
        (neutral["brow_height_cm"] - actions.brow_height_cm)
        + (actions.brow_tilt_cm - neutral["brow_tilt_cm"])
        + 0.5 * (neutral["brow_gap_cm"] - actions.brow_gap_cm)
    )


def smile_cm(actions: FaceActions, neutral: dict[str, float]) -> float:
    """How far the lip corners are raised and (half weight) the mouth widened."""
    return (neutral["corner_drop_cm"] - actions.corner_drop_cm) + 0.5 * (
        actions.mouth_width_cm - neutral["mouth_width_cm"]
    )


def _align(points: np.ndarray) -> tuple[float, np.ndarray, np.ndarray]:
    """Similarity transform (Umeyama) taking the anchor points onto the canonical face:
    returns scale, rotation and translation for `scale * R @ p + t`."""
    src = points[_ANCHOR_IDS]
    src_mean = src.mean(axis=0)
    a = src - src_mean
    u, s, vt = np.linalg.svd(_CANONICAL_CENTRED.T @ a)
    if np.linalg.det(u @ vt) < 0:  # a reflection: flip the weakest axis
        u[:, 2] = -u[:, 2]
        s = s * np.array([1.0, 1.0, -1.0])
    rotation = u @ vt
    scale = float(s.sum() / np.einsum("ij,ij->", a, a))
    return scale, rotation, _CANONICAL_MEAN - scale * rotation @ src_mean


# The points read, in this order: inner brows (right lower, right upper, left lower, left
# upper), outer brows (the same), inner eye corners, outer eye corners, mouth corners, subnasale.
_READ_IDS = np.array(
    [
        *np.ravel(INNER_BROWS),
        *np.ravel(OUTER_BROWS),
        *INNER_EYE_CORNERS,
        *OUTER_EYE_CORNERS,
        *MOUTH_CORNERS,
        SUBNASALE,
    ],
    dtype=np.intp,
)
_IMAGE_TO_CANONICAL = np.array([1.0, -1.0, -1.0])


def face_actions(
    face: FaceLandmarks, width: int, height: int, yaw_deg: float, pitch_deg: float
) -> FaceActions:
    """The brows' and mouth's positions on the canonical face, corrected for the head's pose
    (`yaw_deg`, `pitch_deg`: its measured pose)."""
    # Image axes (x right, y down, z away) into the canonical face's (x to the subject's left,
    # which is the image's right, y up, z out of the face toward the camera).
    normalized = face.normalized
    if normalized.shape[1] < 3:  # no depth (a synthetic face): a flat one
        normalized = np.column_stack([normalized, np.zeros(len(normalized))])
    points = normalized[:, :3] * (np.array([width, height, width]) * _IMAGE_TO_CANONICAL)
    scale, rotation, shift = _align(points)
    q = ((scale * points[_READ_IDS]) @ rotation.T + shift).tolist()
    brows_y = (q[0][1] + q[1][1] + q[2][1] + q[3][1]) / 4
    outer_brows_y = (q[4][1] + q[5][1] + q[6][1] + q[7][1]) / 4
    eyes_y = (q[8][1] + q[9][1]) / 2
    outer_eyes_y = (q[10][1] + q[11][1]) / 2
    right, left = q[12], q[13]
    raw = {
        "brow_height_cm": brows_y - eyes_y,
        "brow_gap_cm": ((q[2][0] - q[0][0]) + (q[3][0] - q[1][0])) / 2,
        "brow_tilt_cm": (outer_brows_y - outer_eyes_y) - (brows_y - eyes_y),
        "corner_drop_cm": q[14][1] - (right[1] + left[1]) / 2,
        "mouth_width_cm": math.dist(right, left),
    }
    terms = (pitch_deg, pitch_deg**2, abs(yaw_deg), yaw_deg**2)
    return FaceActions(
        **{
            name: round(
                value - sum(c * x for c, x in zip(_POSE_TERMS_CM[name], terms, strict=True)), 4
            )
            for name, value in raw.items()
        }
    )
