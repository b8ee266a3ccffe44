"""The signal set as the pipeline drives it: interactions and the time between them, live
faults on every frame, skipped timestamps, baselines across interactions, and bounded memory."""

import logging
import math
from collections import deque

import numpy as np
import pytest
from live_timeline import FPS_RATES, frames

from kiosk.config import Config, LeanConfig
from kiosk.features.arms import ArmsPose
from kiosk.features.expression import POPULATION_NEUTRAL_CM, FaceActions
from kiosk.features.frame import FrameFeatures, PointingShape
from kiosk.features.head_pose import HeadPose
from kiosk.signals.events import EVENT_DETAIL, EVENT_KINDS, FAULT_KINDS
from kiosk.signals.session import SignalSet

SUMMARY_KEYS = {
    "eye_contact": {"ratio", "longest_gaze_s", "staring_bouts", "no_look_spells"},
    "facing": {"ratio", "head_only_turns"},
    "lean": {"forward_ratio", "back_ratio"},
    "nods": {"count", "per_minute", "impatient_bouts"},
    "pointing": {"events", "open_palm_events", "at_face"},
    "impatience": {"events", "kinds"},
    "greeting_s": None,  # a number (or null), not an object
    "expression": {"frown_ratio", "smile_ratio", "blank_stare_spells"},
    "gestures": {"gesturing_ratio", "wide_gestures", "hidden_hands"},
    "stiffness": {"stiff_spells"},
}


def agent(
    t_s,
    on_customer=True,
    distance_cm=70.0,
    torso_yaw_deg=0.0,
    pitch_deg=-15.0,
    pointing=None,
    face=True,
):
    """One frame of a seated agent, head to the customer (no face: nothing measured)."""
    if not face:
        return FrameFeatures(t_s, face=False, hands_tracked=True)
    head = HeadPose(0.0, pitch_deg, 0.0, np.eye(3), (0.0, 0.0, distance_cm), 1.0)
    return FrameFeatures(
        t_s,
        face=True,
        head=head,
        gaze_on_customer=on_customer,
        head_to_customer=True,
        customer_yaw_deg=0.0,
        customer_pitch_deg=0.0,
        head_distance_cm=distance_cm,
        torso_yaw_deg=torso_yaw_deg,
        shoulder_width_cm=40.0 * math.cos(math.radians(torso_yaw_deg)),
        hands_tracked=True,
        pointing=pointing,
    )


def stream(signals, t0_s, seconds, fps=15.0, observe=False, **posture):
    """Feed `seconds` of a steady posture; returns the FrameSignals of every frame."""
    step = signals.observe if observe else signals.update
    return [step(agent(t0_s + i / fps, **posture)) for i in range(round(seconds * fps))]


def test_every_frame_of_a_stare_carries_the_fault_from_the_limit_on():
    signals = SignalSet(Config())
    out = stream(signals, 0.0, 2.0, on_customer=False) + stream(signals, 2.0, 6.0)
    staring = [i / 15 for i, frame in enumerate(out) if frame.faults]
    assert staring[0] == pytest.approx(2.0 + 4.0, abs=1 / 15)
    assert staring[-1] == pytest.approx(8.0 - 1 / 15)
    assert {f.kind for frame in out for f in frame.faults} == {"staring"}
    assert signals.state.eye_contact.staring_since_s == pytest.approx(2.0, abs=0.04)
    out = stream(signals, 8.0, 1.0, on_customer=False)
    [event] = [e for frame in out for e in frame.events]
    assert (event.kind, round(event.duration_s, 1)) == ("staring", 6.0)
    assert not out[-1].faults


def test_faults_going_on_together_are_listed_in_cue_order():
    signals = SignalSet(Config(lean=LeanConfig(neutral_distance_cm=70.0)))
    stream(signals, 0.0, 3.0, on_customer=False)  # square-on: the shoulders' full width
    out = stream(signals, 3.0, 5.0, distance_cm=80.0, torso_yaw_deg=45.0)
    kinds = [f.kind for f in out[-1].faults]
    assert kinds == ["staring", "head_only_turn", "leaning_back"]
    assert kinds == sorted(kinds, key=FAULT_KINDS.index)


