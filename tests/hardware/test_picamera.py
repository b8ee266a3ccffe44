"""Opt-in checks on a Pi with a Camera Module: KIOSK_HARDWARE=1 pytest tests/hardware."""

import itertools
import os

import pytest

from kiosk.camera.open import open_source
from kiosk.config import CameraConfig

pytestmark = [
    pytest.mark.hardware,
    pytest.mark.skipif(
        os.environ.get("KIOSK_HARDWARE") != "1",
        reason="needs a Raspberry Pi with a Camera Module; set KIOSK_HARDWARE=1 to run",
    ),
]


def test_camera_module_delivers_rgb_frames_with_rising_timestamps():
    config = CameraConfig(width=640, height=480, fps=15.0)
    source = open_source("picamera", config)
    try:
        frames = []
        for frame in source:
            frames.append(frame)
            if len(frames) == 10:
                break
    finally:
        source.close()
    assert frames[0].rgb.shape == (480, 640, 3)
    deltas = [b.t_s - a.t_s for a, b in itertools.pairwise(frames)]
    assert all(0.02 < d < 0.5 for d in deltas)
