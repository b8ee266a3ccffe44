"""Eye contact on scripted on/off timelines: steady 15 fps, and live rates with dropped and
jittered frames and camera stalls."""

import numpy as np
import pytest
from live_timeline import (
    FPS_RATES,
    STALL,
    around,
    end_s,
    feed,
    frames,
    gaze,
    run,
    segment_bounds,
)

from kiosk.config import EyeContactConfig, SignalsConfig
from kiosk.signals.eye_contact import EyeContactSignal

STEADY = {"fps": 15.0, "drop": 0.0, "jitter": 0.0}
RHYTHM = [(0.5, False)] + [(2.5, True), (0.45, False)] * 20  # a minute of soft eye contact


def signal(config=None) -> EyeContactSignal:
    return EyeContactSignal(config or EyeContactConfig(), SignalsConfig())


def play(segments, config=None, **options):
    """The signal, its per-frame records and its events after `segments`."""
    options = STEADY | options
    eye = signal(config)
    records, events = feed(eye, segments, options.pop("fps"), gaze, **options)
    return eye, records, events


def test_unbroken_gaze_past_the_limit_is_one_staring_bout():
    eye, _, _ = play([(1, False), (6, True), (1, False)])
    summary = eye.summary()
    assert summary["staring_bouts"] == 1
    assert summary["longest_gaze_s"] == pytest.approx(6.0, abs=0.1)
    assert summary["ratio"] == pytest.approx(0.75, abs=0.01)


def test_gaze_broken_every_three_seconds_never_stares():
    eye, _, _ = play([(3, True), (0.6, False)] * 5)
    assert eye.summary()["staring_bouts"] == 0
    assert eye.summary()["longest_gaze_s"] == pytest.approx(3.0, abs=0.1)


@pytest.mark.parametrize(("gaze_s", "bouts"), [(3.9, 0), (4.2, 1)])
def test_the_stare_limit_is_a_boundary(gaze_s, bouts):
    assert play([(gaze_s, True), (1, False)])[0].summary()["staring_bouts"] == bouts


def test_a_blink_shorter_than_the_minimum_break_does_not_end_a_gaze():
    eye, _, _ = play([(2.5, True), (0.2, False), (2.5, True), (1, False)])
    assert eye.summary()["staring_bouts"] == 1


def test_losing_the_face_ends_a_gaze_and_does_not_count_as_visible_time():
    eye, _, _ = play([(3, True), (5, None), (3, True)])
    summary = eye.summary()
    assert summary["staring_bouts"] == 0
    assert summary["ratio"] == pytest.approx(1.0)


def test_long_look_away_with_the_face_visible_is_a_no_look_spell():
    eye, _, events = play([(2, True), (10, False), (2, True)])
    assert eye.summary()["no_look_spells"] == 1
    assert [(e.kind, round(e.duration_s, 1)) for e in events] == [("no_look", 10.0)]


def test_absence_is_not_a_no_look_spell():
    eye, _, _ = play([(2, True), (5, False), (20, None), (5, False), (2, True)])
    assert eye.summary()["no_look_spells"] == 0


def test_no_face_at_all_gives_null_ratios():
    summary = play([(5, None)])[0].summary()
    assert summary["ratio"] is None and summary["longest_gaze_s"] is None
    assert summary["staring_bouts"] == 0


@pytest.mark.parametrize("fps", FPS_RATES)
def test_a_minute_of_gaze_with_short_glances_never_stares_at_any_frame_rate(fps):
    eye, records, _ = play(RHYTHM, fps=fps, drop=0.2, jitter=0.3)
    assert eye.summary()["staring_bouts"] == 0
    assert eye.summary()["longest_gaze_s"] < 3.5
    assert not any(faults for _, faults, _, _ in records)


@pytest.mark.parametrize("fps", FPS_RATES)
def test_a_6_s_gaze_is_exactly_one_stare_at_any_frame_rate(fps):
    _, _, events = play([(1, False), (6, True), (1, False)], fps=fps, drop=0.2, jitter=0.3)
    assert [e.kind for e in events] == ["staring"]
    assert events[0].duration_s == pytest.approx(6.0, abs=0.3)
    assert events[0].t_s == pytest.approx(1.0, abs=0.3)


@pytest.mark.parametrize("fps", FPS_RATES)
def test_gaze_on_both_sides_of_a_camera_stall_is_not_one_stare(fps):
    segments = [(1, False), (2, True), (10, STALL), (1, True), (1, False)]
    eye, _, events = play(segments, fps=fps, drop=0.2, jitter=0.3)
    assert events == []
    assert eye.summary()["longest_gaze_s"] == pytest.approx(2.0, abs=0.3)
    assert eye.visible_s == pytest.approx(5.0, abs=0.5)  # the stall is not measured time


