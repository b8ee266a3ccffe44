"""The pure core must not pull in hardware or heavy libraries: it runs in tests and replays."""

import subprocess
import sys

import pytest

HEAVY = ("mediapipe", "picamera2", "gpiozero", "flask")


@pytest.mark.parametrize(
    "module",
    [
        "kiosk.signals.session",
        "kiosk.pipeline",
        "kiosk.feedback.rules",
        "kiosk.feedback.pause",
        "kiosk.presence.interaction",
        "kiosk.features.frame",
        "kiosk.scenes.script",
        "kiosk.features",
        "kiosk.features.head_pose",
        "kiosk.analysis",
        "kiosk.config",
        "kiosk.cli",
    ],
)
def test_importing_the_core_loads_no_hardware_or_model_library(module):
    code = f"import sys, {module}; print(','.join(m for m in {HEAVY!r} if m in sys.modules))"
    loaded = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.strip()
    assert loaded == ""
