"""Lean: the head's distance from the camera against the agent's own neutral posture, judged
live against the neutral as it is at that moment (calibrated, or learned from presence)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from kiosk.config import ImpatienceConfig, LeanConfig, SignalsConfig
from kiosk.features.frame import FrameFeatures
from kiosk.signals.baseline import LearnedValue, median
from kiosk.signals.events import Event, Fault
from kiosk.signals.runs import Onset, Run, Runs, TimeShare

_TOLERANCE_S = 0.3  # a lean reading that wobbles for a moment does not end a bout


@dataclass(frozen=True)
class LeanState:
    lean_cm: float | None  # > 0 forward, this frame (None: not measurable)
    neutral_cm: float | None  # the head distance lean is measured from
    leaning_back_since_s: float | None  # leaning back long enough to be a sign; since when


def head_distance_cm(features: FrameFeatures) -> float | None:
    # A turned head throws the fitted distance off by several cm, so lean is read only while the
    # head faces the customer.
    return features.head_distance_cm if features.head_to_customer else None


class LeanSignal:
    def __init__(
        self, config: LeanConfig, impatience: ImpatienceConfig, signals: SignalsConfig
    ) -> None:
        self.config = config
        self.impatience = impatience
        # Neutral: the calibrated distance, or the median over the first baseline_s of presence.
        self.neutral = LearnedValue(
            config.baseline_s,
            signals.relearn_after_away_s,
            median,
            fixed=config.neutral_distance_cm or None,
        )
        dropout_s = signals.dropout_limit_s
        # A lean is a posture held for seconds: frames without a reading are gaps, not breaks.
        self._back = Runs(_TOLERANCE_S, dropout_s)
        self._forward_time = TimeShare(dropout_s)
        self._back_time = TimeShare(dropout_s)
        self._leaning_back = Onset("leaning_back")
        self.reset()

    def reset(self) -> None:
        """A new interaction: bouts and ratios start again; the neutral stays."""
        for part in (self._back, self._forward_time, self._back_time, self._leaning_back):
            part.reset()
        self.back_bouts = 0
        self.lean_cm: float | None = None
        # this frame: "forward" (>= forward_cm), "back" (<= -back_cm), "upright", or None
        self.posture: str | None = None
        self._last_t_s: float | None = None

    def observe(self, t_s: float, features: FrameFeatures) -> float | None:
        """Learn the neutral from a frame; returns its lean in cm (None: not measurable)."""
        distance_cm = head_distance_cm(features)
        self.neutral.update(t_s, distance_cm, features.face)
        neutral_cm = self.neutral.value
        if distance_cm is None or neutral_cm is None:
            return None
        return neutral_cm - distance_cm

    def update(self, t_s: float, features: FrameFeatures) -> list[Event]:
        if self._last_t_s is not None and t_s <= self._last_t_s:
            return []
        self._last_t_s = t_s
        lean = self.lean_cm = self.observe(t_s, features)
        cfg = self.config
        self.posture = None
        if lean is not None:
            self.posture = (
                "forward"
                if lean >= cfg.forward_cm
                else "back"
                if lean <= -cfg.back_cm
                else "upright"
            )
        measured = self.posture is not None
        self._forward_time.update(t_s, self.posture == "forward" if measured else None)
        self._back_time.update(t_s, self.posture == "back" if measured else None)
        if lean is None:
            new = self._close(self._back.expire(t_s))
        else:
            new = self._close(self._back.update(t_s, self.posture == "back"))
        back = self._back
        self._leaning_back.update(t_s, back.start_s, back.held_s >= self.impatience.lean_back_min_s)
        return new

    def _close(self, run: Run | None) -> list[Event]:
        if run is None or run.duration_s < self.impatience.lean_back_min_s:
            return []
        self.back_bouts += 1
        return [Event("leaning_back", run.start_s, run.duration_s)]

    def finish(self, t_s: float) -> list[Event]:
        self._forward_time.finish(t_s)
        self._back_time.finish(t_s)
        self._leaning_back.reset()
        return self._close(self._back.finish(t_s))

    @property
    def state(self) -> LeanState:
        back = self._leaning_back.fault
        return LeanState(
            lean_cm=self.lean_cm,
            neutral_cm=self.neutral.value,
            leaning_back_since_s=back.since_s if back else None,
        )

    @property
    def faults(self) -> tuple[Fault, ...]:
        return (self._leaning_back.fault,) if self._leaning_back.fault else ()

    def summary(self) -> dict[str, Any]:
        measured_s = self._forward_time.measured_s
        if not measured_s:
            return {"forward_ratio": None, "back_ratio": None}
        return {
            "forward_ratio": self._forward_time.ratio,
            "back_ratio": self._back_time.ratio,
        }
