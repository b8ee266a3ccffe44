"""Re-render a real photo of a person in a new posture by warping a triangulated 3D mesh.

The face-mesh points of the photo are lifted to 3D with their depth, turned about the neck (head
pose, nods, shakes) and the hips (lean, torso turn), and projected through the same pinhole
camera that head pose assumes. Every pixel is then pulled from the photo through the affine map
of the triangle it falls in, drawn far to near so a turned nose covers the cheek behind it.
Frowns and smiles move the mesh's points; raised arms, which the photo cannot provide, are
drawn over it as shaded capsules.
"""

from __future__ import annotations

import math
import threading
from dataclasses import dataclass, replace

import cv2
import numpy as np

from kiosk.features.gaze import EYEBALL_RADIUS_CM, direction_angles
from kiosk.features.head_pose import (
    HeadPose,
    angles_from_rotation,
    camera_matrix,
    estimate_head_pose,
    pitch_matrix,
    rotation_from_angles,
    yaw_matrix,
)
from kiosk.landmarks.types import FaceLandmarks, PoseLandmarks
from kiosk.scenes.script import Posture, SceneState

# Face-mesh topology (MediaPipe's FACEMESH_FACE_OVAL in order round the face, and iris rings).
FACE_OVAL = (
    10,
    109,
    67,
    103,
    54,
    21,
    162,
    127,
    234,
    93,
    132,
    58,
    172,
    136,
    150,
    149,
    176,
    148,
    152,
    377,
    400,
    378,
    379,
    365,
    397,
    288,
    361,
    323,
    454,
    356,
    389,
    251,
    284,
    332,
    297,
    338,
)
RIGHT_IRIS = (468, 469, 470, 471, 472)  # the person's right eye; 468 is the centre
LEFT_IRIS = (473, 474, 475, 476, 477)
# Eye openings, in order round the lids (MediaPipe's FACEMESH_RIGHT_EYE / LEFT_EYE).
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
# Where the head turns on the neck, in face-model axes (cm; x left-to-right, y down, z back).
NECK_PIVOT_MODEL_CM = np.array([0.0, 7.0, 4.0])
BODY_BEHIND_FACE_CM = 8.0  # the shoulders' plane lies this far behind the head centre
HIP_BELOW_SHOULDERS_CM = 45.0
# Rings round the face oval, as multiples of its size: hair and ears turn with the head, the
# wider ring (neck, shoulders) with the body.
HEAD_RINGS = (1.3, 1.6)
BODY_RING = 2.1
HAIR_BEHIND_EDGE_CM = 1.5
CHEST_DEPTH_CM = 10.0  # how far the chest stands in front of the shoulder joints' plane
TORSO_HALF_WIDTH = 1.25  # the torso's half width, in half shoulder widths


@dataclass(frozen=True)
class Truth:
    """What a rendered frame shows, in the same conventions as head pose."""

    yaw_deg: float
    pitch_deg: float
    roll_deg: float
    gaze_yaw_deg: float
    gaze_pitch_deg: float


def _triangulate(points: np.ndarray) -> np.ndarray:
    """Delaunay triangles of 2D points, as (M, 3) indices into `points`."""
    low = np.floor(points.min(axis=0)) - 10
    high = np.ceil(points.max(axis=0)) + 10
    subdiv = cv2.Subdiv2D((int(low[0]), int(low[1]), int(high[0] - low[0]), int(high[1] - low[1])))
    index = {}
    for i, (x, y) in enumerate(points.astype(np.float32)):
        index[(float(x), float(y))] = i
        subdiv.insert((float(x), float(y)))
    triangles = []
    for x0, y0, x1, y1, x2, y2 in subdiv.getTriangleList():
        corners = [(float(x0), float(y0)), (float(x1), float(y1)), (float(x2), float(y2))]
        if all(c in index for c in corners):
            triangles.append([index[c] for c in corners])
    return np.array(triangles, dtype=np.intp)


