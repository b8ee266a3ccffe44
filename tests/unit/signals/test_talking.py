"""Talking from the mouth's opening: syllables are talking, a head turn is not."""

import math

import pytest
from live_timeline import FPS_RATES, frames

from kiosk.config import NodsConfig
from kiosk.signals.talking import Talking


def talking_times(opening, seconds, fps):
    talking = Talking(NodsConfig())
    out = []
    for t, value in frames([(seconds, opening)], fps):
        talking.update(t, value)
        out.append((t, talking.talking(t)))
    return out


@pytest.mark.parametrize("fps", FPS_RATES)
def test_the_lips_opening_and_closing_about_four_times_a_second_are_talking(fps):
    def syllables(t_s):  # 0.04-0.20 eye spans, at an uneven syllable rate (as speech is)
        return 0.12 + 0.08 * math.sin(2 * math.pi * 4.0 * t_s + 2 * math.sin(1.3 * t_s))

    after = [talking for t, talking in talking_times(syllables, 10.0, fps) if t >= 1.5]
    # At 5 fps a 4-a-second syllable falls between frames now and then (26 of 31 frames here)
    assert sum(after) >= (0.8 if fps < 10 else 1.0) * len(after)


@pytest.mark.parametrize("fps", FPS_RATES)
def test_a_head_turn_that_changes_the_gap_once_each_way_is_not_talking(fps):
    def turn(t_s):  # the gap read from the image grows by 0.06 as the head turns, then back
        return 0.01 + 0.06 * math.sin(math.pi * min(max(t_s - 2.0, 0.0), 2.0) / 2.0)

    assert not any(talking for _, talking in talking_times(turn, 8.0, fps))


def test_talking_lasts_at_most_the_window_and_the_hold_after_the_mouth_stops():
    # Two swings within talking_window_s keep it talking, then talking_hold_s more.
    window_s, hold_s = NodsConfig().talking_window_s, NodsConfig().talking_hold_s

    def speech_then_still(t_s):
        return 0.12 + 0.08 * math.sin(2 * math.pi * 4.0 * t_s) if t_s < 3.0 else 0.04

    seen = talking_times(speech_then_still, 6.0, 30.0)
    last = max(t for t, talking in seen if talking)
    assert 3.0 + hold_s <= last <= 3.0 + window_s + hold_s + 0.05
