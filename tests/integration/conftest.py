"""Each built-in scenario rendered and tracked by the real models once per frame rate, shared by
every test that needs it: the analyze view (the whole clip) and the live view (presence,
interactions and nudges) are both replayed from the same landmarks through the pipeline step."""

from __future__ import annotations

import dataclasses
import functools
from concurrent.futures import ThreadPoolExecutor
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
    landmarks: list[Landmarks]  # as the kiosk tracks: the scheduler (without threads)
    # the same frames with every model on every frame (BODY_SCENES only, else None)
    every_model: list[Landmarks] | None
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


# Scenes tracked at another rate than 15 fps, to keep the suite in its time (the signals give
# the same verdict at every rate): the minute-long ones at 5 fps (the slowest a Pi runs at),
# most others at 10; the nods, speech, staring and counter_shift scenes at the camera's 15.
SCENE_FPS = {
    "stiff": 5.0,
    "frowning": 5.0,
    "blank_stare": 10.0,
    "slow_greeting": 10.0,
    "attentive": 10.0,
    "never_looks_up": 10.0,
    "head_shakes": 10.0,
    # the body scenes are tracked twice (the schedule's comparison with every model)
    "turns_head_not_body": 10.0,
    "turns_away": 10.0,
    "leans_back": 10.0,
    "agent_away": 10.0,
    "wide_gestures": 10.0,
}


# Scenes made to move the body (turn, lean back, arms, leaving the counter; counter_shift only
# repeats those moves and is left out for the suite's time): on these the
# scheduler's body landmarks, held between runs, are compared with every model on every frame
# (test_schedule_quality.py). The other scenes script only the head and face, which the
# scheduler tracks on every frame anyway; they are tracked once, as the kiosk tracks them.
BODY_SCENES = frozenset(
    {
        "turns_head_not_body",
        "turns_away",
        "leans_back",
        "agent_away",
        "wide_gestures",
    }
)


def scene_fps(name: str) -> float:
    return SCENE_FPS.get(name, 15.0)


def config_at(fps: float) -> Config:
    """The defaults at `fps`, with the scheduler in its deterministic form (no model threads),
    the body model every 0.2 s (twice the default interval: the scene tests show the verdicts
    hold with that margin, and it keeps the suite within its time), and without the hand model:
    the renders have no hands to find (the hand path is covered on real hand photos and by the
    tests that run the whole kiosk)."""
    config = Config()
    return dataclasses.replace(
        config,
        camera=dataclasses.replace(config.camera, fps=fps),
        tracker=dataclasses.replace(
            config.tracker, hands=False, threads=False, pose_interval_s=0.2
        ),
    )


class _SharedFace:
    """One face model for both trackers of a scene: the face runs on every frame either way,
    so its result is computed once per frame and handed to both."""

    def __init__(self, model) -> None:
        self.model = model
        self.last: tuple[int, Landmarks] | None = None

    def track(self, frame, **parts) -> Landmarks:
        if self.last is None or self.last[0] != frame.index:
            self.last = (frame.index, self.model.track(frame, **parts))
        return self.last[1]

    def close(self) -> None:
        self.model.close()


def tracked_scene(name: str, fps: float = 15.0) -> TrackedScene:
    """The scene tracked once per (name, fps), however the caller spells the frame rate."""
    return _tracked_scene(name, float(fps))


@functools.cache
def _tracked_scene(name: str, fps: float) -> TrackedScene:
    """The scenario rendered at `fps` and tracked as `kiosk analyze` and `kiosk run` track it
    (the scheduler), and with every model on every frame, in one pass: the frame is drawn once
    (ahead, on a thread) and the every-frame body model runs on a second thread. Each model
    sees its frames in order, so the threads change nothing but the time taken."""
    from kiosk.landmarks.scheduler import ScheduledTracker

    config = config_at(fps)

    def one_model(part: str):
        return app.single_model_tracker(config.tracker, part)

    source = SceneSource(SCENARIOS[name], app.build_scene_rig(config.camera), fps)
    face = _SharedFace(one_model("face"))
    scheduled = ScheduledTracker(config.tracker, lambda p: face if p == "face" else one_model(p))
    compare = name in BODY_SCENES and fps == scene_fps(name)  # the schedule-quality run
    every_pose = one_model("pose") if compare else None
    landmarks, every = [], []
    try:
        with ThreadPoolExecutor(1) as pool:
            for frame in source:
                body = (
                    pool.submit(every_pose.track, frame, face=False, pose=True)
                    if every_pose
                    else None
                )
                tracked = scheduled.track(frame, face=True, pose=True)
                landmarks.append(tracked)
                if body is not None:
                    every.append(dataclasses.replace(tracked, pose=body.result().pose))
    finally:
        scheduled.close()
        if every_pose is not None:
            every_pose.close()
    truth = [source.truth(i) for i in range(len(source.states))]
    return TrackedScene(landmarks, every if every_pose is not None else None, truth, fps)


@functools.cache
def scenario_run(name: str, every_model: bool = False) -> ScenarioRun:
    """What `kiosk analyze scene:NAME` measures: the whole clip as one interaction
    (`every_model`: from every model on every frame instead of the scheduler's landmarks)."""
    tracked = tracked_scene(name, scene_fps(name))  # the same cache key as live_run's
    pipeline = Pipeline(
        config_at(tracked.fps),
        None,
        source_name=f"scene:{name}",
        fps=tracked.fps,
        interactions=InteractionTracker.whole_input(),
    )
    landmarks = tracked.every_model if every_model else tracked.landmarks
    frames = [pipeline.step_landmarks(lm).frame for lm in landmarks]
    pipeline.finish(len(landmarks) / tracked.fps)
    return ScenarioRun(pipeline.closed[0]["summary"], frames, tracked.truth)


@functools.cache
def live_run(name: str, fps: float | None = None, every_model: bool = False) -> LiveRun:
    """What `kiosk run --source scene:NAME` decides: the scenario's customer, interactions,
    nudge rules, from the same landmarks (at `fps`, by default the scene's test rate)."""
    fps = scene_fps(name) if fps is None else fps
    tracked = tracked_scene(name, fps)
    landmarks = tracked.every_model if every_model else tracked.landmarks
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
    steps = [pipeline.step_landmarks(lm, scenario.customer_present(lm.t_s)) for lm in landmarks]
    records = [r for s in steps for r in s.records]
    records += pipeline.finish(len(landmarks) / fps)
    return LiveRun(steps, records, fps, config)


@pytest.fixture
def run_of():
    return scenario_run


@pytest.fixture
def live_of():
    return live_run
