"""Each built-in scenario rendered and tracked by the real models once per frame rate, shared by
every test that needs it: the analyze view (the whole clip) and the live view (presence,
interactions and nudges) are both replayed from the same landmarks through the pipeline step."""

from __future__ import annotations

import dataclasses
import functools
from dataclasses import dataclass

import pytest

from kiosk import app
from kiosk.analysis import FrameResult
from kiosk.camera.scene import SceneSource
from kiosk.config import Config
from kiosk.feedback.rules import NudgeRules
from kiosk.landmarks.types import Landmarks
from kiosk.pipeline import Pipeline, StepResult
from kiosk.presence.interaction import InteractionTracker
from kiosk.scenes.library import SCENARIOS


@dataclass(frozen=True)
class TrackedScene:
    landmarks: list[Landmarks]
    truth: list[dict]
    fps: float


@dataclass(frozen=True)
class ScenarioRun:
    summary: dict
    frames: list[FrameResult]
    truth: list[dict]


@dataclass(frozen=True)
class LiveRun:
    steps: list[StepResult]
    records: list[dict]
    fps: float
    config: Config

    def of_kind(self, kind: str) -> list[dict]:
        return [r for r in self.records if r["kind"] == kind]


def config_at(fps: float) -> Config:
    """The defaults at `fps`, without the hand model: the renders have no hands to find (the
    hand path is covered on real hand photos and by the tests that run the whole kiosk), and
    leaving it out makes every scene about a quarter cheaper to track."""
    config = Config()
    return dataclasses.replace(
        config,
        camera=dataclasses.replace(config.camera, fps=fps),
        tracker=dataclasses.replace(config.tracker, hands=False),
    )


@functools.cache
def tracked_scene(name: str, fps: float = 15.0) -> TrackedScene:
    """The scenario rendered at `fps` and tracked as `kiosk analyze` and `kiosk run` track it."""
    config = config_at(fps)
    source = SceneSource(SCENARIOS[name], app.build_scene_rig(config.camera), fps)
    with app.build_tracker(config.tracker, static_images=False) as tracker:
        landmarks = [tracker.track(f, face=True, pose=True) for f in source]
    return TrackedScene(landmarks, [source.truth(i) for i in range(len(source.states))], fps)


@functools.cache
def scenario_run(name: str) -> ScenarioRun:
    """What `kiosk analyze scene:NAME` measures: the whole clip as one interaction."""
    tracked = tracked_scene(name, 15.0)  # the same cache key as live_run's
    pipeline = Pipeline(
        config_at(15.0),
        None,
        source_name=f"scene:{name}",
        fps=tracked.fps,
        interactions=InteractionTracker.whole_input(),
    )
    frames = [pipeline.step_landmarks(lm).frame for lm in tracked.landmarks]
    pipeline.finish(len(tracked.landmarks) / tracked.fps)
    return ScenarioRun(pipeline.closed[0]["summary"], frames, tracked.truth)


@functools.cache
def live_run(name: str, fps: float = 15.0) -> LiveRun:
    """What `kiosk run --source scene:NAME` decides: the scenario's customer, interactions,
    nudge rules, from the same landmarks."""
    tracked = tracked_scene(name, fps)
    config = config_at(fps)
    pipeline = Pipeline(
        config,
        None,
        source_name=f"scene:{name}",
        fps=fps,
        interactions=InteractionTracker(
            config.presence.min_present_s, config.presence.absent_end_s
        ),
        rules=NudgeRules(config.nudges, config.cues),
    )
    scenario = SCENARIOS[name]
    steps = [
        pipeline.step_landmarks(lm, scenario.customer_present(lm.t_s)) for lm in tracked.landmarks
    ]
    records = [r for s in steps for r in s.records]
    records += pipeline.finish(len(tracked.landmarks) / fps)
    return LiveRun(steps, records, fps, config)


@pytest.fixture
def run_of():
    return scenario_run


@pytest.fixture
def live_of():
    return live_run
