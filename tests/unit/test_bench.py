"""kiosk bench's comparison logic on figures made up here (the runs themselves are measured in
tests/integration/test_bench.py; speed is never asserted by a test)."""

from __future__ import annotations

import pytest

from kiosk import cli
from kiosk.bench import compare, latency_from_due, percentile


def _pipeline(**changes):
    figures = {
        "frames": 100,
        "fps": 60.0,
        "cpu_cores_used": 1.4,
        "rss_mb": 300.0,
        "scheduler": True,
        "threads": True,
        "stage_ms": {"track": 8.0, "signals": 0.9, "rules": 0.02},
        "model_ms": {"face": 7.5, "pose": 30.0, "hands": None},
        "model_runs": {"face": 100, "pose": 25, "hands": 0},
        "loop_ms_mean": 12.0,
        "track_ms_mean": 8.2,
        "signals_ms_mean": 1.0,
        "rules_ms_mean": 0.05,
        "loop_models_ms_mean": 7.9,
        "decode_ms": 1.5,
        "nudges": [],
        "nudges_by_cue": {"staring": 2},
        "capture_to_led_ms": [],
    }
    return figures | changes


BASELINE = {"frames": 100, "fps": 12.0, "cpu_cores_used": 1.0, "rss_mb": 340.0, "process_ms": 80}


def test_the_speedup_is_the_pipelines_fps_over_holistics_on_the_same_run():
    result = compare("scene:stares", _pipeline(), BASELINE)
    assert result["speedup"] == 5.0
    assert result["fps"] == 60.0 and result["baseline_holistic_fps"] == 12.0
    assert result["model_runs_per_frame"] == {"face": 1.0, "pose": 0.25, "hands": 0.0}
    assert result["nudges"] == 2
    contract = {"frames", "fps", "baseline_holistic_fps", "speedup", "stage_ms", "rss_mb"}
    contract |= {"nudge_latency_ms_p95", "cpu_cores_used"}
    assert contract <= set(result)
    assert set(result["stage_ms"]) == {"track", "signals", "rules", "face", "pose", "hands"}


def test_outside_mediapipe_is_the_loops_time_less_models_on_its_thread_and_decoding():
    result = compare("v.avi", _pipeline(), BASELINE)
    parts = result["outside_mediapipe_breakdown_ms"]
    assert parts["tracker_glue"] == pytest.approx(0.3)  # 8.2 ms tracking, 7.9 of it models
    assert parts["loop_leds_storage"] == pytest.approx(12.0 - 8.2 - 1.0 - 0.05 - 1.5)
    assert result["outside_mediapipe_ms"] == pytest.approx(12.0 - 7.9 - 1.5)


def test_latency_runs_from_the_reference_due_time_not_the_scheduled_runs_own():
    # the paced run saw the lean late (held pose): its own due time is 0.2 s after the truth's
    reference = [{"cue": "leaning_back", "t_s": 10.0, "due_s": 10.0}]
    paced = [{"cue": "leaning_back", "t_s": 10.2, "due_s": 10.2, "led_at_s": 10.25}]
    latencies, missed = latency_from_due(reference, paced)
    assert latencies == [("leaning_back", 250.0)] and missed == 0


def test_nudges_the_rules_deferred_are_left_out_and_unmatched_ones_are_counted_missed():
    reference = [
        {"cue": "staring", "t_s": 5.0, "due_s": 5.0},
        {"cue": "not_facing", "t_s": 9.0, "due_s": 6.0},  # lit 3 s late: a higher cue showed
        {"cue": "impatient_nodding", "t_s": 12.0, "due_s": 12.0},
    ]
    paced = [
        {"cue": "staring", "t_s": 5.07, "due_s": 5.07, "led_at_s": 5.08},
        {"cue": "not_facing", "t_s": 9.1, "due_s": 6.1, "led_at_s": 9.11},
        {"cue": "staring", "t_s": 12.0, "due_s": 12.0, "led_at_s": 12.01},  # wrong cue
    ]
    latencies, missed = latency_from_due(reference, paced)
    assert latencies == [("staring", 80.0)] and missed == 1


def test_p95_of_a_few_nudges_is_the_slowest_and_of_many_the_nearest_rank():
    assert percentile([30.0, 10.0, 20.0], 95) == 30.0
    assert percentile([float(i) for i in range(1, 101)], 95) == 95.0
    assert percentile([], 95) is None


def test_a_missing_video_is_one_clear_error_before_anything_runs(tmp_path, capsys):
    code = cli.main(["bench", "--source", str(tmp_path / "missing.mp4")])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 1
    assert err == [f"kiosk: error: {tmp_path / 'missing.mp4'}: no such video file"]


def test_a_camera_cannot_be_benched(capsys):
    assert cli.main(["bench", "--source", "usb:0", "--json"]) == 1
    assert "bench needs a recorded source" in capsys.readouterr().err


def test_latency_pools_every_source_and_cpu_at_the_cameras_pace_is_set_beside_holistics():
    def paced(nudges, fps=15.0, cores=0.3, lag_ms=12.0):
        figures = _pipeline(nudges=nudges, fps=fps, cpu_cores_used=cores, frames=300)
        return figures | {
            "capture_to_led_ms": [8.0] * len(nudges),
            "video_fps": 15.0,
            "frame_lag_ms_p95": lag_ms,
        }

    runs = [
        (
            {"nudges": [{"cue": "staring", "t_s": 5.0, "due_s": 5.0}]},
            paced([{"cue": "staring", "t_s": 5.0, "due_s": 5.0, "led_at_s": 5.009}]),
        ),
        (
            {"nudges": [{"cue": "leaning_back", "t_s": 9.0, "due_s": 9.0}]},
            paced([{"cue": "leaning_back", "t_s": 9.2, "due_s": 9.2, "led_at_s": 9.21}]),
        ),
    ]
    result = compare("scene:counter_shift", _pipeline(), BASELINE, runs)
    latency = result["nudge_latency"]
    assert latency["samples"] == 2 and result["nudge_latency_ms_p95"] == 210.0
    assert latency["by_cue_ms"] == {"staring": [9.0], "leaning_back": [210.0]}
    assert latency["from_own_due_p95_ms"] == 10.0  # blind to the held pose's 0.2 s
    # 0.3 cores at 15 fps is 20 ms of CPU per frame; Holistic took 1 core at 12 fps: 83.33 ms
    assert result["paced"]["cpu_ms_per_frame"] == 20.0
    assert result["paced"]["cpu_speedup_vs_holistic"] == pytest.approx(83.33 / 20, abs=0.01)
    assert result["paced"]["kept_up_with_the_camera"] is True


def test_a_paced_run_more_than_a_frame_behind_its_camera_is_flagged():
    lagging = _pipeline(video_fps=15.0, frame_lag_ms_p95=900.0, fps=15.0, frames=300)
    result = compare("v.avi", _pipeline(), BASELINE, [({"nudges": []}, lagging)])
    assert result["paced"]["kept_up_with_the_camera"] is False
