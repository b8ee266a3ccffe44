"""Facial actions for the scene renderer: the eyes turning in their sockets, the jaw dropping,
the brows lowering (a frown) and the lip corners rising (a smile), as movements of the
face-mesh points within the head, and what warping the photo alone cannot draw (a frown's
folds, the seam of closed lips, the inside of an open mouth, an iris sliding across the eye).
"""

from __future__ import annotations

import math

import cv2
import numpy as np

from kiosk.features.gaze import EYEBALL_RADIUS_CM
from kiosk.features.head_pose import rotation_from_angles
from kiosk.scenes.script import Posture

# Face-mesh topology (MediaPipe's iris rings, and FACEMESH_RIGHT_EYE / LEFT_EYE in order round
# the lids).
RIGHT_IRIS = (468, 469, 470, 471, 472)  # the person's right eye; 468 is the centre
LEFT_IRIS = (473, 474, 475, 476, 477)
RIGHT_EYE_OPENING = (33, 246, 161, 160, 159, 158, 157, 173, 133, 155, 154, 153, 145, 144, 163, 7)
LEFT_EYE_OPENING = (263, 466, 388, 387, 386, 385, 384, 398, 362, 382, 381, 380, 374, 373, 390, 249)
# Lips, corner to corner (MediaPipe's FACEMESH_LIPS): the inner edges bound the open mouth.
UPPER_INNER_LIP = (78, 191, 80, 81, 82, 13, 312, 311, 310, 415, 308)
LOWER_INNER_LIP = (78, 95, 88, 178, 87, 14, 317, 402, 318, 324, 308)
UPPER_OUTER_LIP = (61, 185, 40, 39, 37, 0, 267, 269, 270, 409, 291)
LOWER_OUTER_LIP = (61, 146, 91, 181, 84, 17, 314, 405, 321, 375, 291)
JAW_ANGLES = (172, 397)
CHIN = 152
MOUTH_INSIDE_RGB = (40, 14, 16)
# Brows, outer end to inner end (the inner ends are 55/107 and 285/336), and the upper lids.
RIGHT_BROW_LOWER = (46, 53, 52, 65, 55)
RIGHT_BROW_UPPER = (70, 63, 105, 66, 107)
LEFT_BROW_LOWER = (276, 283, 282, 295, 285)
LEFT_BROW_UPPER = (300, 293, 334, 296, 336)
RIGHT_UPPER_LID = RIGHT_EYE_OPENING[:9]
LEFT_UPPER_LID = LEFT_EYE_OPENING[:9]
BROW_INWARD_PER_DOWN = 0.5  # a frown draws the brows together half as far as it lowers them
BROW_OUTER_SHARE = 0.3  # how much of the inner end's movement the outer end keeps
FOREHEAD_FADE_CM = 1.5  # above the brow, the skin's movement fades out over this height
# Skin squeezed by a frown folds and shades: darker by this much per unit of lost area, at most
# FOLD_DARKEST, tinted toward red as skin's shadows are.
FOLD_SHADE_PER_AREA = 0.6
FOLD_DARKEST = 0.35
FOLD_TINT = (0.8, 1.0, 1.15)
LIP_CORNERS = (61, 291)  # the person's right, then left
SMILE_ANGLE_DEG = 50.0  # the corners move this far above the horizontal, outward (AU12)
SMILE_REACH = 0.9  # the fall-off radius round a corner, in corner-to-lip-centre distances
SMILE_CLOSED_CM = 0.5  # a smile this far negative has closed the photo's parted lips
LIP_SEAM_SHADE = 0.55  # closed lips meet in a line this much darker than the lips
LOWER_LIP_MIDDLE = (84, 17, 314, 87, 14, 317)  # where the lips' colour is sampled


