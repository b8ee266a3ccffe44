"""Eye contact: time on the customer, the longest gaze, and staring and no-look spells, live
(as faults while they go on) and as events when they end."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from kiosk.config import EyeContactConfig, SignalsConfig
from kiosk.features.frame import FrameFeatures
from kiosk.signals.events import Event, Fault
from kiosk.signals.runs import Cadence, Onset, Run, Runs, TimeShare


@dataclass(frozen=True)
class EyeContactState:
    gazing_for_s: float | None  # the current gaze so far (None: not looking at the customer)
    staring_since_s: float | None  # the gaze has become a stare; when it began
    no_look_since_s: float | None  # no glance at the customer for too long; since when


class EyeContactSignal:
    def __init__(self, config: EyeContactConfig, signals: SignalsConfig) -> None:
        self.config = config
        dropout_s = signals.dropout_limit_s
        cadence = Cadence(dropout_s)
        self._gaze = Runs(config.min_break_s, dropout_s, cadence)  # looking at the customer
        self._no_look = Runs(config.min_break_s, dropout_s, cadence)  # face visible, not looking
        self._time = TimeShare(dropout_s)  # measurable = face visible; true = on the customer
        self._staring = Onset("staring")
        self._no_eye_contact = Onset("no_eye_contact")
        self.reset()

    def reset(self) -> None:
        for part in (self._gaze, self._no_look, self._time, self._staring, self._no_eye_contact):
            part.reset()
        self.longest_gaze_s = 0.0
        self.staring_bouts = self.no_look_spells = 0
        self._last_t_s: float | None = None

    def update(self, t_s: float, features: FrameFeatures) -> list[Event]:
        if self._last_t_s is not None and t_s <= self._last_t_s:
            return []
        self._last_t_s = t_s
        on_customer = features.gaze_on_customer  # None: no face to judge
        self._time.update(t_s, on_customer)
        new = self._close(
            self._gaze.update(t_s, on_customer),
            self._no_look.update(t_s, on_customer is False),
        )
        cfg = self.config
        gaze, no_look = self._gaze, self._no_look
        self._staring.update(t_s, gaze.start_s, gaze.held_s > cfg.stare_limit_s)
        self._no_eye_contact.update(t_s, no_look.start_s, no_look.held_s > cfg.no_look_limit_s)
        return new

    def _close(self, gaze: Run | None, no_look: Run | None) -> list[Event]:
        new = []
        if gaze is not None:
            self.longest_gaze_s = max(self.longest_gaze_s, gaze.duration_s)
            if gaze.duration_s > self.config.stare_limit_s:
                new.append(Event("staring", gaze.start_s, gaze.duration_s))
                self.staring_bouts += 1
        if no_look is not None and no_look.duration_s > self.config.no_look_limit_s:
            new.append(Event("no_look", no_look.start_s, no_look.duration_s))
            self.no_look_spells += 1
        return new

    def finish(self, t_s: float) -> list[Event]:
        self._time.finish(t_s)
        self._staring.reset()
        self._no_eye_contact.reset()
        return self._close(self._gaze.finish(t_s), self._no_look.finish(t_s))

    @property
    def state(self) -> EyeContactState:
        gazing = self._gaze.holding
        staring, no_look = self._staring.fault, self._no_eye_contact.fault
        return EyeContactState(
            gazing_for_s=self._gaze.held_s if gazing else None,
            staring_since_s=staring.since_s if staring else None,
            no_look_since_s=no_look.since_s if no_look else None,
        )

    @property
    def faults(self) -> tuple[Fault, ...]:
        return tuple(f for f in (self._no_eye_contact.fault, self._staring.fault) if f)

    @property
    def visible_s(self) -> float:
        return self._time.measured_s

    def summary(self) -> dict[str, Any]:
        return {
            "ratio": self._time.ratio,
            "longest_gaze_s": round(self.longest_gaze_s, 2) if self.visible_s else None,
            "staring_bouts": self.staring_bouts,
            "no_look_spells": self.no_look_spells,
        }
