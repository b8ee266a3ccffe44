"""Facial actions over scripted timelines: frowns and smiles against the population's or the
agent's own neutral, and blank stares, at every frame rate with dropped and jittered frames."""

import dataclasses
import math

import numpy as np
import pytest
from live_timeline import FPS_RATES, frames

from kiosk.config import ExpressionConfig, SignalsConfig
from kiosk.features.expression import POPULATION_NEUTRAL_CM, FaceActions
from kiosk.features.frame import FrameFeatures
from kiosk.features.gaze import Gaze
from kiosk.features.head_pose import HeadPose
from kiosk.signals.expression import ExpressionSignal

CONFIG = ExpressionConfig()
NEUTRAL = FaceActions(**POPULATION_NEUTRAL_CM)


def face(brow_drop_cm=0.0, corner_raise_cm=0.0, base=NEUTRAL) -> FaceActions:
    return dataclasses.replace(
        base,
        brow_height_cm=base.brow_height_cm - brow_drop_cm,
        corner_drop_cm=base.corner_drop_cm - corner_raise_cm,
    )


FROWN = face(brow_drop_cm=1.5 * CONFIG.population_frown_cm)
SMILE = face(corner_raise_cm=1.5 * CONFIG.population_smile_cm)


def frame(
    t_s, actions=NEUTRAL, *, gaze_deg=(20.0, -10.0), head_deg=(5.0, -5.0), on=False, eyes_open=True
):
    """A face: `actions`, eyes toward `gaze_deg` (yaw, pitch), head at `head_deg`; None: none."""
    if actions is None:
        return FrameFeatures(t_s, face=False)
    head = HeadPose(head_deg[0], head_deg[1], 0.0, np.eye(3), (0.0, 0.0, 70.0), 1.0)
    look = Gaze(gaze_deg[0], gaze_deg[1], 0.0, 0.0, (0.0, 0.0, -1.0), eyes_open)
    return FrameFeatures(
        t_s, face=True, head=head, gaze=look, gaze_on_customer=on, face_actions=actions
    )


def play(segments, fps, signal=None, **options):
    signal = signal or ExpressionSignal(CONFIG, SignalsConfig())
    events, labels, fault_times = [], [], {}
    timeline = frames(segments, fps, **options)
    for t_s, value in timeline:
        events += signal.update(
            t_s, value if isinstance(value, FrameFeatures) else frame(t_s, value)
        )
        labels.append((t_s, signal.expression))
        for fault in signal.faults:
            fault_times.setdefault(fault.kind, t_s)
    events += signal.finish(sum(s for s, _ in segments) + options.get("start_s", 0.0))
    return signal, events, labels, fault_times


def test_the_population_neutral_face_is_neutral_and_each_action_is_named():
    signal = ExpressionSignal(CONFIG, SignalsConfig(), learn=False)
    for i, (actions, label) in enumerate(
        [(NEUTRAL, "neutral"), (FROWN, "frown"), (SMILE, "smile"), (None, None)]
    ):
        signal.update(float(i), frame(float(i), actions))
        assert signal.expression == label


def test_brows_slanting_inward_and_drawn_together_add_to_their_lowering():
    threshold = CONFIG.population_frown_cm
    lowered = face(brow_drop_cm=0.6 * threshold)
    slanted = dataclasses.replace(lowered, brow_tilt_cm=NEUTRAL.brow_tilt_cm + 0.5 * threshold)
    together = dataclasses.replace(lowered, brow_gap_cm=NEUTRAL.brow_gap_cm - 0.9 * threshold)
    signal = ExpressionSignal(CONFIG, SignalsConfig(), learn=False)
    labels = []
    for i, actions in enumerate([lowered, slanted, together]):
        signal.update(float(i), frame(float(i), actions))
        labels.append(signal.expression)
    assert labels == ["neutral", "frown", "frown"]


@pytest.mark.parametrize("fps", FPS_RATES)
def test_a_frown_held_five_seconds_is_one_event_cued_after_frown_min_s(fps):
    signal, events, _labels, faults = play([(3.0, NEUTRAL), (5.0, FROWN), (4.0, SMILE)], fps)
    frowns = [e for e in events if e.kind == "frown"]
    assert len(frowns) == 1
    assert frowns[0].t_s == pytest.approx(3.0, abs=1.5 / fps + 0.1)
    assert frowns[0].duration_s == pytest.approx(5.0, abs=2.5 / fps + 0.1)
    assert faults["frown"] == pytest.approx(3.0 + CONFIG.frown_min_s, abs=2.5 / fps + 0.1)
    summary = signal.summary()
    assert summary["frown_ratio"] == pytest.approx(5 / 12, abs=0.06)
    assert summary["smile_ratio"] == pytest.approx(4 / 12, abs=0.06)


@pytest.mark.parametrize("fps", FPS_RATES)
def test_a_frown_shorter_than_frown_min_s_is_counted_but_not_an_event(fps):
    signal, events, _, faults = play([(3.0, NEUTRAL), (2.0, FROWN), (3.0, NEUTRAL)], fps)
    assert [e.kind for e in events if e.kind == "frown"] == [] and "frown" not in faults
    assert 0.15 <= signal.summary()["frown_ratio"] <= 0.35


