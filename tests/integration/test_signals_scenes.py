"""Every built-in scenario gives the verdict its name promises, measured by the real models.

Faults must be found where they are scripted and nowhere else.
"""

import pytest

from kiosk.scenes.library import SCENARIOS

STARING = {"stares", "counter_shift"}
HEAD_ONLY = {"turns_head_not_body", "counter_shift"}
IMPATIENT_NODS = {"impatient_nodding", "counter_shift"}
NO_LOOK = {"never_looks_up", "blank_stare"}  # a vacant stare away is also no look at them
# analyze takes the customer as there from the first frame: counter_shift opens with 3 s at
# the desk before anyone arrives (live, its customer arrives at 1 s and is greeted in time)
SLOW_GREETING = {"slow_greeting", "never_looks_up", "counter_shift"}


def summary_of(run_of, name):
    return run_of(name).summary


@pytest.mark.parametrize("name", list(SCENARIOS))
def test_faults_appear_only_where_they_are_scripted(name, run_of):
    s = summary_of(run_of, name)
    assert (s["eye_contact"]["staring_bouts"] > 0) == (name in STARING)
    assert (s["facing"]["head_only_turns"] > 0) == (name in HEAD_ONLY)
    assert (s["nods"]["impatient_bouts"] > 0) == (name in IMPATIENT_NODS)
    assert (s["eye_contact"]["no_look_spells"] > 0) == (name in NO_LOOK)
    kinds = {e["kind"] for e in s["events"]}
    assert ("slow_greeting" in kinds) == (name in SLOW_GREETING)
    assert ("frown" in kinds) == (name == "frowning")
    assert (s["expression"]["blank_stare_spells"] > 0) == (name == "blank_stare")
    assert (s["stiffness"]["stiff_spells"] > 0) == (name == "stiff")
    assert (s["gestures"]["wide_gestures"] > 0) == (name == "wide_gestures")
    assert s["gestures"]["hidden_hands"] is not True  # no render hides its hands


@pytest.mark.parametrize("name", list(SCENARIOS))
def test_nods_are_counted_within_one_of_the_script(name, run_of):
    run = run_of(name)
    scripted = len(SCENARIOS[name].nod_times_s())
    assert abs(run.summary["nods"]["count"] - scripted) <= 1


@pytest.mark.parametrize("name", ["listening_nods", "attentive", "impatient_nodding"])
def test_each_scripted_nod_is_found_within_half_a_second(name, run_of):
    run = run_of(name)
    measured = [r.t_s for r in run.frames if r.signals.nod]
    for t in SCENARIOS[name].nod_times_s():
        assert any(abs(m - t) <= 0.5 for m in measured), f"nod at {t:.2f} s not found"


def test_attentive_service_has_eye_contact_with_breaks_and_a_forward_lean(run_of):
    s = summary_of(run_of, "attentive")
    assert 0.5 <= s["eye_contact"]["ratio"] <= 0.9
    assert s["eye_contact"]["longest_gaze_s"] < 4.0
    assert s["lean"]["forward_ratio"] > 0.1 and s["lean"]["back_ratio"] == 0.0
    assert s["facing"]["ratio"] > 0.9
    assert s["impatience"]["events"] == 0


def test_a_stare_is_one_long_unbroken_gaze(run_of):
    eye = summary_of(run_of, "stares")["eye_contact"]
    assert eye["staring_bouts"] == 1
    assert eye["longest_gaze_s"] >= 15.0


def test_never_looking_up_has_almost_no_eye_contact(run_of):
    assert summary_of(run_of, "never_looks_up")["eye_contact"]["ratio"] < 0.1


def test_turning_the_whole_body_away_is_impatience_not_a_head_only_turn(run_of):
    s = summary_of(run_of, "turns_away")
    assert s["impatience"]["kinds"].get("turned_away", 0) >= 1
    assert s["facing"]["ratio"] < 0.75


def test_leaning_back_is_found_against_the_first_minute(run_of):
    s = summary_of(run_of, "leans_back")
    assert s["lean"]["back_ratio"] > 0.25
    assert s["lean"]["forward_ratio"] < 0.05
    assert s["impatience"]["kinds"].get("leaning_back", 0) == 1


