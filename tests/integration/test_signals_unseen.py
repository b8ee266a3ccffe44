"""Nod counting on scripts the thresholds were not tuned on: small, deep, double and fast nods,
and a slow shake. Measured by the real face mesh on rendered frames."""

import pytest

from kiosk import app
from kiosk.camera.scene import SceneSource
from kiosk.config import Config, TrackerConfig
from kiosk.features.frame import extract_features
from kiosk.scenes.library import desk, look, nods, shakes
from kiosk.scenes.script import Scenario
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


@pytest.mark.parametrize("case", list(CASES))
def test_nods_on_unseen_scripts_are_counted_within_one(case):
    scenario, impatient = CASES[case]
    config = Config()
    source = SceneSource(scenario, app.build_scene_rig(config.camera), config.camera.fps)
    signals = SignalSet(config)
    face_only = TrackerConfig(pose=False, hands=False)
    with app.build_tracker(face_only, static_images=False) as tracker:
        for frame in source:
            signals.update(extract_features(tracker.track(frame, face=True), config))
    signals.finish(scenario.duration_s)
    summary = signals.summary()["nods"]
    assert abs(summary["count"] - len(scenario.nod_times_s())) <= 1
    assert summary["impatient_bouts"] == impatient
