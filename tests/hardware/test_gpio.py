"""Opt-in checks on a Pi wired as the README says: KIOSK_HARDWARE=1 pytest tests/hardware.

An installer watches the LEDs light one after another; the test reads the PWM values back.
"""

import os
import time

import pytest

from kiosk.config import Config
from kiosk.feedback.leds import build_leds
from kiosk.gpio import pin_factory

pytestmark = [
    pytest.mark.hardware,
    pytest.mark.skipif(
        os.environ.get("KIOSK_HARDWARE") != "1",
        reason="needs a Raspberry Pi with the LEDs wired; set KIOSK_HARDWARE=1 to run",
    ),
]

CUES = ("staring", "not_facing", "pointing")  # one on each default LED


def test_the_real_pin_factory_is_not_a_mock():
    from gpiozero.pins.mock import MockFactory

    assert not isinstance(pin_factory("gpio"), MockFactory)


def test_each_default_led_lights_dim_then_everything_goes_dark():
    config = Config()
    factory = pin_factory("gpio")
    leds = build_leds(config, "gpio", pin_factory=factory, animate=False)
    try:
        for i, cue in enumerate(CUES):
            leds.show(cue, float(i))
            pin = factory.pin(getattr(config.cues, cue).pins[0])
            assert pin.state == pytest.approx(config.leds.brightness, abs=0.01)
            time.sleep(1.0)  # for the installer's eyes
        for status in ("tracking", "paused", "camera_fault"):
            leds.set_status(status, 0.0)
            time.sleep(1.0)
        leds.off()
        assert all(factory.pin(getattr(config.cues, c).pins[0]).state == 0 for c in CUES)
    finally:
        leds.close()
