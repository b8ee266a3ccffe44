"""Interactions from presence readings: start after min_present_s, end after absent_end_s."""

import random

import pytest

from kiosk.presence.interaction import InteractionTracker


def drive(tracker, present, fps, end_s, drop=0.0, seed=0):
    """`present(t)` -> bool | None. Returns the transitions as (kind, t_s, arrived_s)."""
    rng = random.Random(seed)
    out = []
    for i in range(round(end_s * fps)):
        if rng.random() < drop:
            continue
        t = i / fps
        transition = tracker.update(t, present(t))
        if transition is not None:
            out.append((transition.kind, transition.t_s, transition.arrived_s))
    return out


@pytest.mark.parametrize("fps", [5.0, 10.0, 15.0, 30.0])
def test_a_customer_who_stays_starts_one_interaction_that_ends_after_they_leave(fps):
    tracker = InteractionTracker(min_present_s=2.0, absent_end_s=5.0)
    out = drive(tracker, lambda t: 10.0 <= t < 40.0, fps, 60.0, drop=0.2)
    (start, start_s, arrived_s), (end, end_s, _) = out
    assert (start, end) == ("start", "end")
    assert arrived_s == pytest.approx(10.0, abs=0.5) and start_s == pytest.approx(12.0, abs=0.5)
    assert end_s == pytest.approx(40.0, abs=0.5)  # when they left, confirmed 5 s later


def test_a_passer_by_shorter_than_min_present_starts_nothing():
    tracker = InteractionTracker(2.0, 5.0)
    assert drive(tracker, lambda t: 5.0 <= t < 6.5 or 9.0 <= t < 10.0, 10.0, 20.0) == []


def test_a_customer_stepping_away_briefly_is_still_the_same_interaction():
    tracker = InteractionTracker(2.0, 5.0)
    out = drive(tracker, lambda t: 1.0 <= t < 20.0 or 23.0 <= t < 30.0, 10.0, 45.0)
    assert [kind for kind, _, _ in out] == ["start", "end"]
    assert out[1][1] == pytest.approx(29.9, abs=0.01)


def test_unknown_readings_hold_the_last_one():
    tracker = InteractionTracker(1.0, 2.0)
    out = drive(tracker, lambda t: None if 5.0 <= t < 15.0 else t < 20.0, 10.0, 30.0)
    assert [kind for kind, _, _ in out] == ["start", "end"]
    assert out[1][1] == pytest.approx(19.9, abs=0.01)


def test_end_now_closes_an_interaction_and_forgets_a_waiting_arrival():
    tracker = InteractionTracker(2.0, 5.0)
    drive(tracker, lambda t: True, 10.0, 5.0)
    assert tracker.active
    transition = tracker.end_now(7.5)
    assert (transition.kind, transition.t_s) == ("end", 7.5)
    assert tracker.end_now(8.0) is None
    # after a pause the customer must be present min_present_s again
    assert tracker.update(8.0, True) is None
    assert tracker.update(9.9, True) is None
    assert tracker.update(10.0, True).kind == "start"


def test_whole_input_is_one_interaction_from_the_first_frame():
    tracker = InteractionTracker.whole_input()
    out = drive(tracker, lambda t: True, 15.0, 3600.0)
    assert out == [("start", 0.0, 0.0)]
