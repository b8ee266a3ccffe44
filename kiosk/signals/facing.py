"""Facing: the torso toward the customer, and head-only turns (head to them, body away).

Torso yaw comes from two readings that fail differently: the shoulders' metric depth from the
pose model (good when turned far, noisy and biased near square-on) and the foreshortening of the
shoulders' width against this agent's own square-on width (the widest they appear in the first
minute, and never less than an adult's 30 cm). A turn counts only as far as both agree: the
smaller magnitude, with the depth's sign.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from kiosk.config import FacingConfig, ImpatienceConfig
from kiosk.signals.events import Event, Runs, TimeShare

_TOLERANCE_S = 0.3  # a torso reading that flickers for a moment does not end a turn
_REFERENCE_WINDOW_S = 60.0
_REFERENCE_MIN_SAMPLES = 20
_REFERENCE_PERCENTILE = 90  # the widest the shoulders appear, robust to a stray frame
# Square-on shoulders (landmark to landmark) are at least this wide on an adult, so an agent
# who is turned from the very start still reads as turned.
_SQUARE_ON_MIN_CM = 30.0


class TorsoYaw:
    """Fuses the pose's shoulder-depth yaw with shoulder foreshortening (see module docstring)."""

    def __init__(self) -> None:
        self._widths: list[float] = []
        self._first_t_s: float | None = None
        self._reference_cm: float | None = None
        self._frozen = False

    def update(
        self, t_s: float, depth_yaw_deg: float | None, width_cm: float | None
    ) -> float | None:
        if depth_yaw_deg is None:
            return None
        if width_cm is not None and not self._frozen:
            if self._first_t_s is None:
                self._first_t_s = t_s
            self._widths.append(width_cm)
            if len(self._widths) % 15 == 0 or t_s - self._first_t_s > _REFERENCE_WINDOW_S:
                self._reference_cm = float(np.percentile(self._widths, _REFERENCE_PERCENTILE))
            self._frozen = t_s - self._first_t_s > _REFERENCE_WINDOW_S
        if width_cm is None:
            return depth_yaw_deg
        reference_cm = _SQUARE_ON_MIN_CM
        if self._reference_cm is not None and len(self._widths) >= _REFERENCE_MIN_SAMPLES:
            reference_cm = max(reference_cm, self._reference_cm)
        ratio = min(1.0, width_cm / reference_cm)
        foreshortened_deg = math.degrees(math.acos(ratio))
        return math.copysign(min(abs(depth_yaw_deg), foreshortened_deg), depth_yaw_deg)


class FacingSignal:
    def __init__(self, config: FacingConfig, impatience: ImpatienceConfig, cone_deg: float) -> None:
        self.config = config
        self.impatience = impatience
        self.cone_deg = cone_deg
        self.torso = TorsoYaw()
        self._head_only = Runs(_TOLERANCE_S)
        self._turned_away = Runs(_TOLERANCE_S)
        self._time = TimeShare()  # measurable = torso seen; true = facing the customer
        self.events: list[Event] = []

    def update(
        self,
        t_s: float,
        depth_yaw_deg: float | None,
        width_cm: float | None,
        customer_yaw_deg: float | None,
        head_to_customer: bool | None,
    ) -> tuple[float | None, list[Event]]:
        """Returns the fused torso yaw (None without a body) and the events that ended."""
        torso_yaw = self.torso.update(t_s, depth_yaw_deg, width_cm)
        torso_facing = None
        if torso_yaw is not None:
            torso_facing = abs(torso_yaw - (customer_yaw_deg or 0.0)) <= self.cone_deg
        return torso_yaw, self._update(t_s, torso_facing, head_to_customer)

    def _update(
        self, t_s: float, torso_facing: bool | None, head_to_customer: bool | None
    ) -> list[Event]:
        self._time.update(t_s, torso_facing)
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
        self._time.finish(t_s)
        return self._close(self._head_only.finish(t_s), self._turned_away.finish(t_s))

    def summary(self) -> dict[str, Any]:
        return {
            "ratio": self._time.ratio,
            "head_only_turns": sum(e.kind == "head_only_turn" for e in self.events),
        }
