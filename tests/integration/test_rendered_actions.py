"""Frowns, smiles and arms drawn by the scene renderer, as the real face mesh and body model see
them: the brows come down toward the eyes, the lip corners rise or fall, the drawn wrists and
elbows are found where they were drawn."""

import functools

import numpy as np
import pytest

from kiosk import app
from kiosk.camera.types import Frame
from kiosk.config import CameraConfig
from kiosk.landmarks.types import FACE_POINTS
from kiosk.scenes.render import FACE_OVAL
from kiosk.scenes.script import Posture, SceneState

HEAD_POSES = ((0, 0), (20, 0), (-20, 0), (0, 15), (0, -15))  # (yaw, pitch) in degrees


@pytest.fixture(scope="module")
def rig():
    return app.build_scene_rig(CameraConfig())


@pytest.fixture(scope="module")
def mesh(rig, photo_tracker):
    """The face mesh's points on a render of a posture, each posture rendered and tracked once."""

    @functools.cache
    def tracked(posture: Posture) -> np.ndarray:
        rgb = rig.render(SceneState(0.0, posture, "customer", True, ""))
        face = photo_tracker.track(Frame(rgb, 0.0, 0), face=True).face
        assert face is not None, posture
        return face.pixels

    return lambda **posture: tracked(Posture(**posture))


def eye_span(p: np.ndarray) -> float:
    return float(np.linalg.norm(p[263] - p[33]))


def brow_to_eye(p: np.ndarray) -> float:
    """Inner brow to the eye's inner corner, both sides' mean, in eye spans."""
    right, left = np.linalg.norm(p[55] - p[133]), np.linalg.norm(p[285] - p[362])
    return float((right + left) / 2 / eye_span(p))


def inner_brows_apart(p: np.ndarray) -> float:
    return float(np.linalg.norm(p[285] - p[55]) / eye_span(p))


def corner_lift(p: np.ndarray) -> float:
    """How far the lip corners stand above the lips' centre (13/14), along the face's up (square
    to the eye line), in eye spans."""
    across = (p[263] - p[33]) / eye_span(p)
    up = np.array([across[1], -across[0]])
    centre = (p[13] + p[14]) / 2
    return float(np.mean([(p[c] - centre) @ up for c in (61, 291)]) / eye_span(p))


def mouth_width(p: np.ndarray) -> float:
    return float(np.linalg.norm(p[291] - p[61]) / eye_span(p))


def test_a_frown_is_drawn_at_the_inner_brows_and_leaves_the_eyes_and_the_rest_of_the_frame(rig):
    plain = rig.posed_points(Posture())
    frown = rig.posed_points(Posture(brow_lower_cm=0.7))
    moved = frown - plain
    assert np.linalg.norm(moved[[55, 107, 285, 336]], axis=1) == pytest.approx(
        [0.7 * np.hypot(1, 0.5)] * 4, rel=0.1
    )  # 0.7 cm down and 0.35 cm in, at the inner ends
    assert np.abs(moved[[33, 133, 362, 263, 159, 386, 468, 473]]).max() < 1e-9
    assert np.linalg.norm(moved[[46, 276]], axis=1).max() < 0.4  # the outer ends follow less
    drawn, frowning = rig._project(plain), rig._project(frown)
    assert brow_to_eye(frowning) < 0.75 * brow_to_eye(drawn)
    assert inner_brows_apart(frowning) < 0.8 * inner_brows_apart(drawn)
    render = lambda posture: rig.render(SceneState(0.0, posture, "customer", True, ""))  # noqa: E731
    changed = np.argwhere(np.any(render(Posture(brow_lower_cm=0.7)) != render(Posture()), axis=2))
    nose_tip_y = rig.points_2d[[1, 4], 1].min()
    hairline = rig.points_2d[FACE_POINTS : FACE_POINTS + len(FACE_OVAL)]  # round the face oval
    assert changed[:, 0].max() < nose_tip_y  # nothing below the nose tip changes
    assert hairline[:, 0].min() < changed[:, 1].min() and changed[:, 1].max() < hairline[:, 0].max()
    assert hairline[:, 1].min() < changed[:, 0].min()


