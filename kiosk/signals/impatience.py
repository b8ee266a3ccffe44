"""Impatience: the signs the guidance lists that a camera can see, gathered as events; watch
checks are found here, leaning back, turning away and nodding in their own signals."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

from kiosk.config import ImpatienceConfig, SignalsConfig
from kiosk.features.frame import FrameFeatures
from kiosk.signals.events import Event, Fault
from kiosk.signals.runs import Run, Runs

KINDS = ("leaning_back", "turned_away", "impatient_nodding", "watch_checks")
LOOKING_DOWN_DEG = 15.0  # gaze this far below the customer's eyes is looking down at something
_TOLERANCE_S = 0.2


@dataclass(frozen=True)
class WatchState:
    checking_since_s: float | None  # a wrist raised and looked at, since when
    recent_checks: int  # checks within the window not yet reported as a sign


def looking_down(features: FrameFeatures) -> bool:
    gaze = features.gaze
    return (
        gaze is not None
        and gaze.pitch_deg - (features.customer_pitch_deg or 0.0) < -LOOKING_DOWN_DEG
    )


class WatchCheckSignal:
    """Repeated watch checks: a wrist raised in front of the body while looking down at it.
    (Finger tapping is not measured: at the kiosk's resolution the hands on the counter are
    rarely seen well enough.)"""

    def __init__(self, config: ImpatienceConfig, signals: SignalsConfig) -> None:
        self.config = config
        self._raised = Runs(_TOLERANCE_S, signals.dropout_limit_s)
        self.reset()

    def reset(self) -> None:
        self._raised.reset()
        self._checks: list[float] = []  # starts of recent checks; emptied at two
        self.signs = 0
        self._last_t_s: float | None = None

    def update(self, t_s: float, features: FrameFeatures) -> list[Event]:
        if self._last_t_s is not None and t_s <= self._last_t_s:
            return []
        self._last_t_s = t_s
        checking = features.wrist_raised and looking_down(features)
        return self._close(self._raised.update(t_s, checking))

    def _close(self, run: Run | None) -> list[Event]:
        if run is None or run.duration_s < self.config.watch_check_min_s:
            return []
        window = self.config.watch_checks_window_s
        self._checks = [t for t in self._checks if run.start_s - t <= window] + [run.start_s]
        if len(self._checks) < 2:
            return []
        first_s, checks = self._checks[0], len(self._checks)
        self._checks = []
        self.signs += 1
        return [Event("watch_checks", first_s, run.end_s - first_s, {"checks": checks})]

    def finish(self, t_s: float) -> list[Event]:
        return self._close(self._raised.finish(t_s))

    @property
    def state(self) -> WatchState:
        raised = self._raised
        return WatchState(
            checking_since_s=raised.start_s if raised.holding else None,
            recent_checks=len(self._checks),
        )

    @property
    def faults(self) -> tuple[Fault, ...]:
        return ()  # no cue for watch checks (see FaultKind)


def impatience_summary(events: list[Event]) -> dict[str, Any]:
    signs = [e for e in events if e.kind in KINDS]
    return {"events": len(signs), "kinds": dict(Counter(e.kind for e in signs))}
