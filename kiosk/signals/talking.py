"""Whether the agent is talking, from their own mouth: the lips' inner gap opening and closing
several times a second (speech), not once each way (a head turn changes the gap seen too)."""

from __future__ import annotations

import math
from collections import deque

from kiosk.config import NodsConfig


class Talking:
    """The mouth's opening followed as a zigzag: a swing is a move of `talking_mouth_range` back
    from the extreme reached since the last swing, the other way. Two swings within
    `talking_window_s` are talking, which lasts `talking_hold_s` after the last of them."""

    def __init__(self, config: NodsConfig) -> None:
        self.config = config
        self.reset()

    def reset(self) -> None:
        self._swings: deque[float] = deque()  # when the opening swung lately
        self._low: float | None = None  # its lowest since it last swung up
        self._high: float | None = None  # its highest since it last swung down
        self._rising: bool | None = None  # the direction of its last swing
        self._until_s = -math.inf

    def update(self, t_s: float, opening: float | None) -> None:
        """Feed one frame's opening (None: not seen, which says nothing)."""
        cfg = self.config
        if opening is not None:
            self._swing(t_s, opening)
        while self._swings and self._swings[0] < t_s - cfg.talking_window_s:
            self._swings.popleft()
        if len(self._swings) >= 2:
            self._until_s = t_s + cfg.talking_hold_s

    def talking(self, t_s: float) -> bool:
        return t_s <= self._until_s

    def _swing(self, t_s: float, opening: float) -> None:
        reach = self.config.talking_mouth_range
        if self._rising is None:
            self._low = opening if self._low is None else min(opening, self._low)
            self._high = opening if self._high is None else max(opening, self._high)
        if self._rising is not True and opening - self._low >= reach:
            self._swings.append(t_s)
            self._rising, self._high = True, opening
        elif self._rising is not False and self._high - opening >= reach:
            self._swings.append(t_s)
            self._rising, self._low = False, opening
        elif self._rising is True:
            self._high = max(self._high, opening)
        elif self._rising is False:
            self._low = min(self._low, opening)
