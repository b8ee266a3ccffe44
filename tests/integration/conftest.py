"""Each built-in scenario run once through the whole pipeline, shared by the tests that need it."""

from __future__ import annotations

import functools
from dataclasses import dataclass

import pytest

from kiosk import app
from kiosk.analysis import FrameResult
from kiosk.camera.scene import SceneSource
from kiosk.config import Config
from kiosk.scenes.library import SCENARIOS


@dataclass(frozen=True)
class ScenarioRun:
    summary: dict
    frames: list[FrameResult]
    truth: list[dict]


@functools.cache
def scenario_run(name: str) -> ScenarioRun:
    config = Config()
    frames: list[FrameResult] = []
    summary = app.analyze(f"scene:{name}", config, on_frame=frames.append)
    truth_source = SceneSource(
        SCENARIOS[name], app.build_scene_rig(config.camera), config.camera.fps
    )
    truth = [truth_source.truth(i) for i in range(len(truth_source.states))]
    return ScenarioRun(summary, frames, truth)


@pytest.fixture
def run_of():
    return scenario_run
