"""One measured run of `kiosk bench`, alone in a fresh process so its memory and CPU are its own.

`python -m kiosk.bench_worker pipeline|holistic VIDEO OUT.json [...]` runs the kiosk's live loop
(`app.run_kiosk`) or the naive MediaPipe Holistic baseline on a video and writes its figures.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import json
import logging
import resource
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from kiosk import app
from kiosk.camera.files import VideoFileSource
from kiosk.config import Config, load_config
from kiosk.errors import KioskError

PARTS = ("face", "pose", "hands")


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kB on Linux


def _median(values) -> float | None:
    values = list(values)
    return round(statistics.median(values), 3) if values else None


def nudge_rich(config: Config) -> Config:
    """Every fault onset lights its cue at once: no global limit, cooldown or minimum show, and
    no re-lighting of a long fault, so each nudge times one fault becoming due."""
    nudges = dataclasses.replace(
        config.nudges, min_interval_s=0.0, clear_s=0.0, min_show_s=0.0, max_show_s=600.0
    )
    cues = dataclasses.replace(
        config.cues,
        **{
            f.name: dataclasses.replace(getattr(config.cues, f.name), cooldown_s=0.0)
            for f in dataclasses.fields(config.cues)
        },
    )
    return dataclasses.replace(config, nudges=nudges, cues=cues)


def unscheduled(config: Config) -> Config:
    """Every model on every frame, in the frame loop: the reference for when a fault is due."""
    tracker = dataclasses.replace(config.tracker, schedule=False, threads=False)
    return dataclasses.replace(config, tracker=tracker)


@contextlib.contextmanager
def _observed(seen: dict[str, Any]):
    """Keep the tracker and pipeline that `run_kiosk` builds, to read their counters.

    run_kiosk returns only the loop's stats; in this throw-away process the two factories it
    calls are wrapped rather than a second copy of its wiring being kept here."""
    build_tracker, pipeline = app.build_tracker, app.Pipeline

    def tracker_factory(*args, **kwargs):
        seen["tracker"] = build_tracker(*args, **kwargs)
        return seen["tracker"]

    def pipeline_factory(*args, **kwargs):
        seen["pipeline"] = pipeline(*args, **kwargs)
        return seen["pipeline"]

    app.build_tracker, app.Pipeline = tracker_factory, pipeline_factory
    try:
        yield
    finally:
        app.build_tracker, app.Pipeline = build_tracker, pipeline


def _decode_ms(video: str, frames: int | None) -> float | None:
    """Median ms to read and convert one frame: the source's cost, not the pipeline's."""
    times = []
    source = VideoFileSource(video)
    try:
        frames_iter = iter(source)
        while frames is None or len(times) < frames:
            started = time.perf_counter()
            if next(frames_iter, None) is None:
                break
            times.append((time.perf_counter() - started) * 1e3)
    finally:
        source.close()
    return _median(times)


def run_pipeline(
    video: str, config: Config, *, frames: int | None = None, realtime: bool = False
) -> dict[str, Any]:
    """The live loop over `video` (mock LEDs, a temporary shift database, a customer always
    there). Rates and CPU are taken from the first frame's LED to the last one's, so model
    loading and the first frame's graph start-up are left out."""
    seen: dict[str, Any] = {}
    stop = threading.Event()
    per_frame: dict[str, list[float]] = {"track": [], "signals": [], "rules": [], "loop": []}
    loop_models_ms: list[float] = []
    nudges: list[dict[str, Any]] = []
    capture_to_led_ms: list[float] = []
    frame_lag_ms: list[float] = []  # paced: from a frame's capture to the end of its step
    state: dict[str, Any] = {"steps": 0, "runs": None}

    def on_step(step) -> None:
        now, cpu = time.perf_counter(), time.process_time()
        tracker, pipeline = seen["tracker"], seen["pipeline"]
        times = {
            stage: pipeline.stage_times_ms[stage][-1] for stage in ("track", "signals", "rules")
        }
        runs = dict(tracker.runs)
        if state["steps"] == 0:
            first_ms = sum(times.values())
            state.update(first=(now, cpu), capture0=now - first_ms / 1e3, t0=step.frame.t_s)
        else:
            in_loop = ("face",) if tracker.threads else PARTS
            loop_models_ms.append(
                sum(tracker.model_ms[p][-1] for p in in_loop if runs[p] > state["runs"][p])
            )
            for stage, ms in times.items():
                per_frame[stage].append(ms)
            per_frame["loop"].append((now - state["last"][0]) * 1e3)
        frame_lag_ms.append((now - state["capture0"] - (step.frame.t_s - state["t0"])) * 1e3)
        state.update(steps=state["steps"] + 1, last=(now, cpu), runs=runs)
        for nudge in step.nudges:
            nudges.append(
                {
                    "cue": nudge.cue,
                    "t_s": round(nudge.t_s, 3),
                    "due_s": round(nudge.fault_active_s, 3),
                    # the LED's change on the capture clock: seconds since frame 0 was taken
                    "led_at_s": round(now - state["capture0"] + state["t0"], 4),
                }
            )
        if frames is not None and state["steps"] >= frames:
            stop.set()

    def on_record(record: dict[str, Any]) -> None:
        if record.get("kind") == "nudge" and "latency_ms" in record:
            capture_to_led_ms.append(record["latency_ms"])

    with tempfile.TemporaryDirectory(prefix="kiosk-bench-") as tmp:
        config = dataclasses.replace(
            config,
            storage=dataclasses.replace(config.storage, enabled=True, path=str(Path(tmp) / "b.db")),
            presence=dataclasses.replace(config.presence, source="always"),
        )
        with _observed(seen):
            stats = app.run_kiosk(
                config,
                source=video,
                leds_backend="mock",
                realtime=realtime,
                stop=stop,
                on_step=on_step,
                on_record=on_record,
                dashboard=False,
            )
    tracker = seen["tracker"]
    steps = state["steps"]
    video_source = VideoFileSource(video)
    video_source.close()
    (wall0, cpu0), (wall1, cpu1) = state.get("first", (0, 0)), state.get("last", (0, 0))
    span_s = wall1 - wall0
    mean = {k: statistics.fmean(v) if v else 0.0 for k, v in per_frame.items()}
    models_mean = statistics.fmean(loop_models_ms) if loop_models_ms else 0.0
    return {
        "frames": steps,
        "video_fps": video_source.fps,
        "fps": round((steps - 1) / span_s, 2) if span_s > 0 else None,
        "cpu_cores_used": round((cpu1 - cpu0) / span_s, 2) if span_s > 0 else None,
        "rss_mb": round(_peak_rss_mb(), 1),
        "scheduler": tracker.config.schedule,
        "threads": bool(tracker.threads),
        "stage_ms": {k: _median(per_frame[k]) for k in ("track", "signals", "rules")},
        "model_ms": {p: _median(tracker.model_ms[p]) for p in PARTS},
        "model_runs": dict(tracker.runs),
        # means, so the parts add up: the loop's time per frame less MediaPipe on its thread
        "loop_ms_mean": round(mean["loop"], 3),
        "track_ms_mean": round(mean["track"], 3),
        "signals_ms_mean": round(mean["signals"], 3),
        "rules_ms_mean": round(mean["rules"], 3),
        "loop_models_ms_mean": round(models_mean, 3),
        "decode_ms": None if realtime else _decode_ms(video, frames),
        "nudges": nudges,
        "nudges_by_cue": dict(stats.nudges_by_cue),
        "capture_to_led_ms": capture_to_led_ms,
        "frame_lag_ms_p95": round(sorted(frame_lag_ms)[int(0.95 * (len(frame_lag_ms) - 1))], 1)
        if realtime and frame_lag_ms
        else None,
    }


