"""Every built-in scenario gives the verdict its name promises, measured by the real models.

Faults must be found where they are scripted and nowhere else.
"""

import pytest

from kiosk.scenes.library import SCENARIOS

STARING = {"stares", "counter_shift"}
HEAD_ONLY = {"turns_head_not_body", "counter_shift"}
IMPATIENT_NODS = {"impatient_nodding", "counter_shift"}


def summary_of(run_of, name):
    return run_of(name).summary


@pytest.mark.parametrize("name", list(SCENARIOS))
def test_faults_appear_only_where_they_are_scripted(name, run_of):
    s = summary_of(run_of, name)
    assert (s["eye_contact"]["staring_bouts"] > 0) == (name in STARING)
    assert (s["facing"]["head_only_turns"] > 0) == (name in HEAD_ONLY)
    assert (s["nods"]["impatient_bouts"] > 0) == (name in IMPATIENT_NODS)
    assert (s["eye_contact"]["no_look_spells"] > 0) == (name == "never_looks_up")


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


def test_per_frame_lines_carry_the_signal_keys(run_of):
    line = run_of("head_shakes").frames[20].to_json()
    assert {"gaze_on_customer", "torso_yaw_deg", "lean", "nod", "pointing"} <= set(line)
    assert isinstance(line["gaze_on_customer"], bool)