def test_leaving_the_counter_is_absence_not_a_fault(run_of):
    s = summary_of(run_of, "agent_away")
    assert s["face_visible_ratio"] == pytest.approx(0.6, abs=0.02)
    assert s["impatience"]["events"] == 0


def test_a_slow_greeting_is_measured_from_the_start_of_the_clip(run_of):
    s = summary_of(run_of, "slow_greeting")
    # the head comes up from the till at 7.0 s (0.4 s ease)
    assert 7.0 <= s["greeting_s"] <= 7.6
    (event,) = [e for e in s["events"] if e["kind"] == "slow_greeting"]
    assert event["greeting_s"] == s["greeting_s"] and event["t_s"] == 0.0


def test_attentive_service_greets_at_once_and_keeps_every_new_fault_away(run_of):
    s = summary_of(run_of, "attentive")
    assert s["greeting_s"] <= 0.1
    assert s["expression"]["frown_ratio"] < 0.05
    # the photo the scenes are rendered from smiles
    assert s["expression"]["smile_ratio"] > 0.8


def test_a_frown_is_found_while_the_brows_are_drawn_down(run_of):
    run = run_of("frowning")
    scripted = [t["segment"] == "frowning" for t in run.truth]
    measured = [r.signals.expression == "frown" for r in run.frames]
    frowning = [m for m, s in zip(measured, scripted, strict=True) if s]
    relaxed = [m for m, s in zip(measured, scripted, strict=True) if not s]
    assert sum(frowning) >= 0.7 * len(frowning)
    assert sum(relaxed) <= 0.05 * len(relaxed)
    frowns = [e for e in run.summary["events"] if e["kind"] == "frown"]
    assert len(frowns) == 1 and frowns[0]["duration_s"] >= 8.0


def test_a_blank_stare_is_one_spell_as_long_as_the_script(run_of):
    s = summary_of(run_of, "blank_stare")
    (event,) = [e for e in s["events"] if e["kind"] == "blank_stare"]
    assert event["t_s"] == pytest.approx(6.0, abs=1.0)
    assert event["duration_s"] == pytest.approx(13.0, abs=1.5)


def test_stiffness_is_one_spell_of_about_the_whole_clip(run_of):
    s = summary_of(run_of, "stiff")
    (event,) = [e for e in s["events"] if e["kind"] == "stiff"]
    assert event["duration_s"] >= 60.0


def scripted_spans(truth, label):
    """(start_s, end_s) of each run of frames whose segment is `label`."""
    spans, start, last = [], None, None
    for t in truth:
        if t["segment"] == label:
            start = t["t_s"] if start is None else start
            last = t["t_s"]
        elif start is not None:
            spans.append((start, last))
            start = None
    return spans + ([(start, last)] if start is not None else [])


def test_wide_gestures_are_found_in_each_sweeping_bout_and_hands_are_seen(run_of):
    run = run_of("wide_gestures")
    bouts = scripted_spans(run.truth, "wide gestures")
    assert len(bouts) == 3
    starts = [e["t_s"] for e in run.summary["events"] if e["kind"] == "wide_gesture"]
    for start, end in bouts:
        assert any(start - 0.5 <= t <= end for t in starts), (start, end, starts)
    # (a sweep may still be under way as the arms come down: half a second more)
    assert all(any(start - 0.5 <= t <= end + 0.5 for start, end in bouts) for t in starts)
    gestures = run.summary["gestures"]
    assert gestures["hidden_hands"] is False and gestures["gesturing_ratio"] > 0.2


def test_per_frame_lines_carry_the_signal_keys(run_of):
    line = run_of("head_shakes").frames[20].to_json()
    assert {"gaze_on_customer", "torso_yaw_deg", "lean", "nod", "pointing"} <= set(line)
    assert line["expression"] in ("frown", "smile", "neutral") and line["gesturing"] is False
    assert isinstance(line["gaze_on_customer"], bool)