def test_a_frame_outside_an_interaction_counts_nothing_but_is_shown_and_learned_from():
    signals = SignalSet(Config())
    out = stream(signals, 0.0, 10.0, observe=True, distance_cm=80.0)
    out += stream(signals, 10.0, 20.0, observe=True, distance_cm=80.0, torso_yaw_deg=45.0)
    assert not any(frame.faults or frame.events for frame in out)
    assert out[-1].gaze_on_customer is True and out[-1].lean_cm == pytest.approx(0.0)
    assert out[-1].torso_yaw_deg == pytest.approx(45.0, abs=1.0)
    signals.finish(30.0)
    summary = signals.summary()
    assert summary["eye_contact"]["ratio"] is None and summary["events"] == []
    assert signals.lean.neutral.value == pytest.approx(80.0)  # learned while waiting
    out = stream(signals, 30.0, 5.0, distance_cm=70.0)
    assert out[-1].lean_cm == pytest.approx(10.0)


def test_reset_starts_an_interaction_afresh_and_keeps_the_baselines():
    signals = SignalSet(Config())
    stream(signals, 0.0, 65.0, on_customer=False, distance_cm=80.0)
    signals.finish(65.0)
    assert signals.summary()["eye_contact"]["ratio"] == 0.0
    signals.reset()
    assert signals.events == [] and signals.faults == ()
    assert signals.summary()["eye_contact"]["ratio"] is None
    out = stream(signals, 100.0, 5.0, distance_cm=90.0)
    assert out[0].lean_cm == pytest.approx(-10.0)  # against the neutral of the first minute
    assert signals.state.lean.neutral_cm == pytest.approx(80.0)
    signals.reset_baselines()
    out = stream(signals, 105.0, 1.0, distance_cm=90.0)
    assert out[0].lean_cm == pytest.approx(0.0)


def test_baselines_are_learned_again_after_a_long_absence():
    signals = SignalSet(Config())
    stream(signals, 0.0, 65.0, distance_cm=80.0)
    stream(signals, 65.0, 700.0, fps=1.0, observe=True, face=False)
    out = stream(signals, 765.0, 5.0, distance_cm=60.0)
    assert out[-1].lean_cm == pytest.approx(0.0)
    assert signals.facing.torso.square_on.value == pytest.approx(40.0)  # same shoulders


