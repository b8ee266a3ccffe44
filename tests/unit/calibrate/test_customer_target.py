"""`kiosk calibrate customer-target` on exact geometry: the face model's landmarks with the irises
placed where this agent's eyes put them (their own neutral offsets, not the population's), the
camera below and beside the head, the head moving as people's do while they look. The rendered
scenes test the same step through MediaPipe (tests/integration/test_calibrate_scenes.py), where
the renderer's eyes are read short; here the scripted direction is known to the decimal."""

from __future__ import annotations

import argparse
import math

import numpy as np
import pytest

from kiosk.calibrate import measure
from kiosk.config import Config
from kiosk.features.gaze import direction_angles, direction_vector, estimate_gaze
from kiosk.landmarks.types import Landmarks
from tests.unit.features.synthetic_faces import HEIGHT, HFOV_DEG, WIDTH, face_with_eyes

OWN_NEUTRAL = (0.025, -0.045)  # this agent's irises, looking into the lens (eye widths)
HEAD_AT_CM = (-9.0, -14.0, 72.0)  # the camera below the desk's edge, off to one side


def _look(t_s, head_yaw, head_pitch, target, gain, rng):
    """Landmarks at `t_s` with the head at its angles plus a talker's sway, and the irises
    where this agent's eyes would be to look along `target` (yaw, pitch; camera axes), then
    shaken by the mesh's jitter."""
    yaw = head_yaw + 1.5 * math.sin(2 * math.pi * t_s / 0.9)
    pitch = head_pitch + 2.0 * math.sin(2 * math.pi * t_s / 1.1)
    face, head = face_with_eyes(yaw, pitch, at_cm=HEAD_AT_CM)
    want = np.array(target(head))
    iris = np.array(OWN_NEUTRAL)
    for _ in range(6):  # Newton on the irises' place: the eye model read forwards

        def error(at):
            eyes, _ = face_with_eyes(yaw, pitch, iris=tuple(at), at_cm=HEAD_AT_CM)
            gaze = estimate_gaze(eyes, head, gain, OWN_NEUTRAL)
            return np.array([gaze.yaw_deg, gaze.pitch_deg]) - want

        now = error(iris)
        jacobian = np.column_stack([(error(iris + 1e-4 * e) - now) / 1e-4 for e in np.eye(2)])
        iris = iris - np.linalg.solve(jacobian, now)
    iris = iris + rng.normal(0.0, 0.004, 2)
    face, _ = face_with_eyes(yaw, pitch, iris=tuple(iris), at_cm=HEAD_AT_CM)
    return Landmarks(t_s=t_s, frame_index=0, width=WIDTH, height=HEIGHT, face=face)


def _camera(head):
    return direction_angles(-np.array(head.translation_cm))


@pytest.mark.parametrize(
    "fps, customer, helper_head",
    [
        (10.0, (16.0, -8.0), (12.0, -4.0)),  # head most of the way round, eyes the rest
        (5.0, (-22.0, 5.0), (-8.0, 2.0)),  # the other side and above, mostly the eyes
        (15.0, (4.0, -12.0), (0.0, -9.0)),  # nearly above the camera
    ],
)
def test_the_customer_direction_and_own_neutral_are_recovered_to_within_2_degrees(
    monkeypatch, fps, customer, helper_head
):
    config = Config()
    assert config.camera.hfov_deg == HFOV_DEG
    gain = config.eye_contact.iris_gain
    rng = np.random.default_rng(7)
    lens_s, customer_s = 3.0, 6.0

    def into_lens(head):
        return _camera(head)

    def at_helper(head):
        yaw, pitch = _camera(head)
        return direction_angles(direction_vector(yaw + customer[0], pitch + customer[1]))

    def tracked(_config, _source, seconds):
        # frames a little late or early, and one in ten dropped
        times = np.arange(0.0, seconds, 1.0 / fps) + rng.uniform(-0.3, 0.3, 1) / fps
        for t_s in times:
            if t_s < 0 or t_s >= seconds or rng.random() < 0.1:
                continue
            if t_s < lens_s:  # head near the lens, eyes on it
                yield t_s, None, _look(t_s, -3.0, 4.0, into_lens, gain, rng)
            else:
                yield t_s, None, _look(t_s, *helper_head, at_helper, gain, rng)

    monkeypatch.setattr(measure, "_tracked", tracked)
    args = argparse.Namespace(source="synthetic", lens_s=lens_s, customer_s=customer_s)
    said: list[str] = []
    result = measure.customer_target(config, args, say=said.append)
    # the agent is told when to look where: the seconds count from the first frame, not Enter
    assert said[1:] == ["now: look into the camera's lens", "now: look at the helper's eyes"]

    found = result.settings
    assert found["customer"]["yaw_deg"] == pytest.approx(customer[0], abs=2.0)
    assert found["customer"]["pitch_deg"] == pytest.approx(customer[1], abs=2.0)
    assert found["eye_contact"]["neutral_iris_right"] == pytest.approx(OWN_NEUTRAL[0], abs=0.005)
    assert found["eye_contact"]["neutral_iris_down"] == pytest.approx(OWN_NEUTRAL[1], abs=0.005)
    assert any("90 % of the looks within" in line for line in result.lines)


def test_with_the_population_neutral_instead_the_same_looks_miss_by_more():
    """Why the lens look matters: this agent's own offsets, read with the population's, put
    the gaze several degrees off where they look."""
    config = Config()
    face, head = face_with_eyes(-3.0, 4.0, iris=OWN_NEUTRAL, at_cm=HEAD_AT_CM)
    population = (config.eye_contact.neutral_iris_right, config.eye_contact.neutral_iris_down)
    own = estimate_gaze(face, head, config.eye_contact.iris_gain, OWN_NEUTRAL)
    other = estimate_gaze(face, head, config.eye_contact.iris_gain, population)
    assert math.hypot(own.yaw_deg - other.yaw_deg, own.pitch_deg - other.pitch_deg) > 5.0
