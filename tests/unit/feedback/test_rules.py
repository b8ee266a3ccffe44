"""Nudge rules over scripted fault timelines: hysteresis, cooldowns, global limit, priority,
immediate cues, no customer, paused; at several frame rates."""

from __future__ import annotations

import dataclasses
import random

import pytest

from kiosk.config import Config, CueConfig, CuesConfig, NudgesConfig
from kiosk.feedback.rules import NudgeRules
from kiosk.signals.events import Fault

FPS_CASES = (5.0, 10.0, 15.0, 30.0)


def rules(**nudges) -> NudgeRules:
    return NudgeRules(NudgesConfig(**nudges), CuesConfig())


def fault(kind: str, since_s: float, active_s: float | None = None) -> Fault:
    return Fault(kind, since_s, since_s if active_s is None else active_s)


def drive(r: NudgeRules, timeline, fps: float, end_s: float, *, customer=lambda t: True):
    """`timeline(t_s)` -> faults active at t_s. Returns [(t_s, cue_lit)] and the nudges."""
    lit, nudges = [], []
    for i in range(round(end_s * fps)):
        t = i / fps
        nudges += r.update(t, timeline(t), customer=customer(t))
        lit.append((t, r.cue))
    return lit, nudges


def spans(kind: str, *windows: tuple[float, float], minimum_s: float = 0.0):
    """A timeline where `kind` is active (its minimum reached) inside each window."""

    def timeline(t):
        return [fault(kind, a - minimum_s, a) for a, b in windows if a <= t < b]

    return timeline


@pytest.mark.parametrize("fps", FPS_CASES)
def test_a_cue_lights_on_the_very_frame_its_fault_reaches_its_minimum_time(fps):
    active_s = round(6.0 * fps) / fps
    _, nudges = drive(rules(), spans("staring", (active_s, 9.0), minimum_s=4.0), fps, 12.0)
    assert [(n.cue, n.t_s) for n in nudges] == [("staring", active_s)]
    assert nudges[0].t_s == nudges[0].fault_active_s


@pytest.mark.parametrize("fps", FPS_CASES)
def test_without_a_customer_nothing_is_nudged_and_a_lit_cue_goes_dark(fps):
    r = rules()
    lit, nudges = drive(r, spans("staring", (1.0, 30.0)), fps, 30.0, customer=lambda t: False)
    assert nudges == [] and all(cue is None for _, cue in lit)
    r = rules()
    lit, nudges = drive(r, spans("staring", (1.0, 30.0)), fps, 30.0, customer=lambda t: t < 3.0)
    assert len(nudges) == 1
    assert all(cue is None for t, cue in lit if t >= 3.0)


def test_paused_rules_light_nothing():
    r = rules()
    assert r.update(1.0, [fault("pointing_at_face", 0.5, 1.0)], customer=True, paused=True) == []
    assert r.cue is None


@pytest.mark.parametrize("fps", FPS_CASES)
def test_a_cue_stays_lit_its_minimum_then_goes_dark_once_clear_for_clear_s(fps):
    # The fault lasts 0.5 s: the cue shows min_show_s (2 s), clear_s (1 s) is already over.
    lit, _ = drive(rules(), spans("staring", (1.0, 1.5)), fps, 6.0)
    on = [t for t, cue in lit if cue == "staring"]
    assert on[0] == pytest.approx(1.0) and on[-1] == pytest.approx(3.0, abs=1.0 / fps + 1e-9)
    # The fault lasts 5 s: dark about clear_s after it cleared.
    lit, _ = drive(rules(), spans("staring", (1.0, 6.0)), fps, 10.0)
    on = [t for t, cue in lit if cue == "staring"]
    assert on[-1] == pytest.approx(7.0, abs=1.0 / fps + 1e-9)


def test_a_fault_that_flickers_briefly_keeps_one_cue_and_one_nudge():
    timeline = spans("staring", (1.0, 4.0), (4.4, 8.0))  # clear for 0.4 s < clear_s
    lit, nudges = drive(rules(), timeline, 15.0, 12.0)
    assert len(nudges) == 1
    assert all(cue == "staring" for t, cue in lit if 1.0 <= t < 8.0)


def test_a_persisting_fault_goes_dark_after_max_show_and_returns_after_its_cooldown():
    lit, nudges = drive(rules(), spans("no_eye_contact", (1.0, 200.0)), 10.0, 200.0)
    assert [round(n.t_s, 1) for n in nudges] == [1.0, 61.0, 121.0, 181.0]
    assert all(cue is None for t, cue in lit if 11.05 < t < 61.0)


def test_the_same_cue_waits_its_cooldown_even_when_the_fault_returns():
    windows = [(1.0, 2.0), (30.0, 31.0), (62.0, 63.0)]
    _, nudges = drive(rules(), spans("staring", *windows), 10.0, 70.0)
    assert [round(n.t_s, 1) for n in nudges] == [1.0, 62.0]


def test_different_cues_respect_the_global_limit_then_the_waiting_fault_shows():
    def timeline(t):
        out = []
        if 1.0 <= t < 3.0:
            out.append(fault("staring", 0.0, 1.0))
        if 5.0 <= t < 40.0:
            out.append(fault("leaning_back", 2.0, 5.0))
        return out

    _, nudges = drive(rules(), timeline, 10.0, 40.0)
    assert [(n.cue, round(n.t_s, 1)) for n in nudges] == [("staring", 1.0), ("leaning_back", 21.0)]
    assert nudges[1].fault_active_s == 5.0


def test_coinciding_faults_show_the_highest_priority_one():
    faults = [fault("leaning_back", 0.0), fault("no_eye_contact", 0.0), fault("staring", 0.0)]
    r = rules()
    assert [n.cue for n in r.update(1.0, faults, customer=True)] == ["no_eye_contact"]


