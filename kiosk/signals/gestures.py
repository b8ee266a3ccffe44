"""Gestures from the arms: hands moving in view (natural gestures), hands never seen in a whole
interaction with the arms held down (hidden hands, which reads as nervous), and wide, fast
swings above the shoulders or beyond the body's width (a conductor's, which distracts).

The body model runs every few frames and its landmarks are held in between, so a wrist's speed
is measured over `window_s`, from the oldest sample in that window, never frame to frame.
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass
from typing import Any

from kiosk.config import GesturesConfig, SignalsConfig
from kiosk.features.frame import FrameFeatures
from kiosk.signals.events import Event, Fault
from kiosk.signals.runs import Onset, Run, Runs, TimeShare

_SWING_BREAK_S = 0.3  # a swing that pauses for less than this is the same swing
_SWING_HOLD_S = 1.0  # the wide-gesture fault lasts this long after the last swing


@dataclass(frozen=True)
class GesturesState:
    gesturing: bool  # a hand moving in view on this frame
    wide_since_s: float | None  # wide swinging, wide_fault_s of it within wide_window_s


class GesturesSignal:
    def __init__(self, config: GesturesConfig, signals: SignalsConfig) -> None:
        self.config = config
        self.dropout_limit_s = signals.dropout_limit_s
        self._swing = Runs(_SWING_BREAK_S, self.dropout_limit_s)
        self._onset = Onset("wide_gesture")
        self._share = TimeShare(self.dropout_limit_s)
        self.reset()

    def reset(self) -> None:
        self._swing.reset()
        self._onset.reset()
        self._share.reset()
        self._samples: deque[tuple[float, tuple]] = deque()
        self._last_speeds: list[float | None] = [None, None]
        self._arms_t_s: float | None = None  # the last frame with the arms in view
        # Recent wide swinging: (frame time, seconds since the frame before), both wide.
        self._wide_steps: deque[tuple[float, float]] = deque()
        self._was_wide_s: float | None = None
        self.wide_gestures = 0
        self.gesturing = False
        self._last_t_s: float | None = None
        self._start_s: float | None = None
        self._hands_seen = False
        self._arms_s = 0.0  # time the shoulders were in view
        self._down_s = 0.0  # ... with both elbows in view and hanging

    def _speeds(self, t_s: float, wrists: tuple) -> list[float | None]:
        """Each wrist's speed over the window, in shoulder widths per second (None: not seen
        at both ends of it). Wrists exactly as on the last sample, less than a window ago, are
        the body model's result held between its runs (a measurement never repeats to the last
        digit): the speeds measured at that run still hold."""
        samples = self._samples
        if samples and samples[-1][1] == wrists and t_s - samples[-1][0] < self.config.window_s:
            return self._last_speeds
        samples.append((t_s, wrists))
        while len(samples) > 1 and samples[1][0] <= t_s - self.config.window_s:
            samples.popleft()
        then_s, then = samples[0]
        self._last_speeds: list[float | None] = [None, None]
        if t_s - then_s < self.config.window_s / 2:
            return self._last_speeds
        out: list[float | None] = []
        for now_at, then_at in zip(wrists, then, strict=True):
            if now_at is None or then_at is None:
                out.append(None)
            else:
                distance = math.hypot(now_at[0] - then_at[0], now_at[1] - then_at[1])
                out.append(distance / (t_s - then_s))
        self._last_speeds = out
        return out

    def update(self, t_s: float, features: FrameFeatures) -> list[Event]:
        if self._last_t_s is not None and t_s <= self._last_t_s:
            return []
        if self._last_t_s is not None and t_s - self._last_t_s > self.dropout_limit_s:
            self._samples.clear()  # speeds never span a dropout
        self._last_t_s = t_s
        if self._start_s is None:
            self._start_s = t_s
        arms = features.arms
        self._hands_seen = self._hands_seen or bool(features.hands)
        if arms is None:
            self._arms_t_s = None
            self.gesturing = False
            self._share.update(t_s, None)
            self._samples.clear()
            return self._close(self._swing.expire(t_s))
        step_s = self._step_s(t_s)
        self._arms_s += step_s
        self._down_s += step_s if arms.elbows_down else 0.0
        self._hands_seen = self._hands_seen or any(w is not None for w in arms.wrists_sw)
        speeds = self._speeds(t_s, arms.wrists_sw)
        c = self.config
        self.gesturing = any(v is not None and v >= c.moving_sw_s for v in speeds)
        self._share.update(t_s, self.gesturing)
        wide = any(
            v is not None and v >= c.wide_sw_s and w for v, w in zip(speeds, arms.wide, strict=True)
        )
        if wide and self._was_wide_s is not None and t_s - self._was_wide_s <= _SWING_HOLD_S:
            self._wide_steps.append((t_s, t_s - self._was_wide_s))
        self._was_wide_s = t_s if wide else self._was_wide_s
        new = self._close(self._swing.update(t_s, wide))
        while self._wide_steps and self._wide_steps[0][0] < t_s - c.wide_window_s:
            self._wide_steps.popleft()
        recent = self._was_wide_s is not None and t_s - self._was_wide_s <= _SWING_HOLD_S
        swinging_s = sum(step for _, step in self._wide_steps)
        since_s = self._wide_steps[0][0] if self._wide_steps else None
        self._onset.update(t_s, since_s, recent and swinging_s >= c.wide_fault_s)
        return new

    def _step_s(self, t_s: float) -> float:
        """Time this frame stands for: since the last frame with the arms in view (nothing
        across a dropout or a frame without them)."""
        previous, self._arms_t_s = self._arms_t_s, t_s
        if previous is None or t_s - previous > self.dropout_limit_s:
            return 0.0
        return t_s - previous

    def _close(self, swing: Run | None) -> list[Event]:
        if swing is None:
            return []
        self.wide_gestures += 1
        return [Event("wide_gesture", swing.start_s, swing.duration_s)]

    def finish(self, t_s: float) -> list[Event]:
        new = self._close(self._swing.finish(t_s))
        self._share.finish(t_s)
        self._onset.reset()
        if self.hidden_hands and self._start_s is not None:
            new.append(Event("hidden_hands", self._start_s, t_s - self._start_s))
        return new

    @property
    def hidden_hands(self) -> bool | None:
        """Hands never seen while the arms hung at the sides for most of a long enough
        interaction; None when that could not be judged (elbows out of view, too short)."""
        if self._hands_seen:
            return False
        if self._arms_s < self.config.hidden_min_s or self._down_s * 2 < self._arms_s:
            return None
        return True

    @property
    def state(self) -> GesturesState:
        fault = self._onset.fault
        return GesturesState(self.gesturing, fault.since_s if fault else None)

    @property
    def faults(self) -> tuple[Fault, ...]:
        fault = self._onset.fault
        return (fault,) if fault else ()

    def summary(self) -> dict[str, Any]:
        return {
            "gesturing_ratio": self._share.ratio,
            "wide_gestures": self.wide_gestures,
            "hidden_hands": self.hidden_hands,
        }
