"""Impatience: the signs the guidance lists that a camera can see, gathered as events.

Leaning back, turning away, impatient nodding come from their own signals; repeated watch checks
(a wrist raised in front of the body while looking down at it) are found here. Finger tapping is
not measured: at the kiosk's resolution the hands on the counter are rarely seen well enough.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from kiosk.config import ImpatienceConfig
from kiosk.signals.events import Event, Runs

KINDS = ("leaning_back", "turned_away", "impatient_nodding", "watch_checks")


class WatchCheckSignal:
    def __init__(self, config: ImpatienceConfig) -> None:
        self.config = config
        self._raised = Runs(0.2)
        self._checks: list[float] = []
        self.events: list[Event] = []

    def update(self, t_s: float, wrist_raised: bool, looking_down: bool) -> list[Event]:
        return self._close(self._raised.update(t_s, wrist_raised and looking_down))

    def _close(self, run) -> list[Event]:
        if run is None or run.duration_s < self.config.watch_check_min_s:
            return []
        window = self.config.watch_checks_window_s
        self._checks = [t for t in self._checks if run.start_s - t <= window] + [run.start_s]
        if len(self._checks) >= 2:
            event = Event(
                "watch_checks",
                self._checks[0],
                run.end_s - self._checks[0],
                {"checks": len(self._checks)},
            )
            self._checks = []
            self.events.append(event)
            return [event]
        return []

    def finish(self, t_s: float) -> list[Event]:
        return self._close(self._raised.finish(t_s))


def impatience_summary(events: list[Event]) -> dict[str, Any]:
    signs = [e for e in events if e.kind in KINDS]
    return {"events": len(signs), "kinds": dict(Counter(e.kind for e in signs))}