@pytest.mark.parametrize("fps", FPS_RATES)
def test_the_staring_fault_is_live_from_the_stare_limit_while_the_gaze_goes_on(fps):
    segments = [(1, False), (6, True), (2, False)]
    _, records, _ = play(segments, fps=fps, drop=0.2, jitter=0.3)
    limit_s = EyeContactConfig().stare_limit_s
    times = [t for t, _, _, _ in records]
    # The gaze began between these two frames; its end, between the next two.
    first_possible, last_possible = around(times, 1.0)
    _, seen_ended = around(times, 7.0)
    staring = {t: [f for f in faults if f.kind == "staring"] for t, faults, _, _ in records}
    assert not any(staring[t] for t in times if t < first_possible + limit_s)
    assert all(staring[t] for t in times if last_possible + limit_s < t < 7.0)
    assert not any(staring[t] for t in times if t >= seen_ended + 0.3)
    active_s = min(t for t in times if staring[t])
    [fault] = staring[active_s]
    assert fault.active_s == active_s
    assert first_possible <= fault.since_s <= last_possible
    # The bout is reported on the frame the gaze is seen to end, not at the end of input.
    [(closed_t, event)] = [(t, e) for t, _, _, new in records for e in new]
    assert 7.0 < closed_t <= around(times, seen_ended + 0.3)[1]
    assert event.t_s == fault.since_s


@pytest.mark.parametrize("fps", FPS_RATES)
def test_no_eye_contact_is_live_once_no_glance_has_come_for_the_limit(fps):
    segments = [(1, True), (12, False), (1, True)]
    _, records, events = play(segments, fps=fps, drop=0.2, jitter=0.3)
    limit_s = EyeContactConfig().no_look_limit_s
    active = [t for t, faults, _, _ in records if any(f.kind == "no_eye_contact" for f in faults)]
    assert 1.0 + limit_s - 0.3 <= active[0] <= 1.0 + limit_s + 0.5
    assert active[-1] < 13.0 + 0.5
    assert [e.kind for e in events] == ["no_look"]
    assert records[-1][2].no_look_since_s is None


@pytest.mark.parametrize("fps", FPS_RATES)
def test_timestamps_that_go_backwards_or_repeat_are_skipped(fps):
    segments = [(1, False), (6, True), (1, False)]
    clean = frames(segments, fps)
    messy = []
    for i, (t_s, value) in enumerate(clean):
        messy.append((t_s, value))
        if i % 7 == 3:
            messy += [(t_s, not value), (t_s - 0.8, None), (t_s - 0.01, not value)]
    eye_clean, eye_messy = signal(), signal()
    _, clean_events = run(eye_clean, [(t, gaze(t, v)) for t, v in clean], end_s(segments))
    records, events = run(eye_messy, [(t, gaze(t, v)) for t, v in messy], end_s(segments))
    assert events == clean_events
    assert eye_messy.summary() == eye_clean.summary()
    assert all(e.duration_s > 0 for e in events)
    assert all(s.gazing_for_s is None or s.gazing_for_s >= 0 for _, _, s, _ in records)


def test_at_5_fps_only_a_glance_that_at_most_one_frame_saw_can_be_missed():
    """The limit of sampling, measured: at 5 fps with 20 % drops a 0.45 s glance is sometimes
    seen by no frame at all (indistinguishable from two dropped frames) or by one frame with
    its neighbours far apart (indistinguishable from a blink). Every stare that the rhythm gives
    comes from such a glance, and there are far fewer than the 3-5 a minute of counting frames."""
    stares, minutes = 0, 40
    for seed in range(minutes):
        delivered = [t for t, _ in frames(RHYTHM, 5.0, seed=seed)]
        _, _, events = play(RHYTHM, fps=5.0, drop=0.2, jitter=0.3, seed=seed)
        for event in events:
            stares += 1
            glances = [segment_bounds(RHYTHM, i) for i, (_, on) in enumerate(RHYTHM) if not on]
            inside = [
                g for g in glances if event.t_s < g[0] and g[1] < event.t_s + event.duration_s
            ]
            seen_by = [np.sum([a <= t < b for t in delivered]) for a, b in inside]
            assert inside and max(seen_by) <= 1, (seed, event, seen_by)
    assert stares / minutes < 1.2
