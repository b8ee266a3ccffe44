"""Where the arms and hands are, from the body model: wrists against the shoulders, in shoulder
widths, so that distance from the camera does not count. Pure geometry."""

from __future__ import annotations

import math
from dataclasses import dataclass

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


def arms_pose(pose: PoseLandmarks, width: int, height: int, wide_out_sw: float) -> ArmsPose | None:
    """None without both shoulders in view (nothing to measure the arms against)."""
    joints = (*SHOULDERS, *ELBOWS, *WRISTS)
    xy = dict(zip(joints, pose.pixels[list(joints)].tolist(), strict=True))
    seen = {
        i: v >= MIN_VISIBILITY and 0 <= xy[i][0] < width and 0 <= xy[i][1] < height
        for i, v in zip(joints, pose.visibility[list(joints)].tolist(), strict=True)
    }
    if not all(seen[i] for i in SHOULDERS):
        return None
    (lx, ly), (rx, ry) = xy[SHOULDERS[0]], xy[SHOULDERS[1]]
    shoulder_w = math.hypot(lx - rx, ly - ry)
    if shoulder_w < 1.0:
        return None
    mid_x, mid_y = (lx + rx) / 2, (ly + ry) / 2
    wrists: list[tuple[float, float] | None] = []
    wide: list[bool] = []
    down = True
    for shoulder, elbow, wrist in zip(SHOULDERS, ELBOWS, WRISTS, strict=True):
        sx, sy = xy[shoulder]
        outward = 1.0 if sx >= mid_x else -1.0  # toward this side, in image x
        if seen[elbow]:
            ex, ey = xy[elbow]
            below_sw = (ey - sy) / shoulder_w
            out_sw = outward * (ex - sx) / shoulder_w
            down = down and below_sw >= HANGING_BELOW_SW and out_sw <= HANGING_OUT_SW
        else:
            down = False
        if not seen[wrist]:
            wrists.append(None)
            wide.append(False)
            continue
        wx, wy = xy[wrist]
        wrists.append(((wx - mid_x) / shoulder_w, (mid_y - wy) / shoulder_w))
        beyond = outward * (wx - sx) / shoulder_w > wide_out_sw
        wide.append(wy < sy or beyond)
    return ArmsPose((wrists[0], wrists[1]), (wide[0], wide[1]), down)
