"""Per-frame records and the summary of an analysed clip, as the JSON that `kiosk analyze` prints.

Pure: fed FrameResults in order, it never reads a clock or touches a file.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from typing import Any

import numpy as np

from kiosk.features.head_pose import HeadPose
from kiosk.signals.session import FrameSignals


def _round(value: float | None, digits: int = 3) -> float | None:
    return None if value is None else round(float(value), digits)


@dataclass(frozen=True)
class FrameResult:
    index: int
    t_s: float
    file: str | None
    face: bool
    head_pose: HeadPose | None
    signals: FrameSignals | None = None

    def to_json(self) -> dict[str, Any]:
        """One `--per-frame` line; `file` appears for image inputs only."""
        pose = self.head_pose
        line: dict[str, Any] = {"i": self.index, "t_s": _round(self.t_s, 4)}
        if self.file is not None:
            line["file"] = self.file
        line["face"] = self.face
        line["yaw_deg"] = _round(pose.yaw_deg, 2) if pose else None
        line["pitch_deg"] = _round(pose.pitch_deg, 2) if pose else None
        line["roll_deg"] = _round(pose.roll_deg, 2) if pose else None
        s = self.signals
        if s is not None:
            line["gaze_on_customer"] = s.gaze_on_customer
            line["torso_yaw_deg"] = _round(s.torso_yaw_deg, 1)
            line["lean"] = _round(s.lean_cm, 1)
            line["nod"] = s.nod
            line["pointing"] = s.pointing
            line["watch_check"] = s.watch_check
            line["expression"] = s.expression
            line["gesturing"] = s.gesturing
        return line


class StreamingMedian:
    """The median of angles in degrees in bounded memory: exact for the first `exact_limit`
    values, then from a histogram of 0.01-degree bins (as fine as the output is rounded)."""

    _BIN_DEG = 0.01
    _RANGE_DEG = 180.0

    def __init__(self, exact_limit: int = 4096) -> None:
        self.exact_limit = exact_limit
        self._values: list[float] = []
        self._counts: np.ndarray | None = None
        self.count = 0

    def add(self, value: float) -> None:
        self.count += 1
        if self._counts is None:
            self._values.append(value)
            if len(self._values) > self.exact_limit:
                bins = int(2 * self._RANGE_DEG / self._BIN_DEG) + 1
                self._counts = np.zeros(bins, dtype=np.int64)
                for v in self._values:
                    self._counts[self._bin(v)] += 1
                self._values = []
            return
        self._counts[self._bin(value)] += 1

    def _bin(self, value: float) -> int:
        clipped = min(max(value, -self._RANGE_DEG), self._RANGE_DEG)
        return round((clipped + self._RANGE_DEG) / self._BIN_DEG)

    @property
    def median(self) -> float | None:
        if self._counts is None:
            return statistics.median(self._values) if self._values else None
        middle = int(np.searchsorted(np.cumsum(self._counts), (self.count + 1) / 2.0))
        return middle * self._BIN_DEG - self._RANGE_DEG


class AnalysisSummary:
    """Accumulates frame results into the `kiosk analyze --json` object, in bounded memory."""

    def __init__(self, source: str, fps: float) -> None:
        self.source = source
        self.fps = fps
        self.frames = 0
        self.face_frames = 0
        self._yaw = StreamingMedian()
        self._pitch = StreamingMedian()
        self._roll = StreamingMedian()

    def add(self, result: FrameResult) -> None:
        self.frames += 1
        self.face_frames += result.face
        if result.head_pose is not None:
            self._yaw.add(result.head_pose.yaw_deg)
            self._pitch.add(result.head_pose.pitch_deg)
            self._roll.add(result.head_pose.roll_deg)

    def to_json(
        self, signals: dict[str, Any] | None = None, *, duration_s: float | None = None
    ) -> dict[str, Any]:
        """The summary object; `signals` (SignalSet.summary()) adds the behaviour keys.

        `duration_s` given (a live interaction): its length, and `fps` is the measured rate;
        otherwise each frame stands for one frame interval (one image at 15 fps lasts 1/15 s).
        """

        def median(values: StreamingMedian) -> float | None:
            value = values.median
            return None if value is None else _round(value, 2)

        if duration_s is None:
            duration_s, fps = self.frames / self.fps, self.fps
        else:
            fps = self.frames / duration_s if duration_s > 0 else self.fps
        summary = {
            "source": self.source,
            "frames": self.frames,
            "duration_s": _round(duration_s),
            "fps": _round(fps),
            "face_visible_ratio": _round(self.face_frames / self.frames) if self.frames else None,
            "head_pose": {
                "yaw_deg_median": median(self._yaw),
                "pitch_deg_median": median(self._pitch),
                "roll_deg_median": median(self._roll),
            },
        }
        return summary | (signals or {})


def _ratio(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.0%}"


def describe(summary: dict[str, Any]) -> str:
    """A short human-readable account of a summary object."""
    lines = [
        f"{summary['source']}: {summary['frames']} frame(s), {summary['duration_s']:.2f} s "
        f"at {summary['fps']:g} fps"
    ]
    ratio = summary["face_visible_ratio"]
    lines.append(
        "face visible: " + ("n/a (no frames)" if ratio is None else f"{ratio:.0%} of frames")
    )
    pose = summary["head_pose"]
    if pose["yaw_deg_median"] is None:
        lines.append("head pose: no face found")
    else:
        lines.append(
            f"head pose (median): yaw {pose['yaw_deg_median']:+.1f} deg, "
            f"pitch {pose['pitch_deg_median']:+.1f} deg, roll {pose['roll_deg_median']:+.1f} deg"
        )
    if "eye_contact" in summary:
        eye, facing, lean = summary["eye_contact"], summary["facing"], summary["lean"]
        nods, pointing, impatience = summary["nods"], summary["pointing"], summary["impatience"]
        longest = eye["longest_gaze_s"]
        lines += [
            f"eye contact: {_ratio(eye['ratio'])} of the time, longest gaze "
            + ("n/a" if longest is None else f"{longest:.1f} s")
            + f", {eye['staring_bouts']} stare(s), {eye['no_look_spells']} no-look spell(s)",
            f"facing: {_ratio(facing['ratio'])} of the time, "
            f"{facing['head_only_turns'] or 0} head-only turn(s)",
            f"lean: forward {_ratio(lean['forward_ratio'])}, back {_ratio(lean['back_ratio'])}",
            f"nods: {nods['count']} ({nods['per_minute'] or 0:.1f}/min), "
            f"{nods['impatient_bouts']} impatient bout(s)",
            f"gestures: {pointing['events'] or 0} pointing ({pointing['at_face'] or 0} at face), "
            f"{pointing['open_palm_events'] or 0} open palm",
            "impatience: "
            + (", ".join(f"{k} x{n}" for k, n in impatience["kinds"].items()) or "none"),
        ]
    if "expression" in summary:
        greeting, face = summary["greeting_s"], summary["expression"]
        hands, stiff = summary["gestures"], summary["stiffness"]
        hidden = {True: ", hands hidden", False: "", None: ""}[hands["hidden_hands"]]
        lines += [
            "greeting: " + ("no look at the customer" if greeting is None else f"{greeting:.1f} s"),
            f"face: frown {_ratio(face['frown_ratio'])}, smile {_ratio(face['smile_ratio'])}, "
            f"{face['blank_stare_spells']} blank stare(s)",
            f"hands: gesturing {_ratio(hands['gesturing_ratio'])}, "
            f"{hands['wide_gestures']} wide gesture(s){hidden}; "
            f"{stiff['stiff_spells']} stiff spell(s)",
        ]
    return "\n".join(lines)
