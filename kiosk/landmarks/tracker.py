"""The Tracker protocol: a frame in, Landmarks out, for the parts the caller asks for."""

from __future__ import annotations

from typing import Protocol

from kiosk.camera.types import Frame
from kiosk.landmarks.types import Landmarks


class Tracker(Protocol):
    def track(
        self, frame: Frame, *, face: bool = True, pose: bool = False, hands: bool = False
    ) -> Landmarks: ...

    def close(self) -> None: ...
