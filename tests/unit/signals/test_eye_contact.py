"""Eye contact on synthetic on/off series at 15 fps."""

import pytest

from kiosk.config import EyeContactConfig
from kiosk.signals.eye_contact import EyeContactSignal

FPS = 15.0


def feed(pattern, config=None):
    """`pattern`: list of (seconds, value) with value True/False/None."""
    signal = EyeContactSignal(config or EyeContactConfig())
    t = 0.0
    for seconds, value in pattern:
        for _ in range(round(seconds * FPS)):
            signal.update(t, value)
            t += 1 / FPS
    signal.finish(t)
    return signal


def test_unbroken_gaze_past_the_limit_is_one_staring_bout():
    signal = feed([(1, False), (6, True), (1, False)])
    summary = signal.summary()
    assert summary["staring_bouts"] == 1
    assert summary["longest_gaze_s"] == pytest.approx(6.0, abs=0.1)
    assert summary["ratio"] == pytest.approx(0.75, abs=0.01)


def test_gaze_broken_every_three_seconds_never_stares():
    signal = feed([(3, True), (0.6, False)] * 5)
    assert signal.summary()["staring_bouts"] == 0
    assert signal.summary()["longest_gaze_s"] == pytest.approx(3.0, abs=0.1)


@pytest.mark.parametrize(("gaze_s", "bouts"), [(3.9, 0), (4.2, 1)])
def test_the_stare_limit_is_a_boundary(gaze_s, bouts):
    assert feed([(gaze_s, True), (1, False)]).summary()["staring_bouts"] == bouts


def test_a_blink_shorter_than_the_minimum_break_does_not_end_a_gaze():
    signal = feed([(2.5, True), (0.2, False), (2.5, True), (1, False)])
    assert signal.summary()["staring_bouts"] == 1


def test_losing_the_face_ends_a_gaze_and_does_not_count_as_visible_time():
    signal = feed([(3, True), (5, None), (3, True)])
    summary = signal.summary()
    assert summary["staring_bouts"] == 0
    assert summary["ratio"] == pytest.approx(1.0)


def test_long_look_away_with_the_face_visible_is_a_no_look_spell():
    signal = feed([(2, True), (10, False), (2, True)])
    assert signal.summary()["no_look_spells"] == 1


def test_absence_is_not_a_no_look_spell():
    signal = feed([(2, True), (5, False), (20, None), (5, False), (2, True)])
    assert signal.summary()["no_look_spells"] == 0


def test_no_face_at_all_gives_null_ratios():
    summary = feed([(5, None)]).summary()
    assert summary["ratio"] is None and summary["longest_gaze_s"] is None
    assert summary["staring_bouts"] == 0
