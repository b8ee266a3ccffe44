"""Re-render a real photo of a person in a new posture by warping a triangulated 3D mesh.

The face-mesh points of the photo are lifted to 3D with their depth, turned about the neck (head
pose, nods, shakes) and the hips (lean, torso turn), and projected through the same pinhole
camera that head pose assumes. Every pixel is then pulled from the photo through the affine map
of the triangle it falls in, drawn far to near so a turned nose covers the cheek behind it.
The face's own movements (eyes, jaw, frowns, smiles) move the mesh's points and shade what the
warp cannot draw (`face_actions`); raised arms, which the photo cannot provide, are drawn over
it as shaded capsules (`limbs`).
"""

from __future__ import annotations

import math
import threading
from dataclasses import dataclass, replace

import cv2
import numpy as np

from kiosk.features.gaze import direction_angles
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
from kiosk.scenes.face_actions import LOWER_LIP_MIDDLE, FaceActions
from kiosk.scenes.limbs import Arms
from kiosk.scenes.script import Posture, SceneState

# Face-mesh topology: MediaPipe's FACEMESH_FACE_OVAL, in order round the face.
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
        # in sleeves of the clothes' colour just outside and below the shoulders, with hands
        # of the cheeks' colour.
        by_x = shoulders[np.argsort(shoulders[:, 0])]
        span_px = float(by_x[1, 0] - by_x[0, 0])
        sleeve_at = by_x + np.array([[-0.2, 0.15], [0.2, 0.15]]) * span_px
        self._arms = Arms(
            self._lift(by_x, np.full(2, body_z)),
            self._hip_cm,
            sleeve_rgb=_sample_rgb(photo_rgb, sleeve_at, 0.04 * span_px),
            skin_rgb=_sample_rgb(photo_rgb, face.pixels[[50, 280]], 0.04 * face_radius_px),
        )
        lower_lip = face.pixels[list(LOWER_LIP_MIDDLE)]
        self._face_actions = FaceActions(
            face.pixels,
            face_3d,
            base.rotation,
            self.focal_px / head_z_cm,
            self.triangles,
            lip_rgb=_sample_rgb(photo_rgb, lower_lip, 0.01 * face_radius_px),
        )

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
        self._face_actions.move(points, posture)
        body = self._body_rotation(posture)
        neck = body.T @ self.head_rotation(posture)
        head = points[: self.head_count]
        points[: self.head_count] = (head - self._neck_cm) @ neck.T + self._neck_cm
        if not (body == np.eye(3)).all():
            moving = points[: self.moving_count]
            points[: self.moving_count] = (moving - self._hip_cm) @ body.T + self._hip_cm
        if posture.shift_x_cm:
            points[: self.moving_count, 0] += posture.shift_x_cm
        return points

    def render(self, state: SceneState) -> np.ndarray:
        if not state.present:
            return self.empty_rgb.copy()
        posture = state.posture
        eyes_ahead = replace(posture, eye_yaw_deg=0.0, eye_pitch_deg=0.0)
        posed = self.posed_points(eyes_ahead)
        projected = self._project(posed)
        # Points the posture left where the photo has them (the body, while only the head
        # moves) are drawn exactly there: projecting their lifted 3D back would move them by
        # rounding, and every triangle would have to be drawn.
        still = (posed == self.points_3d).all(axis=1)
        projected[still] = self.points_2d[still]
        rgb = self._warp(projected, posed[:, 2])
        rgb = self._face_actions.shade(rgb, projected, posture)
        if posture.eye_yaw_deg or posture.eye_pitch_deg:
            turned = self._project(self.posed_points(posture))
            rgb = self._face_actions.turn_irises(rgb, projected, turned)
        if posture.wrist_right_cm is not None or posture.wrist_left_cm is not None:
            body = self._body_rotation(posture)
            occluder = projected[list(FACE_OVAL)]
            rgb = self._arms.draw(rgb, posture, body, occluder, self._project, self.focal_px)
        return rgb

    def arm_joints_px(self, posture: Posture) -> dict[str, np.ndarray]:
        """Where each placed arm is drawn: "right"/"left" (the person's) to (3, 2) pixels of the
        shoulder, elbow and wrist. A wrist beyond the arm's reach is drawn at full stretch."""
        joints = self._arms.joints_cm(posture, self._body_rotation(posture))
        return {side: self._project(arm) for side, arm in joints.items()}

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
        # Triangles of background points alone never move: their map is the identity, which
        # is what a pixel no triangle covers gets (label 0), so they are not drawn at all. Nor
        # is the solve done for those whose corners this posture left in place (the body while
        # only the head moves): their map is the identity too.
        may_move = self._moving_triangles()
        moved = (dst_2d != self.points_2d).any(axis=1)[tri].any(axis=1)
        dst = dst_2d[tri]  # (M, 3, 2)
        src = self.points_2d[tri]
        ones = np.ones((len(tri), 3, 1))
        system = np.concatenate([dst, ones], axis=2)
        usable = np.zeros(len(tri), dtype=bool)
        usable[may_move] = np.abs(np.linalg.det(system[may_move])) > 1e-6
        solved = usable & moved
        affine = np.zeros((len(tri), 3, 2))
        affine[solved] = np.linalg.solve(system[solved], src[solved])
        # Label 0 is "no triangle" (identity map); triangle t is drawn as label t + 1.
        labels = np.zeros((self.height, self.width), dtype=np.int32)
        order = np.argsort(-depth_cm[tri].mean(axis=1))  # far first, near drawn over it
        fixed = np.round(dst * 16).astype(np.int32)  # 4 bits of sub-pixel precision
        drawn_order = order[usable[order]]
        # A still triangle matters only where it is drawn over a moved one (nearer than the
        # farthest moved): there it is drawn, as the identity (label 0); before it, never.
        moved_at = np.flatnonzero(moved[drawn_order])
        first_moved = moved_at[0] if len(moved_at) else len(drawn_order)
        drawn_order = drawn_order[first_moved:]
        if len(moved_at):  # and only if it reaches the box round the moved ones
            box = fixed[drawn_order[moved[drawn_order]]].reshape(-1, 2)
            low, high = box.min(axis=0), box.max(axis=0)
            corners = fixed[drawn_order]
            reaches = (corners.max(axis=1) >= low).all(axis=1) & (corners.min(axis=1) <= high).all(
                axis=1
            )
            drawn_order = drawn_order[moved[drawn_order] | reaches]
        label_of = np.where(moved[drawn_order], drawn_order + 1, 0)
        fill = cv2.fillConvexPoly
        labelled = zip(list(fixed[drawn_order]), label_of.tolist(), strict=True)
        for corners, label in labelled:
            fill(labels, corners, label, cv2.LINE_8, 4)
        identity = np.array([[1.0, 0.0], [0.0, 1.0], [0.0, 0.0]])
        coefficients = np.concatenate([identity[None], affine])  # (M + 1, 3, 2)
        xs, ys = self._pixel_grid()
        # One (H, W) gather per coefficient into buffers kept per thread: the same arithmetic,
        # in the same order, as gathering whole matrices, without a (H, W, 3, 2) temporary and
        # the page faults of fresh large arrays on every frame. Rows no drawn triangle reaches
        # keep the identity map, without the arithmetic.
        plane, term, map_x, map_y = self._buffers()
        drawn = fixed[usable][:, :, 1]
        top = max(0, int(drawn.min()) // 16 - 1) if len(drawn) else self.height
        bottom = min(self.height, int(drawn.max()) // 16 + 2) if len(drawn) else self.height
        rows = slice(top, bottom)
        for out, col, grid in ((map_x, 0, xs), (map_y, 1, ys)):
            p, q, lab = plane[rows], term[rows], labels[rows]
            np.take(coefficients[:, 0, col], lab, out=p, mode="clip")
            np.multiply(p, xs[rows], out=p)
            np.take(coefficients[:, 1, col], lab, out=q, mode="clip")
            np.multiply(q, ys[rows], out=q)
            np.add(p, q, out=p)
            np.take(coefficients[:, 2, col], lab, out=q, mode="clip")
            np.add(p, q, out=p)
            np.copyto(out[rows], p, casting="same_kind")
            np.copyto(out[:top], grid[:top], casting="same_kind")
            np.copyto(out[bottom:], grid[bottom:], casting="same_kind")
        return cv2.remap(
            self.photo_rgb,
            map_x,
            map_y,
            cv2.INTER_LINEAR,
            borderMode=cv2.BORDER_REPLICATE,
        )

    def _moving_triangles(self) -> np.ndarray:
        moving = getattr(self, "_moving", None)
        if moving is None:
            moving = self._moving = ~(self.triangles >= self.moving_count).all(axis=1)
        return moving


def _sample_rgb(rgb: np.ndarray, centres_px: np.ndarray, radius_px: float) -> np.ndarray:
    """The median colour of square patches round `centres_px`."""
    h, w = rgb.shape[:2]
    r = max(1, round(radius_px))
    pixels = []
    for x, y in np.round(centres_px).astype(int):
        x, y = min(max(x, r), w - r - 1), min(max(y, r), h - r - 1)
        pixels.append(rgb[y - r : y + r + 1, x - r : x + r + 1].reshape(-1, 3))
    return np.median(np.vstack(pixels), axis=0).astype(np.float32)


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
