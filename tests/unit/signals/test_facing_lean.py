"""Facing and lean on synthetic series."""

import pytest

from kiosk.config import FacingConfig, ImpatienceConfig, LeanConfig
from kiosk.signals.facing import FacingSignal
from kiosk.signals.lean import LeanSignal

FPS = 15.0


def feed_facing(pattern):
    signal = FacingSignal(FacingConfig(), ImpatienceConfig(), cone_deg=20.0)
    t = 0.0
    for seconds, torso, head in pattern:
        for _ in range(round(seconds * FPS)):
            signal._update(t, torso, head)
            t += 1 / FPS
    signal.finish(t)
    return signal


def test_head_to_the_customer_with_the_body_away_for_3_s_is_a_head_only_turn():
    signal = feed_facing([(2, True, True), (3, False, True), (2, True, True)])
    assert signal.summary()["head_only_turns"] == 1
    assert signal.summary()["ratio"] == pytest.approx(4 / 7, abs=0.01)


@pytest.mark.parametrize(("seconds", "turns"), [(1.2, 0), (1.8, 1)])
def test_head_only_turns_need_the_configured_minimum(seconds, turns):
    signal = feed_facing([(2, True, True), (seconds, False, True), (2, True, True)])
    assert signal.summary()["head_only_turns"] == turns


def test_turning_head_and_body_away_is_not_a_head_only_turn_but_is_turned_away():
    signal = feed_facing([(2, True, True), (4, False, False), (2, True, True)])
    assert signal.summary()["head_only_turns"] == 0
    assert [e.kind for e in signal.events] == ["turned_away"]


def test_no_body_gives_a_null_facing_ratio():
    assert feed_facing([(5, None, True)]).summary()["ratio"] is None


def feed_lean(distances, config=None):
    signal = LeanSignal(config or LeanConfig(), ImpatienceConfig())
    leans = []
    t = 0.0
    for seconds, distance in distances:
        for _ in range(round(seconds * FPS)):
            leans.append(signal.update(t, distance))
            t += 1 / FPS
    events = signal.finish(t)
    return signal, leans, events


def test_leaning_back_is_measured_against_the_first_minute():
    signal, _, events = feed_lean([(40, 80.0), (15, 90.0), (20, 80.0)])
    summary = signal.summary()
    assert summary["back_ratio"] == pytest.approx(15 / 75, abs=0.01)
    assert summary["forward_ratio"] == 0.0
    assert [e.kind for e in events] == ["leaning_back"]
    assert events[0].duration_s == pytest.approx(15.0, abs=0.2)


def test_a_calibrated_neutral_is_used_from_the_first_frame():
    signal, leans, _ = feed_lean([(5, 76.0)], LeanConfig(neutral_distance_cm=80.0))
    assert leans[0] == pytest.approx(4.0)
    assert signal.summary()["forward_ratio"] == 1.0


@pytest.mark.parametrize(
    ("change_cm", "forward", "back"),
    [(-2.9, 0.0, 0.0), (-3.1, 0.5, 0.0), (3.9, 0.0, 0.0), (4.1, 0.0, 0.5)],
)
def test_lean_thresholds_are_boundaries(change_cm, forward, back):
    config = LeanConfig(neutral_distance_cm=80.0)
    signal, _, _ = feed_lean([(10, 80.0), (10, 80.0 + change_cm)], config)
    assert signal.summary() == {"forward_ratio": forward, "back_ratio": back}


def test_short_lean_back_is_not_impatience():
    _, _, events = feed_lean([(10, 80.0), (2, 90.0), (10, 80.0)])
    assert events == []


def test_unmeasurable_frames_give_null_lean_and_null_ratios():
    signal, leans, _ = feed_lean([(3, None)])
    assert all(v is None for v in leans)
    assert signal.summary() == {"forward_ratio": None, "back_ratio": None}


def test_torso_yaw_needs_both_readings_to_agree_on_a_turn():
    from kiosk.signals.facing import TorsoYaw

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
    assert torso.update(t, -44.0, 35.0 * 0.707) == pytest.approx(-44.0, abs=1.5)


def test_without_a_width_the_depth_reading_is_used_alone():
    from kiosk.signals.facing import TorsoYaw

    assert TorsoYaw().update(0.0, 30.0, None) == 30.0
    assert TorsoYaw().update(0.0, None, 30.0) is None


def test_an_agent_turned_from_the_first_frame_reads_turned():
    from kiosk.signals.facing import TorsoYaw

    torso = TorsoYaw()
    fused = [torso.update(i / FPS, 44.0, 23.0) for i in range(60)]
    assert all(35.0 < v <= 44.0 for v in fused)
