"""Logging a problem that repeats (every frame, every reconnect) at most once per interval for
each kind of it, counting the rest: a journal the installer can still read after a bad night."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

LOG_EVERY_S = 60.0


class Throttle:
    """Logs a repeated problem at most once per `every_s` for each key, counting the rest."""

    def __init__(
        self,
        every_s: float = LOG_EVERY_S,
        clock: Callable[[], float] = time.monotonic,
        logger: logging.Logger | None = None,
    ):
        self.every_s = every_s
        self.clock = clock
        self.logger = logger or logging.getLogger(__name__)
        self._last: dict[str, float] = {}
        self._quiet: dict[str, int] = {}

    def __call__(
        self, level: int, key: str, message: str, *args: Any, exc_info: bool = False
    ) -> None:
        now = self.clock()
        last = self._last.get(key)
        if last is not None and now - last < self.every_s:
            self._quiet[key] = self._quiet.get(key, 0) + 1
            return
        quiet = self._quiet.pop(key, 0)
        self._last[key] = now
        suffix = f" ({quiet} more like this since)" if quiet else ""
        self.logger.log(level, message + suffix, *args, exc_info=exc_info)
