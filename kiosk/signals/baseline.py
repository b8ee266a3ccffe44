"""Baselines the signals measure against (the lean neutral, the square-on shoulder width), each
learned from the agent's first stretch of presence in bounded memory, and learned again later."""

from __future__ import annotations

import math
import statistics
from collections.abc import Callable

_MAX_SAMPLES = 600  # a window keeps at most this many samples, one per 0.1 s or sparser
_MIN_STEP_S = 0.1


class LearnedValue:
    """A statistic of the samples in the first `window_s` after the first sample, then held.

    Until the window is over the value is provisional (the statistic so far). The window keeps a
    time-decimated sample, so its size does not depend on the frame rate. When no face has been
    seen for `relearn_after_s`, the agent may be someone else: learning starts again on the next
    sample. A `fixed` value (a calibration) is used as it is and never learned.
    """

    def __init__(
        self,
        window_s: float,
        relearn_after_s: float,
        statistic: Callable[[list[float]], float],
        fixed: float | None = None,
    ) -> None:
        self.window_s = window_s
        self.relearn_after_s = relearn_after_s
        self.statistic = statistic
        self.fixed = fixed
        self._step_s = max(_MIN_STEP_S, window_s / _MAX_SAMPLES)
        self._last_seen_s: float | None = None
        self._last_t_s: float | None = None
        self.reset()

    def reset(self) -> None:
        """Forget what was learned (a calibration stays)."""
        self.value: float | None = self.fixed
        self._samples: list[float] = []
        self._start_s: float | None = None
        self._kept_s: float | None = None  # when the last sample was kept
        self.settled = self.fixed is not None

    @property
    def learned_s(self) -> float:
        """Seconds of the window covered so far (the whole window once settled)."""
        if self.settled:
            return self.window_s
        if self._start_s is None or self._kept_s is None:
            return 0.0
        return self._kept_s - self._start_s

    @property
    def sample_count(self) -> int:
        return len(self._samples)

    def update(self, t_s: float, sample: float | None, seen: bool) -> None:
        """`sample`: this frame's measurement (None: none); `seen`: the agent's face is seen."""
        if self._last_t_s is not None and t_s <= self._last_t_s:
            return
        self._last_t_s = t_s
        if seen:
            away = self._last_seen_s is not None and t_s - self._last_seen_s > self.relearn_after_s
            if away and self.fixed is None:
                self.reset()
            self._last_seen_s = t_s
        if sample is None or self.settled:
            return
        if self._start_s is None:
            self._start_s = t_s
        if t_s - self._start_s > self.window_s:
            if self._samples:
                self.value = self.statistic(self._samples)
            self._samples = []
            self.settled = True
            return
        if self._kept_s is None or t_s - self._kept_s >= self._step_s:
            self._samples.append(sample)
            self._kept_s = t_s
            self.value = self.statistic(self._samples)


def median(samples: list[float]) -> float:
    return float(statistics.median(samples))


def percentile(q: float) -> Callable[[list[float]], float]:
    """numpy's default (linear) percentile, step for step in plain floats: the same value
    without numpy's per-call overhead, which a provisional baseline pays every 0.1 s."""

    def statistic(samples: list[float]) -> float:
        ordered = sorted(samples)
        position = (q / 100) * (len(ordered) - 1)
        low = math.floor(position)
        high = min(low + 1, len(ordered) - 1)
        gamma = position - low
        a, b = ordered[low], ordered[high]
        step = b - a
        return b - step * (1 - gamma) if gamma >= 0.5 else a + step * gamma

    return statistic
