"""Nods: down-up dips of head pitch, counted, and trains of them flagged as impatient.

A dip is measured from the resting pitch (which follows the head up at once and down slowly,
so posture drift is not a nod) and must come back up; it must be deep enough, neither too quick
(jitter) nor too slow (a look down), move the head more up-down than sideways (a shake is not a
nod), and pass through its bottom rather than stay there. When a dip turns out too long, the
head has moved to a new posture: rest restarts there and the dip's frames are examined again, so
nods that begin with a look down (at a form, say) are still counted.
"""

from __future__ import annotations

import itertools
import math
from collections import deque
from typing import Any

from kiosk.config import NodsConfig
from kiosk.signals.events import Event

_REFERENCE_S = 0.5  # a dip is measured from the highest pitch in this long before it
_RISE_TAU_S = 0.15  # rest follows a rising head this fast
_ENTER = 0.4  # a dip starts this fraction of the minimum amplitude below rest
_RECOVER = 0.6  # and ends once the head is back up this fraction of its depth
_BOTTOM = 0.25  # within this fraction of the depth from the trough is "at the bottom"
_MAX_BOTTOM_SHARE = 0.5  # of max_duration_s: a nod passes through its bottom


class NodSignal:
    def __init__(self, config: NodsConfig) -> None:
        self.config = config
        self._rest: float | None = None
        self._prev_t_s: float | None = None
        self._history: deque[tuple[float, float]] = deque()  # (t_s, pitch) for the reference
        self._dip: dict[str, float] | None = None
        self._dip_samples: list[tuple[float, float, float]] = []  # (t_s, pitch, yaw)
        self.completions: list[float] = []
        self._train: list[float] = []
        self.events: list[Event] = []

    def update(self, t_s: float, pitch_deg: float | None, yaw_deg: float | None) -> bool:
        """Feed one frame; True when a nod completes on it (or is found on re-examination)."""
        if pitch_deg is None or yaw_deg is None:
            self._dip = None
            self._rest, self._prev_t_s = None, None
            self._history.clear()
            return False
        before = len(self.completions)
        self._feed(t_s, pitch_deg, yaw_deg)
        if self._train and t_s - self._train[-1] > self.config.train_gap_s:
            self._close_train()
        return len(self.completions) > before

    def _feed(self, t_s: float, pitch: float, yaw: float) -> None:
        if self._rest is None:
            self._rest, self._prev_t_s = pitch, t_s
            self._history.append((t_s, pitch))
            return
        dt = max(0.0, t_s - self._prev_t_s)
        self._prev_t_s = t_s
        self._step(t_s, pitch, yaw)
        if self._dip is None:
            tau_s = _RISE_TAU_S if pitch > self._rest else self.config.rest_tau_s
            self._rest += (1.0 - math.exp(-dt / tau_s)) * (pitch - self._rest)
        self._history.append((t_s, pitch))
        while self._history and self._history[0][0] < t_s - _REFERENCE_S:
            self._history.popleft()

    def _step(self, t_s: float, pitch: float, yaw: float) -> None:
        cfg = self.config
        if self._dip is None:
            if pitch < self._rest - _ENTER * cfg.min_amplitude_deg:
                reference = max([self._rest] + [p for _, p in self._history])
                self._dip = {"start": t_s, "ref": reference, "trough": pitch}
                self._dip_samples = [(t_s, pitch, yaw)]
            return
        dip = self._dip
        self._dip_samples.append((t_s, pitch, yaw))
        dip["trough"] = min(dip["trough"], pitch)
        depth = dip["ref"] - dip["trough"]
        if t_s - dip["start"] > cfg.max_duration_s:
            self._restart_from_new_posture()
            return
        if pitch < dip["trough"] + _RECOVER * depth:
            return
        self._dip = None
        yaws = [y for _, _, y in self._dip_samples]
        if (
            depth >= cfg.min_amplitude_deg
            and t_s - dip["start"] >= cfg.min_duration_s - 1e-6  # frame times are inexact
            and max(yaws) - min(yaws) < depth
            and self._bottom_time_s(dip["trough"], depth) <= _MAX_BOTTOM_SHARE * cfg.max_duration_s
        ):
            self.completions.append(t_s)
            self._train.append(t_s)

    def _restart_from_new_posture(self) -> None:
        """A dip too long for a nod: rest becomes the top of the recent movement, and the
        dip's frames since the head reached the new level are fed again."""
        samples = self._dip_samples
        recent = [p for t, p, _ in samples if t >= samples[-1][0] - _REFERENCE_S]
        self._dip = None
        self._rest = max(recent)
        self._history = deque((t, p) for t, p, _ in samples if t >= samples[-1][0] - _REFERENCE_S)
        settled = next(i for i, (_, p, _) in enumerate(samples) if p <= self._rest + 0.5)
        self._prev_t_s = samples[settled][0]
        for t, p, y in samples[settled + 1 :]:
            self._feed(t, p, y)

    def _bottom_time_s(self, trough: float, depth: float) -> float:
        """Time the dip spent near its trough."""
        return sum(
            t1 - t0
            for (t0, p0, _), (t1, _, _) in itertools.pairwise(self._dip_samples)
            if p0 <= trough + _BOTTOM * depth
        )

    def _close_train(self) -> None:
        train, self._train = self._train, []
        cfg = self.config
        if len(train) < cfg.impatient_min_nods:
            return
        span_s = train[-1] - train[0]
        rate_hz = (len(train) - 1) / span_s if span_s > 0 else math.inf
        duration_s = span_s + 1.0 / rate_hz  # the first nod's own length
        if rate_hz >= cfg.impatient_rate_hz or duration_s >= cfg.continuous_limit_s:
            detail = {"nods": len(train), "rate_hz": round(rate_hz, 2)}
            self.events.append(
                Event("impatient_nodding", train[0] - 1.0 / rate_hz, duration_s, detail)
            )

    def finish(self, t_s: float) -> list[Event]:
        before = len(self.events)
        self._close_train()
        return self.events[before:]

    def summary(self, visible_s: float) -> dict[str, Any]:
        count = len(self.completions)
        return {
            "count": count,
            "per_minute": round(count / (visible_s / 60.0), 2) if visible_s > 0 else None,
            "impatient_bouts": len(self.events),
        }
