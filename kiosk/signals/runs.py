"""Time on a live, sampled stream, in seconds whatever the frame rate: runs of a condition,
shares of time, and the frame from which a fault is live."""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

from kiosk.signals.events import Event, Fault, FaultKind

_CADENCE_GAPS = 9  # frame intervals the typical one is the median of


@dataclass(frozen=True)
class Run:
    start_s: float
    end_s: float

    @property
    def duration_s(self) -> float:
        return self.end_s - self.start_s


class Cadence:
    """The camera's typical interval between frames: the median of the last few, so that a
    dropped frame (a gap of two or three intervals) does not stretch it. Runs that see the same
    frames may share one: each frame counts once, and a dropout (a gap past `max_gap_s`) not
    at all."""

    def __init__(self, max_gap_s: float) -> None:
        self.max_gap_s = max_gap_s
        self._gaps: deque[float] = deque(maxlen=_CADENCE_GAPS)
        self._last_t_s: float | None = None
        self.typical_s = 0.0  # unknown until two frames have been seen

    def tick(self, t_s: float) -> None:
        last_t_s = self._last_t_s
        if last_t_s is not None and t_s <= last_t_s:
            return
        self._last_t_s = t_s
        if last_t_s is not None and t_s - last_t_s <= self.max_gap_s:
            self._gaps.append(t_s - last_t_s)
            self.typical_s = sorted(self._gaps)[len(self._gaps) // 2]

    def half_s(self, gap_s: float) -> float:
        """How far a frame speaks into a gap of `gap_s` next to it: half a typical interval,
        never past the middle of the gap."""
        return min(gap_s, self.typical_s) / 2


class Runs:
    """Spans of time where a condition holds, found live; a break shorter than `min_break_s`
    does not end a run, and a gap between frames longer than `dropout_limit_s` always does.

    Each frame speaks for half a typical frame interval on either side (never past the middle of
    a gap), so a change between two regular frames is placed at their midpoint, while the unseen
    time of dropped frames next to a seen break belongs to the break: a glance caught by one frame
    whose neighbour was dropped still breaks a gaze, and a run is claimed only where it was seen
    or bridged. A break is confirmed on the first frame by which it has lasted `min_break_s`,
    or on the frame that ends it if its estimated length reaches `min_break_s`.

    `update(t_s, holds)` returns the run that ended on this frame, if any. Frames whose time
    does not increase are ignored.
    """

    def __init__(
        self, min_break_s: float, dropout_limit_s: float, cadence: Cadence | None = None
    ) -> None:
        self.min_break_s = min_break_s
        self.dropout_limit_s = dropout_limit_s
        self._cadence = cadence or Cadence(dropout_limit_s)  # the camera's: kept across reset()
        self.reset()

    def reset(self) -> None:
        self.start_s: float | None = None  # the open run's start
        self._break_s: float | None = None  # start of a break not yet long enough to count
        self._prev_t_s: float | None = None

    @property
    def holding(self) -> bool:
        """A run is open and the condition held on the last frame (no break under way)."""
        return self.start_s is not None and self._break_s is None

    @property
    def held_s(self) -> float:
        """How long the open run has held, up to the last frame that saw it (0 without one)."""
        if self.start_s is None or self._prev_t_s is None:
            return 0.0
        end_s = self._break_s if self._break_s is not None else self._prev_t_s
        return end_s - self.start_s

    def update(self, t_s: float, holds: bool | None) -> Run | None:
        prev_t_s = self._prev_t_s
        if prev_t_s is not None and t_s <= prev_t_s:
            return None
        self._prev_t_s = t_s
        self._cadence.tick(t_s)
        ended = None
        # How far this frame and the previous one speak into the gap between them.
        half_s = self._cadence.typical_s / 2
        if prev_t_s is not None:
            gap_s = t_s - prev_t_s
            if gap_s > self.dropout_limit_s:
                ended = self._close(prev_t_s)
            else:
                half_s = self._cadence.half_s(gap_s)
        if holds:
            edge_s = t_s - half_s
            if self.start_s is None:
                self.start_s = edge_s
            elif self._break_s is not None:
                if edge_s - self._break_s >= self.min_break_s:
                    ended = Run(self.start_s, self._break_s)
                    self.start_s = edge_s
                self._break_s = None
            return ended
        if self.start_s is not None:
            if self._break_s is None:
                self._break_s = prev_t_s + half_s
            if t_s - self._break_s >= self.min_break_s:
                ended = self._close(prev_t_s)
        return ended

    def expire(self, t_s: float) -> Run | None:
        """A frame that cannot say whether the condition holds: it neither holds nor breaks a
        run, but ends it once the gap since the last frame that could passes the dropout limit."""
        self._cadence.tick(t_s)
        prev_t_s = self._prev_t_s
        if prev_t_s is None or t_s - prev_t_s <= self.dropout_limit_s:
            return None
        return self._close(prev_t_s)

    def finish(self, t_s: float) -> Run | None:
        """Close the open run at the end of input (`t_s`: when the last frame ended)."""
        prev_t_s = self._prev_t_s
        run = None
        if self.start_s is not None and prev_t_s is not None:
            if self._break_s is None and 0.0 < t_s - prev_t_s <= self.dropout_limit_s:
                run = Run(self.start_s, t_s)
            else:
                run = self._close(prev_t_s)
        self.reset()
        return run

    def _close(self, last_t_s: float) -> Run | None:
        """End the open run where its break began, or half a typical interval after the last
        frame that saw it (before a dropout)."""
        if self.start_s is None:
            return None
        end_s = self._break_s
        if end_s is None:
            end_s = last_t_s + self._cadence.typical_s / 2
        run = Run(self.start_s, end_s)
        self.start_s = self._break_s = None
        return run


class TimeShare:
    """Time a condition was measurable and time it held. A gap between frames is shared at its
    middle between the frames on either side; a gap longer than the dropout limit is
    unmeasured. `value` None: not measurable on this frame."""

    def __init__(self, dropout_limit_s: float) -> None:
        self.dropout_limit_s = dropout_limit_s
        self.reset()

    def reset(self) -> None:
        self.measured_s = 0.0
        self.true_s = 0.0
        self._prev: tuple[float, bool | None] | None = None

    def update(self, t_s: float, value: bool | None) -> None:
        if self._prev is not None:
            prev_t_s, prev_value = self._prev
            if t_s <= prev_t_s:
                return
            gap_s = t_s - prev_t_s
            if gap_s <= self.dropout_limit_s:
                self._add(prev_value, gap_s / 2)
                self._add(value, gap_s / 2)
        self._prev = (t_s, value)

    def finish(self, t_s: float) -> None:
        if self._prev is not None and 0.0 < t_s - self._prev[0] <= self.dropout_limit_s:
            self._add(self._prev[1], t_s - self._prev[0])
        self._prev = None

    def _add(self, value: bool | None, seconds: float) -> None:
        if value is not None:
            self.measured_s += seconds
            self.true_s += seconds if value else 0.0

    @property
    def ratio(self) -> float | None:
        return round(self.true_s / self.measured_s, 3) if self.measured_s else None


class Onset:
    """A fault going on now, from the frame on which it reached its minimum time."""

    def __init__(self, kind: FaultKind) -> None:
        self.kind = kind
        self._fault: Fault | None = None

    def update(self, t_s: float, since_s: float | None, reached: bool) -> Fault | None:
        """`since_s`: when the behaviour began (None: not going on); `reached`: it has lasted
        long enough (and meets any other condition) on this frame."""
        if since_s is None or not reached:
            self._fault = None
        elif self._fault is None or self._fault.since_s != since_s:
            self._fault = Fault(self.kind, since_s, t_s)
        return self._fault

    @property
    def fault(self) -> Fault | None:
        return self._fault

    def reset(self) -> None:
        self._fault = None


class Smoothed:
    """Exponential smoothing over `tau_s` seconds (not frames), so the frame rate does not
    count: each value moves toward the sample by 1 - exp(-dt / tau_s)."""

    def __init__(self, tau_s: float) -> None:
        self.tau_s = tau_s
        self.value: tuple[float, ...] | None = None
        self._t_s = 0.0

    def update(self, t_s: float, sample: tuple[float, ...]) -> tuple[float, ...]:
        if self.value is None:
            self.value = sample
        else:
            weight = 1.0 - math.exp(-(t_s - self._t_s) / self.tau_s)
            self.value = tuple(
                v + (s - v) * weight for v, s in zip(self.value, sample, strict=True)
            )
        self._t_s = t_s
        return self.value


class StillSpell:
    """Spells during which some values hold still: they are smoothed (`tau_s`, against the
    mesh's jitter) and compared, by `still(values, anchor)`, with where the spell began. A
    spell ends when they move, on a frame that cannot be one (`values` None) or at a dropout;
    it is the fault `kind` from the frame it has lasted `limit_s`, and an event of that kind
    when it ends having lasted that long. After a move, a new spell starts from the frame's
    own values. The caller skips frames whose time does not increase."""

    def __init__(
        self,
        kind: FaultKind,
        limit_s: float,
        dropout_limit_s: float,
        tau_s: float,
        still: Callable[[tuple[float, ...], tuple[float, ...]], bool],
    ) -> None:
        self.kind = kind
        self.limit_s = limit_s
        self.dropout_limit_s = dropout_limit_s
        self.tau_s = tau_s
        self.still = still
        self.onset = Onset(kind)
        self.reset()

    def reset(self) -> None:
        self.onset.reset()
        self.spells = 0
        self.start_s: float | None = None  # the spell under way (None: none)
        self._anchor: tuple[float, ...] = ()
        self._last_s: float | None = None
        self._smooth = Smoothed(self.tau_s)

    def _end(self, end_s: float) -> list[Event]:
        start_s, self.start_s = self.start_s, None
        self._smooth = Smoothed(self.tau_s)
        self.onset.reset()
        if start_s is None or end_s - start_s < self.limit_s:
            return []
        self.spells += 1
        return [Event(self.kind, start_s, end_s - start_s)]

    def update(self, t_s: float, values: tuple[float, ...] | None) -> list[Event]:
        new: list[Event] = []
        last_s, self._last_s = self._last_s, t_s
        if self.start_s is not None and last_s is not None:
            if t_s - last_s > self.dropout_limit_s:
                new += self._end(last_s)
            elif values is None:
                return self._end(t_s)
        if values is None:
            return new
        smoothed = self._smooth.update(t_s, values)
        if self.start_s is not None and not self.still(smoothed, self._anchor):
            new += self._end(t_s)
            smoothed = self._smooth.update(t_s, values)
        if self.start_s is None:
            self.start_s, self._anchor = t_s, smoothed
        self.onset.update(t_s, self.start_s, t_s - self.start_s >= self.limit_s)
        return new

    def finish(self, t_s: float) -> list[Event]:
        if self.start_s is None or self._last_s is None:
            return []
        end_s = t_s if t_s - self._last_s <= self.dropout_limit_s else self._last_s
        return self._end(end_s)
