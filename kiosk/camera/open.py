"""Turn a source description ("picamera", "usb:0", a path) into an open FrameSource."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from kiosk.camera.files import IMAGE_SUFFIXES, ImageFileSource, ImageFolderSource, VideoFileSource
from kiosk.camera.scene import SceneSource
from kiosk.camera.types import FrameSource
from kiosk.config import CameraConfig
from kiosk.errors import SourceError
from kiosk.scenes.library import get_scenario
from kiosk.scenes.render import SceneRig


def open_source(
    spec: str,
    camera: CameraConfig,
    fps: float | None = None,
    scene_rig: Callable[[], SceneRig] | None = None,
) -> FrameSource:
    """Open the source named by `spec`.

    `scene_rig` builds the renderer for "scene:NAME" sources (it needs the tracker, which only
    the composition root constructs).

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
    if spec.startswith("scene:"):
        scenario = get_scenario(spec.removeprefix("scene:"))
        if scene_rig is None:
            raise SourceError(f"{spec}: scenes are not available here")
        return SceneSource(scenario, scene_rig(), fps or camera.fps)
    path = Path(spec)
    if path.is_dir():
        return ImageFolderSource(path, fps or camera.fps)
    if not path.exists():
        raise SourceError(
            f'{spec}: no such file or folder (a source is a path, "picamera", "usb:N" '
            'or "scene:NAME")'
        )
    if path.suffix.lower() in IMAGE_SUFFIXES:
        return ImageFileSource(path, fps or camera.fps)
    return VideoFileSource(path, fps)
