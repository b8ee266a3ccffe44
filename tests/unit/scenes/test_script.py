"""Scenario scripts are pure functions of time: check the truth they promise, with numbers."""

import itertools

import pytest

from kiosk.errors import SourceError
from kiosk.scenes.library import SCENARIOS, get_scenario
from kiosk.scenes.script import Oscillation, Posture, Scenario, Segment


def still(*segments):
    return Scenario("t", "test", tuple(segments), sway_deg=0.0)


def test_a_nod_goes_down_by_its_amplitude_and_comes_back():
    osc = Oscillation("nod", freq_hz=1.0, amplitude_deg=10.0)
    assert osc.offset_deg(0.0, 1.0) == pytest.approx(0.0)
    assert osc.offset_deg(0.5, 1.0) == pytest.approx(-10.0)
    assert osc.offset_deg(0.999, 1.0) == pytest.approx(0.0, abs=0.01)


def test_only_whole_cycles_are_played():
    osc = Oscillation("nod", freq_hz=2.0, amplitude_deg=10.0)
    assert osc.cycles(1.9) == 3
    assert osc.offset_deg(1.75, 1.9) == 0.0  # a fourth nod would not finish in time


def test_a_shake_moves_yaw_both_ways_and_leaves_pitch_alone():
    scenario = still(Segment(2.0, oscillation=Oscillation("shake", 1.0, 15.0), ease_s=0.0))
    quarter, three_quarters = scenario.state_at(0.25), scenario.state_at(0.75)
    assert quarter.posture.head_yaw_deg == pytest.approx(15.0)
    assert three_quarters.posture.head_yaw_deg == pytest.approx(-15.0)
    assert quarter.posture.head_pitch_deg == 0.0
    assert scenario.nod_times_s() == []


def test_postures_ease_from_the_previous_segment():
    scenario = still(Segment(2.0), Segment(2.0, Posture(head_yaw_deg=30.0), ease_s=1.0))
    assert scenario.state_at(2.0).posture.head_yaw_deg == pytest.approx(0.0)
    assert scenario.state_at(2.5).posture.head_yaw_deg == pytest.approx(15.0)
    assert scenario.state_at(3.5).posture.head_yaw_deg == pytest.approx(30.0)


def test_nod_completion_is_flagged_on_exactly_one_frame_per_nod():
    scenario = still(Segment(1.0), Segment(3.0, oscillation=Oscillation("nod", 1.5, 10.0)))
    assert scenario.nod_times_s() == pytest.approx(
        [1 + 1 / 1.5, 1 + 2 / 1.5, 1 + 3 / 1.5, 1 + 4 / 1.5]
    )
    frames = scenario.frames(fps=15.0)
    assert len(frames) == 60
    flagged = [f.t_s for f in frames if f.nod_completed]
    assert len(flagged) == 4
    for truth, seen in zip(scenario.nod_times_s(), flagged, strict=True):
        assert 0 <= seen - truth < 1 / 15.0


def test_absent_segments_have_no_gaze_target():
    scenario = still(Segment(1.0), Segment(1.0, present=False))
    assert scenario.state_at(1.5).target == "none"
    assert not scenario.state_at(1.5).present


def test_sway_is_small_and_slow():
    scenario = Scenario("t", "test", (Segment(60.0),), sway_deg=1.0)
    yaws = [scenario.state_at(t / 10).posture.head_yaw_deg for t in range(600)]
    assert max(abs(y) for y in yaws) <= 1.0
    assert max(abs(b - a) for a, b in itertools.pairwise(yaws)) < 0.1  # deg per 0.1 s


@pytest.mark.parametrize(
    ("name", "nods"),
    [("listening_nods", 5), ("impatient_nodding", 18), ("attentive", 2), ("head_shakes", 0)],
)
def test_built_in_scenarios_script_the_nods_their_names_promise(name, nods):
    assert len(SCENARIOS[name].nod_times_s()) == nods


def test_stares_holds_an_unbroken_gaze_for_over_ten_seconds():
    frames = SCENARIOS["stares"].frames(fps=10.0)
    longest = run = 0
    for frame in frames:
        run = run + 1 if frame.target == "customer" else 0
        longest = max(longest, run)
    assert longest / 10.0 >= 15.0


def test_never_looks_up_never_targets_the_customer():
    assert {f.target for f in SCENARIOS["never_looks_up"].frames(fps=10.0)} == {"desk", "away"}


def test_turns_head_not_body_keeps_the_head_on_the_customer_while_the_torso_turns():
    frames = SCENARIOS["turns_head_not_body"].frames(fps=10.0)
    turned = [f for f in frames if f.posture.torso_yaw_deg > 40]
    assert len(turned) / 10.0 > 8.0
    assert all(abs(f.posture.head_yaw_deg) < 2.0 for f in turned)


def test_unknown_scenario_names_the_built_in_ones():
    with pytest.raises(SourceError, match=r"no such scenario.*attentive"):
        get_scenario("atentive")


@pytest.mark.parametrize("name", sorted(set(SCENARIOS) - {"stares", "counter_shift"}))
def test_only_the_staring_scenarios_script_a_gaze_longer_than_3_5_s(name):
    longest = run = 0.0
    for segment in SCENARIOS[name].segments:
        run = run + segment.duration_s if segment.target == "customer" else 0.0
        longest = max(longest, run)
    assert longest <= 3.5
