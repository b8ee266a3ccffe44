"""The `kiosk` command: parses arguments, calls kiosk.app, prints results.

User errors print one line (`kiosk: error: ...`) and exit non-zero; KIOSK_DEBUG=1 shows the
traceback instead.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import logging
import math
import os
import secrets
import signal
import sys
import tempfile
import threading
from contextlib import ExitStack
from pathlib import Path

from kiosk import __version__
from kiosk.config import default_toml, load_config
from kiosk.errors import ConfigError, KioskError
from kiosk.native_stderr import install_native_log_filter

DEMO_SCENE = "counter_shift"


def _positive_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not math.isfinite(value) or value <= 0:
        raise argparse.ArgumentTypeError(f"{text!r} must be a positive number")
    return value


def _build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="kiosk",
        description="counter-kiosk: body-language nudges for service-counter staff.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument("-v", "--verbose", action="store_true", help="log progress to stderr")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    analyze = commands.add_parser(
        "analyze",
        help="measure a video, an image or a folder of images",
        description="Run the measuring pipeline over PATH and print a summary.",
    )
    analyze.add_argument(
        "path", metavar="PATH", help='video file, image, folder of images, "picamera" or "usb:N"'
    )
    analyze.add_argument("--config", metavar="FILE", help="TOML configuration file")
    analyze.add_argument("--json", action="store_true", help="print one JSON object to stdout")
    analyze.add_argument(
        "--per-frame", metavar="OUT.jsonl", help="write one JSON line per frame to this file"
    )
    analyze.add_argument(
        "--fps",
        type=_positive_float,
        metavar="N",
        help="timing of images and folders; videos are thinned to at most N frames per second",
    )

    run = commands.add_parser(
        "run",
        help="the live kiosk: camera to LEDs (SIGTERM or Ctrl-C ends it cleanly)",
        description="Run the live loop: frames from the camera (or SPEC), nudges on the LEDs, "
        "records to --events. A finite source (a video, a scene) ends the run with exit 0.",
    )
    run.add_argument("--config", metavar="FILE", help="TOML configuration file")
    run.add_argument(
        "--source",
        metavar="SPEC",
        help='frames from "picamera", "usb:N", a video, or "scene:NAME" (default [camera] source)',
    )
    run.add_argument(
        "--leds",
        choices=("gpio", "mock", "console"),
        metavar="BACKEND",
        help="gpio, mock or console (default [leds] backend)",
    )
    run.add_argument(
        "--events", metavar="OUT.jsonl", help="append one JSON line per record as it happens"
    )
    run.add_argument(
        "--realtime",
        action="store_true",
        help="pace a recorded source (video, scene) at its own frame rate, as a camera would",
    )

    check = commands.add_parser(
        "check-config", help="validate a configuration file without starting anything"
    )
    check.add_argument("file", metavar="FILE", nargs="?", help="the file (or --config FILE)")
    check.add_argument("--config", metavar="FILE", help="TOML configuration file")

    config = commands.add_parser("config", help="show configuration")
    config.add_argument("--defaults", action="store_true", help="print the full default TOML")
    config.add_argument(
        "--config", metavar="FILE", help="print the configuration in effect with FILE, as TOML"
    )

    demo = commands.add_parser(
        "demo",
        help="run the pipeline on a built-in scenario in real time; needs no camera and no GPIO",
    )
    demo.add_argument(
        "--scene", default=DEMO_SCENE, metavar="NAME", help=f"scenario (default {DEMO_SCENE})"
    )
    demo.add_argument("--fast", action="store_true", help="as fast as possible, not real time")
    demo.add_argument(
        "--no-serve",
        action="store_true",
        help="end when the scenario ends, without the dashboard (for scripts)",
    )
    demo.add_argument("--config", metavar="FILE", help="TOML configuration file")

    serve = commands.add_parser(
        "serve",
        help="the supervisors' dashboard on the LAN, reading the shift database",
        description="Serve the dashboard ([dashboard] host and port) over [storage] path with "
        "a production WSGI server, beside a running `kiosk run` or alone. SIGTERM or Ctrl-C "
        "stops it.",
    )
    serve.add_argument("--config", metavar="FILE", help="TOML configuration file")

    user = commands.add_parser("user", help="dashboard logins (supervisors)")
    user_commands = user.add_subparsers(dest="user_command", required=True, metavar="ACTION")
    add = user_commands.add_parser("add", help="add a supervisor, or set a new password")
    add.add_argument("name", metavar="NAME")
    add.add_argument(
        "--password-stdin",
        action="store_true",
        help="read the password from the first line of standard input instead of prompting",
    )
    add.add_argument("--config", metavar="FILE", help="TOML configuration file")
    remove = user_commands.add_parser(
        "remove", help="remove a supervisor; their sessions and API tokens stop working"
    )
    remove.add_argument("name", metavar="NAME")
    remove.add_argument("--config", metavar="FILE", help="TOML configuration file")
    listing = user_commands.add_parser("list", help="list the supervisors")
    listing.add_argument("--config", metavar="FILE", help="TOML configuration file")

    token = commands.add_parser("token", help="API tokens (Authorization: Bearer ...)")
    token_commands = token.add_subparsers(dest="token_command", required=True, metavar="ACTION")
    create = token_commands.add_parser(
        "create", help="create a token for NAME and print it once (only its hash is kept)"
    )
    create.add_argument("name", metavar="NAME")
    create.add_argument("--config", metavar="FILE", help="TOML configuration file")
    revoke = token_commands.add_parser("revoke", help="revoke every token of NAME")
    revoke.add_argument("name", metavar="NAME")
    revoke.add_argument("--config", metavar="FILE", help="TOML configuration file")

    bench = commands.add_parser(
        "bench",
        help="the live pipeline against MediaPipe Holistic on the same frames",
        description="Run the kiosk's pipeline (tracker, signals, rules, mock LEDs, storage) and "
        "MediaPipe Holistic on the same video, each in a fresh process, and compare speed, "
        "memory, CPU and nudge latency.",
    )
    bench.add_argument(
        "--source",
        metavar="SPEC",
        help='a video file or "scene:NAME" (default: scene:counter_shift)',
    )
    bench.add_argument("--scene", metavar="NAME", help="same as --source scene:NAME")
    bench.add_argument("--frames", type=int, metavar="N", help="only the first N frames")
    bench.add_argument("--json", action="store_true", help="print one JSON object to stdout")
    bench.add_argument(
        "--no-latency",
        dest="latency",
        action="store_false",
        help="skip the two nudge-latency passes (one of them paced in real time)",
    )
    bench.add_argument(
        "--latency-source",
        metavar="SPEC[,SPEC...]",
        help="sources for the nudge-latency passes, pooled (default: the bench's source)",
    )
    bench.add_argument("--repeats", type=int, help=argparse.SUPPRESS)  # the old bench's; unused
    bench.add_argument("--config", metavar="FILE", help="TOML configuration file")

    soak = commands.add_parser(
        "soak",
        help="a scene replayed through the live loop for a shift: memory and frame time",
        description="Track a scene once with the real models, then replay its landmarks as "
        "fast as they go through the live loop (pipeline, the scene's customer, nudge rules, "
        "mock LEDs, a fresh shift database) for HOURS of simulated time, and compare memory and "
        "time per frame at the end with the first simulated hour. Exits 1 when a limit is "
        "broken or a record is missing.",
    )
    soak.add_argument(
        "--source",
        metavar="scene:NAME",
        default="scene:counter_shift",
        help="the scene to replay (default: scene:counter_shift)",
    )
    soak.add_argument("--hours", default="8", metavar="H", help="simulated hours (default 8)")
    soak.add_argument("--fps", metavar="F", help="frame rate (default: [camera] fps)")
    soak.add_argument(
        "--models",
        action="store_true",
        help="track every loop with MediaPipe instead of replaying its landmarks (slow; for "
        "short soaks)",
    )
    soak.add_argument(
        "--db", metavar="PATH", help="keep the database here (a new file; default: temporary)"
    )
    soak.add_argument(
        "--max-growth-mb",
        default="5",
        metavar="MB",
        help="memory growth allowed after the first hour (default 5)",
    )
    soak.add_argument(
        "--max-slowdown",
        default="1.25",
        metavar="X",
        help="last hour's median CPU time per frame over the first hour's, read off the trend "
        "through every hour (default 1.25)",
    )
    soak.add_argument("--json", action="store_true", help="print one JSON object to stdout")
    soak.add_argument("--config", metavar="FILE", help="TOML configuration file")

    accuracy = commands.add_parser(
        "accuracy",
        help="head pose and eye contact on labelled real photos",
        description="Measure head pose and eye contact on a folder of real photos with a "
        "labels.csv (file, tilt_deg, pan_deg: where each person looked, as in the Pointing'04 "
        "development set, ../shared/data/pointing04-dev) and print the rates per angle.",
    )
    accuracy.add_argument("folder", metavar="FOLDER", help="photos and their labels.csv")
    accuracy.add_argument("--json", action="store_true", help="print one JSON object to stdout")
    accuracy.add_argument(
        "--fit",
        action="store_true",
        help="also fit the eye model's constants on the photos, and measure each person with "
        "the constants fitted on the others (needs a person column)",
    )
    accuracy.add_argument("--config", metavar="FILE", help="TOML configuration file")

    scene = commands.add_parser("scene", help="built-in rendered scenarios with ground truth")
    scene_commands = scene.add_subparsers(dest="scene_command", required=True, metavar="ACTION")
    listed = scene_commands.add_parser("list", help="list the built-in scenarios")
    listed.add_argument("--config", metavar="FILE", help="TOML configuration file")
    render = scene_commands.add_parser("render", help="write a scenario out as a video")
    render.add_argument("name", metavar="NAME")
    render.add_argument("out", metavar="OUT.mp4", help="video file (.mp4 or .avi)")
    render.add_argument("--truth", metavar="OUT.jsonl", help="write the ground truth per frame")
    render.add_argument("--fps", type=_positive_float, metavar="N", help="frame rate")
    render.add_argument("--config", metavar="FILE", help="TOML configuration file")
    from kiosk.calibrate.cli import add_parser as add_calibrate

    add_calibrate(commands)
    return parser


def _cmd_analyze(args: argparse.Namespace) -> int:
    from kiosk import app
    from kiosk.analysis import describe

    config = load_config(args.config)
    summary = app.analyze(args.path, config, fps=args.fps, per_frame_path=args.per_frame)
    print(json.dumps(summary, allow_nan=False) if args.json else describe(summary))
    return 0


def _cmd_check_config(args: argparse.Namespace) -> int:
    if args.file and args.config and args.file != args.config:
        raise ConfigError("check-config: give the file once, as FILE or as --config FILE")
    path = args.file or args.config
    if not path:
        raise ConfigError("check-config: which file? give FILE or --config FILE")
    load_config(path)
    print(f"{path}: ok")
    return 0


def _cmd_config(args: argparse.Namespace) -> int:
    if not args.defaults and not args.config:
        raise ConfigError(
            "config: give --defaults, or --config FILE for the configuration in effect"
        )
    if args.defaults and args.config:
        raise ConfigError("config: give --defaults or --config FILE, not both")
    print(default_toml(load_config(args.config) if args.config else None), end="")
    return 0


def _stop_on_signals() -> threading.Event:
    """SIGTERM and Ctrl-C end the run cleanly: the loop sees the flag within a frame."""
    stop = threading.Event()

    def handler(signum, frame) -> None:
        stop.set()

    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, handler)
        signal.signal(signal.SIGINT, handler)
    return stop


def _report(stats) -> str:
    text = (
        f"run: {stats.frames} frames ({stats.processed} processed, {stats.paused_frames} paused, "
        f"{stats.dropped} dropped), {stats.interactions} interaction(s), "
        f"{stats.nudges} nudge(s)"
    )
    if stats.nudges:
        text += " (" + ", ".join(f"{c} x{n}" for c, n in stats.nudges_by_cue.items()) + ")"
        latencies = sorted(stats.latencies_ms)
        median = latencies[len(latencies) // 2]
        text += f", LED lit {median:.0f} ms (median), {latencies[-1]:.0f} ms (max) after capture"
    if stats.camera_faults:
        text += f", {stats.camera_faults} camera fault(s)"
    if stats.bad_frames:
        text += f", {stats.bad_frames} unusable frame(s) skipped"
    if stats.model_errors:
        text += f", {stats.model_errors} frame(s) the models failed on"
    return text


def _cmd_run(args: argparse.Namespace) -> int:
    # First of all: a SIGTERM while MediaPipe is imported and the models load is a clean stop
    # too (the loop sees the flag before its first frame and closes what was opened).
    stop = _stop_on_signals()
    from kiosk import app

    config = load_config(args.config)
    stats = app.run_kiosk(
        config,
        source=args.source,
        leds_backend=args.leds,
        events_path=args.events,
        realtime=args.realtime,
        stop=stop,
    )
    print(_report(stats), flush=True)
    return 0


def _cmd_demo(args: argparse.Namespace) -> int:
    from kiosk import app
    from kiosk.analysis import describe
    from kiosk.demo_output import DemoPrinter, pause_hint
    from kiosk.scenes.library import get_scenario

    scenario = get_scenario(args.scene)
    with tempfile.TemporaryDirectory(prefix="kiosk-demo-") as folder, ExitStack() as stack:
        config = _demo_config(load_config(args.config), Path(folder))
        stop = _stop_on_signals()
        pace = "as fast as possible" if args.fast else "in real time"
        print(f"demo: scenario {scenario.name!r}, {scenario.duration_s:.0f} s {pace}")
        print(f"      {scenario.description}")
        print("      rendered from a real photo; no camera, no GPIO, no network needed")
        print("      LEDs are printed as lines; " + pause_hint())
        server = None if args.no_serve else _demo_dashboard(config, stack)
        printer = DemoPrinter()
        stats = app.run_kiosk(
            config,
            source=f"scene:{scenario.name}",
            leds_backend="console",
            realtime=not args.fast,
            stop=stop,
            on_step=printer.step,
            on_record=printer.record,
            dashboard=False,
        )
        print(_report(stats))
        for i, record in enumerate(printer.interactions, 1):
            print(f"interaction {i}: t={record['start_s']:.1f}..{record['end_s']:.1f} s")
            print("  " + describe(record["summary"]).replace("\n", "\n  "))
        if server is not None and not stop.is_set():
            print(
                f"dashboard: still serving at {server.url} (the shift is under Shifts); "
                "press Ctrl-C to stop",
                flush=True,
            )
            stop.wait()
    return 0


def _demo_config(config, folder: Path):
    """The demo records into a database of its own, deleted when it ends."""
    return dataclasses.replace(
        config,
        storage=dataclasses.replace(config.storage, enabled=True, path=str(folder / "kiosk.db")),
        dashboard=dataclasses.replace(
            config.dashboard, host="127.0.0.1", secret_key_file=str(folder / "secret_key")
        ),
    )


def _demo_dashboard(config, stack: ExitStack):
    """The dashboard on this machine only, with a login made for this run."""
    from kiosk import app
    from kiosk.dashboard.auth import hash_password
    from kiosk.errors import ServeError
    from kiosk.storage.store import Store

    password = secrets.token_urlsafe(9)
    store = Store.open(config.storage.path, create=True)
    try:
        store.add_user("demo", hash_password(password))
    finally:
        store.close()
    try:
        server = app.start_dashboard(config, stack)
    except ServeError:  # the configured port is taken (a real kiosk serve?): any free one
        server = app.start_dashboard(config, stack, port=0)
    print(f"dashboard: {server.url}  (user demo, password {password}, for this run only)")
    return server


def _cmd_serve(args: argparse.Namespace) -> int:
    from kiosk import app

    config = load_config(args.config)
    stop = _stop_on_signals()
    with ExitStack() as stack:
        server = app.start_dashboard(config, stack)
        print(f"dashboard: serving {config.storage.path} at {server.url}", flush=True)
        stop.wait()
    return 0


def _cmd_scene(args: argparse.Namespace) -> int:
    from kiosk.scenes.library import SCENARIOS

    if args.scene_command == "list":
        load_config(args.config)  # checked, as by every command; a list needs no setting
        for scenario in SCENARIOS.values():
            print(f"{scenario.name:22s} {scenario.duration_s:5.1f} s  {scenario.description}")
        return 0
    from kiosk import app

    config = load_config(args.config)
    frames = app.render_scene(args.name, args.out, config, truth_path=args.truth, fps=args.fps)
    print(f"{args.out}: {frames} frames" + (f", truth in {args.truth}" if args.truth else ""))
    return 0


def _cmd_bench(args: argparse.Namespace) -> int:
    from kiosk import app

    if args.source and args.scene:
        raise ConfigError("give either --source or --scene, not both")
    if args.frames is not None and args.frames < 2:
        raise ConfigError(f"--frames {args.frames}: bench needs at least 2 frames")
    spec = args.source or f"scene:{args.scene or DEMO_SCENE}"
    config = load_config(args.config)
    result = app.bench(
        spec,
        config,
        config_path=args.config,
        frames=args.frames,
        latency=args.latency,
        latency_sources=tuple(s for s in (args.latency_source or "").split(",") if s),
        progress=lambda message: print(f"bench: {message}", file=sys.stderr, flush=True),
    )
    if args.json:
        print(json.dumps(result, allow_nan=False))
        return 0
    from kiosk.bench import describe

    for line in describe(result):
        print(line)
    return 0


def _cmd_soak(args: argparse.Namespace) -> int:
    from kiosk import soak

    hours = soak.number("--hours", args.hours)
    fps = soak.number("--fps", args.fps) if args.fps is not None else None
    max_growth_mb = soak.number("--max-growth-mb", args.max_growth_mb, strict=False)
    max_slowdown = soak.number("--max-slowdown", args.max_slowdown, minimum=1.0, strict=False)
    soak.scenario_of(args.source)  # a bad name fails before the configuration is read
    config = load_config(args.config)
    result = soak.run_soak(
        config,
        source=args.source,
        hours=hours,
        fps=fps,
        models=args.models,
        db_path=args.db,
        max_growth_mb=max_growth_mb,
        max_slowdown=max_slowdown,
        progress=lambda message: print(f"soak: {message}", file=sys.stderr, flush=True),
    )
    if args.json:
        print(json.dumps(result, allow_nan=False))
    else:
        from kiosk.soak_report import describe

        for line in describe(result):
            print(line)
    return 0 if result["passed"] else 1


def _cmd_accuracy(args: argparse.Namespace) -> int:
    from kiosk import accuracy

    config = load_config(args.config)
    photos = accuracy.track_photos(Path(args.folder), config)
    result = accuracy.measure(photos)
    if args.fit:
        result["fit"] = accuracy.describe_fit(accuracy.fit_eye_model(photos))
        result["leave_one_person_out"] = accuracy.leave_one_person_out(photos)
    if args.json:
        print(json.dumps(result, allow_nan=False))
        return 0
    for line in accuracy.describe(result):
        print(line)
    if args.fit:
        print("fitted on every photo: " + ", ".join(f"{k} {v}" for k, v in result["fit"].items()))
        print("each person measured with the constants fitted on the others:")
        for line in accuracy.describe(result["leave_one_person_out"]):
            print("  " + line)
    return 0


def _admin():
    from kiosk import cli_admin

    return cli_admin


_COMMANDS = {
    "accuracy": _cmd_accuracy,
    "analyze": _cmd_analyze,
    "check-config": _cmd_check_config,
    "config": _cmd_config,
    "demo": _cmd_demo,
    "run": _cmd_run,
    "scene": _cmd_scene,
    "bench": _cmd_bench,
    "soak": _cmd_soak,
    "serve": _cmd_serve,
    "user": lambda args: _admin().cmd_user(args),
    "token": lambda args: _admin().cmd_token(args),
    "calibrate": lambda args: _calibrate_cli().run(args),
}


def _calibrate_cli():
    from kiosk.calibrate import cli

    return cli


def main(argv: list[str] | None = None) -> int:
    args = _build_parser().parse_args(argv)
    if argv is None:  # a real process, not a test calling main(): filter native log chatter
        install_native_log_filter()
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING,
        format="kiosk: %(levelname)s: %(message)s",
    )
    if args.command in ("run", "serve"):
        # A service: its own log (nudges with their timing, pauses, interactions) is the
        # journal's record; other commands and libraries speak only when something is wrong.
        logging.getLogger("kiosk").setLevel(logging.INFO)
    try:
        return _COMMANDS[args.command](args)
    except KioskError as exc:
        if os.environ.get("KIOSK_DEBUG") == "1":
            raise
        print(f"kiosk: error: {exc}", file=sys.stderr)
        return exc.exit_code
    except BrokenPipeError:  # `kiosk analyze ... | head`
        return 0
