"""Nod detection on synthetic pitch series: the thresholds, shakes, drift, noise and dropouts;
impatient trains as live faults at live frame rates."""

import dataclasses
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
    # Quick 0.5 s dips a second apart: a 3.5 degree dip over a whole second is as slow as a
    # beat of speech (issue 17), so the depth is tested on nod-like speed.
    def pitch(t):
        return sum(nod_train(s, 2.0, 1, amplitude, base_deg=0.0)(t) for s in (1, 2, 3)) - 15

    _, completed = run(pitch, 6.0)
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


def test_yes_yes_yes_three_nods_at_2_hz_are_counted_and_not_impatient():
    result, completed = run(nod_train(1.0, 2.0, 3, 10.0), 5.0)
    assert len(completed) == 3
    assert result.events == []
    assert result.signal.summary(visible_s=5.0)["impatient_bouts"] == 0


def test_nodding_every_1_5_s_for_40_s_is_impatient_once_the_rate_has_been_seen():
    # Single nods too far apart to form a train, but 0.67 a second for 40 s: "hurry up".
    def pitch(t):
        return -15.0 + sum(
            nod_train(1.0 + 1.5 * k, 2.0, 1, 10.0, base_deg=0.0)(t) for k in range(26)
        )

    result, completed = run(pitch, 42.0)
    assert len(completed) == 26
    assert len(result.events) == 1
    assert result.events[0].t_s < 2.0  # from the first nod it counted
    assert result.events[0].detail["nods"] == 26


def test_a_listener_nodding_every_5_s_for_a_minute_is_never_impatient():
    def pitch(t):
        return -15.0 + sum(nod_train(1.0 + 5 * k, 1.25, 1, 8.0, base_deg=0.0)(t) for k in range(12))

    result, completed = run(pitch, 62.0)
    assert len(completed) == 12
    assert result.events == []


@pytest.mark.parametrize("fps", FPS_RATES)
def test_a_still_head_with_three_quarters_of_a_degree_of_jitter_makes_no_nods(fps):
    rng = np.random.default_rng(3)
    signal = NodSignal(NodsConfig(), SignalsConfig())
    feed(signal, [(60.0, lambda t: -15.0 + rng.normal(0, 0.75))], fps, head)
    assert signal.count == 0


@pytest.mark.parametrize("fps", FPS_RATES)
def test_continuous_nodding_is_a_live_fault_once_it_has_lasted_the_limit_and_an_event_after(fps):
    # 2 Hz for 6 s, then still: impatient once the train has lasted continuous_limit_s, until
    # it is over. At 5 fps (2.5 frames a nod, fewer with drops) some nods are missed and the
    # train may break in two.
    signal = NodSignal(NodsConfig(), SignalsConfig())
    records, events = feed(signal, [(11.0, nod_train(2.0, 2.0, 12, 10.0))], fps, head)
    gap_s, limit_s = NodsConfig().train_gap_s, NodsConfig().continuous_limit_s
    active = [(t, fault) for t, faults, _, _ in records for fault in faults]
    first_s, first = active[0]
    assert first_s == first.active_s
    assert first.since_s == pytest.approx(2.0, abs=0.5)
    # on the first nod that ends once the train has lasted the limit (half a nod later at most)
    assert limit_s - 0.1 <= first_s - first.since_s <= limit_s + 0.5 + 1.0 / fps
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


def speech(seed: int, seconds: float = 60.0, jitter_deg: float = 0.75):
    """A talking head (issue 17's figures): pitch beats of 3-5 degrees up or down lasting
    0.5-1.5 s one after another, a slow drift, white jitter; and (pitch, mouth opening) per t."""
    rng = np.random.default_rng(seed)
    beats, t = [], 0.5
    while t < seconds:
        duration, depth = rng.uniform(0.5, 1.5), rng.uniform(3.0, 5.0) * rng.choice([-1, 1])
        beats.append((t, duration, depth))
        t += duration + rng.uniform(0.0, 0.6)
    noise = np.random.default_rng(seed + 1)

    def value(t_s):
        pitch = -10.0 + 1.5 * math.sin(0.3 * t_s) + noise.normal(0.0, jitter_deg)
        for start, duration, depth in beats:
            if start <= t_s < start + duration:
                pitch += depth * (1 - math.cos(2 * math.pi * (t_s - start) / duration)) / 2
        syllables = math.sin(2 * math.pi * 4.0 * t_s + 2 * math.sin(1.3 * t_s))
        return pitch, 0.12 + 0.08 * syllables  # the lips open and close about 4 times a second

    return value


def talking_head(t_s, value):
    pitch, mouth = value
    return dataclasses.replace(head(t_s, pitch), mouth_open=mouth)


@pytest.mark.parametrize("fps", FPS_RATES)
def test_the_head_beats_of_talking_are_not_nods(fps):
    for seed in range(4):
        signal = NodSignal(NodsConfig(), SignalsConfig())
        feed(signal, [(60.0, speech(seed))], fps, talking_head, seed=seed)
        assert signal.count == 0, f"seed {seed}"


@pytest.mark.parametrize("fps", FPS_RATES)
def test_a_clear_nod_while_talking_is_still_a_nod(fps):
    # At 5 fps a 0.5 s nod is two or three frames (fewer with drops) and few are seen deep and
    # fast enough to tell from speech (2 of these 12; about half in other timings). A nod on top
    # of a beat may leave the beat's tail counted as one more.
    talk = speech(7, jitter_deg=0.3)
    nods_at = tuple(2.0 + 4.0 * k for k in range(12))

    def value(t_s):  # 10-degree nods in 0.5 s over the speech
        pitch, mouth = talk(t_s)
        return pitch + sum(nod_train(s, 2.0, 1, 10.0, base_deg=0.0)(t_s) for s in nods_at), mouth

    signal = NodSignal(NodsConfig(), SignalsConfig())
    feed(signal, [(50.0, value)], fps, talking_head)
    assert signal.count >= {5.0: 2, 10.0: 11}.get(fps, len(nods_at))
    assert signal.count <= len(nods_at) + 1


@pytest.mark.parametrize("fps", FPS_RATES)
def test_listening_nods_of_real_size_count_through_jitter(fps):
    # 6-15 degrees over 0.4-0.9 s (real nods), a still mouth, 0.3 degrees of jitter: at 5 fps a
    # quick nod may fall between frames (half are counted); from 10 fps on nearly all are.
    rng = np.random.default_rng(11)
    starts = 1.0 + np.arange(12) * 2.5 + rng.uniform(0.0, 0.8, 12)
    depths, lengths = rng.uniform(6.0, 15.0, 12), rng.uniform(0.4, 0.9, 12)
    noise = np.random.default_rng(12)

    def pitch(t_s):
        dip = sum(
            d * (1 - math.cos(2 * math.pi * (t_s - s) / n)) / 2
            for s, d, n in zip(starts, depths, lengths, strict=True)
            if s <= t_s < s + n
        )
        return -10.0 - dip + noise.normal(0.0, 0.3)

    signal = NodSignal(NodsConfig(), SignalsConfig())
    feed(signal, [(starts[-1] + 2.0, pitch)], fps, head)
    assert signal.count >= {5.0: 6, 10.0: 11}.get(fps, 12)
    assert signal.count <= 12
