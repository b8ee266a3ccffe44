"""kiosk bench on a short rendered clip: the JSON contract, the schedule and the naive cost.
Speed itself is checked by running `kiosk bench`, never asserted here."""

from __future__ import annotations

import json

import pytest

from kiosk import app, cli
from kiosk.bench import prepare_video
from kiosk.bench_worker import run_pipeline, unscheduled
from kiosk.config import Config

FRAMES = 20


@pytest.fixture(scope="module")
def clip(tmp_path_factory) -> str:
    config = Config()
    folder = tmp_path_factory.mktemp("bench")
    return prepare_video(
        "scene:stares", folder, FRAMES, lambda spec: app.open_frame_source(spec, config)
    )


def test_bench_json_compares_the_scheduled_pipeline_with_holistic_on_the_same_frames(clip, capsys):
    assert cli.main(["bench", "--source", clip, "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["frames"] == FRAMES
    assert result["speedup"] == pytest.approx(
        result["fps"] / result["baseline_holistic_fps"], abs=0.01
    )
    assert result["scheduler"] is True
    runs = result["model_runs"]
    assert runs["face"] == FRAMES
    assert 1 <= runs["pose"] <= 7  # every 0.2 s at most: 20 frames at 15 fps is 1.33 s
    assert runs["hands"] == 0  # no wrist above the counter in this scene
    # each run in its own process, with its own peak memory
    assert 100 < result["rss_mb"] < 2000 and 100 < result["baseline_rss_mb"] < 2000
    assert 0 < result["cpu_cores_used"] <= 2.5
    latency = result["nudge_latency"]
    assert result["paced"]["fps"] <= 15.5  # the latency pass is paced like a 15 fps camera
    assert latency["samples"] == 0 and result["nudge_latency_ms_p95"] is None  # 1.3 s: no fault


def test_with_the_scheduler_off_every_model_runs_on_every_frame(clip):
    figures = run_pipeline(clip, unscheduled(Config()), frames=8)
    assert figures["frames"] == 8
    assert figures["scheduler"] is False and figures["threads"] is False
    assert figures["model_runs"] == {"face": 8, "pose": 8, "hands": 8}
    # the loop thread ran all three models: they are almost all of the tracking time
    assert figures["loop_models_ms_mean"] > 0.9 * figures["track_ms_mean"]