def test_a_face_with_every_action_and_both_arms_renders_the_same_pixels_twice(rig):
    posture = Posture(
        brow_lower_cm=0.6,
        smile_cm=-0.3,
        mouth_open_cm=0.5,
        head_yaw_deg=10,
        wrist_right_cm=(30, 20),
        wrist_left_cm=(10, -30),
    )
    state = SceneState(0.0, posture, "customer", True, "")
    assert np.array_equal(rig.render(state), rig.render(state))


def test_a_frown_brings_the_measured_inner_brows_toward_the_eyes_at_every_head_pose(mesh):
    """The mesh sees about half of the drop that is drawn (21 % of the 31 % facing the camera,
    least at yaw +20: 10 %); it does not see the brows drawn together at all (55-285 within
    +-5 %), so that is checked on the drawing above, not here."""
    drops = {}
    for yaw, pitch in HEAD_POSES:
        neutral = brow_to_eye(mesh(head_yaw_deg=yaw, head_pitch_deg=pitch))
        frown = brow_to_eye(mesh(head_yaw_deg=yaw, head_pitch_deg=pitch, brow_lower_cm=0.7))
        drops[(yaw, pitch)] = 1 - frown / neutral
    assert min(drops.values()) > 0.06, drops
    assert np.mean(list(drops.values())) > 0.12, drops


def test_raised_brows_stand_measurably_further_from_the_eyes(mesh):
    assert brow_to_eye(mesh(brow_lower_cm=-0.5)) > 1.1 * brow_to_eye(mesh())


@pytest.mark.parametrize("yaw", [0, 20])
def test_a_smile_raises_and_widens_the_measured_lip_corners_and_its_opposite_lowers_them(mesh, yaw):
    neutral, smile, unsmile = (mesh(head_yaw_deg=yaw, smile_cm=s) for s in (0.0, 0.5, -0.5))
    assert corner_lift(smile) > corner_lift(neutral) + 0.025
    assert mouth_width(smile) > 1.04 * mouth_width(neutral)
    assert corner_lift(unsmile) < corner_lift(neutral) - 0.02
    assert mouth_width(unsmile) < 0.96 * mouth_width(neutral)
    # and the photo's parted lips close
    assert np.linalg.norm(unsmile[13] - unsmile[14]) < 0.5 * np.linalg.norm(
        neutral[13] - neutral[14]
    )


# Wrists above the shoulders and out beyond them, facing the camera and turned.
ARM_POSTURES = (
    Posture(wrist_right_cm=(30, 20), wrist_left_cm=(30, 20)),
    Posture(wrist_right_cm=(15, 45), wrist_left_cm=(45, 15)),
    Posture(wrist_right_cm=(30, 20), wrist_left_cm=(30, 20), torso_yaw_deg=25, head_yaw_deg=25),
    Posture(wrist_right_cm=(35, 10), wrist_left_cm=(25, 25), torso_yaw_deg=-15, lean_cm=-3),
)
# MediaPipe's pose indices, by the person's own side: (elbow, wrist).
POSE_ARMS = {"right": (14, 16), "left": (13, 15)}


@pytest.mark.parametrize("posture", ARM_POSTURES)
def test_the_body_model_finds_the_drawn_elbows_and_wrists_where_they_were_drawn(
    rig, photo_tracker, posture
):
    rgb = rig.render(SceneState(0.0, posture, "customer", True, ""))
    drawn = rig.arm_joints_px(posture)
    # The person's right arm is on the image's left, and MediaPipe calls it right too.
    assert drawn["right"][2, 0] < drawn["left"][2, 0]
    pose = photo_tracker.track(Frame(rgb, 0.0, 0), face=True, pose=True).pose
    assert pose is not None
    width = rgb.shape[1]
    for side, (elbow, wrist) in POSE_ARMS.items():
        shoulder_px, elbow_px, wrist_px = drawn[side]
        assert wrist_px[1] < shoulder_px[1]  # raised above the shoulder
        for index, where in ((elbow, elbow_px), (wrist, wrist_px)):
            assert pose.visibility[index] > 0.5, (side, index)
            assert np.linalg.norm(pose.pixels[index] - where) < 0.08 * width, (side, index)
