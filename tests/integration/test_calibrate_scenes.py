"""`kiosk calibrate` on rendered scenes with the real models: the camera check, the customer's
direction and the neutral posture, and --write into a config file. The customer direction to
within 2 degrees is tested on exact geometry (tests/unit/calibrate/test_customer_target.py):
MediaPipe reads the renderer's eyes short, so here the written direction is checked by its use."""

from __future__ import annotations

import argparse
import dataclasses
import math

import pytest

from kiosk.calibrate import measure
from kiosk.cli import main
from kiosk.config import Config, load_config
from kiosk.features.frame import extract_features
from kiosk.scenes.library import SCENARIOS, look
from kiosk.scenes.script import Posture, Scenario, Segment

# A helper standing where customers stand, as the agent looks at them: head and eyes turned.
HELPER = Posture(head_yaw_deg=20.0, head_pitch_deg=-8.0, eye_yaw_deg=6.0, eye_pitch_deg=-3.0)
CALIBRATION = Scenario(
    "calibration_helper",
    "3 s into the lens, then 6 s at a helper's eyes.",
    (look(3.0, label="lens"), Segment(6.0, HELPER, target="away", ease_s=0.5, label="helper")),
    sway_deg=0.3,
)


@pytest.fixture
def config(monkeypatch):
    """The defaults at 5 fps, and the calibration scene among the built-in ones."""
    monkeypatch.setitem(SCENARIOS, CALIBRATION.name, CALIBRATION)
    defaults = Config()
    return dataclasses.replace(
        defaults,
        camera=dataclasses.replace(defaults.camera, fps=5.0),
        tracker=dataclasses.replace(defaults.tracker, hands=False),
    )


def step(name, config, **args):
    namespace = argparse.Namespace(write=False, config=None, **args)
    return getattr(measure, name)(config, namespace, say=lambda line: None)


def test_check_camera_finds_the_agents_face_big_lit_and_sharp(config):
    result = step("check_camera", config, source="scene:attentive", seconds=2.0)
    text = "\n".join(result.lines)
    assert "camera: 640x480, 5.0 fps" in text
    assert "face found on 100% of frames" in text
    assert "advice: none, the camera is fine" in text


def test_check_camera_says_so_when_nobody_is_there(config, monkeypatch):
    away = Scenario("nobody", "", (Segment(2.0, Posture(), target="none", present=False),))
    monkeypatch.setitem(SCENARIOS, "nobody", away)
    result = step("check_camera", config, source="scene:nobody", seconds=2.0)
    assert "face found on 0% of frames" in result.lines[1]
    assert result.lines[-1].startswith("advice: no face")


def test_after_customer_target_a_look_at_the_helper_is_eye_contact_and_into_the_lens_is_not(
    config,
):
    result = step(
        "customer_target", config, source=f"scene:{CALIBRATION.name}", lens_s=3.0, customer_s=6.0
    )
    found = result.settings
    yaw, pitch = found["customer"]["yaw_deg"], found["customer"]["pitch_deg"]
    assert yaw > 5.0 and pitch < -2.0  # to the image's right and below, as scripted
    calibrated = dataclasses.replace(
        config,
        customer=dataclasses.replace(config.customer, yaw_deg=yaw, pitch_deg=pitch),
        eye_contact=dataclasses.replace(
            config.eye_contact,
            neutral_iris_right=found["eye_contact"]["neutral_iris_right"],
            neutral_iris_down=found["eye_contact"]["neutral_iris_down"],
        ),
    )
    on_helper, on_lens = [], []
    for elapsed_s, _, landmarks in measure._tracked(calibrated, f"scene:{CALIBRATION.name}", 9.0):
        features = extract_features(landmarks, calibrated)
        if 0.5 <= elapsed_s < 3.0:
            on_lens.append(features.gaze_on_customer)
        elif elapsed_s >= 3.5:
            on_helper.append(features.gaze_on_customer)
    assert sum(on_helper) >= 0.9 * len(on_helper)
    # the lens now reads as the camera's direction: as far from the customer as the offset
    assert math.hypot(yaw, pitch) > calibrated.customer.gaze_cone_deg or sum(on_lens) < len(on_lens)


def test_neutral_posture_measures_the_head_distance_shoulders_and_face(config):
    result = step("neutral_posture", config, source="scene:attentive", seconds=3.0)
    settings = result.settings
    # the rendered agent sits upright for the first 3 s of `attentive`
    assert 55.0 <= settings["lean"]["neutral_distance_cm"] <= 85.0
    assert 30.0 <= settings["facing"]["square_on_width_cm"] <= 50.0
    assert set(settings["expression"]) == {
        "neutral_brow_height_cm",
        "neutral_brow_gap_cm",
        "neutral_brow_tilt_cm",
        "neutral_corner_drop_cm",
        "neutral_mouth_width_cm",
    }


def test_write_puts_the_settings_into_the_config_keeping_its_comments_and_a_backup(
    tmp_path, capsys
):
    path = tmp_path / "kiosk.toml"
    original = (
        "# the counter by the door\n[camera]\nfps = 5.0\n\n"
        "[lean]\n# measured in May\nforward_cm = 3.5\n"
    )
    path.write_text(original)
    code = main(
        [
            "calibrate",
            "neutral-posture",
            "--source",
            "scene:attentive",
            "--seconds",
            "2",
            "--config",
            str(path),
            "--write",
        ]
    )
    assert code == 0
    text = path.read_text()
    assert text.startswith("# the counter by the door\n[camera]\nfps = 5.0\n")
    assert "# measured in May\nforward_cm = 3.5\nneutral_distance_cm = " in text
    config = load_config(path)
    assert config.lean.neutral_distance_cm > 0 and config.expression.neutral_mouth_width_cm > 0
    backups = list(tmp_path.glob("kiosk.toml.*.bak"))
    assert len(backups) == 1 and backups[0].read_text() == original
    assert "written to" in capsys.readouterr().out


def test_write_needs_a_config_file(capsys):
    assert main(["calibrate", "check-camera", "--source", "scene:attentive", "--write"]) == 2
    assert "--write needs --config FILE" in capsys.readouterr().err
