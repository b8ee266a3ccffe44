"""Timestamped events and debounced runs of a condition, shared by the signals."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal, get_args

MAX_FRAME_GAP_S = 0.5  # a longer gap between frames is a dropout, not time spent in a state


# Faults the nudge rules can cue, one per cue (see [cues] in the config).
FaultKind = Literal[
    "no_eye_contact",
    "staring",
    "not_facing",
    "head_only_turn",
    "leaning_back",
    "impatient_nodding",
    "pointing",
    "pointing_at_face",
]
FAULT_KINDS: tuple[str, ...] = get_args(FaultKind)


@dataclass(frozen=True)
class Fault:
    """A fault going on now. `since_s`: when the behaviour began; `active_s`: when it had lasted
    its minimum time, i.e. the frame from which a cue may show it (for latency figures)."""

    kind: FaultKind
    since_s: float
    active_s: float


@dataclass(frozen=True)
class Event:
    kind: str
    t_s: float  # when it started
    duration_s: float = 0.0
    detail: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        out = {
            "kind": self.kind,
            "t_s": round(self.t_s, 3),
            "duration_s": round(self.duration_s, 3),
        }
        out.update(self.detail)
        return out


@dataclass(frozen=True)
class Run:
    start_s: float
    end_s: float

    @property
    def duration_s(self) -> float:
        return self.end_s - self.start_s


class Runs:
    """Spans of time where a condition holds, ignoring interruptions shorter than `min_gap_s`.

    `update(t_s, value)` returns the run that just ended, if any; `value` None (not measurable
    this frame) counts as an interruption. Each true frame lasts until the next frame, at most
    MAX_FRAME_GAP_S.
    """

    def __init__(self, min_gap_s: float = 0.0) -> None:
        self.min_gap_s = min_gap_s
        self.start_s: float | None = None
        self.last_true_end_s = 0.0
        self._prev_t_s: float | None = None
        self._prev_value = False

    @property
    def active(self) -> bool:
        return self.start_s is not None

    def update(self, t_s: float, value: bool | None) -> Run | None:
        if self._prev_value and self._prev_t_s is not None:
            self.last_true_end_s = min(t_s, self._prev_t_s + MAX_FRAME_GAP_S)
        self._prev_t_s, self._prev_value = t_s, bool(value)
        ended = None
        if self.start_s is not None and t_s - self.last_true_end_s >= self.min_gap_s and not value:
            ended = Run(self.start_s, self.last_true_end_s)
            self.start_s = None
        if value:
            if self.start_s is None:
                self.start_s = t_s
            self.last_true_end_s = t_s
        return ended

    def finish(self, t_s: float) -> Run | None:
        """Close the open run at the end of input (`t_s`: when the last frame ended)."""
        if self._prev_value:
            self.last_true_end_s = t_s
        if self.start_s is None:
            return None
        run = Run(self.start_s, self.last_true_end_s)
        self.start_s = None
        return run


class TimeShare:
    """Time a condition was measurable and time it held, each frame lasting until the next
    (at most MAX_FRAME_GAP_S). `value` None: not measurable this frame."""

    def __init__(self) -> None:
        self.measured_s = 0.0
        self.true_s = 0.0
        self._prev: tuple[float, bool | None] | None = None

    def update(self, t_s: float, value: bool | None) -> None:
        self._count_until(t_s)
        self._prev = (t_s, value)

    def finish(self, t_s: float) -> None:
        self._count_until(t_s)
        self._prev = None

    def _count_until(self, t_s: float) -> None:
        if self._prev is None or self._prev[1] is None:
            return
        dt = min(t_s - self._prev[0], MAX_FRAME_GAP_S)
        self.measured_s += dt
        self.true_s += dt if self._prev[1] else 0.0

    @property
    def ratio(self) -> float | None:
        return round(self.true_s / self.measured_s, 3) if self.measured_s else None
