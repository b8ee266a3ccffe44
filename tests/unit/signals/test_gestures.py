"""Gestures over scripted arm timelines: hands moving in view, wide swings and hidden hands, at
every frame rate, with dropped and jittered frames, and with the body model's landmarks held
between its runs (every 0.2 s) as the scheduler holds them."""

import math

import pytest
from live_timeline import FPS_RATES, frames

from kiosk.config import GesturesConfig, SignalsConfig
from kiosk.features.arms import ArmsPose
from kiosk.features.frame import FrameFeatures
from kiosk.signals.gestures import GesturesSignal

CONFIG = GesturesConfig()
POSE_INTERVAL_S = 0.2


def arms(left, right=None, *, elbows_down=False, wide_out_sw=CONFIG.wide_out_sw):
    """Wrists in shoulder widths from the shoulders' midpoint (x right, y up); None: unseen."""

    def wide(w, side):
        return w is not None and (w[1] > 0.0 or side * w[0] > 0.5 + wide_out_sw)

    return ArmsPose((left, right), (wide(left, 1), wide(right, -1)), elbows_down)


def held(path):
    """The wrist path as the body model sees it: sampled every POSE_INTERVAL_S, then held."""
    return lambda t: path(math.floor(t / POSE_INTERVAL_S) * POSE_INTERVAL_S)


def explaining(t):
    """A hand in front of the chest moving as people's do when they explain (1 Hz, 0.3 sw)."""
    return arms((0.2 + 0.3 * math.sin(2 * math.pi * t), -0.8))


def resting(t):
    return arms((0.2, -0.9), (-0.2, -0.9))


def conducting(t):
    """Both arms waving above the shoulders and out (1.2 Hz, 0.9 sw): a conductor's."""
    swing = 0.9 * math.sin(2 * math.pi * 1.2 * t)
    return arms((0.9 + swing, 0.3 + 0.4 * swing), (-0.9 - swing, 0.3 + 0.4 * swing))


def play(segments, fps, **options):
    signal = GesturesSignal(CONFIG, SignalsConfig())
    events, first_fault = [], None
    boxed = [(seconds, (path,)) for seconds, path in segments]  # played by us, not by frames()
    for t_s, (path,) in frames(boxed, fps, **options):
        new = signal.update(t_s, FrameFeatures(t_s, face=True, arms=held(path)(t_s)))
        events += new
        if signal.faults and first_fault is None:
            first_fault = t_s
    events += signal.finish(sum(s for s, _ in segments))
    return signal, events, first_fault


@pytest.mark.parametrize("fps", FPS_RATES)
def test_explaining_with_a_hand_is_gesturing_and_resting_hands_are_not(fps):
    signal, events, fault = play([(10.0, explaining), (10.0, resting)], fps)
    ratio = signal.summary()["gesturing_ratio"]
    assert 0.2 <= ratio <= 0.5  # most of the explaining half (a sine slows at its ends)
    assert events == [] and fault is None
    assert signal.summary()["hidden_hands"] is False


@pytest.mark.parametrize("fps", FPS_RATES)
def test_conducting_is_wide_gestures_cued_after_wide_fault_s_of_swinging(fps):
    signal, events, fault = play([(4.0, resting), (6.0, conducting), (4.0, resting)], fps)
    wide = [e for e in events if e.kind == "wide_gesture"]
    assert len(wide) >= 1 and signal.summary()["wide_gestures"] == len(wide)
    assert all(4.0 - 0.5 <= e.t_s <= 10.5 for e in wide)
    assert sum(e.duration_s for e in wide) >= 1.2  # the fast part of each sweep
    assert fault is not None and 4.0 + CONFIG.wide_fault_s <= fault <= 4.0 + 2.5


@pytest.mark.parametrize("fps", FPS_RATES)
def test_a_hand_raised_slowly_above_the_shoulder_is_not_a_wide_gesture(fps):
    def raising(t):  # 0.2 shoulder widths a second: a hand up to ask a colleague to wait
        return arms((0.3, -0.8 + 0.2 * t))

    _, events, fault = play([(8.0, raising)], fps)
    assert [e for e in events if e.kind == "wide_gesture"] == [] and fault is None


@pytest.mark.parametrize("fps", FPS_RATES)
def test_hands_never_seen_with_the_elbows_down_for_a_whole_interaction_are_hidden(fps):
    hidden = lambda t: arms(None, None, elbows_down=True)  # noqa: E731
    signal, events, _ = play([(CONFIG.hidden_min_s + 5.0, hidden)], fps)
    assert signal.summary()["hidden_hands"] is True
    assert [e.kind for e in events] == ["hidden_hands"]
    assert events[0].duration_s == pytest.approx(CONFIG.hidden_min_s + 5.0, abs=0.5)


def test_hidden_hands_need_the_elbows_in_view_and_a_long_enough_interaction():
    unseen = lambda t: arms(None, None)  # noqa: E731  # the frame ends at the chest
    signal, events, _ = play([(CONFIG.hidden_min_s + 5.0, unseen)], 15.0)
    assert signal.summary()["hidden_hands"] is None and events == []
    short = lambda t: arms(None, None, elbows_down=True)  # noqa: E731
    signal, events, _ = play([(CONFIG.hidden_min_s - 5.0, short)], 15.0)
    assert signal.summary()["hidden_hands"] is None and events == []


def test_a_hand_seen_once_means_the_hands_were_not_hidden():
    hidden = lambda t: arms(None, None, elbows_down=True)  # noqa: E731
    seen = lambda t: arms((0.3, -0.8), None, elbows_down=True)  # noqa: E731
    signal, events, _ = play([(15.0, hidden), (0.5, seen), (15.0, hidden)], 15.0)
    assert signal.summary()["hidden_hands"] is False and events == []


def test_no_shoulders_in_view_measures_nothing():
    signal, _events, _ = play([(10.0, lambda t: None)], 15.0)
    assert signal.summary() == {"gesturing_ratio": None, "wide_gestures": 0, "hidden_hands": None}
