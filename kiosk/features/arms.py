"""Where the arms and hands are, from the body model: wrists against the shoulders, in shoulder
widths, so that distance from the camera does not count. Pure geometry."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from kiosk.landmarks.types import PoseLandmarks

MIN_VISIBILITY = 0.5
# MediaPipe pose indices, the person's own left and right.
SHOULDERS = (11, 12)
ELBOWS = (13, 14)
WRISTS = (15, 16)
# An arm hangs when its elbow is this far below its shoulder (shoulder widths) and no further
# out to the side than this.
HANGING_BELOW_SW = 0.5
HANGING_OUT_SW = 0.6


@dataclass(frozen=True)
class ArmsPose:
    """The wrists against the shoulders' midpoint, in shoulder widths (x toward the image's
    right, y up), per side (the person's left, then right); None where the wrist is not seen."""

    wrists_sw: tuple[tuple[float, float] | None, tuple[float, float] | None]
    wide: tuple[bool, bool]  # that wrist is above its shoulder or out beyond the body's width
    elbows_down: bool  # both elbows in view, hanging at the sides


def _in_view(pose: PoseLandmarks, index: int, width: int, height: int) -> bool:
    x, y = pose.pixels[index]
    return bool(pose.visibility[index] >= MIN_VISIBILITY and 0 <= x < width and 0 <= y < height)


def arms_pose(pose: PoseLandmarks, width: int, height: int, wide_out_sw: float) -> ArmsPose | None:
    """None without both shoulders in view (nothing to measure the arms against)."""
    if not all(_in_view(pose, i, width, height) for i in SHOULDERS):
        return None
    shoulders = pose.pixels[list(SHOULDERS)].astype(np.float64)
    shoulder_w = float(np.linalg.norm(shoulders[0] - shoulders[1]))
    if shoulder_w < 1.0:
        return None
    middle = shoulders.mean(axis=0)
    wrists: list[tuple[float, float] | None] = []
    wide: list[bool] = []
    down = True
    for shoulder, elbow, wrist in zip(SHOULDERS, ELBOWS, WRISTS, strict=True):
        shoulder_px = pose.pixels[shoulder]
        outward = 1.0 if shoulder_px[0] >= middle[0] else -1.0  # toward this side, in image x
        if _in_view(pose, elbow, width, height):
            below_sw = (pose.pixels[elbow][1] - shoulder_px[1]) / shoulder_w
            out_sw = outward * (pose.pixels[elbow][0] - shoulder_px[0]) / shoulder_w
            down = down and below_sw >= HANGING_BELOW_SW and out_sw <= HANGING_OUT_SW
        else:
            down = False
        if not _in_view(pose, wrist, width, height):
            wrists.append(None)
            wide.append(False)
            continue
        at = pose.pixels[wrist]
        wrists.append(
            (float((at[0] - middle[0]) / shoulder_w), float((middle[1] - at[1]) / shoulder_w))
        )
        above = at[1] < shoulder_px[1]
        beyond = outward * (at[0] - shoulder_px[0]) / shoulder_w > wide_out_sw
        wide.append(bool(above or beyond))
    return ArmsPose((wrists[0], wrists[1]), (wide[0], wide[1]), down)
