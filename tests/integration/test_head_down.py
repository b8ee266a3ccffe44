"""Head down is not away: the real photo re-posed with the head bent over the counter, beyond the
face mesh's reach, while the body model still sees the agent (issue 17)."""

import pytest

from kiosk import app
from kiosk.camera.types import Frame
from kiosk.config import Config
from kiosk.features.frame import extract_features
from kiosk.scenes.script import Posture, SceneState


def bent_over(tracker, pitch_deg):
    config = Config()
    state = SceneState(0.0, Posture(head_pitch_deg=pitch_deg), "desk", True, "writing")
    rgb = app.build_scene_rig(config.camera).render(state)
    landmarks = tracker.track(Frame(rgb, 0.0, 0), face=True, pose=True)
    return landmarks, extract_features(landmarks, config)


@pytest.mark.parametrize("pitch_deg", [-45.0, -55.0])
def test_a_head_bent_out_of_the_face_meshs_reach_is_not_looking_at_the_customer(
    photo_tracker, pitch_deg
):
    landmarks, features = bent_over(photo_tracker, pitch_deg)
    assert landmarks.face is None and landmarks.pose is not None  # the case this is about
    assert features.gaze_on_customer is False  # not "nobody there"
    assert features.head_from_pose is not None
    assert features.head_from_pose.pitch_deg < -10.0  # the body model sees the head down


def test_a_head_bent_within_reach_keeps_its_face_and_is_not_on_the_customer(photo_tracker):
    landmarks, features = bent_over(photo_tracker, -30.0)
    assert landmarks.face is not None and features.head_from_pose is None
    assert features.gaze_on_customer is False and features.head.pitch_deg < -25.0
