"""What the live loop hands to storage, buffered for the writer thread.

The loop calls `record`, `frame` and `status` on its own thread; they only append to memory
(microseconds). The writer drains the buffer about once a second (`drain`). Rows carry UTC
wall-clock times from a `WallClock` and the run's own `t_s`; nothing here reads an image.
"""

from __future__ import annotations

import threading
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from kiosk.signals.events import EVENT_KINDS
from kiosk.storage.rows import WallClock, iso, minute_of
from kiosk.storage.shifts import ShiftSchedule, ShiftSpan

MINUTE_FIELDS = (
    "frames",
    "customer_frames",
    "measuring_frames",
    "gaze_frames",
    "eye_contact_frames",
    "body_frames",
    "facing_frames",
    "lean_frames",
    "forward_frames",
    "back_frames",
    "nods",
    "pointing",
    "nudges",
    "paused_frames",
    "expression_frames",
    "frown_frames",
    "smile_frames",
    "gesture_judged_frames",
    "gesturing_frames",
    "slow_greetings",
    "frowns",
    "blank_stares",
    "stiff_spells",
    "wide_gestures",
    "hidden_hands",
)
# Fault events counted per minute (in the minute they began), by the minute column counting them.
MINUTE_EVENTS = {
    "slow_greeting": "slow_greetings",
    "frown": "frowns",
    "blank_stare": "blank_stares",
    "stiff": "stiff_spells",
    "wide_gesture": "wide_gestures",
    "hidden_hands": "hidden_hands",
}


@dataclass
class Op:
    """One row to insert: `table`, the shift it belongs to, and its columns."""

    table: str
    shift: ShiftSpan
    row: dict[str, Any]


@dataclass
class LiveStatus:
    status: str = "starting"
    since: datetime | None = None
    cue: str | None = None
    interaction_start: datetime | None = None


@dataclass
class Batch:
    ops: list[Op] = field(default_factory=list)
    minutes: dict[datetime, tuple[ShiftSpan, Counter]] = field(default_factory=dict)
    status: LiveStatus | None = None

    def merge_into(self, newer: Batch) -> Batch:
        """This (unwritten) batch followed by `newer`, as one batch to write."""
        for minute, (shift, counts) in newer.minutes.items():
            if minute in self.minutes:
                self.minutes[minute][1].update(counts)
            else:
                self.minutes[minute] = (shift, counts)
        self.ops += newer.ops
        self.status = newer.status or self.status
        return self

    def __len__(self) -> int:
        return len(self.ops) + len(self.minutes)


