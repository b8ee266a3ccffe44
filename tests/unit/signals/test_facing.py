"""Facing on scripted torso and head timelines, and the torso-yaw fusion with its learned
square-on shoulder width."""

import pytest
from live_timeline import FPS_RATES, around, feed, posture, run

from kiosk.config import FacingConfig, ImpatienceConfig, SignalsConfig
from kiosk.features.frame import FrameFeatures
from kiosk.signals.facing import FacingSignal, TorsoYaw

STEADY = {"fps": 15.0, "drop": 0.0, "jitter": 0.0}
LIVE = {"drop": 0.2, "jitter": 0.3}
FPS = 15.0


def play(pattern, **options):
    """`pattern`: (seconds, torso facing, head to the customer); None: not seen."""
    options = STEADY | options
    signal = FacingSignal(FacingConfig(), ImpatienceConfig(), 20.0, SignalsConfig())
    segments = [(seconds, (torso, head)) for seconds, torso, head in pattern]
    records, events = feed(
        signal, segments, options.pop("fps"), lambda t, v: posture(t, *v), **options
    )
    return signal, records, events


def test_head_to_the_customer_with_the_body_away_for_3_s_is_a_head_only_turn():
    signal, _, _ = play([(2, True, True), (3, False, True), (2, True, True)])
    assert signal.summary()["head_only_turns"] == 1
    assert signal.summary()["ratio"] == pytest.approx(4 / 7, abs=0.01)


@pytest.mark.parametrize(("seconds", "turns"), [(1.2, 0), (1.8, 1)])
def test_head_only_turns_need_the_configured_minimum(seconds, turns):
    signal, _, _ = play([(2, True, True), (seconds, False, True), (2, True, True)])
    assert signal.summary()["head_only_turns"] == turns


def test_turning_head_and_body_away_is_not_a_head_only_turn_but_is_turned_away():
    signal, _, events = play([(2, True, True), (4, False, False), (2, True, True)])
    assert signal.summary()["head_only_turns"] == 0
    assert [e.kind for e in events] == ["turned_away"]


def test_no_body_gives_a_null_facing_ratio():
    assert play([(5, None, True)])[0].summary()["ratio"] is None


def fault_times(records, kind):
    return [t for t, faults, _, _ in records if any(f.kind == kind for f in faults)]


@pytest.mark.parametrize("fps", FPS_RATES)
@pytest.mark.parametrize(
    ("turn", "fault", "event", "min_s"),
    [
        ((False, True), "head_only_turn", "head_only_turn", FacingConfig().head_only_min_s),
        ((False, False), "not_facing", "turned_away", ImpatienceConfig().turn_away_min_s),
    ],
)
def test_a_turn_is_a_live_fault_from_its_minimum_and_an_event_when_it_ends(
    fps, turn, fault, event, min_s
):
    _, records, events = play([(2, True, True), (4, *turn), (2, True, True)], fps=fps, **LIVE)
    times = [t for t, _, _, _ in records]
    first_possible, last_possible = around(times, 2.0)
    _, seen_ended = around(times, 6.0)
    active = fault_times(records, fault)
    assert first_possible + min_s <= active[0] <= around(times, last_possible + min_s)[1]
    assert all(t in active for t in times if last_possible + min_s <= t < 6.0)
    assert active[-1] < around(times, seen_ended + 0.3)[1]
    [closed] = [e for _, _, _, new in records for e in new]
    assert closed.kind == event
    assert closed.duration_s == pytest.approx(4.0, abs=0.3)
    assert events == [closed]  # reported live, none left for the end of input


def test_the_state_says_since_when_a_turn_has_been_going_on():
    _, records, _ = play([(2, True, True), (4, False, True)])
    state = records[-1][2]
    assert state.head_only_since_s == pytest.approx(2.0, abs=0.05)
    assert state.turned_away_since_s is None
    assert state.torso_yaw_deg == 45.0


