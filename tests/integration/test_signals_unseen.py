"""Signals on scripts the thresholds were not tuned on, measured by the real models on rendered
frames: small, deep, double and fast nods and a slow shake; eye-only glances, a short stare, a
head-only turn too brief to count."""

import pytest

from kiosk import app
from kiosk.camera.scene import SceneSource
from kiosk.config import Config, TrackerConfig
from kiosk.features.frame import extract_features
from kiosk.scenes.library import BODY_TO_SCREEN, desk, look, nods, shakes
from kiosk.scenes.script import Posture, Scenario, Segment
from kiosk.signals.session import SignalSet


def spaced(count, freq_hz, amplitude_deg):
    segments = [look(2.0)]
    for _ in range(count):
        segments += [nods(1.0 / freq_hz + 0.2, freq_hz, amplitude_deg), desk(1.0), look(1.5)]
    return Scenario("unseen", "", tuple(segments))


CASES = {
    "small 6 degree nods": (spaced(4, 1.2, 6.0), 0),
    "deep slow nods": (spaced(3, 0.9, 15.0), 0),
    "double nods": (
        Scenario(
            "unseen",
            "",
            (
                look(2.0),
                nods(1.1, 2.0, 8.0),
                desk(1.0),
                look(2.0),
                nods(1.1, 2.0, 8.0),
                desk(1.0),
                look(2.0),
            ),
        ),
        0,
    ),
    "fast small train": (
        Scenario("unseen", "", (look(2.0), nods(5.0, 2.5, 6.0), desk(1.0), look(2.0))),
        1,
    ),
    "slow shake": (
        Scenario("unseen", "", (look(2.0), shakes(3.0, 1.0, 10.0), desk(1.0), look(2.0))),
        0,
    ),
}


@pytest.fixture(scope="module")
def face_tracker():
    """One face model for every nod script (each starts with the agent looking at the customer
    from the same place, as the one before ended), loaded once."""
    face_only = TrackerConfig(pose=False, hands=False)
    with app.build_tracker(face_only, static_images=False, threads=False) as tracker:
        yield tracker


@pytest.fixture(scope="module")
def face_and_body_tracker():
    with app.build_tracker(
        TrackerConfig(hands=False), static_images=False, threads=False
    ) as tracker:
        yield tracker


@pytest.mark.parametrize("case", list(CASES))
def test_nods_on_unseen_scripts_are_counted_within_one(case, face_tracker):
    scenario, impatient = CASES[case]
    config = Config()
    source = SceneSource(scenario, app.build_scene_rig(config.camera), config.camera.fps)
    signals = SignalSet(config)
    for frame in source:
        signals.update(extract_features(face_tracker.track(frame, face=True), config))
    signals.finish(scenario.duration_s)
    summary = signals.summary()["nods"]
    assert abs(summary["count"] - len(scenario.nod_times_s())) <= 1
    assert summary["impatient_bouts"] == impatient


EYES_AWAY = Posture(eye_yaw_deg=30.0)
GAZE_CASES = {
    # (scenario, staring bouts, head-only turns)
    "glances with the eyes only break a gaze": (
        Scenario(
            "unseen",
            "",
            (
                look(3.0),
                Segment(1.0, EYES_AWAY, target="away"),
                look(3.0),
                Segment(1.0, EYES_AWAY, target="away"),
                look(3.0),
            ),
        ),
        0,
        0,
    ),
    "a 5 s gaze is a stare": (
        Scenario("unseen", "", (desk(1.0), look(5.0), desk(1.0), look(2.0))),
        1,
        0,
    ),
    "a 1 s head-only turn is too short to count": (
        Scenario(
            "unseen",
            "",
            (
                look(2.0),
                desk(1.0),
                Segment(1.0, BODY_TO_SCREEN, target="customer"),
                desk(1.0),
                look(2.0),
            ),
        ),
        0,
        0,
    ),
}


@pytest.mark.parametrize("case", list(GAZE_CASES))
def test_gaze_and_facing_on_unseen_scripts(case, face_and_body_tracker):
    scenario, stares, head_only = GAZE_CASES[case]
    config = Config()
    source = SceneSource(scenario, app.build_scene_rig(config.camera), config.camera.fps)
    signals = SignalSet(config)
    for frame in source:
        landmarks = face_and_body_tracker.track(frame, face=True, pose=True)
        signals.update(extract_features(landmarks, config))
    signals.finish(scenario.duration_s)
    summary = signals.summary()
    assert summary["eye_contact"]["staring_bouts"] == stares
    assert summary["facing"]["head_only_turns"] == head_only
    assert summary["impatience"]["events"] == 0
