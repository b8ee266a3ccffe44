"""The pause / privacy state: toggled by the button, optionally resuming by itself.

Pure: presses arrive as calls with the frame's `t_s`; no clock is read here.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class PauseSpan:
    start_s: float
    end_s: float

    def to_json(self) -> dict:
        return {"kind": "pause", "start_s": round(self.start_s, 3), "end_s": round(self.end_s, 3)}


class PauseState:
    def __init__(self, auto_resume_min: float = 0.0) -> None:
        self.auto_resume_s = auto_resume_min * 60.0
        self.since_s: float | None = None  # paused since

    @property
    def paused(self) -> bool:
        return self.since_s is not None

    def toggle(self, t_s: float) -> PauseSpan | None:
        """A press: pause, or resume (returning the pause that ended)."""
        if self.since_s is None:
            self.since_s = t_s
            return None
        return self.resume(t_s)

    def resume(self, t_s: float) -> PauseSpan | None:
        if self.since_s is None:
            return None
        span = PauseSpan(self.since_s, max(t_s, self.since_s))
        self.since_s = None
        return span

    def check(self, t_s: float) -> PauseSpan | None:
        """Auto-resume once the pause has lasted `auto_resume_min` (when set)."""
        due = self.since_s is not None and self.auto_resume_s > 0
        if due and t_s - self.since_s >= self.auto_resume_s:
            return self.resume(self.since_s + self.auto_resume_s)
        return None
