"""Hand shapes and gesture events from synthetic hand landmarks with known geometry.

World axes as MediaPipe gives them: x toward the image's right, y down, z away from the camera.
"""

import numpy as np
import pytest

from kiosk.config import PointingConfig
from kiosk.features.frame import PointingShape
from kiosk.features.hands import hand_shape
from kiosk.landmarks.types import HandLandmarks
from kiosk.signals.pointing import PointingSignal

UP, TOWARD_CAMERA = np.array([0.0, -1.0, 0.0]), np.array([0.0, 0.0, -1.0])
# Right hand, palm to the camera, fingers up: the thumb side is on the image's right.
MCPS = {1: (0.025, -0.02, 0.0), 5: (0.02, -0.08, 0.0), 9: (0.0, -0.085, 0.0),
        13: (-0.018, -0.08, 0.0), 17: (-0.035, -0.07, 0.0)}  # fmt: skip


def make_hand(straight=(True, True, True, True, True), index_dir=UP, handedness="Right",
              mirror=False):  # fmt: skip
    points = np.zeros((21, 3))
    for finger, base in enumerate((1, 5, 9, 13, 17)):
        points[base] = MCPS[base]
        direction = index_dir if finger == 1 else UP
        if finger == 0:
            direction = np.array([0.5, -1.0, 0.0]) / np.linalg.norm([0.5, -1.0])
        for k in (1, 2, 3):
            if straight[finger]:
                step = direction * 0.025
            else:  # curl: each bone bends a further 80 degrees toward the palm
                angle = np.radians(80 * k)
                step = 0.02 * (np.cos(angle) * UP + np.sin(angle) * TOWARD_CAMERA)
            points[base + k] = points[base + k - 1] + step
    if mirror:
        points[:, 0] *= -1
    pixels = 320 + points[:, :2] * 2000
    return HandLandmarks(normalized=np.zeros((21, 3)), pixels=pixels, world_m=points,
                         handedness=handedness, score=0.99)  # fmt: skip


def test_a_right_hand_palm_to_the_camera_with_straight_fingers_is_an_open_palm():
    shape = hand_shape(make_hand())
    assert shape.extended == (True, True, True, True, True)
    assert shape.open_palm and not shape.pointing


def test_the_mirror_left_hand_is_an_open_palm_too():
    assert hand_shape(make_hand(handedness="Left", mirror=True)).open_palm


def test_the_back_of_the_hand_is_not_an_open_palm():
    # The same landmarks called the other hand: the palm faces away from the camera.
    assert not hand_shape(make_hand(handedness="Left")).open_palm


def test_index_out_and_other_fingers_curled_is_pointing_at_the_camera():
    shape = hand_shape(make_hand(straight=(False, True, False, False, False),
                                 index_dir=TOWARD_CAMERA))  # fmt: skip
    assert shape.extended[1:] == (True, False, False, False)
    assert shape.pointing and not shape.open_palm
    assert shape.index_direction == pytest.approx((0.0, 0.0, -1.0))


def test_a_fist_is_neither():
    shape = hand_shape(make_hand(straight=(False,) * 5))
    assert shape.extended == (False,) * 5
    assert not shape.pointing and not shape.open_palm


def feed(frames, config=None):
    signal = PointingSignal(config or PointingConfig())
    t = 0.0
    for seconds, pointing, palm in frames:
        for _ in range(round(seconds * 15)):
            signal.update(t, True, pointing, palm)
            t += 1 / 15
    signal.finish(t)
    return signal.summary()


AIMED = PointingShape(at_customer=True, at_face_height=False)
AT_FACE = PointingShape(at_customer=True, at_face_height=True)
SIDEWAYS = PointingShape(at_customer=False, at_face_height=False)


def test_pointing_at_the_customer_for_a_second_is_one_event():
    assert feed([(1, None, False), (1, AIMED, False), (1, None, False)]) == {
        "events": 1, "open_palm_events": 0, "at_face": 0}  # fmt: skip


def test_pointing_raised_to_face_height_is_marked_at_face():
    assert feed([(1, AT_FACE, False), (1, None, False)])["at_face"] == 1


def test_pointing_elsewhere_or_too_briefly_is_not_an_event():
    assert feed([(1, SIDEWAYS, False), (1, None, False)])["events"] == 0
    assert feed([(0.2, AIMED, False), (1, None, False)])["events"] == 0


def test_open_palm_held_is_counted():
    assert feed([(0.8, None, True), (1, None, False), (0.8, None, True)])["open_palm_events"] == 2


def test_without_the_hands_model_gestures_are_null():
    signal = PointingSignal(PointingConfig())
    signal.update(0.0, False, None, False)
    assert signal.summary() == {"events": None, "open_palm_events": None, "at_face": None}
