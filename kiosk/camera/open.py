"""Turn a source description ("picamera", "usb:0", a path) into an open FrameSource."""

from __future__ import annotations

from pathlib import Path

from kiosk.camera.files import IMAGE_SUFFIXES, ImageFileSource, ImageFolderSource, VideoFileSource
from kiosk.camera.types import FrameSource
from kiosk.config import CameraConfig
from kiosk.errors import SourceError


def open_source(spec: str, camera: CameraConfig, fps: float | None = None) -> FrameSource:
    """Open the source named by `spec`.

    `fps` times images and image folders and thins videos; without it images are timed at the
    camera's configured rate and videos keep every frame.
    """
    if spec == "picamera":
        from kiosk.camera.live import PiCameraSource

        return PiCameraSource(camera)
    if spec.startswith("usb:"):
        index_text = spec.removeprefix("usb:")
        if not index_text.isdigit():
            raise SourceError(f'{spec}: a USB camera is "usb:N" with N the /dev/videoN number')
        from kiosk.camera.live import UsbCameraSource

        return UsbCameraSource(int(index_text), camera)
    path = Path(spec)
    if path.is_dir():
        return ImageFolderSource(path, fps or camera.fps)
    if not path.exists():
        raise SourceError(
            f'{spec}: no such file or folder (a source is a path, "picamera" or "usb:N")'
        )
    if path.suffix.lower() in IMAGE_SUFFIXES:
        return ImageFileSource(path, fps or camera.fps)
    return VideoFileSource(path, fps)
