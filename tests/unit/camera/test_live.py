import importlib.util

import pytest

from kiosk.camera.open import open_source
from kiosk.config import CameraConfig
from kiosk.errors import SourceError


@pytest.mark.skipif(
    importlib.util.find_spec("picamera2") is not None, reason="picamera2 is installed (a Pi)"
)
def test_picamera_off_a_pi_is_a_clear_error_naming_the_fix():
    with pytest.raises(SourceError, match="python3-picamera2"):
        open_source("picamera", CameraConfig())


def test_missing_usb_camera_is_a_clear_error():
    with pytest.raises(SourceError, match="cannot open USB camera 63"):
        open_source("usb:63", CameraConfig())
