"""The demo's running commentary on the console: a line a second, each record as it is
written, and why a fault was not nudged."""

from __future__ import annotations

import sys


def pause_hint() -> str:
    if sys.stdin is not None and sys.stdin.isatty():
        return "press Enter to pause or resume tracking (the privacy button)"
    return "the pause button is the keyboard's Enter key when run in a terminal"


class DemoPrinter:
    """The demo's running commentary: a line a second, and each record (event, nudge,
    interaction, pause) as it is written."""

    def __init__(self) -> None:
        self.interactions: list[dict] = []
        self.last_second = -1
        self.t_s = 0.0

    def record(self, record: dict) -> None:
        if record["kind"] == "interaction":
            self.interactions.append(record)
        line = _describe_record(record)
        if line:
            print(f"  t={self.t_s:5.1f} s  >> {line}", flush=True)

    def step(self, step) -> None:
        self.t_s = step.frame.t_s
        for cue, why in step.held:
            print(f"  t={self.t_s:5.1f} s  >> {cue.replace('_', ' ')}: not nudged, {why}")
        second = int(self.t_s)
        if second != self.last_second:
            self.last_second = second
            print(f"  t={second:3d} s  {_describe_frame(step)}", flush=True)


def _describe_frame(step) -> str:
    who = "customer " if step.customer else "no customer"
    pose, signals = step.frame.head_pose, step.frame.signals
    if pose is None:
        return f"{who}  no face"
    eyes = {True: "on customer", False: "elsewhere", None: "--"}[signals.gaze_on_customer]
    torso = "--" if signals.torso_yaw_deg is None else f"{signals.torso_yaw_deg:+4.0f}"
    lean = "--" if signals.lean_cm is None else f"{signals.lean_cm:+5.1f} cm"
    face = signals.expression or "--"
    hands = "  hands moving" if signals.gesturing else ""
    return (
        f"{who}  head yaw {pose.yaw_deg:+5.1f} pitch {pose.pitch_deg:+5.1f}"
        f"  eyes {eyes:11s}  torso {torso}  lean {lean}  face {face:7s}{hands}"
    )


def _describe_record(record: dict) -> str | None:
    kind = record["kind"]
    if kind == "nudge":
        return f"NUDGE {record['cue'].replace('_', ' ')}: {record['reason']}"
    if kind == "interaction_start":
        return "customer at the counter: interaction started (signals count from now)"
    if kind == "interaction":
        summary = record["summary"]
        return f"interaction ended after {summary['duration_s']:.1f} s, {record['nudges']} nudge(s)"
    if kind == "pause":
        return f"paused {record['start_s']:.1f}..{record['end_s']:.1f} s"
    if kind == "camera_fault":
        return f"camera fault for {record['down_s']:.1f} s: {record['error']}"
    detail = "".join(
        f", {k} {v}" for k, v in record.items() if k not in ("kind", "t_s", "duration_s")
    )
    return f"{kind.replace('_', ' ')} ({record.get('duration_s', 0):.1f} s{detail})"
