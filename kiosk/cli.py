"""The `kiosk` command: parses arguments, calls kiosk.app, prints results.

User errors print one line (`kiosk: error: ...`) and exit non-zero; KIOSK_DEBUG=1 shows the
traceback instead.
"""

from __future__ import annotations

import argparse
import json
import logging
import math
import os
import sys

from kiosk import __version__
from kiosk.config import Config, default_toml, load_config
from kiosk.errors import KioskError


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

    check = commands.add_parser(
        "check-config", help="validate a configuration file without starting anything"
    )
    check.add_argument("file", metavar="FILE")

    config = commands.add_parser("config", help="show configuration")
    config.add_argument(
        "--defaults", action="store_true", required=True, help="print the full default TOML"
    )

    commands.add_parser(
        "demo",
        help="run the pipeline on a built-in sample; needs no camera and no GPIO",
    )
    return parser


def _cmd_analyze(args: argparse.Namespace) -> int:
    from kiosk import app
    from kiosk.analysis import describe

    config = load_config(args.config)
    summary = app.analyze(args.path, config, fps=args.fps, per_frame_path=args.per_frame)
    print(json.dumps(summary, allow_nan=False) if args.json else describe(summary))
    return 0


def _cmd_check_config(args: argparse.Namespace) -> int:
    load_config(args.file)
    print(f"{args.file}: ok")
    return 0


def _cmd_config(args: argparse.Namespace) -> int:
    print(default_toml(), end="")
    return 0


def _cmd_demo(args: argparse.Namespace) -> int:
    from kiosk import app
    from kiosk.analysis import describe
    from kiosk.samples import astronaut_path

    path = astronaut_path()
    print(f"demo: analysing the sample photo {path.name} (no camera, no GPIO needed)")
    summary = app.analyze(str(path), Config())
    print(describe(summary))
    return 0


_COMMANDS = {
    "analyze": _cmd_analyze,
    "check-config": _cmd_check_config,
    "config": _cmd_config,
    "demo": _cmd_demo,
}


def main(argv: list[str] | None = None) -> int:
    args = _build_parser().parse_args(argv)
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING,
        format="kiosk: %(levelname)s: %(message)s",
    )
    try:
        return _COMMANDS[args.command](args)
    except KioskError as exc:
        if os.environ.get("KIOSK_DEBUG") == "1":
            raise
        print(f"kiosk: error: {exc}", file=sys.stderr)
        return exc.exit_code
    except BrokenPipeError:  # `kiosk analyze ... | head`
        return 0