@pytest.mark.parametrize("fps", FPS_RATES)
def test_timestamps_that_go_backwards_or_repeat_are_skipped_with_a_few_warnings(fps, caplog):
    signals = SignalSet(Config())
    clean = SignalSet(Config())
    timeline = frames([(2.0, True), (6.0, True), (2.0, False)], fps)
    with caplog.at_level(logging.WARNING, logger="kiosk.signals.session"):
        for i, (t_s, on) in enumerate(timeline):
            clean.update(agent(t_s, on_customer=on))
            signals.update(agent(t_s, on_customer=on))
            for back_s in (0.0, 0.5, 30.0) if i % 2 else ():
                skipped = signals.update(agent(t_s - back_s, on_customer=not on, pitch_deg=-40))
                assert skipped.events == () and not skipped.nod
                assert skipped.gaze_on_customer is None and skipped.lean_cm is None
    assert signals.skipped_frames == 3 * (len(timeline) // 2)
    assert 1 <= len(caplog.records) <= 4  # 1st, 10th, 100th, 1000th
    for s in (signals, clean):
        s.finish(10.0)
    assert signals.summary() == clean.summary()
    assert all(e["duration_s"] >= 0 for e in signals.summary()["events"])


def test_the_summary_keeps_its_keys_and_events_their_documented_details():
    signals = SignalSet(Config())
    aimed = PointingShape(at_customer=True, at_face_height=True)
    t_s = 0.0
    for seconds, posture in [
        (3.0, {"on_customer": False}),
        (6.0, {}),
        (2.0, {"pointing": aimed, "on_customer": False}),
        (4.0, {"torso_yaw_deg": 45.0, "on_customer": False}),
        (3.0, {"on_customer": False}),
    ]:
        stream(signals, t_s, seconds, **posture)
        t_s += seconds
    signals.finish(t_s)
    summary = signals.summary()
    keys = {k: set(v) if isinstance(v, dict) else None for k, v in summary.items()}
    assert {k: v for k, v in keys.items() if k != "events"} == SUMMARY_KEYS
    kinds = [e["kind"] for e in summary["events"]]
    assert sorted(kinds) == ["head_only_turn", "no_look", "pointing", "staring"]
    for event in summary["events"]:
        assert event["kind"] in EVENT_KINDS
        extra = set(event) - {"kind", "t_s", "duration_s"}
        assert extra == set(EVENT_DETAIL.get(event["kind"], {}))


def container_sizes(obj, path="signals", seen=None, out=None):
    """len() of every list, deque, dict and set reachable from `obj`'s attributes."""
    seen = set() if seen is None else seen
    out = {} if out is None else out
    if id(obj) in seen or isinstance(obj, str | bytes | int | float | bool | type(None)):
        return out
    seen.add(id(obj))
    if isinstance(obj, list | deque | dict | set | tuple):
        out[path] = len(obj)
        items = obj.items() if isinstance(obj, dict) else enumerate(obj)
        for key, item in list(items)[:50]:
            container_sizes(item, f"{path}[{key}]", seen, out)
    elif hasattr(obj, "__dict__") and type(obj).__module__.startswith("kiosk"):
        for name, value in vars(obj).items():
            container_sizes(value, f"{path}.{name}", seen, out)
    return out


def test_memory_stays_bounded_over_an_8_hour_shift():
    """Interactions of 4 minutes with a minute between them; within each, a rhythm of gaze
    and glances, nods, a stare, a lean back, a pointed finger, a frown, hands moving and wide
    sweeps; the agent away for a while. At 5 fps (what stays in memory is bounded by time
    windows and sample steps, not by the frame count; 15 fps took 25 s of the suite)."""
    signals = SignalSet(Config())
    fps, cycle_s = 5.0, 300.0
    frown = FaceActions(**POPULATION_NEUTRAL_CM | {"brow_height_cm": 1.0})
    neutral = FaceActions(**POPULATION_NEUTRAL_CM)
    sizes = {}
    pose = {p: HeadPose(0.0, p, 0.0, np.eye(3), (0.0, 0.0, 70.0), 1.0) for p in (-15.0, -25.0)}
    aimed = PointingShape(at_customer=True, at_face_height=False)
    for i in range(int(8 * 3600 * fps)):
        t_s = i / fps
        phase = t_s % cycle_s
        if phase == 0.0:
            signals.finish(t_s)
            signals.reset()
        if 3600.0 * 4 <= t_s < 3600.0 * 4 + 900.0:  # away from the desk for 15 minutes
            signals.observe(FrameFeatures(t_s, face=False))
            continue
        beat, turned = phase % 20.0, 150.0 <= phase < 153.0
        f = FrameFeatures(
            t_s,
            face=True,
            head=pose[-25.0 if 12.0 <= beat < 12.3 else -15.0],
            gaze_on_customer=(phase % 3.0) < 2.5 or 60.0 <= phase < 70.0,
            head_to_customer=True,
            head_distance_cm=80.0 if 100.0 <= phase < 110.0 else 70.0,
            torso_yaw_deg=45.0 if turned else 0.0,
            shoulder_width_cm=27.0 if turned else 38.0,
            hands_tracked=True,
            pointing=aimed if 200.0 <= phase < 201.0 else None,
            face_actions=frown if 30.0 <= phase < 40.0 else neutral,
            arms=ArmsPose(
                ((0.3 + 0.3 * math.sin(6.0 * t_s), 0.2 if 220.0 <= phase < 225.0 else -0.8), None),
                (220.0 <= phase < 225.0, False),
                False,
            ),
        )
        if phase < 240.0:
            signals.update(f)
        else:
            signals.observe(f)
        if t_s in (3600.0, 8 * 3600.0 - 60.0):
            sizes[t_s] = container_sizes(signals)
    first, last = sizes.values()
    assert max(last.values()) <= 601, max(last.items(), key=lambda kv: kv[1])
    assert sum(last.values()) <= sum(first.values()) + 50
    kinds = {e.kind for e in signals.events}
    assert {"staring", "leaning_back", "head_only_turn", "pointing", "frown"} <= kinds
    assert "wide_gesture" in kinds
