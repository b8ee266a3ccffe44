"""The dashboard runs beside (or apart from) the live loop: it must not load the camera, GPIO
or model libraries."""

import subprocess
import sys

HEAVY = ("mediapipe", "picamera2", "gpiozero", "cv2")


def test_importing_the_dashboard_and_its_server_loads_no_hardware_or_model_library():
    code = (
        "import sys, kiosk.dashboard, kiosk.dashboard.server; "
        f"print(','.join(m for m in {HEAVY!r} if m in sys.modules))"
    )
    loaded = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.strip()
    assert loaded == ""
