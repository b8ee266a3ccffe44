"""The greeting: how long after a customer arrives the agent first looks at them.

"As soon as a customer approaches, whatever you are doing, look at their face." The clock starts
at the customer's arrival (the first presence reading, before the interaction is confirmed), so
the frames between arrival and the start of the interaction are watched too (`observe`).
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from typing import Any

from kiosk.config import GreetingConfig
from kiosk.features.frame import FrameFeatures
from kiosk.signals.events import Event, Fault
from kiosk.signals.runs import Onset

# Glances seen before an interaction starts are kept this long (an interaction starts at most
# [presence] min_present_s, 120 s, after the arrival), and at most this many.
_KEEP_S = 130.0
_KEEP_MAX = 4096


@dataclass(frozen=True)
class GreetingState:
    waiting_since_s: float | None  # the customer's arrival, while no look has greeted them
    greeting_s: float | None  # arrival to the first look, once it came


class GreetingSignal:
    def __init__(self, config: GreetingConfig) -> None:
        self.config = config
        self._looks: deque[float] = deque(maxlen=_KEEP_MAX)  # frames looking at the customer
        self._seen_s: float | None = None  # the last frame outside interactions with the agent
        self.reset()

    def reset(self) -> None:
        self.arrived_s: float | None = None
        self.greeting_s: float | None = None
        self._agent_seen = False  # the agent was at the counter since the arrival
        self._onset = Onset("slow_greeting")
        self._last_t_s: float | None = None

    def observe(self, t_s: float, features: FrameFeatures) -> None:
        """A frame outside an interaction: remember a look, in case a customer just arrived."""
        if features.gaze_on_customer:
            self._looks.append(t_s)
        if features.gaze_on_customer is not None:
            self._seen_s = t_s
        while self._looks and self._looks[0] < t_s - _KEEP_S:
            self._looks.popleft()

    def start(self, arrived_s: float) -> None:
        """An interaction starts: its customer arrived at `arrived_s` (a look since counts)."""
        self.arrived_s = arrived_s
        self._agent_seen = self._seen_s is not None and self._seen_s >= arrived_s
        looks = [t for t in self._looks if t >= arrived_s]
        self._looks.clear()
        if looks:
            self.greeting_s = looks[0] - arrived_s

    def update(self, t_s: float, features: FrameFeatures) -> list[Event]:
        if self._last_t_s is not None and t_s <= self._last_t_s:
            return []
        self._last_t_s = t_s
        if self.arrived_s is None:  # a whole clip (analyze): the customer is there from the start
            self.arrived_s = t_s
        # Nobody at the counter (no face, no body) is absence, not a slow greeting.
        self._agent_seen = self._agent_seen or features.gaze_on_customer is not None
        new = []
        if self.greeting_s is None and features.gaze_on_customer:
            self.greeting_s = t_s - self.arrived_s
            if self.greeting_s > self.config.limit_s:
                new.append(self._event(self.greeting_s))
        waiting = self.greeting_s is None and self._agent_seen
        self._onset.update(
            t_s,
            self.arrived_s if waiting else None,
            waiting and t_s - self.arrived_s >= self.config.limit_s,
        )
        return new

    def _event(self, duration_s: float) -> Event:
        assert self.arrived_s is not None
        greeting = None if self.greeting_s is None else round(self.greeting_s, 3)
        return Event("slow_greeting", self.arrived_s, duration_s, {"greeting_s": greeting})

    def finish(self, t_s: float) -> list[Event]:
        """The customer left: never greeted within the limit is a slow greeting (greeting_s
        null), if the agent was there; an interaction shorter than the limit without a look
        gives no verdict."""
        self._onset.reset()
        arrived_s = self.arrived_s
        if self.greeting_s is not None or arrived_s is None or not self._agent_seen:
            return []
        return [self._event(t_s - arrived_s)] if t_s - arrived_s > self.config.limit_s else []

    @property
    def state(self) -> GreetingState:
        waiting = self.greeting_s is None and self.arrived_s is not None
        return GreetingState(self.arrived_s if waiting else None, self.greeting_s)

    @property
    def faults(self) -> tuple[Fault, ...]:
        fault = self._onset.fault
        return (fault,) if fault else ()

    def summary(self) -> dict[str, Any]:
        return {"greeting_s": None if self.greeting_s is None else round(self.greeting_s, 3)}