class FaceActions:
    """A photo's face prepared for facial actions.

    `face_px` and `face_3d` are the face-mesh points in the photo (pixels) and in its camera
    axes (cm), `rotation` the photo's head pose, `px_per_cm` the scale at the face, `triangles`
    the rig's mesh (indices; those wholly among the face's points are the face's skin) and
    `lip_rgb` the lips' colour.
    """

    def __init__(
        self,
        face_px: np.ndarray,
        face_3d: np.ndarray,
        rotation: np.ndarray,
        px_per_cm: float,
        triangles: np.ndarray,
        lip_rgb: np.ndarray,
    ) -> None:
        self._face_3d = face_3d
        self._rotation = rotation
        self._lip_rgb = lip_rgb
        self._jaw_weight = _jaw_weights(face_px)
        self._jaw_down = rotation @ np.array([0.0, 1.0, 0.0])  # the face's "down"
        face_right = rotation @ np.array([1.0, 0.0, 0.0])  # toward the image's right
        brow_down, brow_right = _brow_weights(face_px, px_per_cm)
        self._brow_shift = (
            np.outer(brow_down, self._jaw_down)
            + np.outer(brow_right, face_right) * BROW_INWARD_PER_DOWN
        )
        smile_down, smile_right = _smile_weights(face_px)
        self._smile_shift = np.outer(smile_down, self._jaw_down) + np.outer(smile_right, face_right)
        # The triangles a frown squeezes, and their areas before it.
        moved = np.abs(self._brow_shift).sum(axis=1) > 0
        face_triangles = triangles[(triangles < len(face_3d)).all(axis=1)]
        self._fold_triangles = face_triangles[moved[face_triangles].any(axis=1)]
        self._fold_areas_cm2 = _areas(face_3d[self._fold_triangles])
        self._lips_closing = np.outer(
            _lip_closing_cm(face_px, face_3d, self._jaw_down), self._jaw_down
        )
        # Eyeballs: centres behind the irises, along the face's forward axis.
        forward = rotation @ np.array([0.0, 0.0, -1.0])
        self._eye_centres = {
            iris: face_3d[iris[0]] - forward * EYEBALL_RADIUS_CM for iris in (RIGHT_IRIS, LEFT_IRIS)
        }

    def move(self, points: np.ndarray, posture: Posture) -> None:
        """Move the face-mesh points (the first rows of `points`, camera cm, as in the photo's
        head pose) in place by the posture's eye turn, jaw drop, frown and smile."""
        eyes = (
            self._rotation
            @ rotation_from_angles(posture.eye_yaw_deg, posture.eye_pitch_deg, 0.0)
            @ self._rotation.T
        )
        for iris, centre in self._eye_centres.items():
            idx = list(iris)
            points[idx] = (points[idx] - centre) @ eyes.T + centre
        if posture.mouth_open_cm:
            drop = np.outer(self._jaw_weight, self._jaw_down) * posture.mouth_open_cm
            points[: len(drop)] += drop
        if posture.brow_lower_cm:
            points[: len(self._brow_shift)] += self._brow_shift * posture.brow_lower_cm
        if posture.smile_cm:
            points[: len(self._smile_shift)] += self._smile_shift * posture.smile_cm
            closing = min(1.0, max(0.0, -posture.smile_cm / SMILE_CLOSED_CM))
            if closing:
                points[: len(self._lips_closing)] += self._lips_closing * closing

    def shade(self, rgb: np.ndarray, projected: np.ndarray, posture: Posture) -> np.ndarray:
        """Draw on a warped frame what warping cannot: a frown's folds, lips pressed together
        and the inside of an open mouth. `projected`: the posed points in pixels."""
        if posture.brow_lower_cm > 0:
            rgb = self._shade_folds(rgb, projected, posture.brow_lower_cm)
        if posture.smile_cm < 0:
            closing = min(1.0, -posture.smile_cm / SMILE_CLOSED_CM)
            rgb = _close_lips(rgb, projected, self._lip_rgb, closing)
        if posture.mouth_open_cm > 0.05:
            rgb = _open_mouth(rgb, projected)
        return rgb

    def turn_irises(self, rgb: np.ndarray, ahead: np.ndarray, turned: np.ndarray) -> np.ndarray:
        """Slide both irises from where they are drawn looking ahead (`ahead`, the posed points
        in pixels with the eyes ahead) to where the turned eyes put them (`turned`)."""
        for iris, opening in ((RIGHT_IRIS, RIGHT_EYE_OPENING), (LEFT_IRIS, LEFT_EYE_OPENING)):
            rgb = _move_iris(rgb, ahead, turned, iris, opening)
        return rgb

    def _shade_folds(self, rgb: np.ndarray, projected: np.ndarray, brow_cm: float) -> np.ndarray:
        """Darken the skin a frown squeezes (under the brows, between them, across the root of
        the nose) in proportion to the area it lost: warping alone moves the brows but draws
        none of the folds that a real frown shows."""
        height, width = rgb.shape[:2]
        triangles = self._fold_triangles
        squeezed = self._face_3d[triangles] + self._brow_shift[triangles] * brow_cm
        lost = 1.0 - _areas(squeezed) / self._fold_areas_cm2
        darkness = np.clip(lost * FOLD_SHADE_PER_AREA, 0.0, FOLD_DARKEST)
        corners = projected[triangles]
        x0, y0 = np.maximum(np.floor(corners.reshape(-1, 2).min(axis=0)).astype(int) - 3, 0)
        x1, y1 = np.minimum(
            np.ceil(corners.reshape(-1, 2).max(axis=0)).astype(int) + 3, [width, height]
        )
        if x1 - x0 < 3 or y1 - y0 < 3:
            return rgb
        shade = np.zeros((y1 - y0, x1 - x0), np.float32)
        fixed = np.round((corners - [x0, y0]) * 16).astype(np.int32)
        for corner, dark in zip(fixed, darkness, strict=True):
            if dark > 0.005:
                cv2.fillConvexPoly(shade, corner, float(dark), lineType=cv2.LINE_8, shift=4)
        shade = cv2.GaussianBlur(shade, (0, 0), 0.8)[..., None] * np.float32(FOLD_TINT)
        result = rgb.copy()
        patch = result[y0:y1, x0:x1].astype(np.float32) * (1.0 - shade)
        result[y0:y1, x0:x1] = np.clip(patch, 0, 255).astype(np.uint8)
        return result


