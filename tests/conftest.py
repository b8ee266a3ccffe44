"""Shared fixtures: the real astronaut photo and real MediaPipe trackers (never mocked)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from kiosk.camera.files import read_rgb
from kiosk.samples import astronaut_path


@pytest.fixture(scope="session")
def astronaut_file():
    return astronaut_path()


@pytest.fixture(scope="session")
def astronaut_rgb(astronaut_file) -> np.ndarray:
    rgb = read_rgb(astronaut_file)
    assert rgb is not None
    return rgb


@pytest.fixture(scope="session")
def photo_tracker():
    """Face, pose and hands in static-image mode, built once for the whole run."""
    from kiosk.config import TrackerConfig
    from kiosk.landmarks.mediapipe_tracker import MediaPipeTracker

    tracker = MediaPipeTracker(TrackerConfig(), static_images=True)
    yield tracker
    tracker.close()


@pytest.fixture
def off_a_pi():
    """For tests of what happens where there is no GPIO: skipped on a Raspberry Pi."""
    model = Path("/proc/device-tree/model")
    if model.exists() and "Raspberry Pi" in model.read_text(errors="ignore"):
        pytest.skip("this machine is a Raspberry Pi: real GPIO exists")


@pytest.fixture
def no_global_factory():
    """gpiozero's process-wide default pin factory, unset before and after the test."""
    from gpiozero import Device

    Device.pin_factory = None
    yield
    Device.pin_factory = None
