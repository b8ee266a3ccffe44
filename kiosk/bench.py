"""`kiosk bench`: the kiosk's live pipeline against MediaPipe Holistic on the same frames, in one
run, each measured alone in a fresh process (kiosk.bench_worker) on a video decoded as it goes.

The pipeline as fast as it goes (fps, CPU, memory, stage times) and Holistic as fast as it goes
(the baseline) on the same video; then, for nudge latency, two passes per latency source with
every fault onset nudged: every model on every frame (when each fault is due) and the
configured pipeline paced like a camera (when its LED changes).
"""

from __future__ import annotations

import json
import math
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from kiosk.camera.files import IMAGE_SUFFIXES, VideoFileSource
from kiosk.camera.types import FrameSource
from kiosk.errors import KioskError, SourceError
from kiosk.scenes.library import get_scenario

_MATCH_WINDOW_S = 2.0  # a paced-run nudge this far from the reference's due time is the same one
LATENCY_METHOD = (
    "from the frame time at which the fault is due with every model on every frame, to the "
    "LED change in a camera-paced (realtime) run of the configured pipeline; times are on the "
    "capture clock (frame k is captured k/fps after frame 0). Nudge rules are opened up (no "
    "limit, cooldown or minimum show) so that every fault onset is a nudge; nudges the rules "
    "deferred in the reference run are left out. p95 is nearest-rank."
)


def prepare_video(
    spec: str, folder: Path, frames: int | None, open_source: Callable[[str], FrameSource]
) -> str:
    """A video file to bench from: a scene rendered once (its first `frames` frames), or the
    video itself. Rendering costs about as much as the models, so it is never timed."""
    if spec.startswith("scene:"):
        import cv2

        source = open_source(spec)
        path = folder / "scene.avi"
        writer = None
        try:
            for count, frame in enumerate(source):
                if frames is not None and count >= frames:
                    break
                if writer is None:
                    size = (frame.width, frame.height)
                    writer = cv2.VideoWriter(
                        str(path), cv2.VideoWriter_fourcc(*"MJPG"), source.fps, size
                    )
                writer.write(cv2.cvtColor(frame.rgb, cv2.COLOR_RGB2BGR))
        finally:
            source.close()
            if writer is not None:
                writer.release()
        return str(path)
    if spec in ("picamera",) or spec.startswith("usb:"):
        raise SourceError(f"{spec}: bench needs a recorded source (a video file or scene:NAME)")
    path = Path(spec)
    if path.is_dir() or path.suffix.lower() in IMAGE_SUFFIXES:
        raise SourceError(f"{spec}: bench needs a video file or scene:NAME, not images")
    VideoFileSource(path).close()  # a missing or unreadable video fails here, in one line
    return str(path)


