"""Hand shapes from hand landmarks built from realistic bone lengths and joint angles, turned in
several directions and scaled to several hand sizes, plus MediaPipe's own real landmark sets.

World axes as MediaPipe gives them: x toward the image's right, y down, z away from the camera.
"""

import json
from pathlib import Path

import numpy as np
import pytest

from kiosk.features.hands import hand_shape
from kiosk.landmarks.types import HandLandmarks

REAL = Path(__file__).parents[2] / "data" / "hands" / "mediapipe_testdata_landmarks.json"

# A right hand, palm to the camera, fingers up (-y), thumb side toward +x, the back of the hand
# away from the camera (+z): flexing a finger curls it toward -z. Adult sizes, metres.
MCPS = {5: (0.024, -0.085), 9: (0.002, -0.088), 13: (-0.017, -0.083), 17: (-0.034, -0.074)}
BONES = {5: (0.040, 0.023, 0.019), 9: (0.044, 0.027, 0.020), 13: (0.041, 0.026, 0.020),
         17: (0.032, 0.019, 0.018)}  # fmt: skip
SPLAY_DEG = {5: 8.0, 9: 0.0, 13: -6.0, 17: -14.0}
THUMB_CMC = np.array([0.022, -0.022, -0.008])

OUT, CURLED = (5.0, 5.0, 5.0), (80.0, 100.0, 55.0)
POINT = (5.0, 8.0, 12.0)
LOOSE_POINT = (20.0, 25.0, 30.0)  # a relaxed index: bent a little at every joint


def build(flex, thumb="tucked", handedness="Right"):
    """21 points, hand frame (= world for a right hand, palm to the camera, fingers up).
    `flex`: (MCP, PIP, DIP) flexion in degrees for index, middle, ring and pinky."""
    p = np.zeros((21, 3))
    for base, angles in zip((5, 9, 13, 17), flex, strict=True):
        splay = np.radians(SPLAY_DEG[base])
        along = np.array([np.sin(splay), -np.cos(splay), 0.0])
        p[base] = (*MCPS[base], 0.0)
        bend = 0.0
        for k, (angle, bone) in enumerate(zip(angles, BONES[base], strict=True), start=1):
            bend += np.radians(angle)
            toward_palm = np.array([0.0, 0.0, -1.0])
            p[base + k] = p[base + k - 1] + bone * (
                np.cos(bend) * along + np.sin(bend) * toward_palm
            )
    if thumb == "out":  # straight, away from the index in the palm's plane
        direction = np.array([np.sin(np.radians(40)), -np.cos(np.radians(40)), -0.15])
        tip = THUMB_CMC + 0.092 * direction / np.linalg.norm(direction)
    elif thumb == "tucked":  # across the curled middle finger's middle bone, on the palm side
        tip = (p[10] + p[11]) / 2 + np.array([0.0, 0.0, -0.012])
    elif thumb == "pinch":  # its pad on the index's last bone
        tip = (p[7] + p[8]) / 2 + np.array([0.0, 0.0, -0.009])
    elif thumb == "up":  # thumbs-up: straight along the fingers' direction, beside the fist
        tip = THUMB_CMC + np.array([0.012, -0.09, -0.01])
    outward = np.array([0.012, 0.0, 0.0])
    p[1] = THUMB_CMC
    p[2] = THUMB_CMC + 0.40 * (tip - THUMB_CMC) + outward
    p[3] = THUMB_CMC + 0.72 * (tip - THUMB_CMC) + 0.6 * outward
    p[4] = tip
    if handedness == "Left":
        p[:, 0] *= -1
    return p


def rot(axis, deg):
    a = np.radians(deg)
    c, s = np.cos(a), np.sin(a)
    return {
        "x": np.array([[1, 0, 0], [0, c, -s], [0, s, c]]),
        "y": np.array([[c, 0, s], [0, 1, 0], [-s, 0, c]]),
        "z": np.array([[c, -s, 0], [s, c, 0], [0, 0, 1]]),
    }[axis]


# Where the index aims once the hand is turned (the fingers point -y before turning).
TURNS = {
    "up, palm to the camera": np.eye(3),
    "up, back of the hand to the camera": rot("y", 180),
    "sideways, to the image's right": rot("z", -90),
    "sideways, to the image's left": rot("z", 90) @ rot("y", 180),
    "toward the camera, a little up (foreshortened)": rot("x", 70),
    "straight at the camera (foreshortened)": rot("x", 90),
    "at the camera from below the chin": rot("x", 110),
    "down and forward": rot("x", 150) @ rot("y", 30),
}
SIZES = (0.75, 1.0, 1.25)  # a small adult's or teenager's hand to a large one


def hand(points, turn=None, size=1.0, handedness="Right", noise_m=0.0, seed=0):
    turn = np.eye(3) if turn is None else turn
    world = (points * size) @ turn.T
    world = world + np.random.default_rng(seed).normal(0.0, noise_m, world.shape)
    # Held 50 cm in front of a 640x480 camera; world landmarks centred on the hand as
    # MediaPipe's are.
    camera = world + np.array([0.0, 0.0, 0.5])
    pixels = 320 + 600 * camera[:, :2] / camera[:, 2:]
    return HandLandmarks(normalized=np.zeros((21, 3)), pixels=pixels,
                         world_m=world - world[[0, 5, 9, 13, 17]].mean(axis=0),
                         handedness=handedness, score=0.99)  # fmt: skip


