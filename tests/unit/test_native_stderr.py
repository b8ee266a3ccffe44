"""Which native log lines the CLI drops from stderr, and which it must keep."""

import pytest

from kiosk.native_stderr import CHATTER


@pytest.mark.parametrize(
    "line",
    [
        b"W0000 00:00:1795463857.306816   12548 inference_feedback_manager.cc:114] Feedback",
        b"INFO: Created TensorFlow Lite XNNPACK delegate for CPU.",
        b"[ WARN:0@0.240] global cap_v4l.cpp:913 open VIDEOIO(V4L2:/dev/video7): can't open",
        b"[ERROR:0@0.241] global obsensor_uvc_stream_channel.cpp:158 getStreamChannelGroup",
    ],
)
def test_native_chatter_is_dropped(line):
    assert CHATTER.match(line)


@pytest.mark.parametrize(
    "line",
    [
        b"kiosk: error: cannot open USB camera 7 (/dev/video7)",
        b"kiosk: WARNING: nudge staring: fault reached its minimum time at t=6.27 s",
        b"Traceback (most recent call last):",
        b"[ERROR] something a user must see",
    ],
)
def test_the_kiosks_own_lines_and_tracebacks_pass(line):
    assert not CHATTER.match(line)
