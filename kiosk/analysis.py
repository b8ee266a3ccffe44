"""Per-frame records and the summary of an analysed clip, as the JSON that `kiosk analyze` prints.

Pure: fed FrameResults in order, it never reads a clock or touches a file.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from typing import Any

from kiosk.features.head_pose import HeadPose


def _round(value: float | None, digits: int = 3) -> float | None:
    return None if value is None else round(float(value), digits)


@dataclass(frozen=True)
class FrameResult:
    index: int
    t_s: float
    file: str | None
    face: bool
    head_pose: HeadPose | None

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
        return line


class AnalysisSummary:
    """Accumulates frame results into the `kiosk analyze --json` object."""

    def __init__(self, source: str, fps: float) -> None:
        self.source = source
        self.fps = fps
        self.frames = 0
        self.face_frames = 0
        self._yaw: list[float] = []
        self._pitch: list[float] = []
        self._roll: list[float] = []

    def add(self, result: FrameResult) -> None:
        self.frames += 1
        self.face_frames += result.face
        if result.head_pose is not None:
            self._yaw.append(result.head_pose.yaw_deg)
            self._pitch.append(result.head_pose.pitch_deg)
            self._roll.append(result.head_pose.roll_deg)

    def to_json(self) -> dict[str, Any]:
        def median(values: list[float]) -> float | None:
            return _round(statistics.median(values), 2) if values else None

        return {
            "source": self.source,
            "frames": self.frames,
            # Each frame stands for one frame interval, so one image at 15 fps lasts 1/15 s.
            "duration_s": _round(self.frames / self.fps),
            "fps": _round(self.fps),
            "face_visible_ratio": _round(self.face_frames / self.frames) if self.frames else None,
            "head_pose": {
                "yaw_deg_median": median(self._yaw),
                "pitch_deg_median": median(self._pitch),
                "roll_deg_median": median(self._roll),
            },
        }


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
    return "\n".join(lines)
