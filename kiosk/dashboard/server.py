"""Serving the dashboard with waitress (a production WSGI server, never Flask's development
server), in the foreground for `kiosk serve` or on a thread beside `kiosk run`."""

from __future__ import annotations

import logging
import threading

import waitress
from waitress import wasyncore

from kiosk.errors import ServeError

log = logging.getLogger(__name__)

THREADS = 4
STOP_TIMEOUT_S = 5.0


class DashboardServer:
    def __init__(self, app, host: str, port: int):
        try:
            # Binds and listens here, so a port in use is reported before anything starts.
            self._server = waitress.create_server(app, host=host, port=port, threads=THREADS)
        except (OSError, ValueError) as exc:
            reason = getattr(exc, "strerror", None) or str(exc)
            raise ServeError(
                f"cannot serve the dashboard on {host}:{port}: {reason}; choose another "
                "[dashboard] port or host (an address of this machine, 0.0.0.0 or 127.0.0.1)"
            ) from exc
        self._host = host
        self._thread: threading.Thread | None = None
        self._looping = threading.Event()
        self._stopped = False

    @property
    def port(self) -> int:
        return int(self._server.effective_port)

    @property
    def url(self) -> str:
        host = str(self._server.effective_host)
        if host in ("0.0.0.0", ""):
            host = "127.0.0.1"  # listening everywhere, reachable here
        elif host == "::":
            host = "::1"
        if ":" in host:
            host = f"[{host}]"
        return f"http://{host}:{self.port}/"

    def start(self) -> None:
        """Serves on a daemon thread; the socket already listens, so this returns at once."""
        if self._thread is not None:
            return
        self._thread = threading.Thread(target=self.serve_forever, name="dashboard", daemon=True)
        self._thread.start()

    def serve_forever(self) -> None:
        """Serves until stop() (from another thread or a signal handler)."""
        log.info("dashboard serving on %s (listening on %s)", self.url, self._host)
        self._looping.set()
        try:
            self._server.run()
        finally:
            self._looping.clear()
            self._server.task_dispatcher.shutdown(timeout=STOP_TIMEOUT_S)

    def stop(self) -> None:
        """Closes the listening socket and every open connection; returns within seconds."""
        if self._stopped:
            return
        self._stopped = True
        if self._looping.is_set():
            # The loop's sockets belong to its thread: close them there, through the trigger;
            # an empty socket map then ends the loop.
            self._server.trigger.pull_trigger(self._close_all)
        else:
            self._close_all()
            self._server.task_dispatcher.shutdown(timeout=STOP_TIMEOUT_S)
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(STOP_TIMEOUT_S)
            if self._thread.is_alive():
                log.warning(
                    "the dashboard's server thread did not stop within %s s", STOP_TIMEOUT_S
                )
        log.info("dashboard stopped")

    def _close_all(self) -> None:
        for dispatcher in list(self._server._map.values()):
            # Connections clean up in their own handle_close; the listening socket and the
            # trigger have only the base one, which logs "unhandled close event": just close.
            own = type(dispatcher).handle_close is not wasyncore.dispatcher.handle_close
            try:
                dispatcher.handle_close() if own else dispatcher.close()
            except OSError as exc:  # a connection already gone: nothing left to close
                log.debug("closing a dashboard connection: %s", exc)
