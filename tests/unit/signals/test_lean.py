"""Lean on scripted head-distance timelines: against a calibrated or learned neutral, live
leaning-back faults and events, and the neutral across interactions and absences."""

import pytest
from live_timeline import FPS_RATES, around, feed, posture

from kiosk.config import ImpatienceConfig, LeanConfig, SignalsConfig
from kiosk.signals.lean import LeanSignal

STEADY = {"fps": 15.0, "drop": 0.0, "jitter": 0.0}
LIVE = {"drop": 0.2, "jitter": 0.3}
CALIBRATED = LeanConfig(neutral_distance_cm=80.0)


def distance(t_s, distance_cm):
    """None: the agent is away (no face)."""
    if distance_cm is None:
        return posture(t_s, torso_facing=None, head_to_customer=None)
    return posture(t_s, distance_cm=distance_cm)


def play(distances, config=None, signal=None, **options):
    options = STEADY | options
    signal = signal or LeanSignal(config or LeanConfig(), ImpatienceConfig(), SignalsConfig())
    records, events = feed(signal, distances, options.pop("fps"), distance, **options)
    return signal, records, events


def test_leaning_back_is_measured_against_the_first_minute():
    signal, _, events = play([(40, 80.0), (15, 90.0), (20, 80.0)])
    summary = signal.summary()
    assert summary["back_ratio"] == pytest.approx(15 / 75, abs=0.01)
    assert summary["forward_ratio"] == 0.0
    assert [e.kind for e in events] == ["leaning_back"]
    assert events[0].duration_s == pytest.approx(15.0, abs=0.2)


def test_a_calibrated_neutral_is_used_from_the_first_frame():
    signal, records, _ = play([(5, 76.0)], CALIBRATED)
    assert records[0][2].lean_cm == pytest.approx(4.0)
    assert signal.summary()["forward_ratio"] == 1.0


@pytest.mark.parametrize(
    ("change_cm", "forward", "back"),
    [(-2.9, 0.0, 0.0), (-3.1, 0.5, 0.0), (3.9, 0.0, 0.0), (4.1, 0.0, 0.5)],
)
def test_lean_thresholds_are_boundaries(change_cm, forward, back):
    signal, _, _ = play([(10, 80.0), (10, 80.0 + change_cm)], CALIBRATED)
    summary = signal.summary()
    assert summary["forward_ratio"] == pytest.approx(forward, abs=0.005)
    assert summary["back_ratio"] == pytest.approx(back, abs=0.005)


def test_short_lean_back_is_not_impatience():
    _, _, events = play([(10, 80.0), (2, 90.0), (10, 80.0)])
    assert events == []


def test_unmeasurable_frames_give_null_lean_and_null_ratios():
    signal, records, _ = play([(3, None)])
    assert all(state.lean_cm is None for _, _, state, _ in records)
    assert signal.summary() == {"forward_ratio": None, "back_ratio": None}


@pytest.mark.parametrize("fps", FPS_RATES)
def test_leaning_back_is_a_live_fault_while_it_goes_on_and_an_event_when_it_ends(fps):
    signal, records, events = play([(4, 80.0), (6, 90.0), (4, 80.0)], CALIBRATED, fps=fps, **LIVE)
    min_s = ImpatienceConfig().lean_back_min_s
    times = [t for t, _, _, _ in records]
    first_possible, last_possible = around(times, 4.0)
    _, seen_ended = around(times, 10.0)
    active = [t for t, faults, _, _ in records if any(f.kind == "leaning_back" for f in faults)]
    assert first_possible + min_s <= active[0] <= around(times, last_possible + min_s)[1]
    assert all(t in active for t in times if last_possible + min_s <= t < 10.0)
    assert active[-1] < around(times, seen_ended + 0.3)[1]
    [(closed_t, closed)] = [(t, e) for t, _, _, new in records for e in new]
    assert closed_t < 11.0  # live, not at the end of input
    assert (closed.kind, closed.duration_s) == ("leaning_back", pytest.approx(6.0, abs=0.3))
    assert events == [closed]
    assert signal.summary()["back_ratio"] == pytest.approx(6 / 14, abs=0.03)


@pytest.mark.parametrize("fps", FPS_RATES)
def test_a_lean_survives_a_short_look_away_but_not_a_long_one(fps):
    # The head turned away (no reading) for 0.6 s keeps the bout; for 2 s it ends it.
    short = [(4, 80.0), (2, 90.0), (0.6, None), (2, 90.0), (4, 80.0)]
    long = [(4, 80.0), (2, 90.0), (2, None), (2, 90.0), (4, 80.0)]
    assert [e.kind for e in play(short, CALIBRATED, fps=fps, **LIVE)[2]] == ["leaning_back"]
    assert play(long, CALIBRATED, fps=fps, **LIVE)[2] == []


def test_the_lean_is_judged_live_against_the_neutral_learned_so_far():
    # No calibration: neutral is the median of what has been seen; until a minute has passed it
    # is provisional, and every frame is judged against it as it is at that moment.
    _, records, _ = play([(20, 80.0), (10, 90.0)])
    assert records[-1][2].neutral_cm == pytest.approx(80.0)
    assert records[-1][2].lean_cm == pytest.approx(-10.0)
    assert records[-1][2].leaning_back_since_s == pytest.approx(20.0, abs=0.05)


def test_reset_starts_a_new_interaction_but_keeps_the_neutral():
    signal, _, _ = play([(65, 80.0), (5, 90.0)])
    assert signal.neutral.settled and signal.neutral.value == pytest.approx(80.0)
    signal.reset()
    assert signal.summary() == {"forward_ratio": None, "back_ratio": None}
    _, records, events = play([(5, 90.0), (1, 80.0)], signal=signal, start_s=100.0)
    assert [e.kind for e in events] == ["leaning_back"]
    assert records[0][2].lean_cm == pytest.approx(-10.0)


def test_the_neutral_is_learned_again_after_a_long_absence_only():
    signal, _, _ = play([(65, 80.0)])
    # A coffee break (5 minutes without a face) keeps the neutral...
    play([(300, None), (5, 70.0)], signal=signal, start_s=65.0)
    assert signal.neutral.value == pytest.approx(80.0)
    # ...ten minutes away starts learning again: it may be someone else.
    _, records, _ = play([(700, None), (5, 70.0)], signal=signal, start_s=370.0)
    assert signal.neutral.value == pytest.approx(70.0)
    assert not signal.neutral.settled
    assert records[-1][2].lean_cm == pytest.approx(0.0)


def test_a_calibrated_neutral_is_never_learned_again():
    signal, _, _ = play([(5, 80.0), (700, None), (5, 70.0)], CALIBRATED)
    assert signal.neutral.value == 80.0


@pytest.mark.parametrize("fps", FPS_RATES)
def test_the_neutral_keeps_at_most_one_sample_per_tenth_of_a_second(fps):
    signal, _, _ = play([(59, 80.0)], fps=fps, drop=0.0, jitter=0.0)
    assert 5.0 * 59 * 0.9 <= signal.neutral.sample_count <= 10.0 * 59 + 1