class SceneRig:
    """A photo of a person prepared for re-rendering: 3D control points and their triangles.

    `face` and `pose` are the tracker's landmarks on `photo_rgb` (found once by the caller).
    """

    def __init__(
        self,
        photo_rgb: np.ndarray,
        face: FaceLandmarks,
        pose: PoseLandmarks | None,
        hfov_deg: float,
    ) -> None:
        self.photo_rgb = photo_rgb
        self.height, self.width = photo_rgb.shape[:2]
        self.intrinsics = camera_matrix(self.width, self.height, hfov_deg)
        self.focal_px = float(self.intrinsics[0, 0])
        base = estimate_head_pose(face.pixels, self.width, self.height, hfov_deg)
        if base is None:
            raise ValueError("head pose of the base photo could not be fitted")
        self.base_pose: HeadPose = base
        head_z_cm = base.translation_cm[2]
        self._neck_cm = base.rotation @ NECK_PIVOT_MODEL_CM + np.array(base.translation_cm)

        # Face points: pixel position plus MediaPipe's depth (image-width units) turned into cm.
        cm_per_px = head_z_cm / self.focal_px
        face_z = head_z_cm + face.normalized[:, 2] * self.width * cm_per_px
        face_3d = self._lift(face.pixels, face_z)

        # A ring just outside the face (hair, ears, jaw) turns with the head; a wider ring and the
        # torso move with the body; the rest of the photo is background and stays put.
        oval = face.pixels[list(FACE_OVAL)]
        centre = face.pixels[:468].mean(axis=0)
        inner = np.vstack([centre + (oval - centre) * f for f in HEAD_RINGS])
        # Hair and ears lie a little behind the face edge they surround, so that turning the
        # head never draws them over the cheek.
        oval_z = face_z[list(FACE_OVAL)]
        inner_z = np.concatenate(
            [oval_z + HAIR_BEHIND_EDGE_CM * (i + 1) for i in range(len(HEAD_RINGS))]
        )
        outer = centre + (oval - centre) * BODY_RING
        face_radius_px = float(np.linalg.norm(oval - centre, axis=1).max())
        if pose is not None and pose.visibility[[11, 12]].min() > 0.5:
            shoulders = pose.pixels[[11, 12]]
        else:  # no body found: assume shoulders a face-width out, a head below the face
            below = centre + np.array([0.0, 2.2 * face_radius_px])
            half = np.array([2 * face_radius_px, 0.0])
            shoulders = np.array([below - half, below + half])
        spine_x = float(shoulders[:, 0].mean())
        keep_out_px = face_radius_px * (BODY_RING + 0.1)
        mask = None if pose is None else pose.segmentation
        if mask is None:  # no person mask: take a box round the shoulders as the body
            grid = self._grid(24.0)
            half_span_px = float(abs(shoulders[0, 0] - shoulders[1, 0])) / 2 + face_radius_px * 0.6
            on_body = (np.abs(grid[:, 0] - spine_x) < half_span_px) & (grid[:, 1] > centre[1])
            body_2d, background_2d = grid[on_body], grid[~on_body]
        else:
            body_2d, background_2d = self._split_by_mask(mask > 0.5)
        far_from_head = lambda pts: pts[np.linalg.norm(pts - centre, axis=1) > keep_out_px]  # noqa: E731
        w, h = self.width, self.height
        far = np.array([[-w, -h], [2 * w, -h], [-w, 2 * h], [2 * w, 2 * h]], dtype=np.float64)
        body_2d = np.vstack([outer, far_from_head(body_2d)])
        background_2d = np.vstack([far_from_head(background_2d), far])
        body_z = head_z_cm + BODY_BEHIND_FACE_CM

        self.points_2d = np.vstack([face.pixels, inner, body_2d, background_2d])
        self.points_3d = np.vstack(
            [
                face_3d,
                self._lift(inner, inner_z),
                self._lift(body_2d, body_z + self._torso_depth_cm(body_2d, spine_x, shoulders)),
                self._lift(background_2d, np.full(len(background_2d), body_z + 100.0)),
            ]
        )
        self.head_count = len(face.pixels) + len(inner)  # these ride on the neck
        self.moving_count = self.head_count + len(body_2d)  # these ride on the hips
        self.triangles = _triangulate(self.points_2d)
        spine_top = self._lift(np.array([[spine_x, shoulders[:, 1].mean()]]), np.array([body_z]))[0]
        self._hip_cm = spine_top + np.array([0.0, HIP_BELOW_SHOULDERS_CM, 0.0])
        # The arms hang from the shoulder joints (the person's right is on the image's left),
        # in sleeves of the clothes' colour just outside and below the shoulders.
        by_x = shoulders[np.argsort(shoulders[:, 0])]
        right_shoulder, left_shoulder = self._lift(by_x, np.full(2, body_z))
        self._shoulder_cm = {"right": right_shoulder, "left": left_shoulder}
        span_px = float(by_x[1, 0] - by_x[0, 0])
        sleeve_at = by_x + np.array([[-0.2, 0.15], [0.2, 0.15]]) * span_px
        self._sleeve_rgb = _sample_rgb(photo_rgb, sleeve_at, 0.04 * span_px)
        self._skin_rgb = _sample_rgb(photo_rgb, face.pixels[[50, 280]], 0.04 * face_radius_px)
        lower_lip = face.pixels[list(LOWER_LIP_MIDDLE)]
        self._lip_rgb = _sample_rgb(photo_rgb, lower_lip, 0.01 * face_radius_px)

        self._jaw_weight = _jaw_weights(face.pixels)
        self._jaw_down = base.rotation @ np.array([0.0, 1.0, 0.0])  # the face's "down"
        face_right = base.rotation @ np.array([1.0, 0.0, 0.0])  # toward the image's right
        brow_down, brow_right = _brow_weights(face.pixels, self.focal_px / head_z_cm)
        self._brow_shift = (
            np.outer(brow_down, self._jaw_down)
            + np.outer(brow_right, face_right) * BROW_INWARD_PER_DOWN
        )
        smile_down, smile_right = _smile_weights(face.pixels)
        self._smile_shift = np.outer(smile_down, self._jaw_down) + np.outer(smile_right, face_right)
        # The triangles a frown squeezes, and their areas before it.
        moved = np.abs(self._brow_shift).sum(axis=1) > 0
        face_triangles = self.triangles[(self.triangles < len(face_3d)).all(axis=1)]
        self._fold_triangles = face_triangles[moved[face_triangles].any(axis=1)]
        self._fold_areas_cm2 = _areas(face_3d[self._fold_triangles])
        self._lips_closing = np.outer(
            _lip_closing_cm(face.pixels, face_3d, self._jaw_down), self._jaw_down
        )

        # Eyeballs: centres behind the irises, along the face's forward axis.
        forward = base.rotation @ np.array([0.0, 0.0, -1.0])
        self._eye_centres = {
            iris: face_3d[iris[0]] - forward * EYEBALL_RADIUS_CM for iris in (RIGHT_IRIS, LEFT_IRIS)
        }

        self.empty_rgb = self._empty_counter()

    def _lift(self, pixels: np.ndarray, z_cm: np.ndarray) -> np.ndarray:
        k = self.intrinsics
        x = (pixels[:, 0] - k[0, 2]) * z_cm / k[0, 0]
        y = (pixels[:, 1] - k[1, 2]) * z_cm / k[1, 1]
        return np.column_stack([x, y, z_cm])

    def _project(self, points: np.ndarray) -> np.ndarray:
        k = self.intrinsics
        z = np.maximum(points[:, 2], 1.0)
        return np.column_stack(
            [k[0, 0] * points[:, 0] / z + k[0, 2], k[1, 1] * points[:, 1] / z + k[1, 2]]
        )

    def _torso_depth_cm(
        self, points: np.ndarray, spine_x: float, shoulders: np.ndarray
    ) -> np.ndarray:
        """Depth of body points relative to the shoulder plane: the chest bulges toward the
        camera and the sides fall away, like an elliptic cylinder, so a turning torso shows
        its near side growing and its far side slipping out of view."""
        half_width_px = abs(float(shoulders[0, 0] - shoulders[1, 0])) / 2 * TORSO_HALF_WIDTH
        u = np.clip((points[:, 0] - spine_x) / half_width_px, -1.0, 1.0)
        return -CHEST_DEPTH_CM * np.sqrt(1.0 - u**2)

    def _grid(self, step_px: float) -> np.ndarray:
        xs = np.arange(step_px / 2, self.width, step_px)
        ys = np.arange(step_px / 2, self.height, step_px)
        return np.array([(x, y) for y in ys for x in xs])

    def _split_by_mask(self, person: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Control points on the person and on the background, with the person's outline
        traced on both sides so that a turning body moves its own silhouette."""
        person = person.astype(np.uint8)
        # A thin margin inside, a wide one outside: when the body turns, the band between them
        # stretches, and it should be background that stretches, not the edge of the clothes.
        inside = cv2.erode(person, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (5, 5)))
        outside = cv2.dilate(person, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (51, 51)))

        def outline(region: np.ndarray, step: int) -> np.ndarray:
            contours, _ = cv2.findContours(region, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_NONE)
            points = [c.reshape(-1, 2)[::step] for c in contours if len(c) > 4 * step]
            return np.vstack(points).astype(np.float64) if points else np.empty((0, 2))

        grid = self._grid(24.0)
        gx, gy = grid[:, 0].astype(int), grid[:, 1].astype(int)
        body = np.vstack([grid[inside[gy, gx] > 0], outline(inside, 12)])
        background = np.vstack([grid[outside[gy, gx] == 0], outline(outside, 16)])
        return body, background

    def _empty_counter(self) -> np.ndarray:
        """The frame with nobody in it: the photo's left edge smeared across, then blurred."""
        edge = self.photo_rgb[:, :8].mean(axis=1, keepdims=True).astype(np.uint8)
        return cv2.GaussianBlur(np.repeat(edge, self.width, axis=1), (0, 0), 9)

    # -- posture -----------------------------------------------------------------------------

    def _body_rotation(self, posture: Posture) -> np.ndarray:
        shoulder_height_cm = HIP_BELOW_SHOULDERS_CM
        lean = math.asin(max(-0.9, min(0.9, posture.lean_cm / shoulder_height_cm)))
        # Leaning forward turns the upper body about the hips toward the camera.
        return yaw_matrix(math.radians(posture.torso_yaw_deg)) @ pitch_matrix(-lean)

    def head_rotation(self, posture: Posture) -> np.ndarray:
        """The head's rotation relative to the base photo, in camera axes."""
        return rotation_from_angles(
            posture.head_yaw_deg, posture.head_pitch_deg, posture.head_roll_deg
        )

    def truth(self, posture: Posture) -> Truth:
        rotation = self.head_rotation(posture) @ self.base_pose.rotation
        yaw, pitch, roll = angles_from_rotation(rotation)
        eyes = rotation_from_angles(posture.eye_yaw_deg, posture.eye_pitch_deg, 0.0)
        gaze_yaw, gaze_pitch = direction_angles(rotation @ eyes @ np.array([0.0, 0.0, -1.0]))
        return Truth(yaw, pitch, roll, gaze_yaw, gaze_pitch)

    def posed_points(self, posture: Posture) -> np.ndarray:
        """The 3D control points moved into `posture`."""
        points = self.points_3d.copy()
        base_r = self.base_pose.rotation
        eyes = (
            base_r
            @ rotation_from_angles(posture.eye_yaw_deg, posture.eye_pitch_deg, 0.0)
            @ base_r.T
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
        body = self._body_rotation(posture)
        neck = body.T @ self.head_rotation(posture)
        head = points[: self.head_count]
        points[: self.head_count] = (head - self._neck_cm) @ neck.T + self._neck_cm
        moving = points[: self.moving_count]
        points[: self.moving_count] = (moving - self._hip_cm) @ body.T + self._hip_cm
        points[: self.moving_count, 0] += posture.shift_x_cm
        return points

    def render(self, state: SceneState) -> np.ndarray:
        if not state.present:
            return self.empty_rgb.copy()
        posture = state.posture
        eyes_ahead = replace(posture, eye_yaw_deg=0.0, eye_pitch_deg=0.0)
        posed = self.posed_points(eyes_ahead)
        projected = self._project(posed)
        rgb = self._warp(projected, posed[:, 2])
        if posture.brow_lower_cm > 0:
            rgb = self._shade_folds(rgb, projected, posture.brow_lower_cm)
        if posture.smile_cm < 0:
            closing = min(1.0, -posture.smile_cm / SMILE_CLOSED_CM)
            rgb = _close_lips(rgb, projected, self._lip_rgb, closing)
        if posture.mouth_open_cm > 0.05:
            rgb = _open_mouth(rgb, projected)
        if posture.eye_yaw_deg or posture.eye_pitch_deg:
            turned = self._project(self.posed_points(posture))
            for iris, opening in ((RIGHT_IRIS, RIGHT_EYE_OPENING), (LEFT_IRIS, LEFT_EYE_OPENING)):
                rgb = _move_iris(rgb, projected, turned, iris, opening)
        if posture.wrist_right_cm is not None or posture.wrist_left_cm is not None:
            rgb = self._draw_arms(rgb, posture, projected)
        return rgb

    # -- facial actions and arms ---------------------------------------------------------------

    def _shade_folds(self, rgb: np.ndarray, projected: np.ndarray, brow_cm: float) -> np.ndarray:
        """Darken the skin a frown squeezes (under the brows, between them, across the root of
        the nose) in proportion to the area it lost: warping alone moves the brows but draws
        none of the folds that a real frown shows."""
        triangles = self._fold_triangles
        squeezed = self.points_3d[triangles] + self._brow_shift[triangles] * brow_cm
        lost = 1.0 - _areas(squeezed) / self._fold_areas_cm2
        darkness = np.clip(lost * FOLD_SHADE_PER_AREA, 0.0, FOLD_DARKEST)
        corners = projected[triangles]
        x0, y0 = np.maximum(np.floor(corners.reshape(-1, 2).min(axis=0)).astype(int) - 3, 0)
        x1, y1 = np.minimum(
            np.ceil(corners.reshape(-1, 2).max(axis=0)).astype(int) + 3, [self.width, self.height]
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

    def arm_joints_px(self, posture: Posture) -> dict[str, np.ndarray]:
        """Where each placed arm is drawn: "right"/"left" (the person's) to (3, 2) pixels of the
        shoulder, elbow and wrist. A wrist beyond the arm's reach is drawn at full stretch."""
        return {
            side: self._project(joints) for side, joints in self._arm_joints_cm(posture).items()
        }

    def _arm_joints_cm(self, posture: Posture) -> dict[str, np.ndarray]:
        """Shoulder, elbow and wrist (3, 3) in camera cm for each placed arm, on the moved body."""
        body = self._body_rotation(posture)
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

    def _draw_arms(self, rgb: np.ndarray, posture: Posture, projected: np.ndarray) -> np.ndarray:
        """Sleeves and hands over the picture, behind the face: the arms hang from the
        shoulders' plane, which lies behind the face."""
        body = self._body_rotation(posture)
        forward = body @ np.array([0.0, 0.0, -1.0])
        capsules = []
        for side, (shoulder, elbow, wrist) in self._arm_joints_cm(posture).items():
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
        return self._paint(rgb, capsules, projected[list(FACE_OVAL)])

    def _paint(self, rgb: np.ndarray, capsules: list, occluder_px: np.ndarray) -> np.ndarray:
        """Draw 3D capsules (start, end, radii in cm, colour), in order, shaded as lit cylinders
        and anti-aliased, except where `occluder_px` (a polygon) covers them."""
        drawn = []
        for start, end, r0, r1, colour in capsules:
            (a, b) = self._project(np.array([start, end]))
            ra = r0 * self.focal_px / max(float(start[2]), 1.0)
            rb = r1 * self.focal_px / max(float(end[2]), 1.0)
            drawn.append((a, b, ra, rb, colour))
        ends = np.array([p for a, b, *_ in drawn for p in (a, b)])
        reach = max(max(ra, rb) for _, _, ra, rb, _ in drawn) + 2
        x0, y0 = np.maximum(np.floor(ends.min(axis=0) - reach).astype(int), 0)
        x1, y1 = np.minimum(
            np.ceil(ends.max(axis=0) + reach).astype(int), [self.width, self.height]
        )
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

    def _buffers(self) -> tuple[np.ndarray, ...]:
        """Work arrays for one frame, per thread (two sources may render at once)."""
        local = self.__dict__.setdefault("_local", threading.local())
        buffers = getattr(local, "buffers", None)
        if buffers is None:
            shape = (self.height, self.width)
            buffers = local.buffers = (
                np.empty(shape),
                np.empty(shape),
                np.empty(shape, np.float32),
                np.empty(shape, np.float32),
            )
        return buffers

    def _pixel_grid(self) -> tuple[np.ndarray, np.ndarray]:
        grid = getattr(self, "_grid_xy", None)
        if grid is None:
            ys, xs = np.mgrid[0 : self.height, 0 : self.width].astype(np.float64)
            grid = self._grid_xy = (xs, ys)
        return grid

    def _warp(self, dst_2d: np.ndarray, depth_cm: np.ndarray) -> np.ndarray:
        tri = self.triangles
        dst = dst_2d[tri]  # (M, 3, 2)
        src = self.points_2d[tri]
        ones = np.ones((len(tri), 3, 1))
        system = np.concatenate([dst, ones], axis=2)
        usable = np.abs(np.linalg.det(system)) > 1e-6
        affine = np.zeros((len(tri), 3, 2))
        affine[usable] = np.linalg.solve(system[usable], src[usable])
        # Label 0 is "no triangle" (identity map); triangle t is drawn as label t + 1.
        labels = np.zeros((self.height, self.width), dtype=np.int32)
        order = np.argsort(-depth_cm[tri].mean(axis=1))  # far first, near drawn over it
        fixed = np.round(dst * 16).astype(np.int32)  # 4 bits of sub-pixel precision
        for t in order:
            if usable[t]:
                cv2.fillConvexPoly(labels, fixed[t], int(t) + 1, lineType=cv2.LINE_8, shift=4)
        identity = np.array([[1.0, 0.0], [0.0, 1.0], [0.0, 0.0]])
        coefficients = np.concatenate([identity[None], affine])  # (M + 1, 3, 2)
        xs, ys = self._pixel_grid()
        # One (H, W) gather per coefficient into buffers kept per thread: the same arithmetic,
        # in the same order, as gathering whole matrices, without a (H, W, 3, 2) temporary and
        # the page faults of fresh large arrays on every frame.
        plane, term, map_x, map_y = self._buffers()
        for out, col in ((map_x, 0), (map_y, 1)):
            np.take(coefficients[:, 0, col], labels, out=plane)
            np.multiply(plane, xs, out=plane)
            np.take(coefficients[:, 1, col], labels, out=term)
            np.multiply(term, ys, out=term)
            np.add(plane, term, out=plane)
            np.take(coefficients[:, 2, col], labels, out=term)
            np.add(plane, term, out=plane)
            np.copyto(out, plane, casting="same_kind")
        return cv2.remap(
            self.photo_rgb,
            map_x,
            map_y,
            cv2.INTER_LINEAR,
            borderMode=cv2.BORDER_REPLICATE,
        )


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


def _sample_rgb(rgb: np.ndarray, centres_px: np.ndarray, radius_px: float) -> np.ndarray:
    """The median colour of square patches round `centres_px`."""
    h, w = rgb.shape[:2]
    r = max(1, round(radius_px))
    pixels = []
    for x, y in np.round(centres_px).astype(int):
        x, y = min(max(x, r), w - r - 1), min(max(y, r), h - r - 1)
        pixels.append(rgb[y - r : y + r + 1, x - r : x + r + 1].reshape(-1, 3))
    return np.median(np.vstack(pixels), axis=0).astype(np.float32)


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


def place_photo(photo_rgb: np.ndarray, width: int, height: int) -> np.ndarray:
    """Fit a portrait photo into a camera-sized frame: scaled to the height, centred, edges
    extended (not mirrored, so no second face appears)."""
    scale = height / 480.0
    h, w = photo_rgb.shape[:2]
    scaled = cv2.resize(
        photo_rgb, (round(w * scale), round(h * scale)), interpolation=cv2.INTER_AREA
    )
    left = (width - scaled.shape[1]) // 2
    top = round(0.085 * height)  # head room above the hair, as from a counter-top camera
    warp = np.array([[1.0, 0.0, left], [0.0, 1.0, top]])
    return cv2.warpAffine(scaled, warp, (width, height), borderMode=cv2.BORDER_REPLICATE)