def run_holistic(video: str, *, frames: int | None = None) -> dict[str, Any]:
    """The naive baseline: MediaPipe Holistic (pose, refined face mesh, hands) on every frame,
    process() and nothing else; timed like the pipeline, from the end of the first frame."""
    import mediapipe as mp  # the bench's own baseline; the kiosk itself never builds it

    holistic = mp.solutions.holistic.Holistic(
        model_complexity=1, refine_face_landmarks=True, static_image_mode=False
    )
    source = VideoFileSource(video)
    process_ms: list[float] = []
    first = last = (0.0, 0.0)
    try:
        for frame in source:
            rgb = frame.rgb
            rgb.flags.writeable = False
            started = time.perf_counter()
            holistic.process(rgb)
            now = time.perf_counter()
            process_ms.append((now - started) * 1e3)
            last = (now, time.process_time())
            if len(process_ms) == 1:
                first = last
            if frames is not None and len(process_ms) >= frames:
                break
    finally:
        source.close()
        holistic.close()
    span_s = last[0] - first[0]
    return {
        "frames": len(process_ms),
        "fps": round((len(process_ms) - 1) / span_s, 2) if span_s > 0 else None,
        "cpu_cores_used": round((last[1] - first[1]) / span_s, 2) if span_s > 0 else None,
        "rss_mb": round(_peak_rss_mb(), 1),
        "process_ms": _median(process_ms[1:]),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m kiosk.bench_worker")
    parser.add_argument("task", choices=("pipeline", "holistic"))
    parser.add_argument("video")
    parser.add_argument("out")
    parser.add_argument("--config")
    parser.add_argument("--frames", type=int)
    parser.add_argument("--realtime", action="store_true")
    parser.add_argument("--nudge-rich", action="store_true")
    parser.add_argument("--unscheduled", action="store_true")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.ERROR, format="kiosk bench: %(levelname)s: %(message)s")
    try:
        if args.task == "holistic":
            result = run_holistic(args.video, frames=args.frames)
        else:
            config = load_config(args.config)
            if args.nudge_rich:
                config = nudge_rich(config)
            if args.unscheduled:
                config = unscheduled(config)
            result = run_pipeline(args.video, config, frames=args.frames, realtime=args.realtime)
    except KioskError as exc:  # the parent shows this last line as the error
        sys.stderr.write(f"{exc}\n")
        return exc.exit_code
    Path(args.out).write_text(json.dumps(result), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
