"""The pipeline step with stand-in landmarks: interactions, records, the acknowledgement."""

from __future__ import annotations

import dataclasses

import pytest

from kiosk.config import Config
from kiosk.feedback.rules import NudgeRules
from kiosk.landmarks.types import Landmarks
from kiosk.pipeline import Pipeline
from kiosk.presence.interaction import InteractionTracker


def pipeline(config: Config) -> Pipeline:
    return Pipeline(
        config,
        None,
        source_name="stand-in",
        fps=10.0,
        interactions=InteractionTracker(
            config.presence.min_present_s, config.presence.absent_end_s
        ),
        rules=NudgeRules(config.nudges, config.cues),
    )


def nobody(t_s: float, i: int) -> Landmarks:
    return Landmarks(t_s, i, 640, 480)


def with_well_done() -> Config:
    config = Config()
    cue = dataclasses.replace(config.cues.well_done, enabled=True)
    return dataclasses.replace(config, cues=dataclasses.replace(config.cues, well_done=cue))


def test_a_clean_interaction_lights_well_done_when_it_closes_for_the_configured_time():
    p = pipeline(with_well_done())
    lit = []
    records = []
    for i in range(600):
        t = i / 10.0
        step = p.step_landmarks(nobody(t, i), present=t < 40.0)
        records += step.records
        lit.append((t, step.cue))
    kinds = [r["kind"] for r in records]
    assert kinds == ["interaction_start", "interaction", "nudge"]
    ack = records[-1]
    assert ack["cue"] == "well_done" and ack["t_s"] == pytest.approx(44.9)
    shown = [t for t, cue in lit if cue == "well_done"]
    assert shown[0] == pytest.approx(44.9) and shown[-1] == pytest.approx(46.8)


def test_a_pause_darkens_the_acknowledgement_at_once():
    p = pipeline(with_well_done())
    for i in range(450):
        p.step_landmarks(nobody(i / 10.0, i), present=i < 400)
    assert p.rules.cue == "well_done"
    p.interrupt(45.0)
    assert p.rules.cue is None
    assert p.step_landmarks(nobody(45.1, 451), present=False).cue is None


def test_a_short_interaction_is_not_acknowledged_and_analyze_keeps_only_the_whole_input():
    p = pipeline(with_well_done())
    records = []
    for i in range(200):
        records += p.step_landmarks(nobody(i / 10.0, i), present=i < 100).records
    assert [r["kind"] for r in records] == ["interaction_start", "interaction"]
    assert p.closed == []  # a live pipeline keeps no summaries around