def test_pointing_at_the_face_is_immediate_pre_empting_and_ignoring_the_global_limit():
    def timeline(t):
        out = [fault("staring", 0.0, 1.0)] if 1.0 <= t < 5.0 else []
        if 3.0 <= t < 3.5:
            out.append(fault("pointing_at_face", 2.7, 3.0))
        return out

    lit, nudges = drive(rules(), timeline, 10.0, 10.0)
    assert [(n.cue, round(n.t_s, 1)) for n in nudges] == [
        ("staring", 1.0),
        ("pointing_at_face", 3.0),
    ]
    assert dict(lit)[3.0] == "pointing_at_face"


def test_a_disabled_cue_never_lights():
    cues = dataclasses.replace(
        CuesConfig(), staring=dataclasses.replace(CuesConfig().staring, enabled=False)
    )
    r = NudgeRules(NudgesConfig(), cues)
    _, nudges = drive(r, spans("staring", (1.0, 30.0)), 10.0, 30.0)
    assert nudges == []


@pytest.mark.parametrize("fps", FPS_CASES)
@pytest.mark.parametrize("seed", range(4))
def test_over_random_fault_storms_no_cue_beats_its_cooldown_nor_any_the_global_limit(fps, seed):
    rng = random.Random(seed)
    kinds = [f.name for f in dataclasses.fields(CuesConfig) if f.name != "well_done"]
    windows = []
    t = 0.0
    while t < 600.0:  # ten minutes of faults starting every 0-6 s, lasting 0.2-15 s
        t += rng.uniform(0.0, 6.0)
        windows.append((rng.choice(kinds), t, t + rng.uniform(0.2, 15.0)))

    def timeline(now):
        return [fault(k, a, a) for k, a, b in windows if a <= now < b]

    config = Config()
    _, nudges = drive(NudgeRules(config.nudges, config.cues), timeline, fps, 600.0)
    assert len(nudges) >= 20
    last_by_cue: dict[str, float] = {}
    previous = None
    for n in nudges:
        cue: CueConfig = getattr(config.cues, n.cue)
        if n.cue in last_by_cue:
            assert n.t_s - last_by_cue[n.cue] >= cue.cooldown_s - 1e-9
        if previous is not None and not cue.immediate:
            assert n.t_s - previous >= config.nudges.min_interval_s - 1e-9
        last_by_cue[n.cue] = previous = n.t_s
    non_immediate = [n for n in nudges if not getattr(config.cues, n.cue).immediate]
    assert len(non_immediate) <= 600.0 / config.nudges.min_interval_s + 1


def test_the_acknowledgement_is_off_by_default_and_follows_only_clean_long_interactions():
    r = rules()
    assert r.acknowledge(100.0, duration_s=60.0, faults_seen=0) is None
    on = dataclasses.replace(CuesConfig().well_done, enabled=True)
    r = NudgeRules(NudgesConfig(), dataclasses.replace(CuesConfig(), well_done=on))
    r.start_interaction()
    assert r.acknowledge(100.0, duration_s=10.0, faults_seen=0) is None  # too short
    assert r.acknowledge(100.0, duration_s=60.0, faults_seen=1) is None  # a fault
    ack = r.acknowledge(100.0, duration_s=60.0, faults_seen=0)
    assert ack is not None and ack.cue == "well_done" and r.cue == "well_done"
    r.update(101.0, [], customer=False)
    assert r.cue == "well_done"  # plays out after the customer left
    r.update(102.5, [], customer=False)
    assert r.cue is None
    r.start_interaction()
    r.update(200.0, [fault("staring", 195.0, 199.0)], customer=True)
    assert r.acknowledge(260.0, duration_s=60.0, faults_seen=0) is None  # it was nudged


def test_a_fault_held_back_says_why_once_when_it_becomes_active():
    r = rules()
    r.update(1.0, [fault("staring", 0.0, 1.0)], customer=True)
    r.update(4.0, [], customer=True)
    r.update(6.0, [], customer=True)  # staring went dark at 4.0 (min show 2 s, clear 1 s)
    r.update(7.0, [fault("leaning_back", 4.0, 7.0)], customer=True)
    assert r.held == [("leaning_back", "at most one nudge per 20 s (next at t=21.0 s)")]
    r.update(7.1, [fault("leaning_back", 4.0, 7.0)], customer=True)
    assert r.held == []  # said once, not every frame
    r.update(30.0, [fault("staring", 29.0, 30.0)], customer=True)
    assert r.held == [("staring", "its cooldown runs until t=61.0 s")]


def test_the_frown_cue_is_off_by_default_and_nudges_once_a_team_enables_it():
    frowning = spans("frown", (5.0, 15.0), minimum_s=3.0)
    _, nudges = drive(rules(), frowning, 15.0, 20.0)
    assert nudges == []
    cues = CuesConfig()
    enabled = dataclasses.replace(cues, frown=dataclasses.replace(cues.frown, enabled=True))
    _, nudges = drive(NudgeRules(NudgesConfig(), enabled), frowning, 15.0, 20.0)
    assert [(n.cue, n.t_s) for n in nudges] == [("frown", 5.0)]
    assert nudges[0].reason.startswith("brows drawn down since")


def test_every_fault_kind_has_a_cue_and_a_reason():
    from kiosk.feedback.rules import _REASONS
    from kiosk.signals.events import FAULT_KINDS

    cue_names = {f.name for f in dataclasses.fields(CuesConfig)}
    assert set(FAULT_KINDS) <= cue_names and set(FAULT_KINDS) <= set(_REASONS)
