"""Learned baselines: provisional then held, bounded and decimated, learned again after a long
absence, and never when calibrated."""

import pytest

from kiosk.signals.baseline import LearnedValue, median


def learn(value: LearnedValue, samples, start_s=0.0, fps=15.0, seen=True):
    """Feed `samples` (one per frame at `fps` from `start_s`); returns the time after them."""
    t_s = start_s
    for sample in samples:
        value.update(t_s, sample, seen)
        t_s += 1 / fps
    return t_s


def test_the_value_is_provisional_during_the_window_and_held_after_it():
    value = LearnedValue(window_s=10.0, relearn_after_s=600.0, statistic=median)
    t_s = learn(value, [80.0] * 90)  # 6 s
    assert value.value == 80.0 and not value.settled
    t_s = learn(value, [90.0] * 120, t_s)  # 8 s more: the window closes at 10 s
    assert value.settled
    assert value.value == pytest.approx(80.0)  # 6 s at 80 against 4 s at 90
    learn(value, [90.0] * 300, t_s)
    assert value.value == pytest.approx(80.0)
    assert value.sample_count == 0


@pytest.mark.parametrize("fps", [5.0, 15.0, 30.0, 120.0])
def test_a_window_keeps_at_most_one_sample_per_tenth_of_a_second(fps):
    value = LearnedValue(window_s=30.0, relearn_after_s=600.0, statistic=median)
    learn(value, [80.0] * int(29 * fps), fps=fps)
    assert value.sample_count <= 29 * 10 + 1
    assert value.sample_count >= 29 * min(fps, 5.0) * 0.9


def test_a_long_window_keeps_a_bounded_sample():
    value = LearnedValue(window_s=3600.0, relearn_after_s=600.0, statistic=median)
    learn(value, [80.0] * (3500 * 30), fps=30.0)
    assert value.sample_count <= 601


def test_no_face_for_the_relearn_time_starts_learning_again():
    value = LearnedValue(window_s=10.0, relearn_after_s=600.0, statistic=median)
    t_s = learn(value, [80.0] * 300)
    assert value.settled
    value.update(t_s + 300.0, None, seen=False)
    learn(value, [70.0] * 15, start_s=t_s + 599.0)  # seen again within the limit: kept
    assert value.value == 80.0
    learn(value, [70.0] * 15, start_s=t_s + 1300.0)  # 700 s unseen: someone else, perhaps
    assert value.value == 70.0 and not value.settled


def test_a_face_seen_without_a_sample_keeps_the_value():
    # The head turned away gives no distance, but the agent is there.
    value = LearnedValue(window_s=10.0, relearn_after_s=600.0, statistic=median)
    t_s = learn(value, [80.0] * 300)
    t_s = learn(value, [None] * (15 * 900), start_s=t_s, seen=True)
    learn(value, [70.0] * 15, start_s=t_s)
    assert value.value == 80.0


def test_reset_forgets_but_a_calibration_stays():
    learned = LearnedValue(window_s=10.0, relearn_after_s=600.0, statistic=median)
    calibrated = LearnedValue(10.0, 600.0, median, fixed=75.0)
    for value in (learned, calibrated):
        learn(value, [80.0] * 30)
        value.reset()
    assert learned.value is None
    assert calibrated.value == 75.0 and calibrated.settled
    learn(calibrated, [80.0] * 30, start_s=2000.0)
    assert calibrated.value == 75.0


def test_samples_whose_time_does_not_move_forward_are_ignored():
    value = LearnedValue(window_s=10.0, relearn_after_s=600.0, statistic=median)
    learn(value, [80.0] * 30)
    for t_s in (1.0, 0.5, -100.0):
        value.update(t_s, 10.0, True)
    assert value.value == 80.0


def test_the_percentile_statistic_is_numpys_linear_percentile_to_the_bit():
    import random

    import numpy as np

    from kiosk.signals.baseline import percentile

    rng = random.Random(1)
    for n in (1, 2, 3, 10, 99, 600):
        samples = [rng.gauss(30.0, 5.0) for _ in range(n)]
        for q in (5, 10, 50, 90, 95):
            assert percentile(q)(samples) == float(np.percentile(samples, q)), (n, q)
