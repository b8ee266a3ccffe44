"""Stiffness ("the alien"): during an interaction, the head held within a few degrees, no nod,
no hand moving and no arm raised, for minutes. Each of those alone is fine; all of them together
for `limit_s` under-express.

The head's angles are smoothed (the mesh jitters a degree or so) and compared with where they
were when the spell began, so a slow drift past `still_deg` ends it as surely as a turn.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from kiosk.config import SignalsConfig, StiffnessConfig
from kiosk.features.frame import FrameFeatures
from kiosk.signals.events import Event, Fault
from kiosk.signals.runs import Onset

_SMOOTH_TAU_S = 0.5


@dataclass(frozen=True)
class StiffnessState:
    still_since_s: float | None  # the current still spell's start (None: moving or unseen)
    stiff: bool  # the spell has lasted limit_s


class StiffnessSignal:
    def __init__(self, config: StiffnessConfig, signals: SignalsConfig) -> None:
        self.config = config
        self.dropout_limit_s = signals.dropout_limit_s
        self._onset = Onset("stiff")
        self.reset()

    def reset(self) -> None:
        self._onset.reset()
        self.stiff_spells = 0
        self._start_s: float | None = None
        self._anchor: tuple[float, float] = (0.0, 0.0)
        self._smoothed: tuple[float, float] | None = None
        self._last_s: float | None = None

    def _smooth(self, t_s: float, yaw: float, pitch: float) -> tuple[float, float]:
        if self._smoothed is None or self._last_s is None:
            self._smoothed = (yaw, pitch)
        else:
            w = 1.0 - math.exp(-(t_s - self._last_s) / _SMOOTH_TAU_S)
            s_yaw, s_pitch = self._smoothed
            self._smoothed = (s_yaw + (yaw - s_yaw) * w, s_pitch + (pitch - s_pitch) * w)
        return self._smoothed

    def _end(self, end_s: float) -> list[Event]:
        start_s, self._start_s = self._start_s, None
        self._smoothed = None
        self._onset.reset()
        if start_s is None or end_s - start_s < self.config.limit_s:
            return []
        self.stiff_spells += 1
        return [Event("stiff", start_s, end_s - start_s)]

    def update(
        self, t_s: float, features: FrameFeatures, *, nodded: bool, hands_moving: bool
    ) -> list[Event]:
        """`nodded`: a nod ended on this frame; `hands_moving`: a hand gestures in view."""
        if self._last_s is not None and t_s <= self._last_s:
            return []
        new: list[Event] = []
        last_s = self._last_s
        if self._start_s is not None and last_s is not None and t_s - last_s > self.dropout_limit_s:
            new += self._end(last_s)
        head = features.head
        raised = features.arms is not None and any(features.arms.wide)
        if head is None or nodded or hands_moving or raised:
            new += self._end(t_s)
            self._last_s = t_s
            return new
        smoothed = self._smooth(t_s, head.yaw_deg, head.pitch_deg)
        self._last_s = t_s
        if self._start_s is not None:
            moved = max(abs(smoothed[0] - self._anchor[0]), abs(smoothed[1] - self._anchor[1]))
            if moved > self.config.still_deg:
                new += self._end(t_s)
                self._smoothed = smoothed
        if self._start_s is None:
            self._start_s, self._anchor = t_s, smoothed
        self._onset.update(t_s, self._start_s, t_s - self._start_s >= self.config.limit_s)
        return new

    def finish(self, t_s: float) -> list[Event]:
        if self._start_s is None or self._last_s is None:
            return []
        return self._end(t_s if t_s - self._last_s <= self.dropout_limit_s else self._last_s)

    @property
    def state(self) -> StiffnessState:
        return StiffnessState(self._start_s, self._onset.fault is not None)

    @property
    def faults(self) -> tuple[Fault, ...]:
        fault = self._onset.fault
        return (fault,) if fault else ()

    def summary(self) -> dict[str, Any]:
        return {"stiff_spells": self.stiff_spells}
