"""The Frame value and the FrameSource protocol every source implements.

Frames carry their own timestamp, so nothing downstream needs a clock.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Protocol

import numpy as np


@dataclass(frozen=True)
class Frame:
    """One image from a source.

    `rgb` is an HxWx3 uint8 array in RGB order. `t_s` is seconds on the source's monotonic
    clock (0 at the first frame for files; capture time for live cameras). `index` counts the
    frames the source has delivered, from 0. `file` names the image file for image inputs.
    """

    rgb: np.ndarray
    t_s: float
    index: int
    file: str | None = None

    @property
    def width(self) -> int:
        return int(self.rgb.shape[1])

    @property
    def height(self) -> int:
        return int(self.rgb.shape[0])


class FrameSource(Protocol):
    """An iterable of frames that owns a device or file and must be closed.

    `live` is True for cameras (frames arrive in real time, consecutive frames are of the same
    scene) and False for files; `sequence` is False when consecutive frames are unrelated
    (a folder of photos), so trackers should not carry state between them.
    """

    name: str
    live: bool
    sequence: bool
    fps: float

    def __iter__(self) -> Iterator[Frame]: ...

    def close(self) -> None: ...