class Recorder:
    def __init__(
        self,
        *,
        counter: str,
        schedule: ShiftSchedule,
        wall: WallClock,
    ) -> None:
        self.counter = counter
        self.schedule = schedule
        self.wall = wall
        self._lock = threading.Lock()
        self._batch = Batch()
        self._live = LiveStatus(since=wall.anchor)
        self._shift: ShiftSpan | None = None

    def _shift_at(self, when: datetime) -> ShiftSpan:
        shift = self._shift
        if shift is None or not shift.start <= when < shift.end:
            shift = self._shift = self.schedule.shift_at(when)
        return shift

    def _op(self, table: str, when: datetime, row: dict[str, Any]) -> None:
        row["counter"] = self.counter
        self._batch.ops.append(Op(table, self._shift_at(when), row))

    # -- called on the loop's thread --------------------------------------------------------
    def record(self, record: dict[str, Any]) -> None:
        """One `--events` record: an interaction, a nudge, an event, a pause, a camera fault."""
        kind = record.get("kind")
        with self._lock:
            if kind == "interaction_start":
                self._live.interaction_start = self.wall.at(record["start_s"])
            elif kind == "interaction":
                self._live.interaction_start = None
                start, end = self.wall.at(record["start_s"]), self.wall.at(record["end_s"])
                self._op(
                    "interactions",
                    start,
                    {
                        "start_utc": iso(start),
                        "end_utc": iso(end),
                        "start_s": record["start_s"],
                        "end_s": record["end_s"],
                        "arrived_s": record.get("arrived_s"),
                        "nudges": record["nudges"],
                        "summary": record["summary"],
                    },
                )
            elif kind == "nudge":
                when = self.wall.at(record["t_s"])
                row = {
                    "t_utc": iso(when),
                    "t_s": record["t_s"],
                    "cue": record["cue"],
                    "reason": record.get("reason", ""),
                    "latency_ms": record.get("latency_ms"),
                }
                self._op("nudges", when, row)
                self._count(when, "nudges")
            elif kind == "pause":
                start, end = self.wall.at(record["start_s"]), self.wall.at(record["end_s"])
                self._op(
                    "pauses",
                    start,
                    {
                        "start_utc": iso(start),
                        "end_utc": iso(end),
                        "start_s": record["start_s"],
                        "end_s": record["end_s"],
                    },
                )
            elif kind == "camera_fault":
                start = None if record["start_s"] is None else self.wall.at(record["start_s"])
                end = None if record["end_s"] is None else self.wall.at(record["end_s"])
                self._op(
                    "camera_faults",
                    start or self.wall.anchor,
                    {
                        "start_utc": start and iso(start),
                        "end_utc": end and iso(end),
                        "down_s": record["down_s"],
                        "error": record["error"],
                    },
                )
            elif kind in EVENT_KINDS:
                when = self.wall.at(record["t_s"])
                detail = {k: v for k, v in record.items() if k not in ("kind", "t_s", "duration_s")}
                self._op(
                    "events",
                    when,
                    {
                        "t_utc": iso(when),
                        "t_s": record["t_s"],
                        "kind": kind,
                        "duration_s": record["duration_s"],
                        "detail": detail,
                    },
                )
                # Counted from the record, not the frame: hidden hands are judged when the
                # interaction closes, after its last frame.
                if kind in MINUTE_EVENTS:
                    self._count(when, MINUTE_EVENTS[kind])

    def _count(self, when: datetime, *names: str) -> Counter:
        minute = minute_of(when)
        entry = self._batch.minutes.get(minute)
        if entry is None:
            entry = self._batch.minutes[minute] = (self._shift_at(minute), Counter())
        entry[1].update(names)
        return entry[1]

    def frame(self, t_s: float, step: Any | None, *, paused: bool = False) -> None:
        """One frame the loop handled: its step (None when paused) goes into its minute."""
        when = self.wall.at(t_s)
        with self._lock:
            if paused or step is None:
                self._count(when, "frames", "paused_frames")
                return
            self._live.cue = step.cue
            names = ["frames"]
            if step.customer:
                names.append("customer_frames")
            signals = step.frame.signals
            if step.measuring and signals is not None:
                names.append("measuring_frames")
                if signals.gaze_on_customer is not None:
                    names.append("gaze_frames")
                    if signals.gaze_on_customer:
                        names.append("eye_contact_frames")
                if signals.facing is not None:
                    names.append("body_frames")
                    if signals.facing:
                        names.append("facing_frames")
                if signals.lean_posture is not None:
                    names.append("lean_frames")
                    if signals.lean_posture == "forward":
                        names.append("forward_frames")
                    elif signals.lean_posture == "back":
                        names.append("back_frames")
                if signals.nod:
                    names.append("nods")
                if any(e.kind == "pointing" for e in signals.events):
                    names.append("pointing")
                if signals.expression is not None:
                    names.append("expression_frames")
                    if signals.expression == "frown":
                        names.append("frown_frames")
                    elif signals.expression == "smile":
                        names.append("smile_frames")
                names.append("gesture_judged_frames")
                if signals.gesturing:
                    names.append("gesturing_frames")
            self._count(when, *names)

    def status(self, status: str, t_s: float | None) -> None:
        """The counter's status changed (tracking, no_customer, paused, camera_fault)."""
        with self._lock:
            if status != self._live.status:
                self._live.status = status
                self._live.since = self.wall.at(t_s) if t_s is not None else self._live.since
                if status in ("paused", "camera_fault"):
                    self._live.cue = None

    # -- called on the writer's thread ------------------------------------------------------
    def drain(self) -> Batch:
        """Everything recorded since the last drain, with the live status as of now."""
        with self._lock:
            batch, self._batch = self._batch, Batch()
            batch.status = LiveStatus(**vars(self._live))
        return batch
