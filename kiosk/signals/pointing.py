"""Gestures: pointing at the customer (rude; hostile at face height) and open-palm invitations,
live while a pointing hand is held and as events when the gesture ends."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from kiosk.config import PointingConfig, SignalsConfig
from kiosk.features.frame import FrameFeatures
from kiosk.signals.events import Event, Fault
from kiosk.signals.runs import Cadence, Onset, Run, Runs

_TOLERANCE_S = 0.2  # a hand the model loses for a frame or two is still the same gesture


@dataclass(frozen=True)
class PointingState:
    pointing_since_s: float | None  # a pointing hand aimed at the customer, held long enough
    at_face: bool | None  # ...and aimed at face height (None: no such pointing)


class _Aim:
    """Time a pointing hand spent aimed at the customer and at face height during one gesture:
    each frame weighs as much as the time since the one before, so frame rate does not count."""

    def __init__(self) -> None:
        self.total_s = self.aimed_s = self.at_face_s = 0.0

    def add(self, seconds: float, at_customer: bool, at_face_height: bool) -> None:
        self.total_s += seconds
        self.aimed_s += seconds if at_customer else 0.0
        self.at_face_s += seconds if at_face_height else 0.0

    @property
    def aimed(self) -> bool:
        return self.total_s > 0 and self.aimed_s * 2 >= self.total_s

    @property
    def at_face(self) -> bool:
        return self.total_s > 0 and self.at_face_s * 2 >= self.total_s


class PointingSignal:
    def __init__(self, config: PointingConfig, signals: SignalsConfig) -> None:
        self.config = config
        self.dropout_limit_s = signals.dropout_limit_s
        cadence = Cadence(self.dropout_limit_s)
        self._pointing = Runs(_TOLERANCE_S, self.dropout_limit_s, cadence)
        self._palm = Runs(_TOLERANCE_S, self.dropout_limit_s, cadence)
        self._pointing_fault = Onset("pointing")
        self._at_face_fault = Onset("pointing_at_face")
        self.tracked = False
        self.reset()

    def reset(self) -> None:
        for part in (self._pointing, self._palm, self._pointing_fault, self._at_face_fault):
            part.reset()
        self._aim = _Aim()
        self.pointing_events = self.open_palm_events = self.at_face_events = 0
        self._last_t_s: float | None = None

    def update(self, t_s: float, features: FrameFeatures) -> list[Event]:
        if self._last_t_s is not None and t_s <= self._last_t_s:
            return []
        gap_s = 0.0 if self._last_t_s is None else t_s - self._last_t_s
        self._last_t_s = t_s
        self.tracked = self.tracked or features.hands_tracked
        pointing = features.pointing
        new = self._close(
            self._pointing.update(t_s, pointing is not None),
            self._palm.update(t_s, features.open_palm),
        )
        if pointing is not None:
            # A frame after a dropout weighs like a typical one would: a small, fixed share.
            weight_s = gap_s if 0.0 < gap_s <= self.dropout_limit_s else 1e-3
            self._aim.add(weight_s, pointing.at_customer, pointing.at_face_height)
        run = self._pointing
        held = run.held_s >= self.config.min_hold_s and self._aim.aimed
        at_face = self._aim.at_face
        self._pointing_fault.update(t_s, run.start_s, held and not at_face)
        self._at_face_fault.update(t_s, run.start_s, held and at_face)
        return new

    def _close(self, pointed: Run | None, palm: Run | None) -> list[Event]:
        new = []
        if pointed is not None:
            if pointed.duration_s >= self.config.min_hold_s and self._aim.aimed:
                at_face = self._aim.at_face
                new.append(
                    Event("pointing", pointed.start_s, pointed.duration_s, {"at_face": at_face})
                )
                self.pointing_events += 1
                self.at_face_events += at_face
            self._aim = _Aim()
        if palm is not None and palm.duration_s >= self.config.min_hold_s:
            new.append(Event("open_palm", palm.start_s, palm.duration_s))
            self.open_palm_events += 1
        return new

    def finish(self, t_s: float) -> list[Event]:
        self._pointing_fault.reset()
        self._at_face_fault.reset()
        return self._close(self._pointing.finish(t_s), self._palm.finish(t_s))

    @property
    def state(self) -> PointingState:
        fault = self._at_face_fault.fault or self._pointing_fault.fault
        return PointingState(
            pointing_since_s=fault.since_s if fault else None,
            at_face=None if fault is None else fault.kind == "pointing_at_face",
        )

    @property
    def faults(self) -> tuple[Fault, ...]:
        return tuple(f for f in (self._pointing_fault.fault, self._at_face_fault.fault) if f)

    def summary(self) -> dict[str, Any]:
        if not self.tracked:
            return {"events": None, "open_palm_events": None, "at_face": None}
        return {
            "events": self.pointing_events,
            "open_palm_events": self.open_palm_events,
            "at_face": self.at_face_events,
        }
