"""Rendered scenes against their ground truth, measured by the real face mesh and head pose."""

import hashlib
import itertools
import json

import cv2
import numpy as np
import pytest

from kiosk import app
from kiosk.camera.scene import SceneSource
from kiosk.cli import main
from kiosk.config import CameraConfig, Config, TrackerConfig
from kiosk.features.head_pose import head_pose_from_face
from kiosk.scenes.library import SCENARIOS
from kiosk.scenes.script import Posture, SceneState

CONFIG = Config()


@pytest.fixture(scope="module")
def rig():
    return app.build_scene_rig(CameraConfig())


def measured_pose(tracker, rgb):
    from kiosk.camera.types import Frame

    landmarks = tracker.track(Frame(rgb, 0.0, 0), face=True)
    if landmarks.face is None:
        return None
    return head_pose_from_face(landmarks.face, rgb.shape[1], rgb.shape[0], CONFIG.camera.hfov_deg)


def test_rendering_is_deterministic(rig):
    state = SceneState(
        1.0, Posture(head_yaw_deg=20, lean_cm=5, eye_yaw_deg=10), "customer", True, ""
    )
    assert np.array_equal(rig.render(state), rig.render(state))


def test_a_scene_source_replays_identically(rig):
    def digest():
        source = SceneSource(SCENARIOS["listening_nods"], rig, fps=5.0)
        frames = [f for f, _ in zip(source, range(12), strict=False)]
        return [hashlib.sha1(f.rgb.tobytes()).hexdigest() for f in frames], [f.t_s for f in frames]

    assert digest() == digest()


def test_measured_head_pose_follows_the_script_over_the_working_range(rig, photo_tracker):
    errors = []
    for yaw in (-30, -15, 0, 15, 30):
        for pitch in (-20, -10, 0, 10, 20):
            posture = Posture(head_yaw_deg=yaw, head_pitch_deg=pitch)
            truth = rig.truth(posture)
            pose = measured_pose(
                photo_tracker, rig.render(SceneState(0, posture, "customer", True, ""))
            )
            assert pose is not None, f"no face at yaw {yaw}, pitch {pitch}"
            errors.append((pose.yaw_deg - truth.yaw_deg, pose.pitch_deg - truth.pitch_deg))
    abs_errors = np.abs(np.array(errors))
    median_yaw, median_pitch = np.median(abs_errors, axis=0)
    assert median_yaw < 3.0 and median_pitch < 3.0
    assert abs_errors.max() < 9.0


def test_turning_away_narrows_and_leaning_in_widens_the_measured_shoulders(rig):
    from kiosk.camera.types import Frame

    body_only = TrackerConfig(face=False, hands=False)
    with app.build_tracker(body_only, static_images=True) as tracker:

        def shoulder_width_px(posture):
            rgb = rig.render(SceneState(0, posture, "customer", True, ""))
            pose = tracker.track(Frame(rgb, 0, 0), face=False, pose=True).pose
            return abs(pose.pixels[11, 0] - pose.pixels[12, 0])

        square = shoulder_width_px(Posture())
        turned = shoulder_width_px(Posture(head_yaw_deg=40, torso_yaw_deg=40))
        head_only = shoulder_width_px(Posture(torso_yaw_deg=45))
        leaning_in = shoulder_width_px(Posture(lean_cm=10))
    assert turned < 0.9 * square
    assert head_only < 0.9 * square
    assert leaning_in > 1.05 * square


@pytest.mark.parametrize("name", list(SCENARIOS))
def test_each_scenario_is_measured_as_scripted(name, run_of):
    run = run_of(name)
    assert len(run.frames) == len(run.truth)
    visible_mismatch, errors = 0, []
    for result, truth in zip(run.frames, run.truth, strict=True):
        visible_mismatch += result.face != truth["present"]
        if result.head_pose is not None and truth["present"]:
            pose = result.head_pose
            errors.append((pose.yaw_deg - truth["yaw_deg"], pose.pitch_deg - truth["pitch_deg"]))
    assert visible_mismatch <= 0.02 * len(run.truth)
    abs_errors = np.abs(np.array(errors))
    assert np.median(abs_errors[:, 0]) < 3.0
    # Looking down steeply (the desk is 40 degrees below the camera's axis) reads short.
    assert np.median(abs_errors[:, 1]) < 7.5
    assert np.percentile(abs_errors, 95, axis=0).max() < 9.0


def test_the_scripted_nodding_shows_in_the_per_frame_pitch(run_of):
    lines = [result.to_json() for result in run_of("impatient_nodding").frames]
    nodding = [ln["pitch_deg"] for ln in lines if 4.0 <= ln["t_s"] < 10.0]  # 12 nods at 2 Hz
    top = np.percentile(nodding, 90)
    assert top - min(nodding) > 6.0  # each nod dips about 10 degrees
    below = [p < top - 5.0 for p in nodding]
    dips = sum(1 for a, b in itertools.pairwise(below) if b and not a)
    assert 11 <= dips <= 12


def test_analyze_of_a_scene_prints_the_summary_and_writes_a_line_per_frame(tmp_path, capsys):
    per_frame = tmp_path / "f.jsonl"
    argv = ["analyze", "scene:head_shakes", "--json", "--per-frame", str(per_frame), "--fps", "5"]
    assert main(argv) == 0
    summary = json.loads(capsys.readouterr().out)
    assert (summary["source"], summary["frames"], summary["fps"]) == ("scene:head_shakes", 75, 5.0)
    assert summary["face_visible_ratio"] == 1.0
    assert summary["nods"]["count"] == 0
    lines = [json.loads(line) for line in per_frame.read_text().splitlines()]
    assert [ln["i"] for ln in lines] == list(range(75))
    assert lines[-1]["t_s"] == pytest.approx(14.8)


def test_scene_render_writes_a_video_and_its_truth(tmp_path, capsys):
    video, truth = tmp_path / "away.avi", tmp_path / "truth.jsonl"
    code = main(["scene", "render", "agent_away", str(video), "--truth", str(truth), "--fps", "5"])
    assert code == 0
    capture = cv2.VideoCapture(str(video))
    frames = 0
    while capture.read()[0]:
        frames += 1
    expected = round(SCENARIOS["agent_away"].duration_s * 5)
    assert frames == expected
    lines = [json.loads(line) for line in truth.read_text().splitlines()]
    assert len(lines) == expected
    assert sum(not ln["present"] for ln in lines) == 40  # 8 s away at 5 fps
    assert all(ln["yaw_deg"] is None for ln in lines if not ln["present"])
