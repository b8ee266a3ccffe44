"""Frame sources for recorded input: a single image, a folder of images, a video file."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from pathlib import Path

import cv2
import numpy as np

from kiosk.camera.types import Frame
from kiosk.errors import SourceError

log = logging.getLogger(__name__)

IMAGE_SUFFIXES = frozenset({".png", ".jpg", ".jpeg", ".bmp", ".tif", ".tiff", ".webp"})


def read_rgb(path: Path) -> np.ndarray | None:
    """Decode an image file to RGB uint8, or None if it is not a readable image."""
    data = np.fromfile(str(path), dtype=np.uint8)  # imdecode copes with non-ASCII paths
    bgr = cv2.imdecode(data, cv2.IMREAD_COLOR) if data.size else None
    return None if bgr is None else cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB)


def natural_key(name: str) -> list[object]:
    """Sort key that puts frame_2.png before frame_10.png."""
    return [int(part) if part.isdigit() else part.lower() for part in re.split(r"(\d+)", name)]


class ImageFileSource:
    """One image as a one-frame source."""

    live = False
    sequence = False

    def __init__(self, path: str | Path, fps: float) -> None:
        self.path = Path(path)
        self.name = str(path)
        self.fps = fps
        if not self.path.is_file():
            raise SourceError(f"{path}: no such image file")

    def __iter__(self) -> Iterator[Frame]:
        rgb = read_rgb(self.path)
        if rgb is None:
            raise SourceError(f"{self.path}: not a readable image")
        yield Frame(rgb=rgb, t_s=0.0, index=0, file=self.path.name)

    def close(self) -> None:
        pass


class ImageFolderSource:
    """The images of a folder, in natural name order, timed at `fps`.

    Unreadable files are skipped with a warning so one bad file does not stop an analysis.
    """

    live = False
    sequence = False

    def __init__(self, path: str | Path, fps: float) -> None:
        self.path = Path(path)
        self.name = str(path)
        self.fps = fps
        if not self.path.is_dir():
            raise SourceError(f"{path}: no such folder")
        self.files = sorted(
            (p for p in self.path.iterdir() if p.suffix.lower() in IMAGE_SUFFIXES and p.is_file()),
            key=lambda p: natural_key(p.name),
        )
        if not self.files:
            suffixes = ", ".join(sorted(IMAGE_SUFFIXES))
            raise SourceError(f"{path}: the folder holds no images ({suffixes})")
        self.skipped: list[str] = []

    def __iter__(self) -> Iterator[Frame]:
        index = 0
        for path in self.files:
            rgb = read_rgb(path)
            if rgb is None:
                log.warning("%s: not a readable image, skipped", path)
                self.skipped.append(path.name)
                continue
            yield Frame(rgb=rgb, t_s=index / self.fps, index=index, file=path.name)
            index += 1

    def close(self) -> None:
        pass


class VideoFileSource:
    """A video file decoded with OpenCV, optionally thinned to at most `fps` frames per second.

    Timestamps come from the frame number and the file's frame rate, not from the wall clock,
    so the same file always gives the same `t_s`.
    """

    live = False
    sequence = True

    def __init__(self, path: str | Path, fps: float | None = None, default_fps: float = 30.0):
        self.path = Path(path)
        self.name = str(path)
        if not self.path.is_file():
            raise SourceError(f"{path}: no such video file")
        self._capture = cv2.VideoCapture(str(self.path))
        if not self._capture.isOpened():
            raise SourceError(f"{path}: cannot open as a video (unknown format or codec)")
        native = float(self._capture.get(cv2.CAP_PROP_FPS) or 0.0)
        if not np.isfinite(native) or native <= 0:
            log.warning("%s: the file states no frame rate; assuming %.3g fps", path, default_fps)
            native = default_fps
        self.native_fps = native
        self.fps = min(fps, native) if fps else native

    def __iter__(self) -> Iterator[Frame]:
        step_s = 1.0 / self.fps
        next_t_s = 0.0
        decoded = delivered = 0
        while True:
            ok, bgr = self._capture.read()
            if not ok or bgr is None:
                break
            t_s = decoded / self.native_fps
            decoded += 1
            # Half a native frame of slack keeps rounding from dropping frames at equal rates.
            if t_s + 0.5 / self.native_fps < next_t_s:
                continue
            next_t_s += step_s
            yield Frame(rgb=cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB), t_s=t_s, index=delivered)
            delivered += 1
        if decoded == 0:
            raise SourceError(f"{self.path}: no frame could be decoded from the video")

    def close(self) -> None:
        self._capture.release()
