"""Facing: the torso toward the customer, and head-only turns (head to them, body away), live
as faults and as events when they end; torso yaw fused from two readings (see TorsoYaw)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from kiosk.config import FacingConfig, ImpatienceConfig, SignalsConfig
from kiosk.features.frame import FrameFeatures
from kiosk.signals.baseline import LearnedValue, percentile
from kiosk.signals.events import Event, Fault
from kiosk.signals.runs import Cadence, Onset, Run, Runs, TimeShare

_TOLERANCE_S = 0.3  # a torso reading that flickers for a moment does not end a turn
_REFERENCE_WINDOW_S = 60.0
_REFERENCE_MIN_S = 1.3  # the widest width is trusted once it has been looked for this long
_REFERENCE_PERCENTILE = 90  # the widest the shoulders appear, robust to a stray frame
# Square-on shoulders (landmark to landmark) are at least this wide on an adult, so an agent
# who is turned from the very start still reads as turned.
_SQUARE_ON_MIN_CM = 30.0


class TorsoYaw:
    """Torso yaw from two readings that fail differently: the shoulders' metric depth from the
    pose model (good when turned far, noisy and biased near square-on) and the foreshortening of
    the shoulders' width against this agent's own square-on width (the widest they appear in the
    first minute of presence, and never less than an adult's 30 cm). A turn counts only as far
    as both agree: the smaller magnitude, with the depth's sign."""

    def __init__(self, relearn_after_s: float = math.inf, fixed_cm: float | None = None) -> None:
        # The agent's square-on shoulder width, learned while they are present (or calibrated).
        self.square_on = LearnedValue(
            _REFERENCE_WINDOW_S, relearn_after_s, percentile(_REFERENCE_PERCENTILE), fixed=fixed_cm
        )

    def update(
        self, t_s: float, depth_yaw_deg: float | None, width_cm: float | None, seen: bool = True
    ) -> float | None:
        """The fused yaw in degrees (None without a body); `seen`: the agent's face is seen."""
        self.square_on.update(t_s, width_cm if depth_yaw_deg is not None else None, seen)
        if depth_yaw_deg is None:
            return None
        if width_cm is None:
            return depth_yaw_deg
        reference_cm = _SQUARE_ON_MIN_CM
        learned = self.square_on.value
        if learned is not None and self.square_on.learned_s >= _REFERENCE_MIN_S:
            reference_cm = max(reference_cm, learned)
        ratio = min(1.0, width_cm / reference_cm)
        foreshortened_deg = math.degrees(math.acos(ratio))
        return math.copysign(min(abs(depth_yaw_deg), foreshortened_deg), depth_yaw_deg)


@dataclass(frozen=True)
class FacingState:
    torso_yaw_deg: float | None  # fused, this frame (None: no body)
    turned_away_since_s: float | None  # head and body away long enough; since when
    head_only_since_s: float | None  # head to the customer, body away long enough; since when


class FacingSignal:
    def __init__(
        self,
        config: FacingConfig,
        impatience: ImpatienceConfig,
        cone_deg: float,
        signals: SignalsConfig,
    ) -> None:
        self.config = config
        self.impatience = impatience
        self.cone_deg = cone_deg
        self.torso = TorsoYaw(signals.relearn_after_away_s, config.square_on_width_cm or None)
        dropout_s = signals.dropout_limit_s
        cadence = Cadence(dropout_s)
        self._head_only = Runs(_TOLERANCE_S, dropout_s, cadence)
        self._turned_away = Runs(_TOLERANCE_S, dropout_s, cadence)
        self._time = TimeShare(dropout_s)  # measurable = torso seen; true = facing the customer
        self._head_only_fault = Onset("head_only_turn")
        self._not_facing = Onset("not_facing")
        self.reset()

    def reset(self) -> None:
        """A new interaction: counts and runs start again; the learned shoulder width stays."""
        for part in (
            self._head_only,
            self._turned_away,
            self._time,
            self._head_only_fault,
            self._not_facing,
        ):
            part.reset()
        self.head_only_turns = self.turned_away_spells = 0
        self.torso_yaw_deg: float | None = None
        self.torso_facing: bool | None = None  # this frame: the body faces the customer
        self._last_t_s: float | None = None

    def observe(self, t_s: float, features: FrameFeatures) -> float | None:
        """Learn the square-on width from a frame; returns its fused torso yaw."""
        f = features
        return self.torso.update(t_s, f.torso_yaw_deg, f.shoulder_width_cm, f.face)

    def update(self, t_s: float, features: FrameFeatures) -> list[Event]:
        if self._last_t_s is not None and t_s <= self._last_t_s:
            return []
        self._last_t_s = t_s
        torso_yaw = self.torso_yaw_deg = self.observe(t_s, features)
        torso_facing = self.torso_facing = None
        if torso_yaw is not None:
            customer_yaw = features.customer_yaw_deg or 0.0
            torso_facing = self.torso_facing = abs(torso_yaw - customer_yaw) <= self.cone_deg
        head_to_customer = features.head_to_customer
        self._time.update(t_s, torso_facing)
        both = torso_facing is not None and head_to_customer is not None
        head_only = both and head_to_customer and not torso_facing
        away = both and not head_to_customer and not torso_facing
        new = self._close(
            self._head_only.update(t_s, head_only), self._turned_away.update(t_s, away)
        )
        run = self._head_only
        self._head_only_fault.update(t_s, run.start_s, run.held_s >= self.config.head_only_min_s)
        run = self._turned_away
        self._not_facing.update(t_s, run.start_s, run.held_s >= self.impatience.turn_away_min_s)
        return new

    def _close(self, head_only: Run | None, away: Run | None) -> list[Event]:
        new = []
        if head_only is not None and head_only.duration_s >= self.config.head_only_min_s:
            new.append(Event("head_only_turn", head_only.start_s, head_only.duration_s))
            self.head_only_turns += 1
        if away is not None and away.duration_s >= self.impatience.turn_away_min_s:
            new.append(Event("turned_away", away.start_s, away.duration_s))
            self.turned_away_spells += 1
        return new

    def finish(self, t_s: float) -> list[Event]:
        self._time.finish(t_s)
        self._head_only_fault.reset()
        self._not_facing.reset()
        return self._close(self._head_only.finish(t_s), self._turned_away.finish(t_s))

    @property
    def state(self) -> FacingState:
        away, head_only = self._not_facing.fault, self._head_only_fault.fault
        return FacingState(
            torso_yaw_deg=self.torso_yaw_deg,
            turned_away_since_s=away.since_s if away else None,
            head_only_since_s=head_only.since_s if head_only else None,
        )

    @property
    def faults(self) -> tuple[Fault, ...]:
        return tuple(f for f in (self._not_facing.fault, self._head_only_fault.fault) if f)

    def summary(self) -> dict[str, Any]:
        return {"ratio": self._time.ratio, "head_only_turns": self.head_only_turns}
