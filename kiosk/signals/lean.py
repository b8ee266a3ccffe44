"""Lean: the head's distance from the camera against the agent's own neutral posture.

Neutral is the calibrated distance, or else the median over the first minute of presence; until
that minute is over the per-frame lean is provisional, and the summary uses the final neutral.
"""

from __future__ import annotations

import statistics
from typing import Any

from kiosk.config import ImpatienceConfig, LeanConfig
from kiosk.signals.events import MAX_FRAME_GAP_S, Event, Runs


class LeanSignal:
    def __init__(self, config: LeanConfig, impatience: ImpatienceConfig) -> None:
        self.config = config
        self.impatience = impatience
        self._samples: list[tuple[float, float]] = []  # (t_s, distance_cm)
        self._window: list[float] = []
        self._first_t_s: float | None = None
        self._neutral_cm = config.neutral_distance_cm or None
        self._settled = self._neutral_cm is not None
        self._end_s: float | None = None

    @property
    def neutral_cm(self) -> float | None:
        if self._neutral_cm is not None:
            return self._neutral_cm
        return statistics.median(self._window) if self._window else None

    def update(self, t_s: float, distance_cm: float | None) -> float | None:
        """Lean in cm (> 0 forward) for this frame, or None when not measurable."""
        if distance_cm is None:
            return None
        self._samples.append((t_s, distance_cm))
        if not self._settled:
            if self._first_t_s is None:
                self._first_t_s = t_s
            if t_s - self._first_t_s <= self.config.baseline_s:
                self._window.append(distance_cm)
            else:
                self._neutral_cm = statistics.median(self._window)
                self._settled = True
        return self.neutral_cm - distance_cm

    def _classified(self):
        """(t_s, dt, lean_cm) for every sample against the final neutral; each sample lasts
        until the next one (the last until the end of input)."""
        if not self._samples:
            return
        neutral = self.neutral_cm
        ends = [t for t, _ in self._samples[1:]] + [self._end_s]
        for (t_s, d), end_s in zip(self._samples, ends, strict=True):
            dt = MAX_FRAME_GAP_S if end_s is None else min(end_s - t_s, MAX_FRAME_GAP_S)
            yield t_s, dt, neutral - d

    def finish(self, t_s: float) -> list[Event]:
        """Leaning-back bouts long enough to read as impatience, against the final neutral."""
        self._end_s = t_s
        if not self._samples:
            return []
        back = Runs(0.3)
        events = []
        for t, _, lean in self._classified():
            run = back.update(t, lean <= -self.config.back_cm)
            if run is not None and run.duration_s >= self.impatience.lean_back_min_s:
                events.append(Event("leaning_back", run.start_s, run.duration_s))
        run = back.finish(t_s)
        if run is not None and run.duration_s >= self.impatience.lean_back_min_s:
            events.append(Event("leaning_back", run.start_s, run.duration_s))
        return events

    def summary(self) -> dict[str, Any]:
        total = forward = backward = 0.0
        for _, dt, lean in self._classified():
            total += dt
            forward += dt if lean >= self.config.forward_cm else 0.0
            backward += dt if lean <= -self.config.back_cm else 0.0
        if not total:
            return {"forward_ratio": None, "back_ratio": None}
        return {
            "forward_ratio": round(forward / total, 3),
            "back_ratio": round(backward / total, 3),
        }
