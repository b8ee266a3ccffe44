"""The newest-frame reader: drops instead of queueing, hands errors over, closes promptly."""

from __future__ import annotations

import threading
import time

import numpy as np
import pytest

from kiosk.camera.latest import LatestFrameReader
from kiosk.camera.types import Frame
from kiosk.errors import CameraStoppedError

TINY = np.zeros((2, 2, 3), dtype=np.uint8)


class Camera:
    live, sequence, fps, name = True, True, 30.0, "stand-in"

    def __init__(self, frames=0, error=None, block=None):
        self.frames, self.error, self.block = frames, error, block
        self.closed = threading.Event()
        self.delivered_all = threading.Event()

    def __iter__(self):
        for i in range(self.frames):
            yield Frame(TINY, i / 30.0, i)
        self.delivered_all.set()
        if self.block is not None:
            self.block.wait(10.0)  # a read that hangs, like a stalled camera
        if self.error is not None:
            raise self.error

    def close(self):
        self.closed.set()


def test_a_consumer_that_falls_behind_gets_the_newest_frame_and_the_rest_are_dropped():
    camera = Camera(frames=50, block=threading.Event())
    reader = LatestFrameReader(camera)
    assert camera.delivered_all.wait(5.0)  # all 50 delivered while nobody took any
    frame = reader.get(1.0)
    assert frame.index == 49
    assert reader.dropped == 49
    assert reader.get(0.05) is None
    reader.close(wait_s=0.05)


def test_any_camera_failure_reaches_the_loop_as_a_stopped_camera():
    reader = LatestFrameReader(Camera(error=RuntimeError("Camera frontend has timed out!")))
    with pytest.raises(CameraStoppedError, match="RuntimeError: Camera frontend has timed out"):
        reader.get(1.0)
    reader.close()


def test_closing_a_reader_stuck_in_a_read_returns_promptly_and_closes_the_device():
    hang = threading.Event()
    camera = Camera(block=hang)
    reader = LatestFrameReader(camera)
    started = time.monotonic()
    reader.close(wait_s=0.1)
    assert camera.closed.is_set()
    assert time.monotonic() - started < 1.0  # a bound on shutdown, not a speed figure
    hang.set()


def test_a_finite_source_ends_with_stop_iteration_after_its_last_frame():
    reader = LatestFrameReader(Camera(frames=1))
    assert reader.get(1.0).index == 0
    with pytest.raises(StopIteration):
        reader.get(1.0)
    reader.close()
