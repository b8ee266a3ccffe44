"""The pause / privacy button: delivers presses, from a GPIO button or the console's Enter key.

What a press means (pause, resume) is decided by `kiosk.feedback.pause`; this only reports it.
"""

from __future__ import annotations

import logging
import sys
import threading
from collections.abc import Callable
from typing import TextIO

log = logging.getLogger(__name__)

# Long enough to swallow a tactile switch's contact bounce, short enough for a double press.
BOUNCE_TIME_S = 0.05


class PauseButton:
    """A push button from the pin to ground (internal pull-up); `on_press` runs on gpiozero's
    thread once per press."""

    def __init__(self, pin: int, on_press: Callable[[], None], *, pin_factory=None):
        from gpiozero import Button

        from kiosk.gpio import open_device
        from kiosk.gpio import pin_factory as default_pin_factory

        if pin_factory is None:
            pin_factory = default_pin_factory("gpio")
        self._button = open_device(
            lambda: Button(pin, pull_up=True, bounce_time=BOUNCE_TIME_S, pin_factory=pin_factory),
            f"[pause] pin GPIO{pin}",
        )
        # A plain wrapper: gpiozero passes the device to callbacks that accept one argument.
        self._button.when_pressed = lambda: on_press()

    def close(self) -> None:
        if self._button is not None:
            self._button.when_pressed = None
            self._button.close()
            self._button = None


class KeyboardPause:
    """The console's pause button: each line (Enter) read from `stream` is a press.

    Reads only from a terminal unless `force`, so a service with stdin on /dev/null or a pipe
    is not paused by whatever arrives there.
    """

    def __init__(
        self, on_press: Callable[[], None], stream: TextIO | None = None, *, force: bool = False
    ):
        self._stream = stream if stream is not None else sys.stdin
        self._on_press = on_press
        self._closed = threading.Event()
        self._thread: threading.Thread | None = None
        if not force and not _is_tty(self._stream):
            log.info("pause key disabled: standard input is not a terminal")
            return
        self._thread = threading.Thread(target=self._read, name="pause-key", daemon=True)
        self._thread.start()

    def _read(self) -> None:
        try:
            for _line in self._stream:
                if self._closed.is_set():
                    return
                try:
                    self._on_press()
                except Exception:  # a failing handler must not end the key for the whole shift
                    log.exception("pause key handler failed")
        except (OSError, ValueError):  # the stream was closed under us: nothing more to read
            return

    def close(self) -> None:
        # A read blocked on a terminal cannot be interrupted; the daemon thread ignores what
        # arrives after close() and ends with the process.
        self._closed.set()


def _is_tty(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):  # no isatty, or a closed stream
        return False