def test_torso_yaw_needs_both_readings_to_agree_on_a_turn():
    torso = TorsoYaw()
    t, fused = 0.0, []
    # 3 s square-on: the depth reading wanders to 20 degrees, the width stays full.
    for i in range(45):
        fused.append(torso.update(t, 8.0 + 12.0 * (i % 10) / 10, 35.0 - (i % 3) * 0.5))
        t += 1 / FPS
    assert max(abs(v) for v in fused[25:]) < 15.0  # inside the 20 degree facing cone
    # Turned 45 degrees: both readings say so (width x cos 45).
    turned = torso.update(t, 44.0, 35.0 * 0.707)
    assert turned == pytest.approx(44.0, abs=1.5)
    assert torso.update(t + 0.1, -44.0, 35.0 * 0.707) == pytest.approx(-44.0, abs=1.5)


def test_without_a_width_the_depth_reading_is_used_alone():
    assert TorsoYaw().update(0.0, 30.0, None) == 30.0
    assert TorsoYaw().update(0.0, None, 30.0) is None


def test_an_agent_turned_from_the_first_frame_reads_turned():
    torso = TorsoYaw()
    fused = [torso.update(i / FPS, 44.0, 23.0) for i in range(60)]
    assert all(35.0 < v <= 44.0 for v in fused)


@pytest.mark.parametrize("fps", FPS_RATES)
def test_the_square_on_width_is_learned_in_seconds_and_in_bounded_memory(fps):
    torso = TorsoYaw()
    n = int(120 * fps)  # two minutes: one of learning, one held
    for i in range(n):
        torso.update(i / fps, 0.0, 40.0 if i % 10 == 0 else 36.0)
        assert torso.square_on.sample_count <= 601
    assert torso.square_on.settled
    assert torso.square_on.value == pytest.approx(40.0)  # the 90th percentile: the widest
    assert torso.square_on.sample_count == 0


def test_the_square_on_width_is_learned_again_after_a_long_absence():
    torso = TorsoYaw(relearn_after_s=600.0)
    for i in range(900):
        torso.update(i / FPS, 0.0, 40.0)
    assert torso.square_on.value == pytest.approx(40.0)
    # Ten minutes without a face, then someone narrower sits down.
    torso.update(700.0, None, None, seen=False)
    for i in range(60):
        torso.update(1300.0 + i / FPS, 0.0, 34.0)
    assert torso.square_on.value == pytest.approx(34.0)
    assert not torso.square_on.settled


def test_a_short_absence_keeps_the_square_on_width():
    torso = TorsoYaw(relearn_after_s=600.0)
    for i in range(900):
        torso.update(i / FPS, 0.0, 40.0)
    for i in range(60):
        torso.update(300.0 + i / FPS, 0.0, 34.0)
    assert torso.square_on.value == pytest.approx(40.0)


def test_reset_starts_a_new_interaction_but_keeps_the_square_on_width():
    signal = FacingSignal(FacingConfig(), ImpatienceConfig(), 20.0, SignalsConfig())

    def frame(t_s):  # 10 s square-on, then the torso turned 45 degrees, the head to the customer
        yaw_deg, width_cm = (0.0, 40.0) if t_s < 10.0 else (45.0, 40.0 * 0.707)
        return FrameFeatures(
            t_s, face=True, head_to_customer=True, torso_yaw_deg=yaw_deg, shoulder_width_cm=width_cm
        )

    run(signal, [(i / FPS, frame(i / FPS)) for i in range(int(70 * FPS))], 70.0)
    assert signal.summary()["head_only_turns"] == 1
    signal.reset()
    assert signal.summary() == {"ratio": None, "head_only_turns": 0}
    assert signal.torso.square_on.value == pytest.approx(40.0)
    assert signal.torso.square_on.settled


def test_a_calibrated_square_on_width_is_the_reference_from_the_first_frame():
    # 40 cm calibrated: shoulders seen 20 cm wide are turned 60 degrees, with no learning
    torso = TorsoYaw(fixed_cm=40.0)
    assert torso.update(0.0, 70.0, 20.0) == pytest.approx(60.0, abs=0.1)
    learning = TorsoYaw()  # the same reading before anything is learned: an adult's 30 cm
    assert learning.update(0.0, 70.0, 20.0) == pytest.approx(48.2, abs=0.1)
