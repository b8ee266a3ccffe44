"""`kiosk soak` on a stand-in for the tracked scene (a synthetic face staring at the customer,
no MediaPipe): the loops' interactions, the database, the verdict and its exit codes."""

from __future__ import annotations

import json

import pytest

import kiosk.soak
from kiosk.cli import main
from kiosk.config import Config
from kiosk.landmarks.types import Landmarks
from kiosk.scenes.library import SCENARIOS
from kiosk.soak import Plan
from kiosk.soak_report import trend_ratio
from tests.unit.features.synthetic_faces import HEIGHT, NEUTRAL, WIDTH, face_with_eyes


@pytest.fixture
def staring_face(monkeypatch):
    """The scene 'tracked' as one face looking straight at the customer on every frame."""
    face, _ = face_with_eyes(iris=NEUTRAL)

    def track_scene(scenario, config, fps):
        count = len(scenario.frames(fps))
        return [Landmarks(i / fps, i, WIDTH, HEIGHT, face=face) for i in range(count)]

    monkeypatch.setattr(kiosk.soak, "track_scene", track_scene)


# Limits no short soak on a shared machine can break: the verdict on time and memory is what
# the real soak is for; here only the one a test sets matters.
LOOSE = ("--max-slowdown", "1000", "--max-growth-mb", "1000")


def soak_json(capsys, *args: str) -> tuple[int, dict]:
    code = main(["soak", "--json", *LOOSE, *args])
    return code, json.loads(capsys.readouterr().out)


def test_every_replayed_loop_of_counter_shift_records_its_one_customer_and_the_database_holds_it(
    staring_face, capsys
):
    # 0.05 h at 5 fps: 5 loops of the 41.4 s scene (207 frames each), times running on
    code, result = soak_json(capsys, "--hours", "0.05", "--fps", "5")
    assert code == 0 and result["passed"]
    assert (result["loops"], result["frames"]) == (5, 5 * 207)
    assert result["simulated_hours"] == pytest.approx(5 * 41.4 / 3600, abs=1e-3)
    interactions = result["interactions"]
    assert interactions["recorded"] == interactions["expected"] == 5
    assert interactions["per_loop_min"] == interactions["per_loop_max"] == 1
    assert interactions["in_database"] == 5 and interactions["loops_as_expected"] == 5
    # a stare of more than 4 s in each interaction, nudged when the cue's 60 s cooldown allows
    # (not in every 41.4 s loop); every nudge is in the database
    nudges = result["nudges"]
    assert nudges["by_cue"]["staring"] >= 3
    assert nudges["in_database"] == nudges["recorded"] == sum(nudges["by_cue"].values())
    assert result["db_rows"]["minute_frames"] == result["frames"]
    # one flush per simulated second, as a live run writes
    assert result["flushes"] == pytest.approx(5 * 41.4, abs=2)
    windows = result["windows"]
    assert len(windows) == 4 and sum(w["frames"] for w in windows) == result["frames"]
    assert sum(w["interactions"] for w in windows) == 5
    assert result["rss_baseline_mb"] == windows[0]["rss_mb"]
    assert result["rss_end_mb"] == windows[-1]["rss_mb"]
    assert result["frame_cpu_ms_first"]["median"] == windows[0]["frame_cpu_ms_median"]
    assert result["frame_ms_last"]["p95"] == windows[-1]["frame_ms_p95"]
    assert result["db_path"] is None


def test_a_customer_back_before_the_last_one_is_forgotten_makes_the_whole_soak_one_interaction(
    staring_face, capsys
):
    # slow_greeting's customer leaves at its last frame and is back 1 s into the next loop:
    # under [presence] absent_end_s (5 s), so no loop closes the interaction
    plan = Plan.make(SCENARIOS["slow_greeting"], 5.0, 0.02)
    assert plan.expected_interactions(Config()) == [1] + [0] * (plan.loops - 1)
    code, result = soak_json(
        capsys, "--source", "scene:slow_greeting", "--hours", "0.02", "--fps", "5"
    )
    assert code == 0
    assert result["interactions"]["recorded"] == result["interactions"]["in_database"] == 1


def test_memory_growing_past_the_limit_fails_the_soak_with_exit_1(
    staring_face, capsys, monkeypatch
):
    readings = iter(range(300, 10_000, 3))  # 3 MB more at every window's end
    monkeypatch.setattr(kiosk.soak, "rss_mb", lambda: float(next(readings)))
    code = main(["soak", "--json", "--hours", "0.03", "--fps", "5", "--max-growth-mb", "8"])
    result = json.loads(capsys.readouterr().out)
    assert code == 1 and not result["passed"]
    assert result["rss_growth_mb"] == 9.0  # 4 windows: 3 after the baseline
    assert result["checks"]["memory"] is False
    assert result["checks"]["interactions"] and result["checks"]["storage"]


def test_the_soak_writes_its_own_database_never_the_configured_one_nor_over_a_file(
    staring_face, capsys, tmp_path
):
    config = tmp_path / "kiosk.toml"
    shift_db = tmp_path / "shifts.db"
    config.write_text(f'[camera]\nfps = 5.0\n[storage]\npath = "{shift_db}"\n')
    path = tmp_path / "soak.db"
    code, result = soak_json(capsys, "--hours", "0.02", "--config", str(config), "--db", str(path))
    assert code == 0 and result["fps"] == 5.0  # the configured camera's rate
    assert result["db_path"] == str(path) and path.exists() and not shift_db.exists()
    assert main(["soak", "--hours", "0.02", "--db", str(path)]) == 2
    assert "already exists" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["--hours", "0"], "--hours 0: must be a finite number above 0"),
        (["--hours", "eight"], "--hours eight: not a number"),
        (["--hours", "0.001", "--fps", "1"], "under 100 frames"),
        (["--fps", "nan"], "--fps nan"),
        (["--max-slowdown", "0.9"], "at least 1"),
        (["--source", "clip.mp4"], "a soak replays a scene"),
        (["--source", "scene:no_such"], "no such scene (built in: attentive"),
    ],
)
def test_bad_input_is_one_line_and_exit_2_before_anything_runs(args, says, capsys, monkeypatch):
    monkeypatch.setattr(kiosk.soak, "track_scene", lambda *a: pytest.fail("tracked anyway"))
    assert main(["soak", *args]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("kiosk: error: ") and says in err


def test_one_hour_slowed_by_other_work_at_the_end_of_a_flat_soak_is_no_slowdown():
    assert trend_ratio([0.6] * 7 + [0.8]) == pytest.approx(1.0)
    # the first real 8 h soak's hourly medians (ms) with other engineers' tests running
    # alongside: last over first reads x1.285, the trend through the hours x0.99
    hours = [0.646, 0.758, 0.861, 0.757, 0.833, 0.661, 0.595, 0.83]
    assert trend_ratio(hours) < 1.05


def test_a_steady_rise_reads_as_a_slowdown_even_with_noisy_first_and_last_hours():
    rising = [1.0 + 0.05 * i for i in range(8)]  # x1.35 over 8 hours
    rising[0] *= 1.2  # a first hour slowed by other work
    rising[-1] *= 0.85  # and a last one on a quiet machine: last over first reads x0.96
    assert trend_ratio(rising) == pytest.approx(1.35, abs=0.02)
