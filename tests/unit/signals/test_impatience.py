"""Watch checks (from body postures built in metres, as the pose model's world landmarks give
them, and the gaze) and the impatience summary, on synthetic series.

World axes: x toward the image's right, y down, z away from the camera, origin between the hips.
The person faces the camera; their left side is on the image's right.
"""

import dataclasses

import numpy as np
import pytest
from live_timeline import FPS_RATES
from live_timeline import feed as feed_live

from kiosk.config import ImpatienceConfig, SignalsConfig
from kiosk.features.body import PoseHead, watch_wrists
from kiosk.features.frame import FrameFeatures
from kiosk.features.gaze import Gaze, direction_angles
from kiosk.landmarks.types import PoseLandmarks
from kiosk.signals.events import Event
from kiosk.signals.impatience import WatchCheckSignal, impatience_summary

EYES = np.array([0.0, -0.72, -0.08])
BODY = {
    0: (0.0, -0.70, -0.11), 2: (0.03, -0.72, -0.08), 5: (-0.03, -0.72, -0.08),
    7: (0.07, -0.70, 0.0), 8: (-0.07, -0.70, 0.0), 9: (0.025, -0.64, -0.09),
    10: (-0.025, -0.64, -0.09), 11: (0.19, -0.50, 0.0), 12: (-0.19, -0.50, 0.0),
    23: (0.10, 0.0, 0.0), 24: (-0.10, 0.0, 0.0),
    # The right arm hangs at the side.
    14: (-0.21, -0.21, 0.0), 16: (-0.22, 0.05, 0.0), 18: (-0.22, 0.13, 0.0),
    20: (-0.20, 0.13, 0.0),
}  # fmt: skip


def unit(v):
    v = np.asarray(v, dtype=float)
    return v / np.linalg.norm(v)


def left_arm(elbow, wrist, back):
    """The left elbow and wrist, and a hand continuing the forearm with the back of the hand
    toward `back`."""
    elbow, wrist = np.array(elbow), np.array(wrist)
    along = unit(wrist - elbow)
    back = unit(np.asarray(back) - np.dot(back, along) * along)
    # From the pinky toward the index. A left hand held up, fingers up, its back toward the
    # camera (the palm toward its owner), has its thumb on its owner's left: the image's right.
    across = np.cross(along, back)
    return {13: elbow, 15: wrist, 19: wrist + 0.08 * along + 0.02 * across,
            17: wrist + 0.075 * along - 0.02 * across}  # fmt: skip


def pose(arm):
    world = np.zeros((33, 3))
    for k, point in (BODY | arm).items():
        world[k] = point
    visibility = np.full(33, 0.99)
    pixels = 320 + 600 * world[:, :2] / (world[:, 2:] + 1.2)
    return PoseLandmarks(normalized=np.zeros((33, 3)), pixels=pixels, visibility=visibility,
                         world_m=world)  # fmt: skip


WATCH_WRIST = np.array([0.03, -0.36, -0.27])
POSTURES = {
    # Forearm raised across the chest, the back of the wrist turned up to the eyes.
    "reading a watch": left_arm((0.19, -0.22, -0.09), WATCH_WRIST, EYES - WATCH_WRIST),
    "reading a watch, forearm steep": left_arm(
        (0.17, -0.25, -0.12), (0.06, -0.45, -0.22), EYES - np.array([0.06, -0.45, -0.22])
    ),
    # Standing at the counter: the hand on the paper at hip height, palm down.
    "writing at a standing counter": left_arm((0.20, -0.20, -0.12), (0.08, 0.0, -0.35), (0, -1, 0)),
    # Seated: the forearm flat on a desk at lower-chest height.
    "writing at a desk": left_arm((0.20, -0.22, -0.05), (0.06, -0.23, -0.30), (0, -1, 0)),
    # A cup at the mouth, the hand sideways.
    "drinking": left_arm((0.20, -0.30, -0.12), (0.06, -0.56, -0.20), (1, 0, 0)),
    # A bottle tipped up with the back of the hand toward the face: still the hand at the mouth.
    "drinking from a bottle": left_arm(
        (0.20, -0.30, -0.12), (0.05, -0.55, -0.22), EYES - np.array([0.05, -0.55, -0.22])
    ),
    "arm hanging": {
        13: (0.21, -0.21, 0.0),
        15: (0.22, 0.05, 0.0),
        17: (0.22, 0.13, 0.0),
        19: (0.20, 0.13, 0.0),
    },
    # The wrist raised the same way but palm up (holding out a hand for a card, say).
    "palm up at chest height": left_arm((0.19, -0.22, -0.09), WATCH_WRIST, WATCH_WRIST - EYES),
}
WATCHING = {"reading a watch", "reading a watch, forearm steep"}


