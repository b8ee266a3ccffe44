"""Stiffness ("the alien"): during an interaction, the head held within a few degrees, no nod,
no hand moving and no arm raised, for minutes. Each of those alone is fine; all of them together
for `limit_s` under-express.

The head's angles are smoothed (the mesh jitters a degree or so) and compared with where they
were when the spell began, so a slow drift past `still_deg` ends it as surely as a turn.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from kiosk.config import SignalsConfig, StiffnessConfig
from kiosk.features.frame import FrameFeatures
from kiosk.signals.events import Event, Fault
from kiosk.signals.runs import StillSpell

_SMOOTH_TAU_S = 0.5


@dataclass(frozen=True)
class StiffnessState:
    still_since_s: float | None  # the current still spell's start (None: moving or unseen)
    stiff: bool  # the spell has lasted limit_s


class StiffnessSignal:
    def __init__(self, config: StiffnessConfig, signals: SignalsConfig) -> None:
        self.config = config
        self._spell = StillSpell(
            "stiff", config.limit_s, signals.dropout_limit_s, _SMOOTH_TAU_S, self._still
        )
        self._last_s: float | None = None

    def reset(self) -> None:
        self._spell.reset()
        self._last_s = None

    def _still(self, angles: tuple[float, ...], anchor: tuple[float, ...]) -> bool:
        """The head's yaw and pitch within still_deg of where the spell began."""
        moved = max(abs(angles[0] - anchor[0]), abs(angles[1] - anchor[1]))
        return moved <= self.config.still_deg

    def update(
        self, t_s: float, features: FrameFeatures, *, nodded: bool, hands_moving: bool
    ) -> list[Event]:
        """`nodded`: a nod ended on this frame; `hands_moving`: a hand gestures in view."""
        if self._last_s is not None and t_s <= self._last_s:
            return []
        self._last_s = t_s
        head = features.head
        raised = features.arms is not None and any(features.arms.wide)
        if head is None or nodded or hands_moving or raised:
            return self._spell.update(t_s, None)
        return self._spell.update(t_s, (head.yaw_deg, head.pitch_deg))

    def finish(self, t_s: float) -> list[Event]:
        return self._spell.finish(t_s)

    @property
    def stiff_spells(self) -> int:
        return self._spell.spells

    @property
    def state(self) -> StiffnessState:
        return StiffnessState(self._spell.start_s, self._spell.onset.fault is not None)

    @property
    def faults(self) -> tuple[Fault, ...]:
        fault = self._spell.onset.fault
        return (fault,) if fault else ()

    def summary(self) -> dict[str, Any]:
        return {"stiff_spells": self.stiff_spells}
