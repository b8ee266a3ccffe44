"""Hand shapes and gesture events from synthetic hand landmarks with known geometry.

World axes as MediaPipe gives them: x toward the image's right, y down, z away from the camera.
"""

import numpy as np
import pytest
from live_timeline import FPS_RATES, around
from live_timeline import feed as feed_live

from kiosk.config import PointingConfig, SignalsConfig
from kiosk.features.frame import FrameFeatures, PointingShape
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


def hand(t_s, value):
    """`value`: (pointing shape or None, open palm)."""
    pointing, palm = value
    return FrameFeatures(t_s, face=True, hands_tracked=True, pointing=pointing, open_palm=palm)


def play(frames, config=None, fps=15.0, **options):
    """`frames`: (seconds, pointing shape or None, open palm)."""
    signal = PointingSignal(config or PointingConfig(), SignalsConfig())
    segments = [(seconds, (pointing, palm)) for seconds, pointing, palm in frames]
    options = {"drop": 0.0, "jitter": 0.0} | options
    records, events = feed_live(signal, segments, fps, hand, **options)
    return signal, records, events


def feed(frames, config=None):
    return play(frames, config)[0].summary()


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
    signal = PointingSignal(PointingConfig(), SignalsConfig())
    signal.update(0.0, FrameFeatures(0.0, face=True))
    assert signal.summary() == {"events": None, "open_palm_events": None, "at_face": None}


@pytest.mark.parametrize("fps", FPS_RATES)
@pytest.mark.parametrize(("shape", "kind"), [(AIMED, "pointing"), (AT_FACE, "pointing_at_face")])
def test_pointing_held_is_a_live_fault_from_the_minimum_hold_and_an_event_when_it_ends(
    fps, shape, kind
):
    _, records, events = play(
        [(1, None, False), (2, shape, False), (1, None, False)], fps=fps, drop=0.2, jitter=0.3
    )
    min_s = PointingConfig().min_hold_s
    times = [t for t, _, _, _ in records]
    first_possible, last_possible = around(times, 1.0)
    _, seen_ended = around(times, 3.0)
    active = [t for t, faults, _, _ in records if [f.kind for f in faults] == [kind]]
    assert first_possible + min_s <= active[0] <= around(times, last_possible + min_s)[1]
    assert all(t in active for t in times if last_possible + min_s <= t < 3.0)
    assert active[-1] < around(times, seen_ended + 0.2)[1]
    assert not any(faults for t, faults, _, _ in records if t not in active)
    [(closed_t, event)] = [(t, e) for t, _, _, new in records for e in new]
    assert closed_t < 3.5 and events == [event]
    assert (event.kind, event.detail) == ("pointing", {"at_face": kind == "pointing_at_face"})
    assert event.duration_s == pytest.approx(2.0, abs=0.3)
    state = next(s for t, _, s, _ in records if t == active[0])
    assert state.at_face == (kind == "pointing_at_face")


@pytest.mark.parametrize("fps", FPS_RATES)
def test_pointing_sideways_is_no_fault_however_long(fps):
    _, records, events = play(
        [(1, None, False), (3, SIDEWAYS, False), (1, None, False)], fps=fps, drop=0.2, jitter=0.3
    )
    assert not any(faults for _, faults, _, _ in records)
    assert events == []


def test_whether_a_gesture_was_aimed_is_judged_by_time_not_by_frames():
    # 1.4 s aimed at 5 fps, then 0.9 s sideways at 30 fps: 7 frames against 27, but more time.
    signal = PointingSignal(PointingConfig(), SignalsConfig())
    aimed = [(i / 5, AIMED) for i in range(8)]
    sideways = [(1.4 + i / 30, SIDEWAYS) for i in range(1, 28)]
    for t_s, shape in aimed + sideways:
        signal.update(t_s, FrameFeatures(t_s, face=True, hands_tracked=True, pointing=shape))
    [event] = signal.finish(2.4)
    assert (event.kind, event.duration_s) == ("pointing", pytest.approx(2.4))
