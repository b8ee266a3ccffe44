"""Impatience: the signs the guidance lists that a camera can see, gathered as events; watch
checks are found here, leaning back, turning away and nodding in their own signals."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

import numpy as np

from kiosk.config import ImpatienceConfig, SignalsConfig
from kiosk.features.frame import FrameFeatures
from kiosk.features.gaze import angle_between_deg, direction_vector
from kiosk.signals.events import Event, Fault
from kiosk.signals.runs import Run, Runs

KINDS = ("leaning_back", "turned_away", "impatient_nodding", "watch_checks")
_TOLERANCE_S = 0.2


@dataclass(frozen=True)
class WatchState:
    checking_since_s: float | None  # a wrist raised and looked at, since when
    recent_checks: int  # checks within the window not yet reported as a sign


def watch_glance(features: FrameFeatures, cone_deg: float) -> bool:
    """This frame, a wrist held up as for reading a watch (see `watch_wrists`) and looked at:
    the gaze, or the head's direction from the body when the face mesh has lost a face turned
    down, within `cone_deg` of the direction from the eyes to that wrist."""
    if not features.watch_wrists:
        return False
    if features.gaze is not None:
        if not features.gaze.eyes_open:
            return False
        looking = np.array(features.gaze.vector)
    elif features.head_from_pose is not None:
        head = features.head_from_pose
        looking = direction_vector(head.yaw_deg, head.pitch_deg)
    else:
        return False
    return any(angle_between_deg(looking, np.array(d)) <= cone_deg for d in features.watch_wrists)


class WatchCheckSignal:
    """Watch checks: each glance at a wrist held up in front of the chest (`watch_check`), and
    two or more within the window as a sign of impatience (`watch_checks`). Writing at the
    counter and drinking are not glances: the wrist is too low, or the hand at the mouth.
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
        self.glances = 0
        self.glancing = False  # this frame
        self._last_t_s: float | None = None

    def update(self, t_s: float, features: FrameFeatures) -> list[Event]:
        if self._last_t_s is not None and t_s <= self._last_t_s:
            return []
        self._last_t_s = t_s
        self.glancing = watch_glance(features, self.config.watch_gaze_cone_deg)
        return self._close(self._raised.update(t_s, self.glancing))

    def _close(self, run: Run | None) -> list[Event]:
        if run is None or run.duration_s < self.config.watch_check_min_s:
            return []
        self.glances += 1
        new = [Event("watch_check", run.start_s, run.duration_s)]
        window = self.config.watch_checks_window_s
        self._checks = [t for t in self._checks if run.start_s - t <= window] + [run.start_s]
        if len(self._checks) < 2:
            return new
        first_s, checks = self._checks[0], len(self._checks)
        self._checks = []
        self.signs += 1
        return [*new, Event("watch_checks", first_s, run.end_s - first_s, {"checks": checks})]

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
