"""Keep only the newest frame of a live camera: when the pipeline falls behind, frames are
dropped, never queued, so every step works on what the camera sees now."""

from __future__ import annotations

import logging
import threading

from kiosk.camera.types import Frame, FrameSource
from kiosk.errors import CameraStoppedError, SourceError

log = logging.getLogger(__name__)


class LatestFrameReader:
    """Reads `source` on a daemon thread; `get()` returns the newest frame not yet taken.

    An error in the source (a camera that stops) is re-raised by `get()` in the caller's thread.
    """

    def __init__(self, source: FrameSource) -> None:
        self.source = source
        self.dropped = 0
        self.delivered = 0
        self._frame: Frame | None = None
        self._error: BaseException | None = None
        self._ended = False
        self._stopping = False
        self._cond = threading.Condition()
        self._thread = threading.Thread(target=self._read, name="camera", daemon=True)
        self._thread.start()

    def _read(self) -> None:
        try:
            for frame in self.source:
                with self._cond:
                    if self._stopping:
                        return
                    if self._frame is not None:
                        self.dropped += 1
                    self._frame = frame
                    self._cond.notify_all()
        except Exception as exc:  # handed to the consumer, which retries
            if not isinstance(exc, SourceError):
                # picamera2's RuntimeError or a cv2.error after a cable fault is a stopped camera
                # too: the kiosk shows the fault and retries instead of dying with a traceback.
                wrapped = CameraStoppedError(f"the camera failed: {type(exc).__name__}: {exc}")
                wrapped.__cause__ = exc
                exc = wrapped
            with self._cond:
                self._error = exc
                self._cond.notify_all()
            return
        with self._cond:
            self._ended = True
            self._cond.notify_all()

    def get(self, timeout_s: float) -> Frame | None:
        """The newest untaken frame, waiting up to `timeout_s`; None on time-out.

        Raises the source's error, or StopIteration once a finite source has ended.
        """
        with self._cond:
            self._cond.wait_for(
                lambda: self._frame is not None or self._error is not None or self._ended,
                timeout=timeout_s,
            )
            if self._frame is not None:
                frame, self._frame = self._frame, None
                self.delivered += 1
                return frame
            if self._error is not None:
                raise self._error
            if self._ended:
                raise StopIteration
            return None

    def close(self, wait_s: float = 0.5) -> None:
        """Stop reading: a healthy camera's next frame ends the thread within a frame interval,
        and only then is the device closed (OpenCV must not be released mid-grab); a stalled one
        is closed after `wait_s` so that shutdown stays quick."""
        with self._cond:
            self._stopping = True
        self._thread.join(timeout=wait_s)
        self.source.close()
        if self._thread.is_alive():
            self._thread.join(timeout=0.2)
            if self._thread.is_alive():
                log.warning("the camera thread is still blocked in a read; leaving it behind")
