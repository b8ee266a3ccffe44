"""Interactions: a customer present for `min_present_s` starts one; `absent_end_s` without one
ends it. Pure and time-driven: fed the presence reading and `t_s` of each frame."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal


@dataclass(frozen=True)
class Transition:
    """`kind` "start": measuring begins at `t_s` (the customer arrived at `arrived_s`);
    "end": the customer left at `t_s` (confirmed `absent_end_s` later)."""

    kind: Literal["start", "end"]
    t_s: float
    arrived_s: float


class InteractionTracker:
    def __init__(self, min_present_s: float, absent_end_s: float) -> None:
        self.min_present_s = min_present_s
        self.absent_end_s = absent_end_s
        self.active = False
        self.start_s: float | None = None
        self.arrived_s: float | None = None  # first reading of the current customer
        self._last_present_s: float | None = None
        self.customer = False  # the latest reading, held through unknown ones

    @classmethod
    def whole_input(cls) -> InteractionTracker:
        """One interaction from the first frame to the end (`kiosk analyze`)."""
        return cls(0.0, math.inf)

    def update(self, t_s: float, present: bool | None) -> Transition | None:
        """`present` None: the sensor cannot tell this frame; the last reading holds."""
        if present is not None:
            self.customer = present
        if self.customer:
            if self.arrived_s is None:
                self.arrived_s = t_s
            self._last_present_s = t_s
            if not self.active and t_s - self.arrived_s >= self.min_present_s:
                self.active, self.start_s = True, t_s
                return Transition("start", t_s, self.arrived_s)
            return None
        if self.active:
            assert self._last_present_s is not None and self.arrived_s is not None
            if t_s - self._last_present_s >= self.absent_end_s:
                return self._end(self._last_present_s)
        elif self.arrived_s is not None:
            self.arrived_s = None  # left before the interaction started: a passer-by
        return None

    def end_now(self, t_s: float) -> Transition | None:
        """Close the interaction in progress at `t_s` (end of input, pause, camera fault)."""
        if not self.active:
            self.arrived_s = None
            return None
        return self._end(max(t_s, self.start_s or t_s))

    def _end(self, t_s: float) -> Transition:
        arrived = self.arrived_s if self.arrived_s is not None else t_s
        self.active, self.start_s, self.arrived_s = False, None, None
        self._last_present_s = None
        return Transition("end", t_s, arrived)
