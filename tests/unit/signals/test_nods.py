"""Nod detection on synthetic pitch series: the thresholds, shakes, drift, noise and dropouts."""

import math

import numpy as np
import pytest

from kiosk.config import NodsConfig
from kiosk.signals.nods import NodSignal

FPS = 15.0


def run(pitch_fn, seconds, yaw_fn=lambda t: 0.0, config=None, noise_deg=0.0, drop=None):
    signal = NodSignal(config or NodsConfig())
    rng = np.random.default_rng(1)
    completed = []
    for i in range(int(seconds * FPS)):
        t = i / FPS
        if drop and drop[0] <= t < drop[1]:
            signal.update(t, None, None)
            continue
        pitch = pitch_fn(t) + rng.normal(0, noise_deg) if noise_deg else pitch_fn(t)
        if signal.update(t, pitch, yaw_fn(t) + (rng.normal(0, noise_deg) if noise_deg else 0)):
            completed.append(t)
    signal.finish(seconds)
    return signal, completed


def nod_train(start, freq, count, amplitude, base=-15.0):
    end = start + count / freq

    def pitch(t):
        if start <= t < end:
            return base - amplitude * (1 - math.cos(2 * math.pi * freq * (t - start))) / 2
        return base

    return pitch


def test_a_1_5_hz_nod_train_for_8_s_is_flagged_as_impatient():
    signal, completed = run(nod_train(2.0, 1.5, 12, 10.0), 12.0)
    assert len(completed) == 12
    assert len(signal.events) == 1
    assert signal.events[0].detail["nods"] == 12
    assert signal.events[0].detail["rate_hz"] == pytest.approx(1.5, abs=0.05)


def test_single_spaced_nods_are_counted_and_never_flagged():
    def pitch(t):
        return sum(nod_train(s, 1.25, 1, 8.0, base=0.0)(t) for s in (1, 4, 7, 10, 13)) - 15

    signal, completed = run(pitch, 16.0)
    assert len(completed) == 5
    assert signal.events == []


def test_two_quick_nods_are_a_yes_not_impatience():
    signal, completed = run(nod_train(1.0, 2.0, 2, 8.0), 5.0)
    assert len(completed) == 2
    assert signal.events == []


def test_slow_continuous_nodding_longer_than_the_limit_is_impatient():
    # 1.1 Hz is under the rate limit, but 5 s of it is continuous nodding.
    signal, completed = run(nod_train(1.0, 1.1, 6, 10.0), 9.0)
    assert len(completed) == 6
    assert len(signal.events) == 1


@pytest.mark.parametrize(("amplitude", "expected"), [(2.5, 0), (3.5, 3)])
def test_dips_below_the_minimum_amplitude_are_not_nods(amplitude, expected):
    _, completed = run(nod_train(1.0, 1.0, 3, amplitude), 6.0)
    assert len(completed) == expected


def test_head_shakes_are_not_nods():
    def yaw(t):
        return 15.0 * math.sin(2 * math.pi * 1.5 * t) if 1 <= t < 5 else 0.0

    # A shake tips the head a little too; it still moves far more sideways than down.
    def pitch(t):
        return -15.0 - 2.5 * abs(math.sin(2 * math.pi * 1.5 * t)) if 1 <= t < 5 else -15.0

    _, completed = run(pitch, 6.0, yaw_fn=yaw)
    assert completed == []


def test_looking_down_at_the_desk_is_not_a_nod():
    def pitch(t):  # 0.3 s down, 1 s there, 0.3 s up
        if 1.0 <= t < 1.3:
            return -15 - 18 * (t - 1.0) / 0.3
        if 1.3 <= t < 2.3:
            return -33.0
        if 2.3 <= t < 2.6:
            return -33 + 18 * (t - 2.3) / 0.3
        return -15.0

    _, completed = run(pitch, 4.0)
    assert completed == []


def test_slow_posture_drift_is_not_a_nod():
    _, completed = run(lambda t: -15.0 - 1.5 * t, 10.0)  # 15 degrees down over 10 s
    assert completed == []


def test_nods_survive_half_a_degree_of_noise():
    _, completed = run(nod_train(1.0, 1.0, 6, 8.0), 8.0, noise_deg=0.5)
    assert 5 <= len(completed) <= 7


def test_a_dropout_mid_nod_loses_at_most_that_nod():
    _, completed = run(nod_train(1.0, 1.0, 6, 10.0), 8.0, drop=(3.3, 3.7))
    assert 5 <= len(completed) <= 6


def test_per_minute_uses_the_time_the_face_was_seen():
    signal, _ = run(nod_train(1.0, 1.0, 3, 10.0), 6.0)
    assert signal.summary(visible_s=30.0)["per_minute"] == 6.0
    assert signal.summary(visible_s=0.0)["per_minute"] is None


def test_nodding_that_starts_with_a_look_down_loses_at_most_one_nod():
    nodding = nod_train(2.0, 2.0, 12, 8.0, base=0.0)

    def pitch(t):  # head drops from -15 to -30 in 0.4 s as a 2 Hz nod train starts
        settle = min(1.0, max(0.0, (t - 2.0) / 0.4))
        return -15.0 - 15.0 * settle + nodding(t)

    signal, completed = run(pitch, 10.0)
    assert len(completed) >= 11
    assert len(signal.events) == 1


def test_a_one_frame_spike_is_jitter_not_a_nod():
    _, completed = run(lambda t: -22.0 if abs(t - 2.0) < 0.03 else -15.0, 4.0)
    assert completed == []
