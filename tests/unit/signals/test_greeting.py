"""The greeting: the customer's arrival to the agent's first look, at every frame rate."""

import pytest
from live_timeline import FPS_RATES, frames, gaze

from kiosk.config import GreetingConfig
from kiosk.features.frame import FrameFeatures
from kiosk.signals.greeting import GreetingSignal


def greet(segments, fps, *, arrived_s=0.0, start_s=None, finish=True):
    """Frames from the customer's arrival; frames before `start_s` (the interaction's start)
    are observed only, as the pipeline does. Returns (signal, events, first fault frame)."""
    signal = GreetingSignal(GreetingConfig())
    start_s = arrived_s if start_s is None else start_s
    events, fault_at, started = [], None, False
    timeline = frames(segments, fps, start_s=arrived_s)
    for t_s, on_customer in timeline:
        features = gaze(t_s, on_customer)
        if t_s < start_s:
            signal.observe(t_s, features)
            continue
        if not started:
            signal.reset()
            signal.start(arrived_s)
            started = True
        events += signal.update(t_s, features)
        if signal.faults and fault_at is None:
            fault_at = t_s
    if finish:
        events += signal.finish(arrived_s + sum(s for s, _ in segments))
    return signal, events, fault_at, [t for t, _ in timeline]


@pytest.mark.parametrize("fps", FPS_RATES)
def test_a_look_five_seconds_after_arrival_is_a_slow_greeting_cued_at_three(fps):
    signal, events, fault_at, times = greet([(5.0, False), (5.0, True)], fps)
    first_look = min(t for t in times if t >= 5.0)
    assert signal.greeting_s == pytest.approx(first_look)
    assert [e.kind for e in events] == ["slow_greeting"]
    assert events[0].detail["greeting_s"] == pytest.approx(first_look, abs=1e-3)
    assert events[0].t_s == 0.0
    # the cue's fault is live from the first frame at or after the 3 s limit
    assert fault_at == min(t for t in times if t >= 3.0)
    assert signal.summary() == {"greeting_s": round(first_look, 3)}


@pytest.mark.parametrize("fps", FPS_RATES)
def test_a_look_within_the_limit_is_a_good_greeting_with_no_fault(fps):
    signal, events, fault_at, _ = greet([(1.5, False), (8.0, True)], fps)
    assert 1.5 <= signal.greeting_s <= 1.5 + 1.3 / fps * 2
    assert events == [] and fault_at is None


@pytest.mark.parametrize("fps", FPS_RATES)
def test_a_look_before_the_interaction_starts_still_counts_from_the_arrival(fps):
    # the customer arrives at 10 s; the interaction starts 2 s later; the agent looked at 10.5 s
    signal, events, fault_at, times = greet(
        [(0.5, False), (1.0, True), (8.0, False)], fps, arrived_s=10.0, start_s=12.0
    )
    first_look = min(t for t in times if t >= 10.5)
    assert signal.greeting_s == pytest.approx(first_look - 10.0)
    assert events == [] and fault_at is None


@pytest.mark.parametrize("fps", FPS_RATES)
def test_an_agent_never_looking_up_is_a_slow_greeting_with_no_greeting_time(fps):
    signal, events, fault_at, times = greet([(10.0, False)], fps)
    assert signal.greeting_s is None and signal.summary() == {"greeting_s": None}
    assert [(e.kind, e.detail["greeting_s"]) for e in events] == [("slow_greeting", None)]
    assert events[0].duration_s == pytest.approx(10.0)
    assert fault_at == min(t for t in times if t >= 3.0)


def test_nobody_at_the_counter_is_absence_not_a_slow_greeting():
    signal, events, fault_at, _ = greet([(10.0, None)], 15.0)
    assert events == [] and fault_at is None and signal.greeting_s is None


def test_a_short_visit_without_a_look_gives_no_verdict():
    _signal, events, fault_at, _ = greet([(2.5, False)], 15.0)
    assert events == [] and fault_at is None


def test_looks_kept_between_interactions_are_bounded():
    signal = GreetingSignal(GreetingConfig())
    for i in range(20_000):  # 22 minutes at 15 fps, looking at the counter, nobody there
        signal.observe(i / 15.0, FrameFeatures(i / 15.0, face=True, gaze_on_customer=True))
    assert len(signal._looks) <= 130 * 15 + 1
