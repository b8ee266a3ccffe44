"""Watch checks and the impatience summary on synthetic series."""

from kiosk.config import ImpatienceConfig
from kiosk.signals.events import Event
from kiosk.signals.impatience import WatchCheckSignal, impatience_summary

FPS = 15.0


def feed(pattern):
    """`pattern`: (seconds, wrist raised and looked at)."""
    signal = WatchCheckSignal(ImpatienceConfig())
    t = 0.0
    for seconds, check in pattern:
        for _ in range(round(seconds * FPS)):
            signal.update(t, check, check)
            t += 1 / FPS
    signal.finish(t)
    return signal.events


def test_two_watch_checks_within_a_minute_are_one_sign():
    events = feed([(2, False), (1, True), (20, False), (1, True), (2, False)])
    assert [e.kind for e in events] == ["watch_checks"]
    assert events[0].detail["checks"] == 2


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