@pytest.mark.parametrize("posture", POSTURES)
def test_only_a_wrist_held_up_to_be_read_is_a_watch_posture(posture):
    found = watch_wrists(pose(POSTURES[posture]))
    assert len(found) == (1 if posture in WATCHING else 0)


def test_the_watch_direction_runs_from_the_eyes_down_to_the_wrist():
    (direction,) = watch_wrists(pose(POSTURES["reading a watch"]))
    assert np.dot(direction, unit(WATCH_WRIST - EYES)) == pytest.approx(1.0)
    assert direction_angles(np.array(direction))[1] < -30  # pitch: well down


def looking_at(point):
    vector = unit(np.asarray(point) - EYES)
    yaw, pitch = direction_angles(vector)
    return Gaze(yaw, pitch, 0.0, pitch, tuple(vector))


AHEAD = Gaze(0.0, 0.0, 0.0, 0.0, (0.0, 0.0, -1.0))
PAPER = np.array([0.08, 0.02, -0.40])  # where a writer looks, on the counter


def frame(t_s, value):
    """`value`: (posture name, gaze) or None (standing, arms down, looking at the customer)."""
    posture, gaze = value or ("arm hanging", AHEAD)
    wrists = watch_wrists(pose(POSTURES[posture]))
    return FrameFeatures(t_s, face=True, gaze=gaze, customer_pitch_deg=0.0, watch_wrists=wrists)


GLANCE = ("reading a watch", looking_at(WATCH_WRIST))


def feed(pattern, fps=15.0, **options):
    """`pattern`: (seconds, frame value)."""
    signal = WatchCheckSignal(ImpatienceConfig(), SignalsConfig())
    options = {"drop": 0.0, "jitter": 0.0} | options
    return feed_live(signal, pattern, fps, frame, **options)[1]


@pytest.mark.parametrize("fps", FPS_RATES)
def test_each_glance_is_a_watch_check_and_two_in_a_minute_are_one_sign(fps):
    events = feed([(2, None), (1, GLANCE), (20, None), (1.5, GLANCE), (2, None)], fps, drop=0.2,
                  jitter=0.3)  # fmt: skip
    assert [e.kind for e in events] == ["watch_check", "watch_check", "watch_checks"]
    first, second, sign = events
    assert first.t_s == pytest.approx(2.0, abs=0.3)
    assert first.duration_s == pytest.approx(1.0, abs=0.4)
    assert second.t_s == pytest.approx(23.0, abs=0.3)
    assert sign.detail == {"checks": 2}
    assert sign.t_s == pytest.approx(2.0, abs=0.3)
    assert sign.duration_s == pytest.approx(22.5, abs=0.6)


@pytest.mark.parametrize("fps", FPS_RATES)
def test_writing_at_the_counter_for_a_minute_is_no_watch_check(fps):
    writing = [("writing at a standing counter", looking_at(PAPER)),
               ("writing at a desk", looking_at([0.06, -0.23, -0.32]))]  # fmt: skip
    for value in writing:
        assert feed([(60, value)], fps, drop=0.2, jitter=0.3) == []