def run_child(task: str, video: str, folder: Path, *args: str) -> dict[str, Any]:
    """One measured run in a fresh Python process; its figures, or the error it gave."""
    out = folder / f"{task}-{len(list(folder.glob('*.json')))}.json"
    done = subprocess.run(
        [sys.executable, "-m", "kiosk.bench_worker", task, video, str(out), *args],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0 or not out.exists():
        lines = [line for line in done.stderr.splitlines() if line.strip()]
        reason = lines[-1] if lines else f"exit status {done.returncode}"
        raise KioskError(f"the {task} run failed: {reason}")
    return json.loads(out.read_text(encoding="utf-8"))


def percentile(values: list[float], q: float) -> float | None:
    """Nearest-rank percentile (with few values, p95 is the largest)."""
    if not values:
        return None
    ranked = sorted(values)
    return ranked[max(0, math.ceil(q / 100 * len(ranked)) - 1)]


def latency_from_due(
    reference: list[dict[str, Any]], paced: list[dict[str, Any]]
) -> tuple[list[tuple[str, float]], int]:
    """(cue, ms) from each reference fault's due time to the paced run's LED for the same cue,
    and how many reference nudges the paced run did not give. Reference nudges lit after their
    due frame were deferred by the rules, not by the pipeline, and are left out."""
    used: set[int] = set()
    latencies, missed = [], 0
    for ref in reference:
        if ref["t_s"] - ref["due_s"] > 1e-3:
            continue
        match = next(
            (
                i
                for i, nudge in enumerate(paced)
                if i not in used
                and nudge["cue"] == ref["cue"]
                and abs(nudge["t_s"] - ref["due_s"]) <= _MATCH_WINDOW_S
            ),
            None,
        )
        if match is None:
            missed += 1
            continue
        used.add(match)
        latencies.append((ref["cue"], round((paced[match]["led_at_s"] - ref["due_s"]) * 1e3, 1)))
    return latencies, missed


def _cpu_ms(run: dict[str, Any]) -> float | None:
    """CPU time per frame, all threads (ms)."""
    if not run["fps"] or run["cpu_cores_used"] is None:
        return None
    return round(run["cpu_cores_used"] / run["fps"] * 1e3, 2)


def _latency(
    runs: list[tuple[dict[str, Any], dict[str, Any]]], baseline_cpu_ms: float | None
) -> dict[str, Any]:
    samples: list[tuple[str, float]] = []
    missed = 0
    own, to_led = [], []
    frames = cpu_ms = 0.0
    model_runs = dict.fromkeys(("face", "pose", "hands"), 0)
    for reference, paced in runs:
        found, lost = latency_from_due(reference["nudges"], paced["nudges"])
        samples += found
        missed += lost
        own += [round((n["led_at_s"] - n["due_s"]) * 1e3, 1) for n in paced["nudges"]]
        to_led += paced["capture_to_led_ms"]
        frames += paced["frames"]
        cpu_ms += (_cpu_ms(paced) or 0.0) * paced["frames"]
        for part, n in paced["model_runs"].items():
            model_runs[part] += n
    # A paced video never drops a frame: a loop slower than the camera falls ever further
    # behind (a live camera would drop frames instead), and every latency grows with the lag.
    lags = [p["frame_lag_ms_p95"] for _, p in runs if p.get("frame_lag_ms_p95") is not None]
    interval_ms = min(1e3 / p.get("video_fps", 15.0) for _, p in runs)
    lag_ms = max(lags, default=None)
    latencies = [ms for _, ms in samples]
    by_cue: dict[str, list[float]] = {}
    for cue, ms in samples:
        by_cue.setdefault(cue, []).append(ms)
    paced_cpu_ms = round(cpu_ms / frames, 2) if frames else None
    return {
        "nudge_latency_ms_p95": percentile(latencies, 95),
        "nudge_latency": {
            "method": LATENCY_METHOD,
            "sources": [paced.get("source") for _, paced in runs],
            "samples": len(latencies),
            "missed": missed,
            "p50_ms": percentile(latencies, 50),
            "p95_ms": percentile(latencies, 95),
            "max_ms": max(latencies, default=None),
            "by_cue_ms": by_cue,
            "from_own_due_p95_ms": percentile(own, 95),
            "capture_to_led_p95_ms": percentile(to_led, 95),
        },
        # the configured pipeline at the camera's pace, as it runs at a counter
        "paced": {
            "frame_lag_ms_p95": lag_ms,
            "kept_up_with_the_camera": lag_ms is not None and lag_ms <= interval_ms,
            "fps": round(sum(p["fps"] * p["frames"] for _, p in runs) / frames, 2)
            if frames
            else None,
            "cpu_ms_per_frame": paced_cpu_ms,
            "cpu_speedup_vs_holistic": round(baseline_cpu_ms / paced_cpu_ms, 2)
            if baseline_cpu_ms and paced_cpu_ms
            else None,
            "model_runs_per_frame": _per_frame(model_runs, int(frames)),
        },
    }


def _per_frame(runs: dict[str, int], frames: int) -> dict[str, float]:
    return {part: round(n / frames, 3) if frames else 0.0 for part, n in runs.items()}


def compare(
    source: str,
    pipeline: dict[str, Any],
    baseline: dict[str, Any],
    latency_runs: list[tuple[dict[str, Any], dict[str, Any]]] = (),
) -> dict[str, Any]:
    """The bench's JSON object from the workers' figures; `latency_runs` are (reference, paced)
    pairs, one per latency source, pooled."""
    fps, base_fps = pipeline["fps"], baseline["fps"]
    decode_ms = pipeline["decode_ms"] or 0.0
    # Per frame, means (so the parts add up): the loop's whole time less MediaPipe on the loop
    # thread and less reading the video (a camera delivers frames on its own thread).
    outside = {
        "tracker_glue": pipeline["track_ms_mean"] - pipeline["loop_models_ms_mean"],
        "signals": pipeline["signals_ms_mean"],
        "rules": pipeline["rules_ms_mean"],
        "loop_leds_storage": pipeline["loop_ms_mean"]
        - pipeline["track_ms_mean"]
        - pipeline["signals_ms_mean"]
        - pipeline["rules_ms_mean"]
        - decode_ms,
    }
    result: dict[str, Any] = {
        "source": source,
        "frames": pipeline["frames"],
        "fps": fps,
        "baseline_holistic_fps": base_fps,
        "speedup": round(fps / base_fps, 2) if fps and base_fps else None,
        "stage_ms": pipeline["stage_ms"] | pipeline["model_ms"],
        "rss_mb": pipeline["rss_mb"],
        "nudge_latency_ms_p95": None,
        "cpu_cores_used": pipeline["cpu_cores_used"],
        "scheduler": pipeline["scheduler"],
        "threads": pipeline["threads"],
        "model_runs": pipeline["model_runs"],
        "model_runs_per_frame": _per_frame(pipeline["model_runs"], pipeline["frames"]),
        "model_ms": pipeline["model_ms"],
        "outside_mediapipe_ms": round(sum(outside.values()), 3),
        "outside_mediapipe_breakdown_ms": {k: round(v, 3) for k, v in outside.items()},
        "decode_ms": pipeline["decode_ms"],
        "nudges": sum(pipeline["nudges_by_cue"].values()),
        "baseline_holistic_ms": baseline["process_ms"],
        "baseline_rss_mb": baseline["rss_mb"],
        "baseline_cpu_cores_used": baseline["cpu_cores_used"],
        "cpu_ms_per_frame": _cpu_ms(pipeline),
        "baseline_cpu_ms_per_frame": _cpu_ms(baseline),
    }
    if latency_runs:
        result.update(_latency(latency_runs, result["baseline_cpu_ms_per_frame"]))
    return result


def run_bench(
    spec: str,
    *,
    config_path: str | None,
    frames: int | None,
    open_source: Callable[[str], FrameSource],
    latency: bool = True,
    latency_sources: tuple[str, ...] = (),
    progress: Callable[[str], None] = lambda message: None,
) -> dict[str, Any]:
    """Prepare the frames, run the four measured runs, compare. The latency passes run over
    `latency_sources` (default: the bench's own source), pooled."""
    latency_sources = latency_sources or (spec,)
    limit = ["--frames", str(frames)] if frames is not None else []
    config = ["--config", config_path] if config_path else []
    with tempfile.TemporaryDirectory(prefix="kiosk-bench-") as tmp:
        folder = Path(tmp)
        for name in (spec, *latency_sources):
            if name.startswith("scene:"):
                get_scenario(name.removeprefix("scene:"))  # an unknown name fails before any run
        if spec.startswith("scene:"):
            progress(f"rendering {spec} to a temporary video (not timed)")
        video = prepare_video(spec, folder, frames, open_source)
        progress("pipeline, as fast as it goes")
        pipeline = run_child("pipeline", video, folder, *config, *limit)
        progress("MediaPipe Holistic on the same frames")
        baseline = run_child("holistic", video, folder, *limit)
        latency_runs = []
        for n, latency_spec in enumerate(latency_sources if latency else ()):
            if latency_spec == spec:
                latency_video = video
            else:
                progress(f"rendering {latency_spec} for nudge latency (not timed)")
                sub = folder / f"latency{n}"
                sub.mkdir()
                latency_video = prepare_video(latency_spec, sub, frames, open_source)
            progress(f"nudge latency on {latency_spec}: every model on every frame (due times)")
            rich = (*config, *limit, "--nudge-rich")
            reference = run_child("pipeline", latency_video, folder, *rich, "--unscheduled")
            progress(f"nudge latency on {latency_spec}: the pipeline paced like a camera")
            paced = run_child("pipeline", latency_video, folder, *rich, "--realtime")
            latency_runs.append((reference, paced | {"source": latency_spec}))
    return compare(spec, pipeline, baseline, latency_runs)


def describe(result: dict[str, Any]) -> list[str]:
    """A few readable lines for the terminal."""
    stages = ", ".join(f"{k} {v:.2f}" for k, v in result["stage_ms"].items() if v is not None)
    runs = ", ".join(f"{k} {v:.2f}" for k, v in result["model_runs_per_frame"].items())
    schedule = "on" if result["scheduler"] else "off (every model every frame)"
    lines = [
        f"{result['frames']} frames of {result['source']}, scheduler {schedule}"
        + (", model threads" if result["threads"] else ""),
        f"pipeline {result['fps']} fps vs MediaPipe Holistic {result['baseline_holistic_fps']} "
        f"fps: {result['speedup']}x",
        f"stages (median ms): {stages}",
        f"model runs per frame: {runs}",
        f"outside MediaPipe: {result['outside_mediapipe_ms']:.2f} ms/frame; "
        f"CPU {result['cpu_cores_used']} cores",
        f"peak memory: pipeline {result['rss_mb']} MB, Holistic {result['baseline_rss_mb']} MB",
    ]
    latency = result.get("nudge_latency")
    if latency is not None:
        paced = result["paced"]
        lines.append(
            f"nudge latency from due to LED: p95 {result['nudge_latency_ms_p95']} ms over "
            f"{latency['samples']} nudges ({latency['missed']} missed); at the camera's pace "
            f"{paced['fps']} fps, {paced['cpu_ms_per_frame']} ms CPU per frame "
            f"({paced['cpu_speedup_vs_holistic']}x less than Holistic)"
        )
    return lines