def _jaw_weights(face_px: np.ndarray) -> np.ndarray:
    """How far each face-mesh point follows the jaw when the mouth opens (0-1): the lower lip
    and the chin fully, the upper lip and everything above the mouth not at all, fading
    toward the jaw's angles."""
    mouth = (face_px[13] + face_px[14]) / 2
    chin_below_px = max(float(face_px[CHIN, 1] - mouth[1]), 1.0)
    half_width_px = max(float(abs(face_px[JAW_ANGLES[0], 0] - face_px[JAW_ANGLES[1], 0])) / 2, 1.0)
    below = np.clip((face_px[:, 1] - mouth[1]) / (0.25 * chin_below_px), 0.0, 1.0)
    lateral = np.clip(
        (half_width_px - np.abs(face_px[:, 0] - mouth[0])) / (0.5 * half_width_px), 0, 1
    )
    weight = below * lateral
    weight[list(UPPER_INNER_LIP + UPPER_OUTER_LIP)] = 0.0
    weight[list(LOWER_INNER_LIP[1:-1] + LOWER_OUTER_LIP[1:-1])] = lateral[
        list(LOWER_INNER_LIP[1:-1] + LOWER_OUTER_LIP[1:-1])
    ]
    weight[[61, 291, 78, 308]] = 0.35  # the corners stretch half way
    return weight


def _smoothstep(x: np.ndarray) -> np.ndarray:
    x = np.clip(x, 0.0, 1.0)
    return x * x * (3.0 - 2.0 * x)


def _brow_weights(face_px: np.ndarray, px_per_cm: float) -> tuple[np.ndarray, np.ndarray]:
    """How far each face-mesh point follows a frown, down and toward the image's right, per cm
    of the inner brows' drop. Along a brow the weight falls from 1 at the inner end to
    BROW_OUTER_SHARE at the outer end; between the brows the two sides overlap so that the skin
    there drops with them and is squeezed together. Above the brow it fades into the forehead;
    below, it falls to nothing at the upper lid, which stays where it is."""
    x, y = face_px[:, 0], face_px[:, 1]
    down = np.zeros(len(face_px))
    right = np.zeros(len(face_px))
    inner_x = {
        side: face_px[[lower[-1], upper[-1]], 0].mean()
        for side, lower, upper in (
            ("right", RIGHT_BROW_LOWER, RIGHT_BROW_UPPER),
            ("left", LEFT_BROW_LOWER, LEFT_BROW_UPPER),
        )
    }
    between_px = max(abs(inner_x["left"] - inner_x["right"]), 1.0)
    for lower, upper, lid, inward, inner in (
        (RIGHT_BROW_LOWER, RIGHT_BROW_UPPER, RIGHT_UPPER_LID, 1.0, inner_x["right"]),
        (LEFT_BROW_LOWER, LEFT_BROW_UPPER, LEFT_UPPER_LID, -1.0, inner_x["left"]),
    ):
        outer = face_px[[lower[0], upper[0]], 0].mean()
        along = (x - inner) / (outer - inner)  # 0 at the inner end, 1 at the outer, < 0 between
        weight = np.where(
            along >= 0.0,
            1.0 - (1.0 - BROW_OUTER_SHARE) * _smoothstep(along),
            1.0 - _smoothstep((x - inner) * inward / between_px),
        )
        weight *= 1.0 - _smoothstep((along - 1.0) / 0.4)  # past the outer end: the temple

        def row(indices: tuple[int, ...]) -> np.ndarray:
            order = np.argsort(face_px[list(indices), 0])
            points = face_px[list(indices)][order]
            return np.interp(x, points[:, 0], points[:, 1])

        brow_bottom, brow_top, lid = row(lower), row(upper), row(lid)
        above = 1.0 - _smoothstep((brow_top - y) / (FOREHEAD_FADE_CM * px_per_cm))
        below = np.clip(1.0 - (y - brow_bottom) / np.maximum(lid - brow_bottom, 1.0), 0.0, 1.0)
        weight *= np.where(y > brow_bottom, below, above)
        down += weight
        right += inward * weight
    still = list(RIGHT_EYE_OPENING + LEFT_EYE_OPENING + RIGHT_IRIS + LEFT_IRIS)
    down[still] = right[still] = 0.0
    return down, right


