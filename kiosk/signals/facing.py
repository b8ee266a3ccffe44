"""Facing: the torso toward the customer, and head-only turns (head to them, body away)."""

from __future__ import annotations

from typing import Any

from kiosk.config import FacingConfig, ImpatienceConfig
from kiosk.signals.events import MAX_FRAME_GAP_S, Event, Runs

_TOLERANCE_S = 0.3  # a torso reading that flickers for a moment does not end a turn


class FacingSignal:
    def __init__(self, config: FacingConfig, impatience: ImpatienceConfig) -> None:
        self.config = config
        self.impatience = impatience
        self._head_only = Runs(_TOLERANCE_S)
        self._turned_away = Runs(_TOLERANCE_S)
        self._prev: tuple[float, bool | None] | None = None
        self.measured_s = 0.0
        self.facing_s = 0.0
        self.events: list[Event] = []

    def update(
        self, t_s: float, torso_facing: bool | None, head_to_customer: bool | None
    ) -> list[Event]:
        if self._prev is not None and self._prev[1] is not None:
            dt = min(t_s - self._prev[0], MAX_FRAME_GAP_S)
            self.measured_s += dt
            self.facing_s += dt if self._prev[1] else 0.0
        self._prev = (t_s, torso_facing)
        both = torso_facing is not None and head_to_customer is not None
        head_only = both and head_to_customer and not torso_facing
        away = both and not head_to_customer and not torso_facing
        return self._close(
            self._head_only.update(t_s, head_only), self._turned_away.update(t_s, away)
        )

    def _close(self, head_only, away) -> list[Event]:
        new = []
        if head_only is not None and head_only.duration_s >= self.config.head_only_min_s:
            new.append(Event("head_only_turn", head_only.start_s, head_only.duration_s))
        if away is not None and away.duration_s >= self.impatience.turn_away_min_s:
            new.append(Event("turned_away", away.start_s, away.duration_s))
        self.events += new
        return new

    def finish(self, t_s: float) -> list[Event]:
        if self._prev is not None and self._prev[1] is not None:
            dt = min(t_s - self._prev[0], MAX_FRAME_GAP_S)
            self.measured_s += dt
            self.facing_s += dt if self._prev[1] else 0.0
            self._prev = None
        return self._close(self._head_only.finish(t_s), self._turned_away.finish(t_s))

    def summary(self) -> dict[str, Any]:
        return {
            "ratio": round(self.facing_s / self.measured_s, 3) if self.measured_s else None,
            "head_only_turns": sum(e.kind == "head_only_turn" for e in self.events),
        }
