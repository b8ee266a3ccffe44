"""`kiosk analyze` end to end on real images and a video made of them."""

import json

import cv2
import numpy as np
import pytest

from kiosk.cli import main


def run_json(capsys, *argv):
    assert main(["analyze", *argv, "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def test_astronaut_json_has_the_contract_keys_and_a_visible_face(capsys, astronaut_file):
    summary = run_json(capsys, str(astronaut_file))
    assert set(summary) >= {
        "source",
        "frames",
        "duration_s",
        "fps",
        "face_visible_ratio",
        "head_pose",
    }
    assert set(summary["head_pose"]) == {"yaw_deg_median", "pitch_deg_median", "roll_deg_median"}
    assert summary["frames"] == 1
    assert summary["face_visible_ratio"] == 1.0
    assert abs(summary["head_pose"]["yaw_deg_median"]) < 10


def test_folder_with_a_blank_image_reports_the_ratio_and_nulls(tmp_path, capsys, astronaut_rgb):
    bgr = cv2.cvtColor(astronaut_rgb, cv2.COLOR_RGB2BGR)
    cv2.imwrite(str(tmp_path / "01_face.png"), bgr)
    cv2.imwrite(str(tmp_path / "02_blank.png"), np.zeros_like(bgr))
    cv2.imwrite(str(tmp_path / "03_mirror.png"), bgr[:, ::-1])
    per_frame = tmp_path / "frames.jsonl"
    summary = run_json(capsys, str(tmp_path), "--fps", "2", "--per-frame", str(per_frame))
    assert summary["frames"] == 3
    assert summary["duration_s"] == 1.5
    assert summary["face_visible_ratio"] == pytest.approx(2 / 3, abs=1e-3)
    lines = [json.loads(line) for line in per_frame.read_text().splitlines()]
    assert [line["file"] for line in lines] == ["01_face.png", "02_blank.png", "03_mirror.png"]
    assert [line["t_s"] for line in lines] == [0.0, 0.5, 1.0]
    assert {
        k: lines[1][k] for k in ("i", "t_s", "file", "face", "yaw_deg", "pitch_deg", "roll_deg")
    } == {
        "i": 1,
        "t_s": 0.5,
        "file": "02_blank.png",
        "face": False,
        "yaw_deg": None,
        "pitch_deg": None,
        "roll_deg": None,
    }
    assert lines[1]["gaze_on_customer"] is None and lines[1]["lean"] is None
    assert lines[0]["yaw_deg"] == pytest.approx(-lines[2]["yaw_deg"], abs=2.5)


def test_video_per_frame_lines_have_no_file_key(tmp_path, capsys, astronaut_rgb):
    path = tmp_path / "clip.avi"
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"MJPG"), 10.0, (512, 512))
    bgr = cv2.cvtColor(astronaut_rgb, cv2.COLOR_RGB2BGR)
    for _ in range(5):
        writer.write(bgr)
    writer.release()
    per_frame = tmp_path / "frames.jsonl"
    summary = run_json(capsys, str(path), "--per-frame", str(per_frame))
    assert (summary["frames"], summary["fps"], summary["duration_s"]) == (5, 10.0, 0.5)
    assert summary["face_visible_ratio"] == 1.0
    lines = [json.loads(line) for line in per_frame.read_text().splitlines()]
    assert len(lines) == 5 and all("file" not in line for line in lines)
    # A still scene tracked from frame to frame keeps a steady pose.
    yaws = [line["yaw_deg"] for line in lines]
    assert max(yaws) - min(yaws) < 2.0


def test_human_summary_names_the_pose(capsys, astronaut_file):
    assert main(["analyze", str(astronaut_file)]) == 0
    out = capsys.readouterr().out
    assert "face visible: 100% of frames" in out
    assert "head pose (median): yaw" in out


def test_unwritable_per_frame_path_fails_before_any_work(tmp_path, capsys, astronaut_file):
    code = main(["analyze", str(astronaut_file), "--per-frame", str(tmp_path / "no" / "x.jsonl")])
    assert code == 1
    assert "cannot write the per-frame file" in capsys.readouterr().err
