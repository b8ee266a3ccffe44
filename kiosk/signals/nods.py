"""Nods: down-up dips of head pitch, counted, and trains of them flagged as impatient (live,
while the train goes on, and as an event when it ends)."""

from __future__ import annotations

import itertools
import math
from collections import deque
from dataclasses import dataclass
from typing import Any

from kiosk.config import NodsConfig, SignalsConfig
from kiosk.features.frame import FrameFeatures
from kiosk.signals.events import Event, Fault
from kiosk.signals.runs import Onset

_REFERENCE_S = 0.5  # a dip is measured from the highest pitch in this long before it
_RISE_TAU_S = 0.15  # rest follows a rising head this fast
_ENTER = 0.4  # a dip starts this fraction of the minimum amplitude below rest
_RECOVER = 0.6  # and ends once the head is back up this fraction of its depth
_BOTTOM = 0.25  # within this fraction of the depth from the trough is "at the bottom"
_MAX_BOTTOM_SHARE = 0.5  # of max_duration_s: a nod passes through its bottom


@dataclass(frozen=True)
class NodState:
    nod_completed: bool  # a nod completed on this frame (or was found on re-examination)
    nods_in_train: int  # nods in the current train (0: none going on)
    impatient_since_s: float | None  # the current train is impatient; since when


@dataclass
class _Train:
    """Nods closer together than train_gap_s: only what the verdict needs, not every nod."""

    first_s: float
    last_s: float
    count: int = 1
    impatient_since_s: float | None = None  # where it began, fixed once it is impatient

    def rate_hz(self) -> float:
        span_s = self.last_s - self.first_s
        return (self.count - 1) / span_s if span_s > 0 else math.inf

    def duration_s(self) -> float:
        return self.last_s - self.first_s + 1.0 / self.rate_hz()  # and the first nod's length


class NodSignal:
    """A dip is measured from the resting pitch (which follows the head up at once and down
    slowly, so posture drift is not a nod) and must come back up; it must be deep enough,
    neither too quick (jitter) nor too slow (a look down), move the head more up-down than
    sideways (a shake is not a nod), and pass through its bottom rather than stay there. When a
    dip turns out too long, the head has moved to a new posture: rest restarts there and the
    dip's frames are examined again, so nods that begin with a look down are still counted."""

    def __init__(self, config: NodsConfig, signals: SignalsConfig) -> None:
        self.config = config
        self.dropout_limit_s = signals.dropout_limit_s
        self._impatient = Onset("impatient_nodding")
        self.reset()

    def reset(self) -> None:
        self._lose_head()
        self.count = 0
        self.impatient_bouts = 0
        self._train: _Train | None = None
        self._impatient.reset()
        self.nod_completed = False
        self._last_t_s: float | None = None

    def _lose_head(self) -> None:
        self._rest: float | None = None
        self._prev_t_s: float | None = None
        self._history: deque[tuple[float, float]] = deque()  # (t_s, pitch) for the reference
        self._dip: dict[str, float] | None = None
        self._dip_samples: list[tuple[float, float, float]] = []  # (t_s, pitch, yaw)

    def update(self, t_s: float, features: FrameFeatures) -> list[Event]:
        """Feed one frame; the impatient-nodding event of a train that ended, if any."""
        if self._last_t_s is not None and t_s <= self._last_t_s:
            self.nod_completed = False
            return []
        gap_s = None if self._last_t_s is None else t_s - self._last_t_s
        self._last_t_s = t_s
        head = features.head
        before = self.count
        if head is None or (gap_s is not None and gap_s > self.dropout_limit_s):
            self._lose_head()  # a dip across a dropout is not a nod
        if head is not None:
            self._feed(t_s, head.pitch_deg, head.yaw_deg)
        self.nod_completed = self.count > before
        new = []
        if self._train is not None and t_s - self._train.last_s > self.config.train_gap_s:
            new = self._close_train()
        self._update_fault(t_s)
        return new

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
            self.count += 1
            if self._train is None:
                self._train = _Train(t_s, t_s)
            else:
                self._train.last_s, self._train.count = t_s, self._train.count + 1

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

    def _qualifies(self, train: _Train) -> bool:
        cfg = self.config
        return train.count >= cfg.impatient_min_nods and (
            train.rate_hz() >= cfg.impatient_rate_hz or train.duration_s() >= cfg.continuous_limit_s
        )

    def _update_fault(self, t_s: float) -> None:
        train = self._train
        qualifies = train is not None and self._qualifies(train)
        if qualifies and train.impatient_since_s is None:
            # Where the train began (less the first nod's length) is fixed once it is
            # impatient, so that the fault stays one fault as more nods refine the rate.
            train.impatient_since_s = train.first_s - 1.0 / train.rate_hz()
        self._impatient.update(t_s, train.impatient_since_s if qualifies else None, qualifies)

    def _close_train(self) -> list[Event]:
        train, self._train = self._train, None
        self._impatient.reset()
        if train is None or not self._qualifies(train):
            return []
        rate_hz = train.rate_hz()
        detail = {"nods": train.count, "rate_hz": round(rate_hz, 2)}
        self.impatient_bouts += 1
        start_s = train.impatient_since_s
        if start_s is None:
            start_s = train.first_s - 1.0 / rate_hz
        return [Event("impatient_nodding", start_s, train.last_s - start_s, detail)]

    def finish(self, t_s: float) -> list[Event]:
        return self._close_train()

    @property
    def state(self) -> NodState:
        impatient = self._impatient.fault
        return NodState(
            nod_completed=self.nod_completed,
            nods_in_train=self._train.count if self._train else 0,
            impatient_since_s=impatient.since_s if impatient else None,
        )

    @property
    def faults(self) -> tuple[Fault, ...]:
        return (self._impatient.fault,) if self._impatient.fault else ()

    def summary(self, visible_s: float) -> dict[str, Any]:
        return {
            "count": self.count,
            "per_minute": round(self.count / (visible_s / 60.0), 2) if visible_s > 0 else None,
            "impatient_bouts": self.impatient_bouts,
        }
