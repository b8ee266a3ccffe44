"""The scheduler loses nothing the signals need: on the built-in scenes made to move the body
(conftest.BODY_SCENES; the others move only the head and face, which the scheduler tracks on
every frame), the verdicts and the nudges from its landmarks (the face every frame, the body
every 0.2 s, twice the default interval, and held between) are the ones every model on every
frame gives. Both are tracked in one pass (conftest)."""

from __future__ import annotations

import pytest
from conftest import BODY_SCENES, live_run, scenario_run

COUNTS = [
    ("expression", "blank_stare_spells"),
    ("stiffness", "stiff_spells"),
    ("eye_contact", "staring_bouts"),
    ("eye_contact", "no_look_spells"),
    ("facing", "head_only_turns"),
    ("nods", "count"),
    ("nods", "impatient_bouts"),
]
RATIOS = [
    ("eye_contact", "ratio"),
    ("facing", "ratio"),
    ("lean", "forward_ratio"),
    ("lean", "back_ratio"),
    ("expression", "frown_ratio"),
    ("gestures", "gesturing_ratio"),
]


@pytest.mark.parametrize("name", sorted(BODY_SCENES))
def test_the_scheduled_verdicts_and_nudges_equal_every_model_on_every_frame(name):
    scheduled, every = scenario_run(name), scenario_run(name, every_model=True)
    for section, key in COUNTS:
        assert scheduled.summary[section][key] == every.summary[section][key], (section, key)
    # a sweep of the arms seen by the body model every 0.2 s may split or merge with the next
    wide, wide_every = (run.summary["gestures"]["wide_gestures"] for run in (scheduled, every))
    assert (wide > 0) == (wide_every > 0) and abs(wide - wide_every) <= 1
    for section, key in RATIOS:
        a, b = scheduled.summary[section][key], every.summary[section][key]
        assert (a is None) == (b is None) and (a is None or abs(a - b) <= 0.05), (section, key)
    kinds = lambda run: sorted({e["kind"] for e in run.summary["events"]})  # noqa: E731
    assert kinds(scheduled) == kinds(every)
    live, live_every = live_run(name), live_run(name, every_model=True)
    nudges = [(n["cue"], n["t_s"]) for n in live.of_kind("nudge")]
    nudges_every = [(n["cue"], n["t_s"]) for n in live_every.of_kind("nudge")]
    assert [cue for cue, _ in nudges] == [cue for cue, _ in nudges_every]
    interval_s = live.config.tracker.pose_interval_s
    for (cue, t_s), (_, t_every_s) in zip(nudges, nudges_every, strict=True):
        # a body fault is seen at the next body run: at most one interval and a frame later
        slack_s = interval_s + 1 / live.fps + 1e-6
        if cue == "wide_gesture":
            # its fault adds up seconds of fast sweeping, and a sweep every 0.4 s read from
            # the body's runs every 0.2 s looks fast or still by phase: one bout later at most
            slack_s = 2.0
        assert abs(t_s - t_every_s) <= slack_s, cue
