"""The renderer's arms and their blending: two-link arms, tapered lit capsules, and a wrist that
eases between placed and hanging. Pure geometry and drawing, no models."""

import itertools
import math

import numpy as np
import pytest

from kiosk.scenes.limbs import FOREARM_CM, UPPER_ARM_CM, _arm_offsets_cm, _paint_capsule
from kiosk.scenes.script import HANGING_WRIST_CM, Posture


def test_a_wrist_blends_in_a_straight_line_between_two_places():
    start = Posture(wrist_right_cm=(30.0, 20.0))
    end = Posture(wrist_right_cm=(10.0, -20.0))
    assert start.blend(end, 0.25).wrist_right_cm == pytest.approx((25.0, 10.0))
    assert start.blend(end, 0.25).wrist_left_cm is None


def test_a_hanging_arm_blends_from_its_hanging_place_and_is_drawn_only_when_placed():
    raised = Posture(wrist_left_cm=(30.0, 20.0))
    hanging = Posture()
    halfway = hanging.blend(raised, 0.5).wrist_left_cm
    assert halfway == pytest.approx(
        ((HANGING_WRIST_CM[0] + 30) / 2, (HANGING_WRIST_CM[1] + 20) / 2)
    )
    assert hanging.blend(raised, 0.0).wrist_left_cm is None
    assert raised.blend(hanging, 1.0).wrist_left_cm is None
    assert raised.blend(hanging, 0.999).wrist_left_cm == pytest.approx(HANGING_WRIST_CM, abs=0.1)


def _in_body_plane(offset_cm: np.ndarray, outward: float) -> tuple[float, float]:
    """Camera-axis offsets (x right, y down) back into (out to that side, up)."""
    return float(offset_cm[0] * outward), float(-offset_cm[1])


@pytest.mark.parametrize("outward", [-1.0, 1.0])
@pytest.mark.parametrize("wrist", [(30.0, 20.0), (0.0, 50.0), (45.0, 0.0), (-10.0, -20.0)])
def test_an_arm_has_two_30_cm_links_and_its_wrist_where_it_was_asked(wrist, outward):
    shoulder, elbow, hand = _arm_offsets_cm(wrist, outward)
    assert np.allclose(shoulder, 0.0)
    assert np.linalg.norm(elbow - shoulder) == pytest.approx(UPPER_ARM_CM)
    assert np.linalg.norm(hand - elbow) == pytest.approx(FOREARM_CM)
    assert _in_body_plane(hand, outward) == pytest.approx(wrist)
    assert hand[2] == 0.0  # the wrist stays in the body's plane


def test_a_wrist_out_of_reach_is_drawn_at_full_stretch_in_the_asked_direction():
    hand = _arm_offsets_cm((80.0, 60.0), 1.0)[2]
    out, up = _in_body_plane(hand, 1.0)
    assert math.hypot(out, up) == pytest.approx(UPPER_ARM_CM + FOREARM_CM, rel=0.002)
    assert math.atan2(up, out) == pytest.approx(math.atan2(60.0, 80.0))


def test_an_elbow_bends_outward_under_a_raised_hand_and_downward_under_a_hand_held_out():
    # The right arm (out is the image's left, -x): a hand straight up over the shoulder.
    _, elbow, _ = _arm_offsets_cm((0.0, 45.0), -1.0)
    out, _ = _in_body_plane(elbow, -1.0)
    assert out > 5.0
    assert elbow[2] > 0.0  # and back, behind the body's plane
    _, elbow, _ = _arm_offsets_cm((45.0, 0.0), 1.0)
    assert _in_body_plane(elbow, 1.0)[1] < -5.0


def test_the_elbow_moves_smoothly_as_a_hand_rises_from_hanging_to_any_place():
    """No flip from one side of the arm to the other anywhere on the way (which a bend chosen by
    the side of a line through the shoulder would make), on paths that keep the hand away from
    the shoulder (passing right by it, any arm swings fast)."""
    hanging = np.array(HANGING_WRIST_CM)
    for target in ((30.0, 20.0), (-20.0, 30.0), (50.0, -20.0), (40.0, 40.0)):
        path = [hanging + (np.array(target) - hanging) * k for k in np.linspace(0.0, 1.0, 200)]
        elbows = [_arm_offsets_cm(tuple(wrist), 1.0)[1] for wrist in path]
        steps = [np.linalg.norm(b - a) for a, b in itertools.pairwise(elbows)]
        assert max(steps) < 2.0, target  # cm per 0.5 % of the way


def test_a_capsule_covers_its_area_and_is_lit_from_the_upper_left():
    canvas = np.zeros((80, 120, 3), np.float32)
    hidden = np.zeros((80, 120), np.float32)
    start, end, radius = np.array([30.0, 40.0]), np.array([90.0, 40.0]), 10.0
    _paint_capsule(canvas, hidden, start, end, radius, radius, np.float32([200, 100, 50]))
    covered = canvas[..., 0] > 0  # anti-aliased: half a pixel beyond the radius
    edge = radius + 0.5
    assert covered.sum() == pytest.approx(2 * edge * 60 + math.pi * edge**2, rel=0.03)
    assert canvas[33, 60, 0] > canvas[47, 60, 0]  # the upper side is nearer the light
    assert canvas[40, 60, 0] <= 200 * 1.05


def test_a_capsule_is_not_drawn_where_something_nearer_hides_it():
    canvas = np.zeros((40, 40, 3), np.float32)
    hidden = np.zeros((40, 40), np.float32)
    hidden[:, 20:] = 1.0
    _paint_capsule(canvas, hidden, np.array([5.0, 20.0]), np.array([35.0, 20.0]), 6, 6, 255.0)
    assert canvas[:, 20:].max() == 0.0
    assert canvas[20, 10, 0] > 100
