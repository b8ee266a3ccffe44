"""The `kiosk calibrate` subcommands: arguments, and printing what each found."""

from __future__ import annotations

import argparse
from collections.abc import Callable

from kiosk.calibrate.result import Calibration, write_settings
from kiosk.config import load_config
from kiosk.errors import ConfigError

SUBCOMMANDS = (
    "check-camera",
    "customer-target",
    "neutral-posture",
    "test-leds",
    "test-presence",
    "suggest-thresholds",
)


def _seconds(text: str) -> float:
    value = float(text)
    if not 0.5 <= value <= 3600.0:
        raise argparse.ArgumentTypeError("must be between 0.5 and 3600 seconds")
    return value


def add_parser(commands) -> None:
    calibrate = commands.add_parser(
        "calibrate",
        help="the installer's checks and measurements at the counter",
        description="Check the camera, measure where the customer is and the agent's neutral "
        "posture, test the LEDs and the presence sensor, suggest thresholds from the shift "
        "records. Each prints what it found and what it would write; --write writes it into "
        "--config FILE (keeping a backup).",
    )
    steps = calibrate.add_subparsers(dest="step", required=True, metavar="STEP")
    helps = {
        "check-camera": "is a camera there, its resolution and fps, the agent's face in frame, "
        "big enough, lit and sharp",
        "customer-target": "the agent looks into the lens, then at a helper standing where "
        "customers stand: the customer's direction and the neutral iris offsets",
        "neutral-posture": "the agent sits or stands as usual: the lean, shoulder width and "
        "face baselines",
        "test-leds": "light each cue's LED in turn with its pattern",
        "test-presence": "show the presence sensor's readings live",
        "suggest-thresholds": "propose per-site thresholds from the stored per-minute records",
    }
    for name in SUBCOMMANDS:
        step = steps.add_parser(name, help=helps[name], description=helps[name].capitalize())
        step.add_argument("--config", metavar="FILE", help="TOML configuration file")
        step.add_argument(
            "--source",
            metavar="SPEC",
            help='frames from "picamera", "usb:N", a video or "scene:NAME" (default [camera] '
            "source)",
        )
        step.add_argument(
            "--write", action="store_true", help="write the settings into --config FILE"
        )
        if name == "check-camera":
            step.add_argument("--seconds", type=_seconds, default=3.0, metavar="N")
        if name == "customer-target":
            step.add_argument(
                "--lens-s",
                type=_seconds,
                default=3.0,
                metavar="N",
                help="seconds looking into the camera's lens first (default 3)",
            )
            step.add_argument(
                "--customer-s",
                type=_seconds,
                default=5.0,
                metavar="N",
                help="then seconds looking at the helper's eyes (default 5)",
            )
        if name == "neutral-posture":
            step.add_argument("--seconds", type=_seconds, default=10.0, metavar="N")
        if name == "test-leds":
            step.add_argument("--leds", choices=("gpio", "mock", "console"), metavar="BACKEND")
            step.add_argument("--seconds", type=_seconds, default=2.0, metavar="N")
        if name == "test-presence":
            step.add_argument("--seconds", type=_seconds, default=20.0, metavar="N")
        if name == "suggest-thresholds":
            step.add_argument("--days", type=_seconds, default=7.0, metavar="N")


def _step(name: str) -> Callable[..., Calibration]:
    if name in ("check-camera", "customer-target", "neutral-posture"):
        from kiosk.calibrate import measure

        return getattr(measure, name.replace("-", "_"))
    if name in ("test-leds", "test-presence"):
        from kiosk.calibrate import devices

        return getattr(devices, name.replace("-", "_"))
    from kiosk.calibrate import suggest

    return suggest.suggest_thresholds


def run(args: argparse.Namespace) -> int:
    if args.write and not args.config:
        raise ConfigError("--write needs --config FILE: the file the settings go into")
    config = load_config(args.config)
    result = _step(args.step)(config, args, say=lambda line: print(line, flush=True))
    for line in result.lines:
        print(line)
    if not result.settings:
        return 0
    print("\nsettings found:\n" + result.toml().rstrip())
    if args.write:
        backup = write_settings(args.config, result.settings)
        print(f"written to {args.config} (previous version: {backup})")
    else:
        print("(not written: add --write --config FILE to write them)")
    return 0