def every_way(points, handedness="Right"):
    for name, turn in TURNS.items():
        for size in SIZES:
            yield f"{name}, size {size}", hand(points, turn, size, handedness)


POINTING_HANDS = {
    "index straight": build((POINT, CURLED, CURLED, CURLED)),
    "index relaxed": build((LOOSE_POINT, CURLED, CURLED, CURLED)),
    "index straight, ring and pinky loosely curled": build(
        (POINT, CURLED, (60.0, 80.0, 40.0), (55.0, 75.0, 40.0))
    ),
}


@pytest.mark.parametrize("handedness", ["Right", "Left"])
@pytest.mark.parametrize("pose", POINTING_HANDS)
def test_an_index_held_out_is_pointing_in_every_direction_and_hand_size(pose, handedness):
    points = POINTING_HANDS[pose]
    if handedness == "Left":
        points = points * np.array([-1.0, 1.0, 1.0])
    missed = [name for name, h in every_way(points, handedness) if not hand_shape(h).pointing]
    assert missed == []


def test_the_index_direction_follows_the_finger_toward_the_camera():
    at_camera = TURNS["straight at the camera (foreshortened)"]
    shape = hand_shape(hand(POINTING_HANDS["index straight"], at_camera))
    assert shape.pointing
    assert shape.index_direction[2] < -0.95  # z: toward the camera


def test_pointing_survives_two_millimetres_of_landmark_noise():
    points = POINTING_HANDS["index straight"]
    calls = [
        hand_shape(hand(points, turn, 1.0, noise_m=0.002, seed=seed)).pointing
        for turn in TURNS.values()
        for seed in range(10)
    ]
    assert sum(calls) >= 0.95 * len(calls)


NOT_POINTING = {
    "a fist": build((CURLED,) * 4, thumb="tucked"),
    "a fist, thumb along the side": build((CURLED,) * 4, thumb="up"),
    "an open palm": build((OUT,) * 4, thumb="out"),
    "an open palm, fingers a little bent": build(((10.0, 20.0, 15.0),) * 4, thumb="out"),
    "a thumbs-up": build((CURLED,) * 4, thumb="up"),
    "the OK sign": build(((45.0, 60.0, 45.0), OUT, (5.0, 10.0, 8.0), (8.0, 10.0, 8.0)), "pinch"),
    "a victory sign": build((POINT, POINT, CURLED, CURLED)),
    # Tripod pen grip: the index bent over the pen, the thumb's pad against its last bone,
    # the middle finger under the pen.
    "a pen grip": build(((40.0, 35.0, 10.0), (50.0, 60.0, 30.0), CURLED, CURLED), "pinch"),
    "a pen grip, middle tucked": build(((35.0, 30.0, 15.0), CURLED, CURLED, CURLED), "pinch"),
    "an index hooked at its last joint": build(((20.0, 20.0, 65.0), CURLED, CURLED, CURLED)),
    "an index hooked at its middle joint": build(((15.0, 75.0, 40.0), CURLED, CURLED, CURLED)),
}


@pytest.mark.parametrize("pose", NOT_POINTING)
def test_these_hands_are_never_pointing_in_any_direction_or_size(pose):
    called = [name for name, h in every_way(NOT_POINTING[pose]) if hand_shape(h).pointing]
    assert called == []


def test_a_pen_grip_is_a_pinch_and_a_pointing_hand_is_not():
    assert hand_shape(hand(NOT_POINTING["a pen grip"])).pinch
    assert not hand_shape(hand(POINTING_HANDS["index straight"])).pinch


@pytest.mark.parametrize("pose", ["an open palm", "an open palm, fingers a little bent"])
def test_an_open_palm_to_the_camera_is_an_open_palm_in_either_hand(pose):
    points = NOT_POINTING[pose]
    left = points * np.array([-1.0, 1.0, 1.0])
    for name, h in [*every_way(points)][:6] + [*every_way(left, "Left")][:6]:
        if "back of the hand" in name:
            assert not hand_shape(h).open_palm, name
        else:
            shape = hand_shape(h)
            assert shape.extended[1:] == (True,) * 4 and shape.open_palm, name


def test_a_fist_has_no_finger_held_out():
    assert hand_shape(hand(NOT_POINTING["a fist"])).extended[1:] == (False,) * 4


def real_hand(name):
    entry = json.loads(REAL.read_text())[name]
    normalized = np.array(entry["normalized"])
    return HandLandmarks(normalized=normalized, pixels=normalized[:, :2] * 640,
                         world_m=np.array(entry["world_m"]), handedness=entry["handedness"],
                         score=1.0)  # fmt: skip


@pytest.mark.parametrize(
    ("name", "pointing"),
    [("pointing_up", True), ("pointing_up_rotated", True), ("thumb_up", False),
     ("thumb_up_rotated", False), ("victory", False), ("fist", False)],
)  # fmt: skip
def test_mediapipes_real_landmark_sets_read_as_their_gesture(name, pointing):
    assert hand_shape(real_hand(name)).pointing is pointing


def test_mediapipes_real_pointing_hand_aims_up_and_its_fist_holds_nothing_out():
    up = hand_shape(real_hand("pointing_up"))
    assert up.index_direction[1] < -0.85  # y: up the image
    assert hand_shape(real_hand("fist")).extended[1:] == (False,) * 4