@pytest.mark.parametrize("posture", ["drinking", "drinking from a bottle"])
def test_drinking_while_looking_down_is_no_watch_check(posture):
    wrist = POSTURES[posture][15]
    assert feed([(1, None), (5, (posture, looking_at(wrist))), (1, None)] * 3) == []


def test_a_wrist_held_up_while_looking_at_the_customer_is_not_a_check():
    assert feed([(2, None), (3, ("reading a watch", AHEAD)), (2, None)] * 2) == []


def test_a_wrist_held_up_while_looking_aside_at_a_screen_is_not_a_check():
    screen = looking_at([0.45, -0.55, -0.35])
    assert feed([(2, None), (3, ("reading a watch", screen)), (2, None)] * 2) == []


def test_a_glance_is_seen_from_the_heads_direction_when_the_face_mesh_loses_the_face():
    yaw, pitch = direction_angles(unit(WATCH_WRIST - EYES))
    wrists = watch_wrists(pose(POSTURES["reading a watch"]))
    signal = WatchCheckSignal(ImpatienceConfig(), SignalsConfig())
    events = []
    for i in range(30):
        t_s = i / 10
        held = 1.0 <= t_s < 2.0
        features = FrameFeatures(t_s, face=False, watch_wrists=wrists if held else (),
                                 head_from_pose=PoseHead(yaw, pitch))  # fmt: skip
        events += signal.update(t_s, features)
        assert signal.glancing is held
    events += signal.finish(3.0)
    assert [e.kind for e in events] == ["watch_check"]
    assert events[0].t_s == pytest.approx(1.0, abs=0.1)


def test_closed_eyes_over_a_raised_wrist_are_not_a_glance():
    closed = dataclasses.replace(GLANCE[1], eyes_open=False)
    assert feed([(2, None), (2, ("reading a watch", closed)), (2, None)]) == []


def test_one_watch_check_is_an_event_but_not_impatience():
    events = feed([(2, None), (1, GLANCE), (10, None)])
    assert [e.kind for e in events] == ["watch_check"]
    assert impatience_summary(events) == {"events": 0, "kinds": {}}


def test_checks_more_than_a_minute_apart_are_not_repeated():
    events = feed([(1, GLANCE), (70, None), (1, GLANCE), (1, None)])
    assert [e.kind for e in events] == ["watch_check", "watch_check"]


def test_a_wrist_flick_shorter_than_the_minimum_is_not_a_check():
    assert feed([(0.2, GLANCE), (5, None), (0.2, GLANCE), (1, None)]) == []


def test_impatience_summary_counts_only_impatience_kinds():
    events = [
        Event("staring", 0.0, 5.0),
        Event("leaning_back", 1.0, 4.0),
        Event("watch_check", 2.0, 1.0),
        Event("impatient_nodding", 9.0, 3.0),
        Event("leaning_back", 20.0, 5.0),
        Event("watch_check", 22.0, 1.0),
        Event("watch_checks", 2.0, 21.0, {"checks": 2}),
    ]
    assert impatience_summary(events) == {
        "events": 4,
        "kinds": {"leaning_back": 2, "impatient_nodding": 1, "watch_checks": 1},
    }


def test_the_watch_posture_reads_the_back_of_the_hand_the_hand_model_calls_the_back():
    """The pose's wrist, index and pinky give the back of the hand with the same handedness
    convention as features.hands' palm (checked there against MediaPipe's own test hands)."""
    from kiosk.features.hands import palm_normal
    from kiosk.landmarks.types import HandLandmarks

    back = unit(EYES - WATCH_WRIST)
    arm = POSTURES["reading a watch"]
    world = np.zeros((21, 3))
    world[0], world[5], world[17] = arm[15], arm[19], arm[17]  # wrist, index and pinky knuckles
    hand = HandLandmarks(np.zeros((21, 3)), np.zeros((21, 2)), world, "Left", 1.0)
    assert np.dot(palm_normal(hand), back) < -0.9
