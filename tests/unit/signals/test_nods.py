"""Nod detection on synthetic pitch series: the thresholds, shakes, drift, noise and dropouts;
impatient trains as live faults at live frame rates."""

import math

import numpy as np
import pytest
from live_timeline import FPS_RATES, STALL, feed, head, nod_train

from kiosk.config import NodsConfig, SignalsConfig
from kiosk.features.frame import FrameFeatures
from kiosk.signals.nods import NodSignal

FPS = 15.0


class Result:
    def __init__(self, signal, events):
        self.signal, self.events = signal, events


def run(pitch_fn, seconds, yaw_fn=lambda t: 0.0, config=None, noise_deg=0.0, drop=None):
    signal = NodSignal(config or NodsConfig(), SignalsConfig())
    rng = np.random.default_rng(1)
    completed, events = [], []
    for i in range(int(seconds * FPS)):
        t = i / FPS
        if drop and drop[0] <= t < drop[1]:
            events += signal.update(t, FrameFeatures(t, face=False))
            continue
        pitch = pitch_fn(t) + rng.normal(0, noise_deg) if noise_deg else pitch_fn(t)
        yaw = yaw_fn(t) + (rng.normal(0, noise_deg) if noise_deg else 0)
        events += signal.update(t, head(t, pitch, yaw))
        if signal.state.nod_completed:
            completed.append(t)
    events += signal.finish(seconds)
    return Result(signal, events), completed


def test_a_1_5_hz_nod_train_for_8_s_is_flagged_as_impatient():
    result, completed = run(nod_train(2.0, 1.5, 12, 10.0), 12.0)
    assert len(completed) == 12
    assert len(result.events) == 1
    assert result.events[0].detail["nods"] == 12
    assert result.events[0].detail["rate_hz"] == pytest.approx(1.5, abs=0.05)


def test_single_spaced_nods_are_counted_and_never_flagged():
    def pitch(t):
        return sum(nod_train(s, 1.25, 1, 8.0, base_deg=0.0)(t) for s in (1, 4, 7, 10, 13)) - 15

    result, completed = run(pitch, 16.0)
    assert len(completed) == 5
    assert result.events == []


def test_two_quick_nods_are_a_yes_not_impatience():
    result, completed = run(nod_train(1.0, 2.0, 2, 8.0), 5.0)
    assert len(completed) == 2
    assert result.events == []


def test_slow_continuous_nodding_longer_than_the_limit_is_impatient():
    # 1.1 Hz is under the rate limit, but 5 s of it is continuous nodding.
    result, completed = run(nod_train(1.0, 1.1, 6, 10.0), 9.0)
    assert len(completed) == 6
    assert len(result.events) == 1


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
    result, _ = run(nod_train(1.0, 1.0, 3, 10.0), 6.0)
    assert result.signal.summary(visible_s=30.0)["per_minute"] == 6.0
    assert result.signal.summary(visible_s=0.0)["per_minute"] is None


def test_nodding_that_starts_with_a_look_down_loses_at_most_one_nod():
    nodding = nod_train(2.0, 2.0, 12, 8.0, base_deg=0.0)

    def pitch(t):  # head drops from -15 to -30 in 0.4 s as a 2 Hz nod train starts
        settle = min(1.0, max(0.0, (t - 2.0) / 0.4))
        return -15.0 - 15.0 * settle + nodding(t)

    result, completed = run(pitch, 10.0)
    assert len(completed) >= 11
    assert len(result.events) == 1


def test_a_one_frame_spike_is_jitter_not_a_nod():
    _, completed = run(lambda t: -22.0 if abs(t - 2.0) < 0.03 else -15.0, 4.0)
    assert completed == []


@pytest.mark.parametrize("fps", FPS_RATES)
def test_an_impatient_train_is_a_live_fault_while_it_goes_on_and_an_event_when_it_ends(fps):
    # 2 Hz for 6 s, then still: impatient from its third nod until the train is over. At 5 fps
    # (2.5 frames a nod, fewer with drops) some nods are missed and the train may break in two.
    signal = NodSignal(NodsConfig(), SignalsConfig())
    records, events = feed(signal, [(11.0, nod_train(2.0, 2.0, 12, 10.0))], fps, head)
    gap_s = NodsConfig().train_gap_s
    active = [(t, fault) for t, faults, _, _ in records for fault in faults]
    third_nod_s = next(
        t for t, _, state, _ in records if state.nods_in_train == NodsConfig().impatient_min_nods
    )
    first_s, first = active[0]
    assert first_s == third_nod_s == first.active_s
    assert first_s < 4.0 and first.since_s == pytest.approx(2.0, abs=0.5)
    assert active[-1][0] < 8.0 + gap_s + 0.5
    closed = [(t, e) for t, _, _, new in records for e in new]
    assert [e for _, e in closed] == events  # every train reported live
    assert {e.kind for e in events} == {"impatient_nodding"}
    assert events[0].t_s == first.since_s
    if fps >= 10.0:
        assert len(events) == 1
        assert events[0].duration_s == pytest.approx(6.0, abs=0.5)
        times = [t for t, _, _, _ in records]
        assert [t for t, _ in active] == [t for t in times if first_s <= t <= active[-1][0]]
        assert active[-1][0] > 8.0


@pytest.mark.parametrize("fps", FPS_RATES)
def test_a_nod_across_a_camera_stall_is_not_a_nod(fps):
    def pitch(t_s):  # down before a 3 s stall, up after it
        return -25.0 if 2.0 <= t_s < 5.0 else -15.0

    signal = NodSignal(NodsConfig(), SignalsConfig())
    feed(signal, [(2.3, pitch), (2.5, STALL), (3.0, pitch)], fps, head)
    assert signal.count == 0


@pytest.mark.parametrize("fps", FPS_RATES)
def test_skipped_timestamps_change_no_count(fps):
    signal = NodSignal(NodsConfig(), SignalsConfig())
    records, _ = feed(signal, [(8.0, nod_train(1.0, 1.0, 6, 10.0))], fps, head)
    count = signal.count
    assert signal.update(records[-1][0], head(records[-1][0], -40.0)) == []
    assert signal.update(records[-1][0] - 3.0, head(0.0, -40.0)) == []
    assert signal.count == count
    assert not signal.state.nod_completed
