"""Per-frame features: a bad head-pose fit is dropped, and a head turned down out of the face
mesh's reach reads as not looking at the customer while the body is at the counter."""

import numpy as np

from kiosk.config import Config
from kiosk.features.body import head_direction_from_pose
from kiosk.features.frame import extract_features
from kiosk.landmarks.types import Landmarks, PoseLandmarks
from tests.unit.features.synthetic_faces import HEIGHT, NEUTRAL, WIDTH, face_with_eyes

NOSE, LEFT_EAR, RIGHT_EAR, LEFT_SHOULDER, RIGHT_SHOULDER = 0, 7, 8, 11, 12


def pose_at(shoulder_width_px, head_pitch_deg=-40.0):
    """A body facing the camera, its shoulders this wide in the image, the head pitched."""
    pixels = np.zeros((33, 2))
    pixels[[LEFT_SHOULDER, RIGHT_SHOULDER]] = [
        [320 + shoulder_width_px / 2, 400],
        [320 - shoulder_width_px / 2, 400],
    ]
    world = np.zeros((33, 3))
    world[LEFT_EAR], world[RIGHT_EAR] = [0.07, -0.5, 0.0], [-0.07, -0.5, 0.0]
    # the nose 10 cm in front of the ears, tilted by the pitch (and MediaPipe's level offset)
    pitch = np.radians(head_pitch_deg - 11.0)
    world[NOSE] = [0.0, -0.5 - 0.10 * np.sin(pitch), -0.10 * np.cos(pitch)]
    return PoseLandmarks(
        normalized=np.c_[pixels / [WIDTH, HEIGHT], np.zeros(33)],
        pixels=pixels,
        visibility=np.ones(33),
        world_m=world,
    )


def features(face=None, pose=None):
    landmarks = Landmarks(1.0, 0, WIDTH, HEIGHT, face=face, pose=pose)
    return extract_features(landmarks, Config())


def test_a_face_lost_while_the_body_stays_at_the_counter_is_not_looking_at_the_customer():
    # 200 px of shoulders at 640 px and 66 degrees: about 0.9 m from the camera
    near = features(pose=pose_at(200.0, head_pitch_deg=-40.0))
    assert near.face is False and near.gaze_on_customer is False
    assert near.head_from_pose is not None
    assert abs(near.head_from_pose.pitch_deg + 40.0) < 1.0


def test_nobody_at_the_counter_is_not_judged():
    assert features().gaze_on_customer is None
    # 60 px of shoulders: someone about 3 m away, walking behind the counter
    assert features(pose=pose_at(60.0)).gaze_on_customer is None


def test_the_head_direction_from_the_body_follows_the_nose_against_the_ears():
    level = head_direction_from_pose(pose_at(200.0, head_pitch_deg=0.0))
    down = head_direction_from_pose(pose_at(200.0, head_pitch_deg=-30.0))
    assert abs(level.pitch_deg) < 1.0 and abs(level.yaw_deg) < 1.0
    assert abs(down.pitch_deg + 30.0) < 1.0


def test_a_head_pose_fit_far_from_its_landmarks_is_dropped_not_used():
    face, _ = face_with_eyes(iris=NEUTRAL)
    good = features(face=face)
    assert good.head is not None and not good.head_rejected and good.gaze_on_customer is True
    pixels = face.pixels.copy()
    span = np.linalg.norm(pixels[263] - pixels[33])
    pixels[[1, 2, 4, 5, 98, 327]] += [0.0, 0.6 * span]  # the nose and nostrils dragged away
    mixed = type(face)(normalized=pixels / [WIDTH, HEIGHT], pixels=pixels)
    bad = features(face=mixed)
    assert bad.face is True and bad.head_rejected
    assert bad.head is None and bad.gaze is None and bad.gaze_on_customer is None
