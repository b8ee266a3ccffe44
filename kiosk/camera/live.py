"""Live cameras: the Raspberry Pi Camera Module through picamera2, and USB cameras through OpenCV.

picamera2 exists only on a Pi (from apt), so it is imported when a Pi camera is opened, never at
import time. Both sources stamp frames with a monotonic clock: this is the one place that reads it.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator

import cv2

from kiosk.camera.types import Frame
from kiosk.config import CameraConfig
from kiosk.errors import CameraStoppedError, CameraUnavailableError, SourceError

log = logging.getLogger(__name__)


class PiCameraSource:
    """The Camera Module, main stream in RGB at the configured size and frame rate."""

    live = True
    sequence = True

    def __init__(self, config: CameraConfig) -> None:
        try:
            from picamera2 import Picamera2
        except ImportError:
            raise SourceError(
                'picamera2 is not installed: on a Raspberry Pi run "sudo apt install '
                'python3-picamera2" and create the venv with --system-site-packages; '
                'elsewhere set [camera] source = "usb:0" or give a video file'
            ) from None
        self.name = "picamera"
        self.fps = config.fps
        self._stall_timeout_s = config.stall_timeout_s
        try:
            self._camera = Picamera2()
        except (IndexError, RuntimeError) as exc:
            raise CameraUnavailableError(
                f"no Camera Module found ({exc}); check the ribbon cable and "
                '"rpicam-hello --list-cameras"'
            ) from None
        # picamera2 names formats by the memory order on the little-endian wire:
        # "BGR888" gives arrays in R, G, B order, which is what the trackers want.
        video_config = self._camera.create_video_configuration(
            main={"size": (config.width, config.height), "format": "BGR888"},
            controls={"FrameRate": config.fps},
        )
        self._camera.configure(video_config)
        self._camera.start()

    def __iter__(self) -> Iterator[Frame]:
        index = 0
        while True:
            job = self._camera.capture_request(wait=False)
            try:
                request = self._camera.wait(job, timeout=self._stall_timeout_s)
            except TimeoutError:
                raise CameraStoppedError(
                    f"the Camera Module delivered no frame for {self._stall_timeout_s:g} s; "
                    "check the cable and restart the service"
                ) from None
            try:
                rgb = request.make_array("main")
                sensor_ns = request.get_metadata().get("SensorTimestamp")
            finally:
                request.release()
            t_s = sensor_ns / 1e9 if sensor_ns else time.monotonic()
            yield Frame(rgb=rgb, t_s=t_s, index=index)
            index += 1

    def close(self) -> None:
        self._camera.stop()
        self._camera.close()


class UsbCameraSource:
    """A V4L2 camera (/dev/videoN) read with OpenCV."""

    live = True
    sequence = True

    def __init__(self, device_index: int, config: CameraConfig) -> None:
        self.name = f"usb:{device_index}"
        self._stall_timeout_s = config.stall_timeout_s
        self._capture = cv2.VideoCapture(device_index)
        if not self._capture.isOpened():
            self._capture.release()
            raise CameraUnavailableError(
                f"cannot open USB camera {device_index} (/dev/video{device_index}); "
                'is it plugged in and not used by another program? ("v4l2-ctl --list-devices")'
            )
        self._capture.set(cv2.CAP_PROP_FRAME_WIDTH, config.width)
        self._capture.set(cv2.CAP_PROP_FRAME_HEIGHT, config.height)
        self._capture.set(cv2.CAP_PROP_FPS, config.fps)
        self.fps = float(self._capture.get(cv2.CAP_PROP_FPS) or config.fps)

    def __iter__(self) -> Iterator[Frame]:
        index = 0
        last_frame_s = time.monotonic()
        while True:
            # The frame's time is when its grab started, not when processing begins.
            grab_s = time.monotonic()
            ok = self._capture.grab()
            bgr = self._capture.retrieve()[1] if ok else None
            now_s = time.monotonic()
            if not ok or bgr is None:
                if now_s - last_frame_s > self._stall_timeout_s:
                    raise CameraStoppedError(
                        f"{self.name} delivered no frame for {self._stall_timeout_s:g} s; "
                        "was it unplugged?"
                    )
                time.sleep(0.05)
                continue
            last_frame_s = now_s
            yield Frame(rgb=cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB), t_s=grab_s, index=index)
            index += 1

    def close(self) -> None:
        self._capture.release()
