"""Frame sources: everything that turns a camera, a file or a folder into timed RGB frames."""

from kiosk.camera.types import Frame, FrameSource

__all__ = ["Frame", "FrameSource"]
