"""Watch checks and the impatience summary on synthetic series."""

import pytest
from live_timeline import FPS_RATES
from live_timeline import feed as feed_live

from kiosk.config import ImpatienceConfig, SignalsConfig
from kiosk.features.frame import FrameFeatures
from kiosk.features.gaze import Gaze
from kiosk.signals.events import Event
from kiosk.signals.impatience import WatchCheckSignal, impatience_summary

DOWN = Gaze(0.0, -30.0, 0.0, -20.0, (0.0, 0.5, -0.87))
AHEAD = Gaze(0.0, 0.0, 0.0, 0.0, (0.0, 0.0, -1.0))


def wrist(t_s, check):
    """`check`: the wrist raised and looked down at."""
    return FrameFeatures(
        t_s, face=True, gaze=DOWN if check else AHEAD, customer_pitch_deg=0.0, wrist_raised=check
    )


def feed(pattern, fps=15.0, **options):
    """`pattern`: (seconds, wrist raised and looked at)."""
    signal = WatchCheckSignal(ImpatienceConfig(), SignalsConfig())
    options = {"drop": 0.0, "jitter": 0.0} | options
    return feed_live(signal, pattern, fps, wrist, **options)[1]


def test_two_watch_checks_within_a_minute_are_one_sign():
    events = feed([(2, False), (1, True), (20, False), (1, True), (2, False)])
    assert [e.kind for e in events] == ["watch_checks"]
    assert events[0].detail["checks"] == 2


@pytest.mark.parametrize("fps", FPS_RATES)
def test_two_watch_checks_are_one_sign_at_any_frame_rate(fps):
    events = feed([(2, False), (1, True), (20, False), (1, True), (2, False)], fps, drop=0.2,
                  jitter=0.3)  # fmt: skip
    assert [(e.kind, e.detail) for e in events] == [("watch_checks", {"checks": 2})]
    assert events[0].t_s == pytest.approx(2.0, abs=0.3)


def test_a_raised_wrist_while_looking_at_the_customer_is_not_a_check():
    signal = WatchCheckSignal(ImpatienceConfig(), SignalsConfig())
    for i in range(60):
        t_s = i / 15
        signal.update(t_s, FrameFeatures(t_s, face=True, gaze=AHEAD, wrist_raised=True))
    assert signal.state.checking_since_s is None


def test_one_watch_check_is_not_impatience():
    assert feed([(2, False), (1, True), (10, False)]) == []


def test_checks_more_than_a_minute_apart_are_not_repeated():
    assert feed([(1, True), (70, False), (1, True), (1, False)]) == []


def test_a_wrist_flick_shorter_than_the_minimum_is_not_a_check():
    assert feed([(0.2, True), (5, False), (0.2, True), (1, False)]) == []


def test_impatience_summary_counts_only_impatience_kinds():
    events = [
        Event("staring", 0.0, 5.0),
        Event("leaning_back", 1.0, 4.0),
        Event("impatient_nodding", 9.0, 3.0),
        Event("leaning_back", 20.0, 5.0),
    ]
    assert impatience_summary(events) == {
        "events": 3,
        "kinds": {"leaning_back": 2, "impatient_nodding": 1},
    }
