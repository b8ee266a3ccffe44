"""The face's actions in canonical centimetres: the same face measures the same however it is
turned, scaled or placed in the image, and moving the brows or mouth moves exactly its measure."""

import numpy as np
import pytest

from kiosk.features import expression as E  # noqa: N812
from kiosk.features.face_model import CANONICAL_POINTS_CM
from kiosk.features.head_pose import rotation_from_angles
from kiosk.landmarks.types import FaceLandmarks

WIDTH, HEIGHT = 640, 480


def canonical_face() -> np.ndarray:
    """478 points in canonical cm (x to the subject's left, y up, z out of the face): the
    anchors where MediaPipe's canonical face has them, brows and mouth where a face does."""
    rng = np.random.default_rng(4)
    points = rng.uniform(-5.0, 5.0, size=(478, 3))
    for index, xyz in CANONICAL_POINTS_CM.items():
        points[index] = xyz
    for (lower, upper), x in zip(E.INNER_BROWS, (-1.4, 1.4), strict=True):
        points[lower], points[upper] = (x, 4.3, 4.4), (x, 4.7, 4.3)
    for (lower, upper), x in zip(E.OUTER_BROWS, (-4.6, 4.6), strict=True):
        points[lower], points[upper] = (x, 3.6, 2.8), (x, 4.0, 2.7)
    points[E.MOUTH_CORNERS[0]], points[E.MOUTH_CORNERS[1]] = (-2.4, -4.4, 4.6), (2.4, -4.4, 4.6)
    return points


def in_image(points_cm: np.ndarray, yaw=0.0, pitch=0.0, roll=0.0, scale=12.0, at=(320, 240)):
    """The face as the mesh reports it: turned, scaled to pixels, placed, normalised."""
    turned = points_cm @ rotation_from_angles(yaw, pitch, roll).T
    pixels = np.column_stack(
        [at[0] + scale * turned[:, 0], at[1] - scale * turned[:, 1], -scale * turned[:, 2]]
    )
    normalized = pixels / np.array([WIDTH, HEIGHT, WIDTH])
    return FaceLandmarks(normalized=normalized, pixels=pixels[:, :2])


def measure(points_cm, **pose):
    return E.face_actions(in_image(points_cm, **pose), WIDTH, HEIGHT, 0.0, 0.0)


def test_the_measures_do_not_depend_on_where_the_face_is_or_how_it_is_turned():
    face = canonical_face()
    reference = measure(face)
    assert reference.brow_height_cm == pytest.approx(4.5 - 2.585, abs=0.01)
    for pose in (
        {"yaw": 25.0},
        {"pitch": -20.0},
        {"roll": 15.0},
        {"yaw": -15.0, "pitch": 10.0, "scale": 5.0, "at": (100, 400)},
    ):
        turned = measure(face, **pose)
        for name in E.POPULATION_NEUTRAL_CM:
            assert getattr(turned, name) == pytest.approx(getattr(reference, name), abs=0.01)


def test_lowering_the_inner_brows_lowers_their_height_and_raises_the_tilt_by_as_much():
    face = canonical_face()
    lowered = face.copy()
    for index in np.ravel(E.INNER_BROWS):
        lowered[index, 1] -= 0.3
    before, after = measure(face, yaw=10.0), measure(lowered, yaw=10.0)
    assert before.brow_height_cm - after.brow_height_cm == pytest.approx(0.3, abs=0.01)
    assert after.brow_tilt_cm - before.brow_tilt_cm == pytest.approx(0.3, abs=0.01)
    neutral = {name: getattr(before, name) for name in E.POPULATION_NEUTRAL_CM}
    assert E.frown_cm(after, neutral) == pytest.approx(0.6, abs=0.02)
    assert E.smile_cm(after, neutral) == pytest.approx(0.0, abs=0.01)


def test_raising_and_widening_the_mouth_corners_is_a_smile_not_a_frown():
    face = canonical_face()
    smiling = face.copy()
    smiling[E.MOUTH_CORNERS[0]] += (-0.3, 0.4, 0.0)
    smiling[E.MOUTH_CORNERS[1]] += (0.3, 0.4, 0.0)
    before, after = measure(face, pitch=-10.0), measure(smiling, pitch=-10.0)
    neutral = {name: getattr(before, name) for name in E.POPULATION_NEUTRAL_CM}
    assert E.smile_cm(after, neutral) == pytest.approx(0.4 + 0.5 * 0.6, abs=0.02)
    assert E.frown_cm(after, neutral) == pytest.approx(0.0, abs=0.01)


def test_the_head_pose_terms_vanish_facing_the_camera_and_grow_with_the_turn():
    face = in_image(canonical_face())
    facing = E.face_actions(face, WIDTH, HEIGHT, 0.0, 0.0)
    tilted = E.face_actions(face, WIDTH, HEIGHT, 0.0, 20.0)
    # looking up 20 degrees reads the corners 0.3 cm lower on the Pointing'04 faces: undone
    assert facing.corner_drop_cm - tilted.corner_drop_cm == pytest.approx(
        20 * 1.49e-2 + 400 * 3.37e-5, abs=1e-3
    )
