"""Gaze from the iris between the eye's corners: signs, lids ignored, blinks, neutral offsets,
and the head's parallax, on synthetic projections of the face model (no MediaPipe)."""

import math

import numpy as np
import pytest

from kiosk.features.gaze import angle_between_deg, estimate_gaze
from tests.unit.features.synthetic_faces import NEUTRAL, face_with_eyes

GAIN = 1.26


def gaze_of(**kwargs):
    face, head = face_with_eyes(**kwargs)
    return estimate_gaze(face, head, GAIN, NEUTRAL), head


def test_an_iris_at_its_neutral_place_in_a_frontal_face_looks_where_the_head_points():
    gaze, head = gaze_of(iris=NEUTRAL)
    assert abs(gaze.eye_yaw_deg) < 0.5 and abs(gaze.eye_pitch_deg) < 0.5
    forward = head.rotation @ np.array([0.0, 0.0, -1.0])
    assert angle_between_deg(np.array(gaze.vector), forward) < 0.5


def test_the_iris_toward_the_image_right_or_up_turns_the_gaze_that_way():
    right, _ = gaze_of(iris=(NEUTRAL[0] + 0.1, NEUTRAL[1]))
    up, _ = gaze_of(iris=(NEUTRAL[0], NEUTRAL[1] - 0.05))
    # a tenth of an eye width is about 18 degrees sideways with the fitted gain
    assert 14.0 < right.eye_yaw_deg < 23.0 and abs(right.eye_pitch_deg) < 1.0
    assert up.eye_pitch_deg > 10.0 and abs(up.eye_yaw_deg) < 1.0


def test_a_smile_narrowing_the_lids_does_not_move_the_gaze():
    open_eyes, _ = gaze_of(iris=NEUTRAL, openness=0.35)
    smiling, _ = gaze_of(iris=NEUTRAL, openness=0.15, lids_down=-0.05)
    assert smiling.eyes_open
    assert angle_between_deg(np.array(open_eyes.vector), np.array(smiling.vector)) < 1e-6


def test_closed_eyes_give_the_head_direction_whatever_the_iris_landmarks_say():
    gaze, head = gaze_of(yaw_deg=10.0, iris=(0.2, 0.15), openness=0.03)
    assert not gaze.eyes_open
    forward = head.rotation @ np.array([0.0, 0.0, -1.0])
    assert angle_between_deg(np.array(gaze.vector), forward) < 1e-6


def test_a_persons_own_neutral_offsets_are_used():
    face, head = face_with_eyes(iris=(0.03, -0.03))  # this person's irises sit right and low
    population = estimate_gaze(face, head, GAIN, NEUTRAL)
    calibrated = estimate_gaze(face, head, GAIN, (0.03, -0.03))
    assert abs(population.eye_yaw_deg) > 5.0
    assert abs(calibrated.eye_yaw_deg) < 0.5 and abs(calibrated.eye_pitch_deg) < 0.5


@pytest.mark.parametrize("head_yaw_deg", [-30.0, -15.0, 15.0, 30.0])
def test_a_turned_head_whose_iris_sits_centred_looks_back_toward_the_camera(head_yaw_deg):
    """The iris stands in front of the corners: with the head turned and the iris still between
    them, the eyes have turned part of the way back toward the camera (real faces show it)."""
    gaze, _ = gaze_of(yaw_deg=head_yaw_deg, iris=NEUTRAL)
    assert math.copysign(1.0, gaze.eye_yaw_deg) == -math.copysign(1.0, head_yaw_deg)
    assert 3.0 < abs(gaze.eye_yaw_deg) < abs(head_yaw_deg)
