"""Nudge rules: which single cue the agent's LEDs show, frame by frame, from the faults going on.

Pure: faults and `t_s` in, the lit cue and new nudges out. One cue at a time; a cue lights on the
frame its fault reaches its minimum time (if allowed), stays at least `min_show_s`, goes dark once
the fault has been clear for `clear_s` (hysteresis) or after `max_show_s`; each cue has a
cooldown, all cues together at most one new nudge per `min_interval_s`, and the highest priority
wins; immediate cues (pointing at the face) pre-empt and ignore the global limit. Nothing shows
without a customer or while paused.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass

from kiosk.config import CueConfig, CuesConfig, NudgesConfig
from kiosk.signals.events import Fault

ACKNOWLEDGE_CUE = "well_done"

_REASONS = {
    "no_eye_contact": "no glance at the customer since {since}",
    "staring": "one unbroken gaze since {since}",
    "not_facing": "head and body turned away since {since}",
    "head_only_turn": "only the head toward the customer since {since}",
    "leaning_back": "leaning back since {since}",
    "impatient_nodding": "fast or continuous nodding since {since}",
    "pointing": "pointing at the customer since {since}",
    "pointing_at_face": "pointing at the customer's face since {since}",
    "slow_greeting": "no look at the customer since they arrived at {since}",
    "frown": "brows drawn down since {since}",
    "blank_stare": "a fixed, vacant look since {since}",
    "stiff": "head, hands and arms still since {since}",
    "wide_gesture": "wide, fast gestures since {since}",
}


@dataclass(frozen=True)
class Nudge:
    """A cue lit at `t_s` (frame time) for a fault that began at `since_s` and reached its
    minimum time at `fault_active_s`."""

    cue: str
    t_s: float
    since_s: float
    fault_active_s: float
    reason: str

    def to_json(self) -> dict:
        return {
            "kind": "nudge",
            "cue": self.cue,
            "t_s": round(self.t_s, 3),
            "fault_since_s": round(self.since_s, 3),
            "fault_active_s": round(self.fault_active_s, 3),
            "reason": self.reason,
        }


class NudgeRules:
    def __init__(self, nudges: NudgesConfig, cues: CuesConfig) -> None:
        self.config = nudges
        self.cues: dict[str, CueConfig] = {
            f.name: getattr(cues, f.name) for f in dataclasses.fields(cues)
        }
        self.cue: str | None = None  # lit now
        self._lit_s = 0.0
        self._until_s: float | None = None  # a timed cue (the acknowledgement) ends here
        self._clear_since_s: float | None = None
        self._last_nudge_s: dict[str, float] = {}
        self._last_any_s: float | None = None
        self.nudges_this_interaction = 0
        self.held: list[tuple[str, str]] = []
        self._active: set[str] = set()

    def _enabled(self, kind: str) -> CueConfig | None:
        cue = self.cues.get(kind)
        return cue if cue is not None and cue.enabled else None

    def _cooling(self, kind: str, t_s: float) -> bool:
        last = self._last_nudge_s.get(kind)
        return last is not None and t_s - last < self.cues[kind].cooldown_s

    def _globally_limited(self, t_s: float) -> bool:
        return self._last_any_s is not None and t_s - self._last_any_s < self.config.min_interval_s

    def update(
        self, t_s: float, faults: Sequence[Fault], *, customer: bool, paused: bool = False
    ) -> list[Nudge]:
        """Advance to frame time `t_s`; returns the nudges that start on this frame.

        `held` then lists the faults that became active on this frame but are not shown, each
        with the reason (for the demo and the log).
        """
        self.held = []
        if self._until_s is not None:  # the acknowledgement plays out whatever else happens
            if t_s < self._until_s:
                return []
            self._dark()
        if paused or not customer:
            self._dark()
            self._active = set()
            return []
        active = {f.kind: f for f in faults if self._enabled(f.kind)}
        if self.cue is not None:
            self._maybe_end(t_s, active)
        nudges = self._choose(t_s, active)
        shown = {n.cue for n in nudges} | {self.cue}
        self.held = [
            (kind, self._why_held(kind, t_s))
            for kind in active
            if kind not in self._active and kind not in shown
        ]
        self._active = set(active)
        return nudges

    def _choose(self, t_s: float, active: dict[str, Fault]) -> list[Nudge]:
        candidates = [
            f
            for kind, f in active.items()
            if not self._cooling(kind, t_s)
            and kind != self.cue
            and (self.cues[kind].immediate or not self._globally_limited(t_s))
        ]
        if not candidates:
            return []
        best = max(candidates, key=lambda f: self.cues[f.kind].priority)
        if self.cue is not None:
            new, lit = self.cues[best.kind], self.cues[self.cue]
            if not (new.immediate and new.priority > lit.priority):
                return []
        return [self._light(best, t_s)]

    def _why_held(self, kind: str, t_s: float) -> str:
        if self._cooling(kind, t_s):
            until_s = self._last_nudge_s[kind] + self.cues[kind].cooldown_s
            return f"its cooldown runs until t={until_s:.1f} s"
        if self.cue is not None:
            return f"{self.cue} is showing"
        if self._globally_limited(t_s) and self._last_any_s is not None:
            next_s = self._last_any_s + self.config.min_interval_s
            return (
                f"at most one nudge per {self.config.min_interval_s:g} s (next at t={next_s:.1f} s)"
            )
        return "a fault of higher priority is showing"

    def _maybe_end(self, t_s: float, active: dict[str, Fault]) -> None:
        shown_s = t_s - self._lit_s
        if shown_s >= self.config.max_show_s:
            self._dark()
            return
        if self.cue in active:
            self._clear_since_s = None
            return
        if self._clear_since_s is None:
            self._clear_since_s = t_s
        if t_s - self._clear_since_s >= self.config.clear_s and shown_s >= self.config.min_show_s:
            self._dark()

    def _light(self, fault: Fault, t_s: float) -> Nudge:
        self.cue, self._lit_s, self._clear_since_s = fault.kind, t_s, None
        self._last_nudge_s[fault.kind] = t_s
        self._last_any_s = t_s
        self.nudges_this_interaction += 1
        reason = _REASONS[fault.kind].format(since=f"t={fault.since_s:.1f} s")
        return Nudge(fault.kind, t_s, fault.since_s, fault.active_s, reason)

    def _dark(self) -> None:
        self.cue, self._until_s, self._clear_since_s = None, None, None

    def clear(self) -> None:
        """Every cue dark at once (pause, camera fault, shutdown), the acknowledgement too."""
        self._dark()
        self._active = set()

    def start_interaction(self) -> None:
        self.nudges_this_interaction = 0

    def acknowledge(self, t_s: float, duration_s: float, faults_seen: int) -> Nudge | None:
        """After an interaction, on the frame `t_s` that closes it: a brief well_done cue when
        it was long enough and went without a nudge or a fault (and the cue is enabled)."""
        cue = self._enabled(ACKNOWLEDGE_CUE)
        if (
            cue is None
            or duration_s < self.config.acknowledge_min_s
            or faults_seen
            or self.nudges_this_interaction
        ):
            return None
        self.cue, self._lit_s, self._clear_since_s = ACKNOWLEDGE_CUE, t_s, None
        self._until_s = t_s + max(self.config.min_show_s, 1.0)
        return Nudge(ACKNOWLEDGE_CUE, t_s, t_s, t_s, "an interaction without a fault")