def test_an_agent_with_low_brows_is_not_a_frown_once_their_neutral_is_learned():
    low = face(brow_drop_cm=1.1 * CONFIG.population_frown_cm)  # this person's resting face
    _signal, _, labels, _ = play([(90.0, low)], 15.0, drop=0.0, jitter=0.0)
    before = {label for t, label in labels if t < CONFIG.learn_s}
    after = {label for t, label in labels if t > CONFIG.learn_s + 0.2}
    assert before == {"frown"} and after == {"neutral"}
    # a folder of photos never learns: each may be someone else
    photos = ExpressionSignal(CONFIG, SignalsConfig(), learn=False)
    _, _, labels, _ = play([(90.0, low)], 15.0, signal=photos, drop=0.0, jitter=0.0)
    assert {label for _, label in labels} == {"frown"}


def test_once_learned_a_milder_frown_than_the_populations_threshold_is_found():
    mild = face(brow_drop_cm=1.2 * CONFIG.frown_cm)
    assert 1.2 * CONFIG.frown_cm < CONFIG.population_frown_cm
    _, _, labels, _ = play(
        [(CONFIG.learn_s + 5.0, NEUTRAL), (5.0, mild)], 15.0, drop=0.0, jitter=0.0
    )
    assert {label for t, label in labels if t > CONFIG.learn_s + 5.2} == {"frown"}
    photos = ExpressionSignal(CONFIG, SignalsConfig(), learn=False)
    _, _, labels, _ = play([(5.0, mild)], 15.0, signal=photos, drop=0.0, jitter=0.0)
    assert {label for _, label in labels} == {"neutral"}


def test_a_frown_through_the_first_minute_does_not_become_the_neutral():
    deep = face(brow_drop_cm=CONFIG.max_personal_shift_cm + 1.2 * CONFIG.frown_cm)
    signal, _, labels, _ = play([(70.0, deep), (10.0, deep)], 15.0, drop=0.0, jitter=0.0)
    assert {label for t, label in labels if t > 65.0} == {"frown"}
    learned = signal.neutral_cm()["brow_height_cm"]
    assert learned == pytest.approx(NEUTRAL.brow_height_cm - CONFIG.max_personal_shift_cm)


def stare(t_s, drift_deg_s=0.0, blink_at=None, on_customer_at=None):
    """A fixed look down and to the side, head still, the mesh jittering a little."""
    jitter = 0.8 * math.sin(37.0 * t_s)
    yaw = 20.0 + drift_deg_s * t_s + jitter
    blink = blink_at is not None and blink_at <= t_s < blink_at + 0.25
    on = on_customer_at is not None and on_customer_at <= t_s < on_customer_at + 0.6
    return frame(
        t_s,
        NEUTRAL,
        gaze_deg=(yaw, -10.0 + jitter),
        head_deg=(5.0 + 0.3 * jitter, -5.0),
        eyes_open=not blink,
        on=on,
    )


@pytest.mark.parametrize("fps", FPS_RATES)
def test_a_fixed_vacant_look_past_the_limit_is_one_blank_stare(fps):
    seconds = CONFIG.blank_stare_s + 4.0
    signal, events, _, faults = play([(seconds, stare)], fps)
    blanks = [e for e in events if e.kind == "blank_stare"]
    assert len(blanks) == 1 and blanks[0].duration_s == pytest.approx(seconds, abs=0.6)
    assert faults["blank_stare"] == pytest.approx(CONFIG.blank_stare_s, abs=1.5 / fps + 0.25)
    assert signal.summary()["blank_stare_spells"] == 1


@pytest.mark.parametrize(
    "breaker",
    [
        {"blink_at": 6.0},  # a blink
        {"on_customer_at": 6.0},  # a look at the customer
        {"drift_deg_s": 1.5},  # the eyes wander
    ],
    ids=["blink", "look", "wander"],
)
def test_a_blink_a_look_at_the_customer_or_wandering_eyes_break_a_stare(breaker):
    seconds = CONFIG.blank_stare_s + 2.0
    _signal, events, _, faults = play(
        [(seconds, lambda t: stare(t, **breaker))], 30.0, drop=0.0, jitter=0.0
    )
    assert [e for e in events if e.kind == "blank_stare"] == [] and "blank_stare" not in faults


def test_a_dropout_ends_a_stare():
    half = CONFIG.blank_stare_s * 0.6
    from live_timeline import STALL

    _, events, _, _ = play([(half, stare), (2.0, STALL), (half, stare)], 15.0)
    assert [e for e in events if e.kind == "blank_stare"] == []


def test_a_calibrated_neutral_face_is_used_from_the_first_frame_as_it_is():
    low = face(brow_drop_cm=1.1 * CONFIG.population_frown_cm)  # this person's resting face
    calibrated = dataclasses.replace(
        CONFIG, **{"neutral_" + name: getattr(low, name) for name in POPULATION_NEUTRAL_CM}
    )
    signal = ExpressionSignal(calibrated, SignalsConfig(), learn=False)
    assert signal.learned
    signal.update(0.0, frame(0.0, low))
    assert signal.expression == "neutral"
    signal.update(1.0, frame(1.0, face(brow_drop_cm=1.2 * CONFIG.frown_cm, base=low)))
    assert signal.expression == "frown"
