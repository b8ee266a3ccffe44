"""Gestures: pointing at the customer (rude; hostile at face height) and open-palm invitations."""

from __future__ import annotations

from typing import Any

from kiosk.config import PointingConfig
from kiosk.features.frame import PointingShape
from kiosk.signals.events import Event, Runs

_TOLERANCE_S = 0.2  # a hand the model loses for a frame or two is still the same gesture


class PointingSignal:
    def __init__(self, config: PointingConfig) -> None:
        self.config = config
        self._pointing = Runs(_TOLERANCE_S)
        self._palm = Runs(_TOLERANCE_S)
        self._aimed_frames = self._frames = self._at_face_frames = 0
        self.tracked = False
        self.events: list[Event] = []

    def update(
        self, t_s: float, tracked: bool, pointing: PointingShape | None, open_palm: bool
    ) -> list[Event]:
        self.tracked = self.tracked or tracked
        if pointing is not None:
            self._frames += 1
            self._aimed_frames += pointing.at_customer
            self._at_face_frames += pointing.at_face_height
        return self._close(
            self._pointing.update(t_s, pointing is not None), self._palm.update(t_s, open_palm)
        )

    def _close(self, pointed, palm) -> list[Event]:
        new = []
        if pointed is not None:
            aimed = self._aimed_frames * 2 >= self._frames
            if pointed.duration_s >= self.config.min_hold_s and aimed:
                at_face = self._at_face_frames * 2 >= self._frames
                new.append(
                    Event("pointing", pointed.start_s, pointed.duration_s, {"at_face": at_face})
                )
            self._aimed_frames = self._frames = self._at_face_frames = 0
        if palm is not None and palm.duration_s >= self.config.min_hold_s:
            new.append(Event("open_palm", palm.start_s, palm.duration_s))
        self.events += new
        return new

    def finish(self, t_s: float) -> list[Event]:
        return self._close(self._pointing.finish(t_s), self._palm.finish(t_s))

    def summary(self) -> dict[str, Any]:
        if not self.tracked:
            return {"events": None, "open_palm_events": None, "at_face": None}
        pointing = [e for e in self.events if e.kind == "pointing"]
        return {
            "events": len(pointing),
            "open_palm_events": sum(e.kind == "open_palm" for e in self.events),
            "at_face": sum(bool(e.detail.get("at_face")) for e in pointing),
        }