def _smile_weights(face_px: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """How far each face-mesh point moves, down and toward the image's right, per cm of smile:
    each lip corner fully, up and out at SMILE_ANGLE_DEG, the lips and cheeks round it less
    with distance, and the middle of the lips not at all."""
    mouth = (face_px[13] + face_px[14]) / 2
    down = np.zeros(len(face_px))
    right = np.zeros(len(face_px))
    angle = math.radians(SMILE_ANGLE_DEG)
    for corner in LIP_CORNERS:
        outward = 1.0 if face_px[corner, 0] > mouth[0] else -1.0
        reach_px = SMILE_REACH * max(float(np.linalg.norm(face_px[corner] - mouth)), 1.0)
        distance = np.linalg.norm(face_px - face_px[corner], axis=1) / reach_px
        weight = np.clip(1.0 - distance**2, 0.0, 1.0) ** 2
        down -= weight * math.sin(angle)
        right += weight * outward * math.cos(angle)
    return down, right


def _lip_closing_cm(face_px: np.ndarray, face_3d: np.ndarray, down: np.ndarray) -> np.ndarray:
    """How far each face-mesh point moves down (cm) to close the photo's parted lips: the lower
    lip and the chin (as the jaw moves) up, the upper lip down, each half the gap between the
    inner lips above or below it, which is nothing at the corners."""
    upper, lower = list(UPPER_INNER_LIP[1:-1]), list(LOWER_INNER_LIP[1:-1])
    gap_cm = np.maximum((face_3d[lower] - face_3d[upper]) @ down, 0.0)
    corners = face_px[[UPPER_INNER_LIP[0], UPPER_INNER_LIP[-1]], 0]
    xs = np.concatenate([[corners[0]], (face_px[upper, 0] + face_px[lower, 0]) / 2, [corners[1]]])
    gaps = np.concatenate([[0.0], gap_cm, [0.0]])
    order = np.argsort(xs)
    half_gap = np.interp(face_px[:, 0], xs[order], gaps[order]) / 2
    mouth = (face_px[13] + face_px[14]) / 2
    nose_px = max(float(mouth[1] - face_px[2, 1]), 1.0)  # 2: under the nose
    above = mouth[1] - face_px[:, 1]
    lowered = np.where(above > 0, 1.0 - _smoothstep(above / nose_px), 0.0)
    lowered[list(UPPER_INNER_LIP + UPPER_OUTER_LIP)] = 1.0
    return half_gap * (lowered - _jaw_weights(face_px))


def _areas(triangles: np.ndarray) -> np.ndarray:
    """Areas of (M, 3, 3) triangles."""
    edges = np.cross(triangles[:, 1] - triangles[:, 0], triangles[:, 2] - triangles[:, 0])
    return np.maximum(np.linalg.norm(edges, axis=1) / 2, 1e-9)


def _close_lips(
    rgb: np.ndarray, projected: np.ndarray, lip_rgb: np.ndarray, closing: float
) -> np.ndarray:
    """Paint the seam of lips drawn together: the teeth that warping squeezes between them
    would otherwise show through as specks."""
    outline = np.vstack([projected[list(UPPER_INNER_LIP)], projected[list(LOWER_INNER_LIP[::-1])]])
    middle = (projected[list(UPPER_INNER_LIP)] + projected[list(LOWER_INNER_LIP)]) / 2
    h, w = rgb.shape[:2]
    x0, y0 = np.maximum(np.floor(outline.min(axis=0)).astype(int) - 3, 0)
    x1, y1 = np.minimum(np.ceil(outline.max(axis=0)).astype(int) + 3, [w, h])
    if x1 - x0 < 3 or y1 - y0 < 3:
        return rgb
    # Half-closed lips still show the teeth: the gap darkens as it closes, the seam at once.
    seam = np.zeros((y1 - y0, x1 - x0), np.float32)
    gap = [np.round((outline - [x0, y0]) * 16).astype(np.int32)]
    cv2.fillPoly(seam, gap, closing * closing, cv2.LINE_AA, 4)
    line = [np.round((middle - [x0, y0]) * 16).astype(np.int32)]
    cv2.polylines(seam, line, False, closing, 1, cv2.LINE_AA, 4)
    seam = cv2.GaussianBlur(seam, (3, 3), 0.7)[..., None]
    patch = rgb[y0:y1, x0:x1].astype(np.float32)
    result = rgb.copy()
    colour = lip_rgb * np.float32(LIP_SEAM_SHADE)
    result[y0:y1, x0:x1] = np.clip(patch * (1 - seam) + colour * seam, 0, 255).astype(np.uint8)
    return result


def _open_mouth(rgb: np.ndarray, projected: np.ndarray) -> np.ndarray:
    """Darken the gap between the inner lips: warping stretches the lips' edge across it
    instead of showing the inside of the mouth."""
    outline = np.vstack([projected[list(UPPER_INNER_LIP)], projected[list(LOWER_INNER_LIP[::-1])]])
    h, w = rgb.shape[:2]
    x0, y0 = np.maximum(np.floor(outline.min(axis=0)).astype(int) - 3, 0)
    x1, y1 = np.minimum(np.ceil(outline.max(axis=0)).astype(int) + 3, [w, h])
    if x1 - x0 < 3 or y1 - y0 < 3:
        return rgb
    inside = np.zeros((y1 - y0, x1 - x0), np.float32)
    shifted = np.round((outline - [x0, y0]) * 16).astype(np.int32)
    cv2.fillPoly(inside, [shifted], 1.0, lineType=cv2.LINE_AA, shift=4)
    inside = cv2.GaussianBlur(inside, (3, 3), 0.8)[..., None]
    patch = rgb[y0:y1, x0:x1].astype(np.float32)
    result = rgb.copy()
    result[y0:y1, x0:x1] = (patch * (1 - inside) + np.float32(MOUTH_INSIDE_RGB) * inside).astype(
        np.uint8
    )
    return result


def _move_iris(
    rgb: np.ndarray, ahead: np.ndarray, turned: np.ndarray, iris: tuple, opening: tuple
) -> np.ndarray:
    """Slide the iris disc within the eye opening, clipped by the lids; where it was, the white
    of the eye shows. Warping the iris with the mesh would smear it instead of moving it."""
    centre = ahead[iris[0]]
    shift = turned[iris[0]] - centre
    radius = float(np.linalg.norm(ahead[list(iris[1:])] - centre, axis=1).mean()) * 1.15
    h, w = rgb.shape[:2]
    x0, y0 = np.floor(ahead[list(opening)].min(axis=0) - radius - np.abs(shift) - 2).astype(int)
    x1, y1 = np.ceil(ahead[list(opening)].max(axis=0) + radius + np.abs(shift) + 2).astype(int)
    x0, y0, x1, y1 = max(x0, 0), max(y0, 0), min(x1, w), min(y1, h)
    if x1 - x0 < 3 or y1 - y0 < 3:
        return rgb
    patch = rgb[y0:y1, x0:x1].astype(np.float32)
    offset = np.array([x0, y0], dtype=np.float64)
    eye = np.zeros(patch.shape[:2], np.float32)
    cv2.fillPoly(
        eye, [np.round((ahead[list(opening)] - offset) * 16).astype(np.int32)], 1.0, shift=4
    )
    yy, xx = np.mgrid[0 : patch.shape[0], 0 : patch.shape[1]]
    old = np.hypot(xx - (centre[0] - x0), yy - (centre[1] - y0)) < radius
    new = np.hypot(xx - (centre[0] + shift[0] - x0), yy - (centre[1] + shift[1] - y0)) < radius
    white_pixels = patch[(eye > 0) & ~old]
    if len(white_pixels) == 0:
        return rgb
    brightness = white_pixels.sum(axis=1)
    sclera = np.median(white_pixels[brightness >= np.median(brightness)], axis=0)
    moved = cv2.warpAffine(
        patch,
        np.array([[1.0, 0.0, shift[0]], [0.0, 1.0, shift[1]]]),
        patch.shape[1::-1],
        borderMode=cv2.BORDER_REPLICATE,
    )
    soft = lambda m: cv2.GaussianBlur(m.astype(np.float32), (3, 3), 0.7)[..., None]  # noqa: E731
    out = patch * (1 - soft(old) * eye[..., None]) + sclera * soft(old) * eye[..., None]
    out = out * (1 - soft(new) * eye[..., None]) + moved * soft(new) * eye[..., None]
    result = rgb.copy()
    result[y0:y1, x0:x1] = np.clip(out, 0, 255).astype(np.uint8)
    return result
