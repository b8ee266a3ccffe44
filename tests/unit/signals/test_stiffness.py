"""Stiffness over scripted timelines: a head held still with no nod and no hand moving for the
limit, at every frame rate with dropped and jittered frames; any of them moving breaks it."""

import math

import numpy as np
import pytest
from live_timeline import FPS_RATES, STALL, frames

from kiosk.config import SignalsConfig, StiffnessConfig
from kiosk.features.frame import FrameFeatures
from kiosk.features.head_pose import HeadPose
from kiosk.signals.stiffness import StiffnessSignal

CONFIG = StiffnessConfig()


def head(t_s, yaw_deg=0.0, pitch_deg=-5.0):
    """The mesh's jitter (about a degree) rides on every head."""
    jitter = 0.9 * math.sin(41.0 * t_s)
    pose = HeadPose(yaw_deg + jitter, pitch_deg - jitter, 0.0, np.eye(3), (0.0, 0.0, 70.0), 1.0)
    return FrameFeatures(t_s, face=True, head=pose)


def play(segments, fps, *, nod_at=(), gesture_at=(), **options):
    signal = StiffnessSignal(CONFIG, SignalsConfig())
    events, first_fault = [], None
    for t_s, value in frames(segments, fps, **options):
        nodded = any(at <= t_s < at + 0.3 for at in nod_at)
        moving = any(at <= t_s < at + 1.0 for at in gesture_at)
        features = value if isinstance(value, FrameFeatures) else head(t_s)
        events += signal.update(t_s, features, nodded=nodded, hands_moving=moving)
        if signal.faults and first_fault is None:
            first_fault = t_s
    events += signal.finish(sum(s for s, _ in segments))
    return signal, events, first_fault


@pytest.mark.parametrize("fps", FPS_RATES)
def test_a_head_held_still_past_the_limit_is_stiff_cued_at_the_limit(fps):
    seconds = CONFIG.limit_s + 10.0
    # 10 % drops: at 5 fps a minute with 20 % drops usually has a gap past the 1 s dropout
    # limit, which rightly ends the spell (test_a_dropout_ends_the_spell)
    signal, events, fault = play([(seconds, None)], fps, drop=0.1)
    assert [e.kind for e in events] == ["stiff"]
    assert events[0].duration_s == pytest.approx(seconds, abs=0.5)
    assert fault == pytest.approx(CONFIG.limit_s, abs=1.5 / fps + 0.1)
    assert signal.summary() == {"stiff_spells": 1}


@pytest.mark.parametrize(
    "breaker", [{"nod_at": (35.0,)}, {"gesture_at": (35.0,)}], ids=["a nod", "a gesture"]
)
def test_one_nod_or_one_gesture_in_the_minute_is_not_stiff(breaker):
    _, events, fault = play([(CONFIG.limit_s + 10.0, None)], 15.0, **breaker)
    assert events == [] and fault is None


def test_a_head_that_turns_now_and_then_is_not_stiff():
    def looking_around(t_s):
        return head(t_s, yaw_deg=12.0 if 30.0 <= t_s % 40.0 < 32.0 else 0.0)

    _, events, fault = play([(CONFIG.limit_s + 20.0, looking_around)], 10.0)
    assert events == [] and fault is None


def test_a_slow_drift_past_still_deg_ends_a_spell():
    drift_deg_s = 2 * CONFIG.still_deg / CONFIG.limit_s  # twice still_deg over the limit
    _, events, _ = play([(CONFIG.limit_s + 5.0, lambda t: head(t, yaw_deg=drift_deg_s * t))], 10.0)
    assert events == []


def test_a_dropout_ends_the_spell():
    half = CONFIG.limit_s * 0.6
    _, events, fault = play([(half, None), (3.0, STALL), (half, None)], 15.0)
    assert events == [] and fault is None
