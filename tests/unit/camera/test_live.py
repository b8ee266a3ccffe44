import importlib.util
import sys
import time
import types
from typing import ClassVar

import numpy as np
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


class FakeRequest:
    def __init__(self, index):
        self.index = index
        self.released = False

    def make_array(self, stream):
        assert stream == "main"
        return np.full((48, 64, 3), self.index, dtype=np.uint8)

    def get_metadata(self):
        return {"SensorTimestamp": 1_000_000_000 + self.index * 66_666_667}

    def release(self):
        self.released = True


class FakePicamera2:
    """Stands in for picamera2.Picamera2 (hardware), with the calls the source makes."""

    frames_before_stall = 3
    instances: ClassVar[list] = []

    def __init__(self):
        self.config = None
        self.started = self.closed = False
        self.requests: list[FakeRequest] = []
        FakePicamera2.instances.append(self)

    def create_video_configuration(self, main, controls):
        return {"main": main, "controls": controls}

    def configure(self, config):
        self.config = config

    def start(self):
        self.started = True

    def capture_request(self, wait=None):
        assert wait is False
        return len(self.requests)

    def wait(self, job, timeout=None):
        if job >= self.frames_before_stall:
            raise TimeoutError
        request = FakeRequest(job)
        self.requests.append(request)
        return request

    def stop(self):
        self.started = False

    def close(self):
        self.closed = True


@pytest.fixture
def fake_picamera2(monkeypatch):
    module = types.ModuleType("picamera2")
    module.Picamera2 = FakePicamera2
    monkeypatch.setitem(sys.modules, "picamera2", module)
    FakePicamera2.instances = []
    return FakePicamera2


def test_pi_camera_frames_are_rgb_with_sensor_timestamps_and_requests_released(fake_picamera2):
    from kiosk.camera.live import PiCameraSource
    from kiosk.errors import CameraStoppedError

    source = PiCameraSource(CameraConfig(width=64, height=48, fps=15.0, stall_timeout_s=1.0))
    camera = fake_picamera2.instances[0]
    assert camera.config["main"] == {"size": (64, 48), "format": "BGR888"}
    assert camera.config["controls"] == {"FrameRate": 15.0}
    frames = []
    with pytest.raises(CameraStoppedError, match="no frame for 1 s"):
        for frame in source:
            frames.append(frame)
    assert [f.index for f in frames] == [0, 1, 2]
    assert [f.t_s for f in frames] == pytest.approx([1.0, 1.0666667, 1.1333333])
    assert frames[2].rgb[0, 0, 0] == 2
    assert all(r.released for r in camera.requests)
    source.close()
    assert camera.closed


class FakeCapture:
    """Stands in for cv2.VideoCapture on a USB camera that is unplugged after two frames."""

    def __init__(self, index):
        self.index, self.reads = index, 0

    def isOpened(self):  # noqa: N802 - OpenCV's name
        return True

    def set(self, prop, value):
        return True

    def get(self, prop):
        return 30.0

    def grab(self):
        self.reads += 1
        return self.reads <= 2

    def retrieve(self):
        return True, np.zeros((48, 64, 3), dtype=np.uint8)

    def release(self):
        pass


def test_an_unplugged_usb_camera_is_reported_not_waited_on_forever(monkeypatch):
    import kiosk.camera.live as live
    from kiosk.errors import CameraStoppedError

    monkeypatch.setattr(live.cv2, "VideoCapture", FakeCapture)
    source = live.UsbCameraSource(0, CameraConfig(stall_timeout_s=0.5))
    frames = []
    before_s = time.monotonic()
    with pytest.raises(CameraStoppedError, match=r"usb:0 delivered no frame for 0\.5 s"):
        for frame in source:
            frames.append(frame)
    assert len(frames) == 2
    # stamped when the grab started, on the monotonic clock
    assert before_s <= frames[0].t_s < frames[1].t_s < before_s + 0.5
