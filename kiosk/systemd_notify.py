"""systemd's notify protocol for the live loop (Type=notify, WatchdogSec=): READY, WATCHDOG,
STATUS and STOPPING datagrams on $NOTIFY_SOCKET, without python-systemd; a no-op elsewhere.

The loop calls `frame(now_s)` once per frame it got through, so the watchdog is fed only while
frames flow: a camera that hangs without an error, or a model stuck on a frame, stops the
pings and systemd restarts the service. Nothing here runs on a timer.
"""

from __future__ import annotations

import logging
import os
import socket
import struct
from collections.abc import Mapping

log = logging.getLogger(__name__)

# A full notify queue (systemd busy or wedged) makes sendto() wait; the frame loop waits at most
# this long for one message, then drops it and tries again on a later frame.
SEND_TIMEOUT_S = 0.1


class SystemdNotifier:
    """Sends notify messages to `address` (a path, or "@name" for an abstract socket).

    `watchdog_interval_s` is how often WATCHDOG=1 may be sent at most (half of WatchdogSec=);
    None: the service has no watchdog, or it watches another process.
    """

    def __init__(self, address: str | None, watchdog_interval_s: float | None = None) -> None:
        self.address = address
        self.watchdog_interval_s = watchdog_interval_s if address else None
        self.ready = False
        self._last_ping_s: float | None = None
        self._socket: socket.socket | None = None
        self._failed = False

    @classmethod
    def from_environ(
        cls, environ: Mapping[str, str] = os.environ, pid: int | None = None
    ) -> SystemdNotifier:
        """The notifier systemd asks for through NOTIFY_SOCKET, WATCHDOG_USEC and WATCHDOG_PID
        (as sd_notify(3) and sd_watchdog_enabled(3) read them)."""
        address = environ.get("NOTIFY_SOCKET") or None
        interval_s = None
        usec = environ.get("WATCHDOG_USEC", "")
        watched_pid = environ.get("WATCHDOG_PID", "")
        for_us = not watched_pid or watched_pid == str(os.getpid() if pid is None else pid)
        if usec.isdigit() and int(usec) > 0 and for_us:
            interval_s = int(usec) / 2e6
        return cls(address, interval_s)

    @property
    def enabled(self) -> bool:
        return self.address is not None

    def send(self, *fields: str) -> bool:
        """One datagram of newline-separated KEY=VALUE fields; False if it could not be sent.
        A failure is logged once and never raised: the kiosk outlives its supervisor's socket."""
        if self.address is None:
            return False
        target = "\0" + self.address[1:] if self.address.startswith("@") else self.address
        try:
            if self._socket is None:
                sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM | socket.SOCK_CLOEXEC)
                # A kernel-side timeout: the socket stays blocking, but its wait is bounded.
                timeval = struct.pack("@ll", 0, int(SEND_TIMEOUT_S * 1e6))
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDTIMEO, timeval)
                self._socket = sock
            self._socket.sendto("\n".join(fields).encode(), target)
        except OSError as exc:
            if not self._failed:
                log.warning("cannot notify systemd at %s: %s", self.address, exc)
                self._failed = True
            return False
        return True

    def frame(self, now_s: float) -> None:
        """A frame went through: READY=1 on the first, then WATCHDOG=1 once per interval."""
        if self.address is None:
            return
        if not self.ready:
            # Retried on the next frame if it could not be sent: systemd waits for it.
            if self.send("READY=1"):
                self.ready = True
                self._last_ping_s = now_s
            return
        interval_s = self.watchdog_interval_s
        if interval_s is None or self._last_ping_s is None:
            return
        if now_s - self._last_ping_s >= interval_s and self.send("WATCHDOG=1"):
            self._last_ping_s = now_s

    def status(self, text: str) -> None:
        """One line for `systemctl status`."""
        if self.address is not None:
            self.send("STATUS=" + text.replace("\n", " "))

    def stopping(self) -> None:
        """A clean stop has begun (SIGTERM, or a finite source ended)."""
        if self.address is not None:
            self.send("STOPPING=1")

    def close(self) -> None:
        if self._socket is not None:
            self._socket.close()
            self._socket = None
