"""Eye contact: time on the customer, the longest gaze, staring bouts and no-look spells."""

from __future__ import annotations

from typing import Any

from kiosk.config import EyeContactConfig
from kiosk.signals.events import Event, Run, Runs, TimeShare


class EyeContactSignal:
    def __init__(self, config: EyeContactConfig) -> None:
        self.config = config
        self._gaze = Runs(config.min_break_s)  # looking at the customer
        self._no_look = Runs(config.min_break_s)  # face visible, not looking
        self._time = TimeShare()  # measurable = face visible; true = on the customer
        self.longest_gaze_s = 0.0
        self.events: list[Event] = []

    def update(self, t_s: float, on_customer: bool | None) -> list[Event]:
        """`on_customer` is None when there is no face to judge."""
        self._time.update(t_s, on_customer)
        new = self._close(
            self._gaze.update(t_s, on_customer),
            self._no_look.update(t_s, None if on_customer is None else not on_customer),
        )
        return new

    def _close(self, gaze: Run | None, no_look: Run | None) -> list[Event]:
        new = []
        if gaze is not None:
            self.longest_gaze_s = max(self.longest_gaze_s, gaze.duration_s)
            if gaze.duration_s > self.config.stare_limit_s:
                new.append(Event("staring", gaze.start_s, gaze.duration_s))
        if no_look is not None and no_look.duration_s > self.config.no_look_limit_s:
            new.append(Event("no_look", no_look.start_s, no_look.duration_s))
        self.events += new
        return new

    def finish(self, t_s: float) -> list[Event]:
        self._time.finish(t_s)
        return self._close(self._gaze.finish(t_s), self._no_look.finish(t_s))

    @property
    def visible_s(self) -> float:
        return self._time.measured_s

    def summary(self) -> dict[str, Any]:
        return {
            "ratio": self._time.ratio,
            "longest_gaze_s": round(self.longest_gaze_s, 2) if self.visible_s else None,
            "staring_bouts": sum(e.kind == "staring" for e in self.events),
            "no_look_spells": sum(e.kind == "no_look" for e in self.events),
        }
